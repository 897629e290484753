import pytest

from jiati.projects import services


@pytest.fixture
def project(world):
    """A live project on the community's stairwell, opened by community staff."""
    return services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
