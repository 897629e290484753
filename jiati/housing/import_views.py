"""The import page: template download, upload → dry-run report → apply, with a progress bar for large files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_import_housing
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.housing import import_services
from jiati.housing.forms import ImportForm
from jiati.housing.importer import COLUMNS, template_workbook
from jiati.housing.models import ImportJob


def _require_importer(request):
    if not can_import_housing(request.user):
        raise PermissionDenied


def import_start(request):
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = run_service(
            form, lambda: import_services.import_job_start(actor=request.user, upload=form.cleaned_data["file"])
        )
        if job is not None:
            return redirect("housing:import-job", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).order_by("-id")[:10]
    return render(request, "housing/import.html", {"form": form, "columns": COLUMNS, "recent": recent})


def import_template(request, fmt):
    _require_importer(request)
    if fmt not in ("xlsx", "csv"):
        raise PermissionDenied
    content_type = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(template_workbook(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="jiati-housing-template.{fmt}"'
    return response


def import_job(request, pk):
    _require_importer(request)
    job = get_visible_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            real = import_services.import_job_apply(actor=request.user, dry_job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("housing:import-job", pk=job.pk)
        return redirect("housing:import-job", pk=real.pk)
    return render(
        request,
        "housing/import_job.html",
        {
            "job": job,
            "progress": import_services.import_progress(job=job),
            "levels": [
                ("estate", _("Estates")),
                ("building", _("Buildings")),
                ("stairwell", _("Stairwells")),
                ("dwelling", _("Dwellings")),
                ("owner", _("Owners")),
                ("ownership", _("Ownerships")),
            ],
            "applied": job.real_runs.order_by("-id").first() if job.dry_run else None,
        },
    )


def import_progress(request, pk):
    _require_importer(request)
    job = get_visible_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    progress = import_services.import_progress(job=job)
    response = render(request, "housing/_import_progress.html", {"job": job, "progress": progress})
    if progress["finished"]:
        response["HX-Refresh"] = "true"
    return response
