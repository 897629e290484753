"""The "due" tracker (应发尽发) against a ledger computed by hand, reminders to the holders, the daily run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.core.tests.factories import make_user
from jiati.notifications.models import Notification
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage
from jiati.subsidies import daily, selectors, services
from jiati.subsidies.models import LedgerEntry, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import OLD_TO, approve_path, complete, eligible_project, new_estate_stairwell

TODAY = timezone.localdate


@pytest.fixture
def ledger(world, policies, budgets):
    """P1 paid in two parts; P2 paid, reversed, paid in part; P3 waiting at its community; P4 drafted;
    an orphan project without a file; P5 in another district (no policy there)."""
    admin, finance = world.users["admin"], world.users["finance"]
    world.users["a2a_community"] = make_user("a2a_community", Role.COMMUNITY, region=world.regions["A2a"])
    p1 = approve_path(world, complete(eligible_project(world, "a1a", filed_on=OLD_TO).subsidy_application, admin))
    p2 = approve_path(world, complete(eligible_project(world, "a1b", filed_on=OLD_TO).subsidy_application, admin))
    p3 = complete(eligible_project(world, "a2a", filed_on=OLD_TO).subsidy_application, admin)
    services.application_submit(application=p3, actor=admin)
    p4 = eligible_project(world, stairwell=new_estate_stairwell(world, "A2a", "4单元"), filed_on=OLD_TO)
    p5 = eligible_project(world, "b1a")
    orphan = project_services.project_open(actor=admin, stairwell=new_estate_stairwell(world, "A1a", "9单元"))
    Project.objects.filter(pk=orphan.pk).update(stage=Stage.SUBSIDY)

    def pay(application, amount, voucher):
        return services.payment_record(
            actor=finance, application=application, amount=amount, voucher_no=voucher, paid_on=TODAY()
        )[0]

    pay(p1, "50000", "V1")
    pay(p1, "70000", "V2")
    wrong = pay(p2, "120000", "V3")
    services.payment_reverse(actor=finance, payment=wrong, voucher_no="R1", reversed_on=TODAY(), reason="退回")
    pay(p2, "30000.50", "V4")
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4.subsidy_application, "p5": p5.subsidy_application, "orphan": orphan}


def test_tracker_counts_and_sums_match_the_hand_computed_ledger(world, ledger):
    finance = world.users["finance"]
    data = selectors.tracker(user=finance)
    totals = data["totals"]
    assert totals["counts"] == {
        "not_applied": 2,  # P4 drafted + the orphan without a file
        "returned": 0,  # nothing returned for correction
        "community": 1,  # P3
        "subdistrict": 0,
        "district": 0,
        "approved_unpaid": 1,  # P2
        "paid": 1,  # P1
        "not_eligible": 0,
    }
    assert totals["no_application"] == 1
    assert data["longest"]["not_applied"] == 0 and data["longest"]["community"] == 0  # all fresh today
    assert totals["paid"] == Decimal("150000.50")  # 50,000 + 70,000 + 120,000 − 120,000 + 30,000.50
    assert totals["unpaid"] == Decimal("89999.50")  # P2: 120,000 − 30,000.50
    assert totals["due"] == Decimal("240000.00")  # P3 + P4, ¥120,000 each
    by_name = {row["name"]: row for row in data["subdistricts"]}
    assert set(by_name) == {"平湖街道", "坂田街道"}
    assert by_name["平湖街道"]["counts"]["paid"] == 1 and by_name["平湖街道"]["counts"]["not_applied"] == 1
    assert by_name["坂田街道"]["counts"]["community"] == 1 and by_name["坂田街道"]["due"] == Decimal("240000.00")


def test_headline_figures_are_exact_and_reconcile_with_the_ledger(world, ledger):
    figures = selectors.headline(user=world.users["finance"])
    assert figures["completed"] == 5  # every project of district A past inspection (B's is not visible)
    assert figures["paid"] == Decimal("150000.50")
    assert figures["paid"] == sum(
        LedgerEntry.objects.visible_to(world.users["finance"]).values_list("amount", flat=True)
    )
    assert figures["approved_unpaid"] == Decimal("89999.50")
    assert figures["pending_due"] == Decimal("240000.00")
    assert figures["due_unpaid"] == Decimal("329999.50")
    assert figures["reconciled"] is True


def test_a_subdistrict_sees_only_its_own_figures(world, ledger):
    figures = selectors.headline(user=world.users["subdistrict"])
    assert figures["paid"] == Decimal("150000.50")  # both payments were in 平湖街道
    assert figures["pending_due"] == 0
    data = selectors.tracker(user=world.users["subdistrict"])
    assert [row["name"] for row in data["subdistricts"]] == ["平湖街道"]
    other = selectors.headline(user=world.users["other_district"])
    assert other["paid"] == 0 and other["completed"] == 1


def test_above_a_district_the_rows_are_districts(world, ledger):
    data = selectors.tracker(user=world.users["admin"])
    assert data["level"] == "district"
    by_name = {row["name"]: row for row in data["subdistricts"]}
    assert set(by_name) == {"龙岗区", "宝安区"}
    assert by_name["龙岗区"]["paid"] == Decimal("150000.50") and by_name["宝安区"]["counts"]["not_applied"] == 1


def test_holders_are_who_must_act(world, ledger):
    community = world.regions["A2a"]
    assert selectors.holders_for(Status.COMMUNITY, community) == [world.users["a2a_community"]]
    assert selectors.holders_for(Status.SUBDISTRICT, world.regions["A1a"]) == [world.users["subdistrict"]]
    assert selectors.holders_for(Status.APPROVED, community) == [world.users["finance"]]
    assert selectors.holders_for(Status.PAID, community) == []


def test_reminders_go_to_the_holders_once_a_week(world, ledger):
    SubsidyApplication.objects.update(status_since=timezone.now() - dt.timedelta(days=12))
    Notification.objects.all().delete()
    sent = services.reminders_send()
    told = set(Notification.objects.filter(kind="subsidy").values_list("recipient__username", flat=True))
    # P3 waits at its community; P4 is a draft there (its responsible is the admin who opened it);
    # P2 is approved and unpaid (finance); B's draft has no one in the world to remind but its opener.
    assert {"a2a_community", "finance"} <= told
    assert "subdistrict" not in told  # nothing waits at the subdistrict
    assert sent == Notification.objects.filter(kind="subsidy").count()
    assert services.reminders_send() == 0  # already told this week
    assert services.reminders_send(today=TODAY() + dt.timedelta(days=7)) > 0


def test_the_longest_wait_per_step(world, ledger):
    SubsidyApplication.objects.filter(pk=ledger["p3"].pk).update(status_since=timezone.now() - dt.timedelta(days=9))
    SubsidyApplication.objects.filter(pk=ledger["p4"].pk).update(eligible_on=TODAY() - dt.timedelta(days=40))
    longest = selectors.tracker(user=world.users["district"])["longest"]
    assert longest["community"] == 9 and longest["not_applied"] == 40


def test_fresh_files_are_not_nagged(world, ledger):
    Notification.objects.all().delete()
    assert services.reminders_send() == 0


def test_a_deadline_within_two_weeks_is_flagged(world, ledger):
    Notification.objects.all().delete()
    SubsidyApplication.objects.filter(pk=ledger["p4"].pk).update(deadline=TODAY() + dt.timedelta(days=3))
    assert services.reminders_send() >= 1
    note = Notification.objects.filter(recipient=world.users["a2a_community"]).get()
    assert "apply by" in note.body


def test_daily_run_drafts_missing_files_and_reminds(world, ledger):
    result = daily.run_daily()
    assert result["subsidy_applications_drafted"] == 1
    assert SubsidyApplication.objects.filter(project=ledger["orphan"]).exists()
    assert daily.run_daily()["subsidy_applications_drafted"] == 0
    assert set(result) == {"subsidy_applications_drafted", "subsidy_policies_reevaluated", "subsidy_reminders_sent"}


def test_reminding_by_hand_is_limited_to_the_area_and_role(world, ledger):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.reminders_send(actor=world.users["community"])
    SubsidyApplication.objects.update(status_since=timezone.now() - dt.timedelta(days=12))
    Notification.objects.all().delete()
    services.reminders_send(actor=world.users["subdistrict"])  # 平湖街道: only P2 (approved, unpaid) waits there
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"finance"}


# --- the returned bucket, and one rule for withdrawn and suspended projects ------------------------


def test_returned_files_are_their_own_bucket_waiting_since_the_return(world, ledger, client_for):
    p3 = ledger["p3"]
    services.application_review(application=p3, actor=world.users["admin"], decision="return", comment="缺发票")
    SubsidyApplication.objects.filter(pk=p3.pk).update(
        eligible_on=TODAY() - dt.timedelta(days=30), status_since=timezone.now() - dt.timedelta(days=6)
    )
    p3.refresh_from_db()
    data = selectors.tracker(user=world.users["finance"])
    assert data["totals"]["counts"]["returned"] == 1
    assert data["totals"]["counts"]["not_applied"] == 2 and data["totals"]["counts"]["community"] == 0
    assert data["longest"]["returned"] == 6  # since the return, not since eligibility (30 days)
    assert selectors.days_waiting(p3) == 6
    assert "returned" in [b["key"] for b in data["buckets"]]
    assert data["totals"]["due"] == Decimal("240000.00")  # still due: P3 + P4
    html = client_for(world.users["district"]).get(reverse("subsidies:application-list"), {"bucket": "returned"})
    assert p3.project.code in html.content.decode() and ledger["p4"].project.code not in html.content.decode()


def test_withdrawn_projects_are_not_due_suspended_ones_are(world, ledger, client_for):
    """P2 (approved, 30,000.50 paid) and P4 (a draft) are withdrawn; P3 (waiting at its community) is suspended."""
    finance = world.users["finance"]
    Project.objects.filter(pk__in=[ledger["p2"].project_id, ledger["p4"].project_id]).update(status="withdrawn")
    Project.objects.filter(pk=ledger["p3"].project_id).update(status="suspended")
    data = selectors.tracker(user=finance)
    totals = data["totals"]
    assert totals["counts"] == {
        "not_applied": 1,  # the orphan only: P4 is withdrawn
        "returned": 0,
        "community": 1,  # P3, suspended: still due
        "subdistrict": 0,
        "district": 0,
        "approved_unpaid": 0,  # P2 is withdrawn
        "paid": 1,  # P1
        "not_eligible": 0,
    }
    assert totals["due"] == Decimal("120000.00")  # P3 only
    assert totals["unpaid"] == 0
    assert (totals["withdrawn"], totals["withdrawn_paid"], totals["withdrawn_unpaid"]) == (
        1,  # P2 only: money was approved and paid on it; the withdrawn draft P4 is shown nowhere
        Decimal("30000.50"),
        Decimal("89999.50"),
    )
    ledger_total = sum(LedgerEntry.objects.visible_to(finance).values_list("amount", flat=True))
    assert totals["paid"] + totals["withdrawn_paid"] == ledger_total == Decimal("150000.50")
    figures = selectors.headline(user=finance)
    assert figures["paid"] == ledger_total and figures["reconciled"] is True
    assert figures["approved_unpaid"] == 0 and figures["pending_due"] == Decimal("120000.00")
    assert figures["due_unpaid"] == Decimal("120000.00") and figures["pending"] == 1
    assert (figures["withdrawn_paid"], figures["withdrawn_unpaid"], figures["withdrawn_files"]) == (
        Decimal("30000.50"),
        Decimal("89999.50"),
        1,
    )
    assert figures["completed"] == 3  # P1, P3 (suspended) and the orphan; the two withdrawn ones are not counted
    # The same rule in "waiting for me", the bucket lists and the API.
    assert ledger["p2"].pk not in set(selectors.waiting_for(user=finance).values_list("pk", flat=True))
    client = client_for(world.users["district"])
    html = client.get(reverse("subsidies:application-list"), {"bucket": "withdrawn"}).content.decode()
    assert ledger["p2"].project.code in html and ledger["p4"].project.code not in html
    html = client.get(reverse("subsidies:application-list"), {"bucket": "approved_unpaid"}).content.decode()
    assert ledger["p2"].project.code not in html
    page = client.get(reverse("subsidies:home")).content.decode()
    assert 'id="withdrawn-bucket"' in page and "¥30,000.50" in page and 'id="reconciled"' in page
    api = client.get(reverse("subsidy-tracker-list")).json()
    assert api["totals"]["withdrawn_paid"] == "30000.50" and api["headline"]["due_unpaid"] == "120000.00"


def test_reminders_follow_the_same_rule(world, ledger):
    Project.objects.filter(pk__in=[ledger["p2"].project_id, ledger["p4"].project_id]).update(status="withdrawn")
    Project.objects.filter(pk=ledger["p3"].project_id).update(status="suspended")
    SubsidyApplication.objects.update(status_since=timezone.now() - dt.timedelta(days=12))
    SubsidyApplication.objects.filter(pk=ledger["p4"].pk).update(deadline=TODAY() + dt.timedelta(days=3))
    Notification.objects.all().delete()
    services.reminders_send()
    told = {(n.recipient.username, n.title) for n in Notification.objects.select_related("recipient")}
    codes = {title.split(":")[0].split()[-1] for _user, title in told}
    assert ledger["p3"].project.code in codes  # suspended: still reminded
    assert ledger["p2"].project.code not in codes and ledger["p4"].project.code not in codes  # withdrawn: not due
    assert "finance" not in {user for user, _title in told}  # P2 was finance's only unpaid file
