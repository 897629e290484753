"""Probes for the load balancer and the monitoring system (docs/deployment.md, "Health and metrics")."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from jiati.core.net import client_ip
from jiati.ops.health import readiness


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """The process answers: no database, no cache (a liveness probe restarts the process when this fails)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """503 when the database does not answer; 200 with status "degraded" when only the cache or the tasks fail."""
    ready, checks = readiness()
    all_ok = all(check.ok for check in checks.values())
    body = {
        "status": "ok" if all_ok else ("degraded" if ready else "unavailable"),
        "checks": {name: {"ok": check.ok, **check.detail} for name, check in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


def _may_scrape(request) -> bool:
    token = settings.JIATI_METRICS_TOKEN
    if token and secrets.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    return client_ip(request) in settings.JIATI_METRICS_ALLOWED_ADDRESSES


@login_not_required
@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics, for the monitoring system only: its address or its bearer token; anyone else sees 404."""
    if not _may_scrape(request):
        raise Http404
    return ExportToDjangoView(request)
