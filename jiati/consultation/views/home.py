"""The consultation start page: what is due, and the way into each part."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from jiati.consultation import permissions, selectors
from jiati.consultation.models import Meeting, MeetingStatus, Petition


def home(request):
    user = request.user
    upcoming = (
        Meeting.objects.visible_to(user)
        .filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("region", "estate")
        .order_by("starts_at")[:5]
    )
    petitions = Petition.objects.visible_to(user)
    context = {
        "counts": selectors.start_page_counts(user=user),
        "upcoming": upcoming,
        "area_open": petitions.open().count(),
        "area_overdue": petitions.overdue().count(),
        "coverage": selectors.coverage_by_subdistrict(user=user),
        "can_record": permissions.can_record_consultations(user),
        "can_organise": permissions.can_organise_meetings(user),
        "can_take": permissions.can_take_petitions(user),
        "can_write": permissions.can_write_articles(user),
    }
    total = sum(r["total"] for r in context["coverage"])
    context["coverage_percent"] = round(100 * sum(r["covered"] for r in context["coverage"]) / total) if total else None
    return render(request, "consultation/home.html", context)
