"""Issue 18: the subsidy card on a project's page reads the project's file (scoped) and, before there is one, the
policies in force for its area with statements compiled once per process (core.prepared; the file's once per scope
shape), with the answers the querysets they replace give."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import timezone

from jiati.projects import services as project_services
from jiati.subsidies import panels, rules, selectors
from jiati.subsidies.models import SubsidyApplication, SubsidyPolicy
from jiati.subsidies.tests.conftest import eligible_project

ROLES = ["admin", "district", "finance", "subdistrict", "community", "property", "other_community", "other_district"]


def _panel(world, role, project):
    request = RequestFactory().get("/")
    request.user = world.users[role]
    (panel,) = panels.project_panels(request=request, project=project)
    return panel


@pytest.mark.parametrize("role", ROLES)
def test_the_project_file_is_the_one_the_user_may_see(world, policies, role):
    project = eligible_project(world)
    user = world.users[role]
    expected = SubsidyApplication.objects.visible_to(user).filter(project=project).first()
    found = selectors.project_application(user=user, project=project)
    assert found == expected
    if found is not None:
        assert (found.policy, found.policy.region) == (expected.policy, expected.policy.region)


def test_the_panel_compiles_nothing_of_its_own_per_view_after_the_first(world, policies, compiled_models):
    filed = eligible_project(world)
    before = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1b"])
    for project in (filed, before):
        _panel(world, "community", project)
    compiled_models.clear()  # counted from here: later views
    panels_now = [_panel(world, "community", filed), _panel(world, "community", before)]
    compiled = list(compiled_models)
    assert panels_now[0]["application"] == SubsidyApplication.objects.get(project=filed)
    assert panels_now[1]["application"] is None and "estimate" in panels_now[1]
    assert SubsidyApplication not in compiled and SubsidyPolicy not in compiled, compiled


def test_the_policy_in_force_is_the_one_the_queryset_finds(world, policies):
    community = world.regions["A1a"]
    for day in (policies["old"].effective_from, policies["old"].effective_to, policies["new"].effective_from):
        for extras in (True, False):
            chosen = rules.applicable_policy(community=community, on=day, extras=extras)
            candidates = SubsidyPolicy.objects.in_force_on(day).filter(
                region__path__in=[r.path for r in (world.regions["A"], world.regions["A1"], community)]
            )
            assert chosen == max(candidates, key=lambda p: (len(p.region.path), p.effective_from, p.pk))
    assert rules.applicable_policy(community=world.regions["B1a"], on=timezone.localdate()) is None
