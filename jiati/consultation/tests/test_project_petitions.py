"""Issue 18: the consultation card's petitions are read with a statement compiled once per scope shape (a region's
staff, with the petitions each handles besides: `accounts.scoping.scope_shape`), and are the ones `visible_to`
gives every role."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import timezone

from jiati.accounts.scoping import scope_shape
from jiati.consultation import panels, selectors
from jiati.consultation.models import Petition, PetitionStatus, ReplyMethod
from jiati.consultation.services import petitions as services

ROLES = [
    "admin",
    "district",
    "subdistrict",
    "community",
    "property",
    "contractor",
    "resident",
    "other_community",
    "other_district",
]


@pytest.fixture
def petitions(world, groups, project):
    made = [
        services.petition_submit(
            actor=world.users["community"],
            estate=world.estates["a1a"],
            stairwell=world.stairwells["a1a"],
            petitioner_name="王建国",
            petitioner_phone="13800138000",
            reply_method=ReplyMethod.PHONE,
            subject=f"一楼采光受影响 {n}",
            content="加装电梯后一楼采光变差，要求补偿。",
        )
        for n in range(3)
    ]
    assert all(petition.project_id == project.pk for petition in made)
    # One handled by staff of another community (he sees it besides his area's), one closed (not open).
    Petition.objects.filter(pk=made[0].pk).update(handler=world.users["other_community"])
    Petition.objects.filter(pk=made[2].pk).update(status=PetitionStatus.CLOSED, closed_at=timezone.now())
    return made


@pytest.mark.parametrize("role", ROLES)
def test_the_projects_petitions_are_those_the_user_may_see(world, project, petitions, role):
    user = world.users[role]
    expected = list(Petition.objects.visible_to(user).filter(project=project).open().order_by("due_date")[:10])
    assert selectors.project_petitions(user=user, project=project) == expected
    assert selectors.project_petitions(user=user, project=project) == expected  # once prepared, the same


def test_a_regions_staff_have_a_shape_with_their_own_key(world):
    reach = Petition.objects.all().reach
    shape = scope_shape(world.users["other_community"], reach)
    assert shape.key == ("region", "community__path", "also", "handler")
    assert shape.values == (world.users["other_community"].region.path, world.users["other_community"].pk)
    assert scope_shape(world.users["property"], reach) is scope_shape(world.users["resident"], reach) is None


def test_the_panel_compiles_no_petition_read_per_view_after_the_first(world, project, petitions, compiled_models):
    request = RequestFactory().get("/")
    request.user = world.users["other_community"]
    panels.project_panels(request=request, project=project)
    compiled_models.clear()  # counted from here: a second view
    (panel,) = panels.project_panels(request=request, project=project)
    assert Petition not in compiled_models, compiled_models
    assert panel["petitions"] == [petitions[0]]  # the one he handles, outside his area
