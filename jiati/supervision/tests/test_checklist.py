"""The checklist depends on the construction step; only sites under construction are checked; a refused
check names every point that is wrong, at once, and saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiati.projects.models import Stage, Status
from jiati.supervision import checklist, services
from jiati.supervision.models import Rectification, SiteCheck
from jiati.supervision.tests.conftest import all_ok, at_stage

COMMON = ["fencing_signs", "dust_noise", "working_hours", "lifting", "temporary_power", "materials_fire_lane"]


@pytest.mark.parametrize(
    ("stage", "step_points"),
    [
        (Stage.FOUNDATION, ["foundation_pit", "reinforcement"]),
        (Stage.SHAFT, ["frame_welds_bolts", "shaft_plumb"]),
        (Stage.INSTALLATION, ["guide_rails", "safety_gear"]),
        (Stage.FINISHING, ["walkways", "waterproofing"]),
    ],
)
def test_checklist_per_construction_step(stage, step_points):
    codes = [item.code for item in checklist.items_for(stage)]
    assert codes == COMMON + step_points
    assert {checklist.item_area(c) for c in COMMON} == {"civilised_construction"}
    assert {checklist.item_area(c) for c in step_points} == {"quality_control"}


def test_no_checklist_outside_construction():
    assert checklist.items_for(Stage.VOTE) == ()
    assert checklist.items_for(Stage.INSPECTION) == ()


def test_check_records_every_point_and_a_rectification_per_finding(world, site):
    user = world.users["community"]
    results = all_ok(site, reinforcement=("issue", "钢筋间距过大"), lifting=("na", ""))
    check = services.site_check_record(actor=user, project=site, results=results, note="晴")
    assert check.stage == Stage.FOUNDATION and check.findings == 1
    assert {i.code: i.result for i in check.items.all()}["reinforcement"] == "issue"
    assert check.items.count() == 8
    rectification = Rectification.objects.get()
    assert rectification.code == "reinforcement" and rectification.area == "quality_control"
    assert rectification.company == world.companies["contractor"]
    assert "钢筋间距过大" in rectification.description


@pytest.mark.parametrize(
    ("stage", "status"),
    [(Stage.CONSTRUCTION_NOTICE, Status.ACTIVE), (Stage.INSPECTION, Status.ACTIVE), (Stage.SHAFT, Status.SUSPENDED)],
)
def test_site_not_under_construction_is_refused(world, site, stage, status):
    site = at_stage(site, stage, site.contractor)
    type(site).objects.filter(pk=site.pk).update(status=status)
    site.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.site_check_record(actor=world.users["community"], project=site, results={})
    assert exc.value.error_list[0].code == "not_under_construction"
    assert "not under construction" in exc.value.messages[0]
    assert not SiteCheck.objects.exists()


def test_refusal_names_every_missing_point_and_finding_without_note(world, site):
    results = all_ok(site)
    del results["dust_noise"], results["lifting"]
    results["reinforcement"] = ("issue", "  ")
    with pytest.raises(ValidationError) as exc:
        services.site_check_record(actor=world.users["community"], project=site, results=results)
    errors = exc.value.message_dict
    assert set(errors) == {"item_dust_noise", "item_lifting", "note_reinforcement"}
    assert "Dust and noise" in errors["item_dust_noise"][0]
    assert not SiteCheck.objects.exists() and not Rectification.objects.exists()


def test_points_of_another_step_are_refused(world, site):
    results = all_ok(site, guide_rails=("ok", ""))
    with pytest.raises(ValidationError) as exc:
        services.site_check_record(actor=world.users["community"], project=site, results=results)
    assert "guide_rails" in exc.value.message_dict["items"][0]
