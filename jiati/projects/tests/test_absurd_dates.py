"""A schedule target of 9999-12-31 (or year 0206) is refused, by the page's form, the API and the service alike:
one rule (`core.date_policy`) gives each kind of date a sane window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.core.date_policy import PLAN, RECORD, kind_of, window
from jiati.projects import schedule
from jiati.projects.forms import PlanForm
from jiati.projects.models import SchedulePlan


@pytest.mark.parametrize("target", ["9999-12-31", "2260-01-01", "1899-12-31"])
def test_an_absurd_schedule_target_is_refused_everywhere(world, project, client_for, target):
    form = PlanForm(data={"target_date": target})
    assert not form.is_valid() and [e.code for e in form.errors.as_data()["target_date"]] == ["date_out_of_range"]
    client = client_for(world.users["admin"])
    response = client.post(
        reverse("project-schedule", args=[project.pk]), {"target_date": target}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["codes"] == {"target_date": ["date_out_of_range"]}
    with pytest.raises(ValidationError) as refused:
        schedule.plan_make(project=project, actor=world.users["admin"], target_date=dt.date.fromisoformat(target))
    assert refused.value.error_dict["target_date"][0].code == "date_out_of_range"
    assert not SchedulePlan.objects.filter(project=project).exists()


def test_a_sane_target_still_plans(world, project):
    target = timezone.localdate() + dt.timedelta(days=400)
    form = PlanForm(data={"target_date": target.isoformat()})
    assert form.is_valid(), form.errors
    plan = schedule.plan_make(project=project, actor=world.users["admin"], target_date=target)
    assert plan.target_date == target


def test_each_kind_of_date_has_its_window():
    today = dt.date(2026, 12, 4)
    assert kind_of("target_date") == kind_of("due_on") == kind_of("expires_on") == kind_of("starts_at") == PLAN
    assert kind_of("paid_on") == kind_of("inspected_on") == kind_of("in_service_since") == RECORD
    assert window(PLAN, today=today) == (dt.date(1900, 1, 1), dt.date(2036, 12, 4))
    assert window(RECORD, today=today) == (dt.date(1900, 1, 1), dt.date(2027, 12, 4))
    assert window(PLAN, today=dt.date(2028, 2, 29))[1] == dt.date(2038, 2, 28)
