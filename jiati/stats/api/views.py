"""`GET /api/stats/figures/?region=<id>`: the dashboard's figures for a region in the caller's scope."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from jiati.core.replica import replica_reads
from jiati.projects.models import Stage
from jiati.stats import selectors
from jiati.stats.api.serializers import FiguresSerializer


@replica_reads
class FiguresView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("region", int, description="A region of your area (default: your area)")],
        responses=FiguresSerializer,
    )
    def get(self, request):
        try:
            region = selectors.region_for(user=request.user, region_id=request.query_params.get("region"))
        except Http404 as exc:
            raise NotFound from exc
        f = selectors.figures(user=request.user, region=region)
        others = selectors.hooked_figures(user=request.user, region=region)
        months = sorted(set(f.started_by_month) | set(f.completed_by_month))
        data = {
            "region": region.pk if region else None,
            "projects": f.total,
            "under_way": f.under_way,
            "in_service": f.in_service,
            "overdue": f.overdue,
            "blocked": f.blocked,
            "suspended": f.suspended,
            "withdrawn": f.withdrawn,
            "votes_passed": f.votes_passed,
            "subsidy_paid": f.subsidy_paid,
            "subsidy_due": f.subsidy_due,
            "by_stage": [{"stage": v, "label": label, "projects": f.by_stage[v]} for v, label in Stage.choices],
            "by_month": [
                {
                    "month": m.strftime("%Y-%m"),
                    "started": f.started_by_month.get(m, 0),
                    "completed": f.completed_by_month.get(m, 0),
                }
                for m in months
            ],
            "coverage": _coverage(others),
            "others": [{"key": o["key"], "label": str(o["label"]), "value": str(o["value"])} for o in others],
        }
        return Response(FiguresSerializer(data).data)


# The pool's named figures (hook `figures.region_figures`) as the API's coverage object.
_COVERAGE_KEYS = {
    "pool_candidates": "pool",
    "pool_feasible": "feasible",
    "pool_willing_feasible": "willing_feasible",
    "pool_started": "started",
    "pool_in_service": "in_service",
    "pool_willing_rate": "willing_rate",
    "pool_feasible_rate": "feasible_rate",
}


def _coverage(others: list[dict]) -> dict | None:
    found = {_COVERAGE_KEYS[o["key"]]: o["value"] for o in others if o["key"] in _COVERAGE_KEYS}
    return found if len(found) == len(_COVERAGE_KEYS) else None
