from jiati.elevators.tests.conftest import elevator  # noqa: F401 - the same fixture for scoring tests
