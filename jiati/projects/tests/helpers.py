"""Shared test helpers: uploads, other apps' guards set aside, and a snapshot of everything a project write touches."""

from __future__ import annotations

import contextlib

from django.core.files.uploadedfile import SimpleUploadedFile

from jiati.audit.models import AuditEntry
from jiati.notifications.models import Notification
from jiati.projects.models import (
    Blocker,
    Cluster,
    ContractReview,
    Milestone,
    Project,
    ProjectDocument,
    ProjectEvent,
    SchedulePlan,
    ServiceTeamMember,
    WorkingGroupMember,
)
from jiati.projects.stages import _EXIT_GUARDS

PDF = b"%PDF-1.4 test document"
JPG = b"\xff\xd8\xff\xe0 site photo"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def photo(name: str = "site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPG, content_type="image/jpeg")


@contextlib.contextmanager
def own_guards_only():
    """Only the projects app's own exit guards (consent, consultation and subsidies test theirs)."""
    saved = {stage: list(guards) for stage, guards in _EXIT_GUARDS.items()}
    for stage, guards in saved.items():
        _EXIT_GUARDS[stage] = [g for g in guards if g.__module__ == "jiati.projects.stages"]
    try:
        yield
    finally:
        _EXIT_GUARDS.clear()
        _EXIT_GUARDS.update(saved)


def snapshot() -> dict:
    """Every row a project write may touch (project rows in full, so even `updated_at` must stay the same)."""
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "events": list(ProjectEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "documents": list(ProjectDocument.objects.order_by("pk").values_list("pk", flat=True)),
        "blockers": list(Blocker.objects.order_by("pk").values()),
        "plans": list(SchedulePlan.objects.order_by("pk").values("pk", "is_current")),
        "milestones": Milestone.objects.count(),
        "reviews": ContractReview.objects.count(),
        "working_group": list(WorkingGroupMember.objects.order_by("pk").values_list("pk", flat=True)),
        "service_team": list(ServiceTeamMember.objects.order_by("pk").values_list("pk", flat=True)),
        "clusters": Cluster.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }
