"""The cost-sharing hook: the estimate is made for the total cost of the scheme being computed when it is given,
the approved amount once approved, and a plain "unavailable" with the reason when no estimate can be made."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiati.core.hooks import collect
from jiati.projects import services as project_services
from jiati.projects.models import Project
from jiati.subsidies import services
from jiati.subsidies.costs import approved_subsidy_for_project, subsidy_estimate, subsidy_for_project
from jiati.subsidies.tests.conftest import OLD_TO, approve_path, complete, eligible_project


def early_project(world, key="a1b", cost=None):
    project = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells[key])
    if cost is not None:
        Project.objects.filter(pk=project.pk).update(estimated_cost=cost)
        project.refresh_from_db()
    return project


def test_the_estimate_is_for_the_schemes_total_cost(world, policies):
    project = early_project(world, cost=Decimal("550000"))  # today's policy: 40% of the cost, capped at 200,000
    assert subsidy_estimate(project=project) == [
        {
            "amount": Decimal("200000.00"),
            "status": "estimated",
            "reason": "Estimated under “龙岗区加梯补贴（2025版）” from the project's cost estimate.",
        }
    ]
    assert subsidy_for_project(project=project, total_cost=Decimal("300000")) == [
        {"amount": Decimal("120000.00"), "status": "estimated"}
    ]
    offer = subsidy_estimate(project=project, total_cost=Decimal("300000"))[0]
    assert (offer["amount"], offer["status"]) == (Decimal("120000.00"), "estimated")  # 40% of the scheme's total
    assert "this scheme's total cost" in offer["reason"]
    # Through the hook, as the consent app calls it.
    offers = collect("costs", "subsidy_for_project", project=project, total_cost="412345.67")
    assert [o["amount"] for o in offers] == [Decimal("164938.27")]
    offers = collect("costs", "subsidy_estimate", project=project, total_cost="412345.67")
    assert [(o["amount"], o["status"]) for o in offers] == [(Decimal("164938.27"), "estimated")]


def test_a_drafted_file_is_estimated_for_the_schemes_total_too(world, policies):
    application = eligible_project(world).subsidy_application  # the 2025 policy, ¥550,000 estimated
    services.application_update(application=application, actor=world.users["community"], audited_cost="500000")
    project = application.project
    assert subsidy_for_project(project=project)[0]["amount"] == Decimal("200000.00")  # 40% of 500,000
    assert subsidy_for_project(project=project, total_cost="250000")[0]["amount"] == Decimal("100000.00")


def test_once_approved_the_real_amount_whatever_the_cost(world, policies, budgets):
    application = approve_path(
        world, complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    )
    assert subsidy_for_project(project=application.project, total_cost="999999") == [
        {"amount": Decimal("120000.00"), "status": "approved"}
    ]
    # The approved amount alone (the consent panel's question, issue 18): the same offer, in one query.
    with CaptureQueriesContext(connection) as queries:
        offers = collect("costs", "approved_subsidy_for_project", project=application.project)
    assert offers == [{"amount": Decimal("120000.00"), "status": "approved"}] and len(queries) == 1


def test_before_approval_there_is_no_approved_amount_and_no_estimate_is_made(world, policies):
    application = eligible_project(world).subsidy_application  # drafted: an estimate exists
    assert subsidy_for_project(project=application.project)[0]["status"] == "estimated"
    with CaptureQueriesContext(connection) as queries:
        assert approved_subsidy_for_project(project=application.project) == []
    assert len(queries) == 1


def test_when_no_estimate_can_be_made_it_says_why(world, policies):
    project = early_project(world)
    assert subsidy_for_project(project=project) == []  # the old answer: nothing to deduct…
    offer = subsidy_estimate(project=project)[0]  # …and why: a share of the cost, and no cost known
    assert offer["amount"] is None and offer["status"] == "unavailable"
    assert "no cost is known yet" in offer["reason"]
    offer = subsidy_estimate(project=early_project(world, key="b1a", cost=Decimal("500000")))[0]
    assert offer["status"] == "unavailable" and "No subsidy policy was in force" in offer["reason"]
    application = eligible_project(world, "a2a", filed_on=OLD_TO).subsidy_application
    services.application_mark_not_eligible(
        application=application, actor=world.users["district"], reason="已享受旧改资金"
    )
    offer = subsidy_estimate(project=application.project, total_cost="500000")[0]
    assert offer["status"] == "unavailable" and "已享受旧改资金" in offer["reason"]
    # A bad total from the caller is ignored rather than trusted.
    assert subsidy_estimate(project=early_project(world, key="a1a"), total_cost="-5")[0]["status"] == "unavailable"


def test_a_stairwell_below_the_minimum_storeys_gets_no_estimate(world, policies):
    project = early_project(world, cost=Decimal("500000"))
    project.stairwell.storeys = 3
    project.stairwell.save(update_fields=["storeys"])
    offer = subsidy_estimate(project=Project.objects.get(pk=project.pk), total_cost="500000")[0]
    assert offer["status"] == "unavailable" and "at least 4" in offer["reason"]
