"""The tracker (应发尽发) as an .xlsx: the summary per subdistrict and every file with who holds it and for how
long. The ledger's export is its list page's (`?export=xlsx`), with the same filters."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from jiati.audit.models import AuditAction
from jiati.audit.services import build_entry
from jiati.subsidies import selectors
from jiati.subsidies.models import SubsidyApplication
from jiati.web.exports import safe_cell


def tracker_rows(*, user):
    return (
        SubsidyApplication.objects.visible_to(user)
        .select_related("project__estate", "project__stairwell__building", "project__community__parent", "policy")
        .order_by("project__community__path", "id")
    )


def tracker_xlsx(*, request) -> FileResponse:

    user = request.user
    today = timezone.localdate()
    data = selectors.tracker(user=user)
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=pgettext("sheet", "Summary")[:31])
    buckets = data["buckets"]
    summary.append(
        [_("District") if data["level"] == "district" else _("Subdistrict")]
        + [str(b["label"]) for b in buckets]
        + [
            _("Due, not yet approved (yuan)"),
            _("Approved, unpaid (yuan)"),
            _("Paid (yuan)"),
            _("Withdrawn projects with money"),
            _("Withdrawn: paid (yuan)"),
            _("Withdrawn: approved, unpaid (yuan)"),
        ]
    )
    for row in [*data["subdistricts"], {"name": _("Total"), **data["totals"]}]:
        summary.append(
            [safe_cell(row["name"])]
            + [row["counts"][b["key"]] for b in buckets]
            + [safe_cell(row["due"]), safe_cell(row["unpaid"]), safe_cell(row["paid"])]
            + [row["withdrawn"], safe_cell(row["withdrawn_paid"]), safe_cell(row["withdrawn_unpaid"])]
        )
    files = workbook.create_sheet(title=_("Files")[:31])
    files.append(
        [
            _("Project"),
            _("Estate"),
            _("Stairwell"),
            _("Subdistrict"),
            _("Community"),
            _("Status"),
            _("Project status"),
            _("Held by"),
            _("Eligible since"),
            _("Days"),
            _("Apply by"),
            _("Amount due (yuan)"),
            _("Approved (yuan)"),
            _("Paid (yuan)"),
            _("Unpaid (yuan)"),
            _("Policy"),
        ]
    )
    count = 0
    for application in tracker_rows(user=user).iterator(chunk_size=2000):
        count += 1
        project = application.project
        files.append(
            [
                safe_cell(v)
                for v in (
                    project.code,
                    project.estate.name,
                    f"{project.stairwell.building.number} {project.stairwell.number}",
                    project.community.parent.name if project.community.parent_id else "",
                    project.community.name,
                    application.get_status_display(),
                    project.get_status_display(),
                    selectors.holder_label(application),
                    application.eligible_on,
                    selectors.days_waiting(application, today),
                    application.deadline if application.deadline_applies else None,
                    application.amount_due,
                    application.approved_amount,
                    application.paid_amount,
                    application.unpaid_amount if application.approved_amount else None,
                    application.policy.name if application.policy_id else "",
                )
            ]
        )
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response streams and closes it
    workbook.save(handle)
    handle.seek(0)
    build_entry(
        actor=user,
        instance=user,
        action=AuditAction.EXPORT,
        changes={"model": SubsidyApplication._meta.label, "rows": count, "personal_data": []},
        message="subsidy tracker",
    ).save()
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"subsidy-tracker-{today:%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
