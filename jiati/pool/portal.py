"""The resident portal: the owner's stairwell surveys (a section with a one-tap answer, and his matters)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.housing.models import Ownership
from jiati.pool.models import Survey, SurveyAnswer, SurveyStatus


def owner_surveys(owner) -> list[dict]:
    """The current surveys of the stairwells where this owner has a dwelling, with whether he has answered."""
    stairwells = Ownership.objects.filter(owner=owner).values("dwelling__stairwell_id")
    surveys = list(
        Survey.objects.filter(stairwell_id__in=stairwells, is_current=True)
        .select_related("estate", "stairwell__building")
        .order_by("-opened_at")[:10]
    )
    answered = set(
        SurveyAnswer.objects.filter(survey__in=surveys, is_current=True, dwelling__ownerships__owner=owner).values_list(
            "survey_id", flat=True
        )
    )
    return [{"survey": s, "answered": s.pk in answered} for s in surveys]


def portal_sections(*, request, owner) -> list[dict]:
    surveys = [item for item in owner_surveys(owner) if item["survey"].status == SurveyStatus.OPEN]
    if not surveys:
        return []
    return [{"order": 5, "template": "pool/_portal_section.html", "surveys": surveys}]


def portal_matters(*, request, owner) -> list[dict]:
    matters = []
    for item in owner_surveys(owner):
        survey = item["survey"]
        if survey.status == SurveyStatus.OPEN:
            status = _("Answered; you can change it") if item["answered"] else _("Waiting for your answer")
        else:
            status = _("Survey closed")
        matters.append(
            {
                "title": _("Elevator survey: %(place)s")
                % {"place": f"{survey.estate.name} {survey.stairwell.building.number} {survey.stairwell.number}"},
                "status": status,
                "url": reverse("pool:portal-survey", args=[survey.pk]),
                "updated_at": survey.closed_at or survey.opened_at,
                "urgent": survey.status == SurveyStatus.OPEN and not item["answered"],
                "order": 40,
            }
        )
    return matters
