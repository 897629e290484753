import pytest
from django.utils import timezone

from jiati.housing.models import Ownership
from jiati.projects.models import Project, Stage


def project_in_service(world, key="a1a", **companies) -> Project:
    stairwell = world.stairwells[key]
    owner = Ownership.objects.filter(dwelling__stairwell=stairwell).first().owner
    return Project.objects.create(
        code=f"JT-{key}",
        stairwell=stairwell,
        estate=stairwell.estate,
        community=stairwell.community,
        stage=Stage.IN_SERVICE,
        lead_owner=owner,
        responsible=world.users["community"],
        created_by=world.users["community"],
        contractor=world.companies["contractor"],
        maintainer=world.companies["maintainer"],
        **companies,
    )


@pytest.fixture
def elevator(world):
    from jiati.core.hooks import collect
    from jiati.elevators.models import Elevator

    world.companies["maintainer"].hotline = "075512345678"
    world.companies["maintainer"].save()
    project = project_in_service(world)
    collect(
        "stage_hooks", "project_entered_stage", project=project, stage=Stage.IN_SERVICE, actor=world.users["district"]
    )
    elevator = Elevator.objects.get(project=project)
    elevator.in_service_since = timezone.localdate() - timezone.timedelta(days=100)
    elevator.save()
    return elevator
