"""Evidence for company scores (hook `company_score_events`): petitions about a company's projects.

A petition counts against the companies on its project (found through the petition's project) once it was
accepted — a petition not accepted is no evidence. Received before the project entered service, it counts
against the construction team (civilised construction) and the elevator brand (quality control); after, against
the maintainer (operation and maintenance). Value 1, dated the day it was received.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.consultation.models import Petition, PetitionStatus
from jiati.projects.models import EventKind, ProjectEvent, Stage

BUILDING = (("contractor_id", "civilised_construction"), ("brand_id", "quality_control"))
IN_SERVICE = (("maintainer_id", "operation_maintenance"),)


def score_event_kinds() -> list[dict]:
    return [{"kind": "petition", "label": _("Petition about its project"), "unit": _("per petition")}]


def company_score_events(*, start: dt.datetime, end: dt.datetime, company_ids=None) -> list[dict]:
    zone = timezone.get_default_timezone()
    first, after = start.astimezone(zone).date(), end.astimezone(zone).date()
    petitions = list(
        Petition.objects.filter(project__isnull=False, received_on__gte=first, received_on__lt=after)
        .filter(accepted_on__isnull=False)
        .exclude(status=PetitionStatus.DECLINED)
        .select_related("project")
        .only("pk", "received_on", "project__brand_id", "project__contractor_id", "project__maintainer_id")
        .order_by("pk")
    )
    in_service = dict(
        ProjectEvent.objects.filter(
            project_id__in={p.project_id for p in petitions}, kind=EventKind.STAGE, to_stage=Stage.IN_SERVICE
        )
        .order_by("-at")  # the first entry wins the dict
        .values_list("project_id", "at")
    )
    wanted = None if company_ids is None else set(company_ids)
    events = []
    for petition in petitions:
        occurred_at = dt.datetime.combine(petition.received_on, dt.time(12), tzinfo=zone)
        since = in_service.get(petition.project_id)
        roles = IN_SERVICE if since is not None and since <= occurred_at else BUILDING
        for field, area in roles:
            company_id = getattr(petition.project, field)
            if company_id and (wanted is None or company_id in wanted):
                events.append(
                    {
                        "company_id": company_id,
                        "area": area,
                        "kind": "petition",
                        "value": 1,
                        "source": f"consultation.Petition:{petition.pk}",
                        "occurred_at": occurred_at,
                    }
                )
    return events
