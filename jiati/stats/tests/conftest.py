"""Fixtures for statistics: projects moved through the real services, with the stage guards lifted (the
guards are the projects app's concern; here only the figures matter)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from jiati.projects import stages
from jiati.subsidies.tests.conftest import budgets, policies  # noqa: F401 - fixtures reused


@pytest.fixture
def no_guards(monkeypatch):
    monkeypatch.setattr(stages, "_EXIT_GUARDS", defaultdict(list))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if it committed: the summaries are rebuilt by on-commit callbacks."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
