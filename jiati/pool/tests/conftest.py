import pytest

from jiati.core.tests.factories import EstateFactory, stairwell_with_dwellings
from jiati.pool import services


@pytest.fixture
def community(world):
    return world.users["community"]


@pytest.fixture
def stairwell(world):
    """The community's 6-storey stairwell of 12 dwellings (A1a)."""
    return world.stairwells["a1a"]


@pytest.fixture
def survey(stairwell, community):
    return services.survey_open(actor=community, stairwell=stairwell)


def answer_all(survey, actor, answers: list[str], channel: str = "door_to_door"):
    """Record answers for the first len(answers) dwellings of the survey's stairwell, floor by floor."""
    from jiati.housing.models import Dwelling

    dwellings = list(Dwelling.objects.filter(stairwell_id=survey.stairwell_id).order_by("floor", "room"))
    for dwelling, answer in zip(dwellings, answers, strict=False):
        services.survey_answer_record(actor=actor, survey=survey, dwelling=dwelling, answer=answer, channel=channel)
    survey.refresh_from_db()
    return survey


@pytest.fixture
def second_estate_stairwell(world):
    """Another estate in the same community (A1a), with its own stairwell."""
    estate = EstateFactory(code="A1A-2", name="第二花园", community=world.regions["A1a"])
    return stairwell_with_dwellings(estate=estate, storeys=7, per_floor=2)
