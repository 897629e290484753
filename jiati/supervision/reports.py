"""Rendering the saved weekly review and monthly dispatch: their frozen figures, labelled in the reader's
language (stages, statuses and checklist points are stored as codes), for the page, the PDF and the .xlsx."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.projects.models import Stage
from jiati.supervision import checklist, selectors
from jiati.web.exports import write_xlsx

REVIEW_SECTIONS = [
    ("overdue_milestones", gettext_lazy("Overdue milestones")),
    ("at_risk_milestones", gettext_lazy("Milestones at risk")),
    ("open_blockers", gettext_lazy("Open blockers, oldest first")),
    ("stalled_projects", gettext_lazy("Projects with no progress")),
    ("petitions_near_deadline", gettext_lazy("Open petitions near their deadline")),
    ("subsidies_unpaid", gettext_lazy("Subsidies due and unpaid")),
    ("rectifications_overdue", gettext_lazy("Rectifications overdue")),
]


def _stage(code: str) -> str:
    return str(dict(Stage.choices).get(code, code))


def _petition_status(code: str) -> str:
    from jiati.consultation.models import PetitionStatus

    return str(dict(PetitionStatus.choices).get(code, code))


def _subsidy_status(code: str) -> str:
    from jiati.subsidies.models import Status

    return str(dict(Status.choices).get(code, code))


def _columns(key: str, stalled_days: int) -> list[tuple[str, object]]:
    project = [(_("Project"), "code"), (_("Site"), "site")]
    return {
        "overdue_milestones": [
            *project,
            (_("Stage"), lambda r: _stage(r["stage"])),
            (_("Due"), "due"),
            (_("Days overdue"), "days"),
            (_("Responsible"), "responsible"),
        ],
        "at_risk_milestones": [
            *project,
            (_("Stage"), lambda r: _stage(r["stage"])),
            (_("Due"), "due"),
            (_("Days left"), "days"),
            (_("Responsible"), "responsible"),
        ],
        "open_blockers": [
            *project,
            (_("Blocker"), "description"),
            (_("Whose"), "party"),
            (_("Follow-up by"), "assignee"),
            (_("Due"), "due"),
            (_("Age (days)"), "age"),
        ],
        "stalled_projects": [
            *project,
            (_("Stage"), lambda r: _stage(r["stage"])),
            (_("In this stage since"), "since"),
            (_("Days"), "days"),
            (_("Responsible"), "responsible"),
        ],
        "petitions_near_deadline": [
            (_("Petition"), "reference"),
            (_("Subject"), "subject"),
            (_("Status"), lambda r: _petition_status(r["status"])),
            (_("Handler"), "handler"),
            (_("Due"), "due"),
            (_("Days left"), "days_left"),
        ],
        "subsidies_unpaid": [
            *project,
            (_("Status"), lambda r: _subsidy_status(r["status"])),
            (_("Due (yuan)"), "due"),
            (_("Paid (yuan)"), "paid"),
            (_("Unpaid (yuan)"), "unpaid"),
        ],
        "rectifications_overdue": [
            *project,
            (_("Checklist point"), lambda r: checklist.item_label(r["point"])),
            (_("Finding"), "description"),
            (_("Company"), "company"),
            (_("Due"), "due"),
            (_("Days overdue"), "days"),
        ],
    }[key]


def review_sections(review) -> list[dict]:
    sections = review.content.get("sections", {})
    out = []
    for key, title in REVIEW_SECTIONS:
        columns = _columns(key, review.stalled_days)
        rows = sections.get(key, [])
        out.append(
            {
                "key": key,
                "title": str(title),
                "headers": [str(h) for h, _v in columns],
                "rows": [[(v(r) if callable(v) else r.get(v, "")) for _h, v in columns] for r in rows],
                "project_ids": [r.get("project_id") for r in rows],
                "count": len(rows),
            }
        )
    return out


DISPATCH_COLUMNS = [
    ("rank", gettext_lazy("Rank")),
    ("name", gettext_lazy("Subdistrict")),
    ("score", gettext_lazy("Score")),
    ("started_month", gettext_lazy("Started this month")),
    ("completed_month", gettext_lazy("Completed this month")),
    ("in_service_month", gettext_lazy("Entered service this month")),
    ("votes_passed_month", gettext_lazy("Votes passed this month")),
    ("subsidy_paid_month", gettext_lazy("Subsidy paid this month (yuan)")),
    ("started_total", gettext_lazy("Started in all")),
    ("completed_total", gettext_lazy("Completed in all")),
    ("in_service_total", gettext_lazy("In service")),
    ("under_construction", gettext_lazy("Under construction")),
    ("subsidy_paid_total", gettext_lazy("Subsidy paid in all (yuan)")),
    ("subsidy_due", gettext_lazy("Subsidy due, unpaid (yuan)")),
    ("overdue_projects", gettext_lazy("Projects overdue")),
    ("overdue_rectifications", gettext_lazy("Rectifications overdue")),
    ("overdue_petitions", gettext_lazy("Petitions overdue")),
]
WEIGHT_LABELS = {
    "started_month": gettext_lazy("started this month"),
    "completed_month": gettext_lazy("completed this month"),
    "votes_passed_month": gettext_lazy("votes passed this month"),
    "overdue_projects": gettext_lazy("projects overdue"),
    "overdue_rectifications": gettext_lazy("rectifications overdue"),
    "overdue_petitions": gettext_lazy("petitions overdue"),
}


TARGET_HEADERS = [
    gettext_lazy("Subdistrict"),
    gettext_lazy("Target: projects started"),
    gettext_lazy("Started this year"),
    gettext_lazy("Of the target"),
    gettext_lazy("Target: elevators in service"),
    gettext_lazy("Entered service this year"),
    gettext_lazy("Of the target"),
    gettext_lazy("愿装尽装 rate"),
    gettext_lazy("可装尽装 rate"),
]


def _of_target(done, target) -> str:
    """Progress against a target, in whole percent rounded down ("—" when no target is set)."""
    if not target:
        return "—"
    return f"{done * 100 // target}%"


def _rate(done, of) -> str:
    """A coverage rate as done / of and the percentage to one decimal, rounded down (as the pool shows it)."""
    if not of:
        return "—"
    return f"{done}/{of} ({done * 1000 // of / 10:.1f}%)"


def target_rows(rows: list[dict]) -> list[list]:
    """The targets-and-coverage table of a dispatch (rows saved before it existed have none of these keys)."""
    out = []
    for r in rows:
        if "started_year" not in r:
            continue
        out.append(
            [
                r.get("name", ""),
                "—" if r.get("target_started") is None else r["target_started"],
                r["started_year"],
                _of_target(r["started_year"], r.get("target_started")),
                "—" if r.get("target_in_service") is None else r["target_in_service"],
                r["in_service_year"],
                _of_target(r["in_service_year"], r.get("target_in_service")),
                _rate(r.get("willing_feasible_done") or 0, r.get("willing_feasible")),
                _rate(r.get("feasible_done") or 0, r.get("feasible")),
            ]
        )
    return out


def formula_text(weights: dict) -> str:
    parts = []
    for key, weight in weights.items():
        sign = "−" if weight < 0 else "+"
        parts.append(f"{sign} {abs(weight)} × {WEIGHT_LABELS.get(key, key)}")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else text


def dispatch_report(*, user, dispatch) -> dict:
    view = selectors.dispatch_view(user=user, dispatch=dispatch)
    headers = [str(label) for _key, label in DISPATCH_COLUMNS]
    rows = [[row.get(key, "") for key, _label in DISPATCH_COLUMNS] for row in view["rows"]]
    totals = None
    if view.get("totals"):
        totals = [view["totals"].get(key, "") for key, _label in DISPATCH_COLUMNS]
        totals[0], totals[1], totals[2] = "", _("District"), ""
    trend = view["totals"]["trend"] if view.get("totals") else (view["rows"][0]["trend"] if view["rows"] else [])
    targets = target_rows(sorted(view["rows"], key=lambda r: r.get("name", "")))
    if view.get("totals") and targets:
        targets += target_rows([{**view["totals"], "name": _("District")}])
    return {
        "headers": headers,
        "rows": rows,
        "totals": totals,
        "target_headers": [str(h) for h in TARGET_HEADERS],
        "targets": targets,
        "trend": trend,
        "formula": formula_text(view.get("weights", {})),
        "partial": view.get("partial", False),
        "of": view.get("of"),
        "as_of": view.get("as_of"),
    }


def _number(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def dispatch_xlsx_response(*, user, dispatch):
    report = dispatch_report(user=user, dispatch=dispatch)
    rows = [[_number(v) for v in row] for row in report["rows"]]
    if report["totals"]:
        rows.append([_number(v) for v in report["totals"]])
    rows.append([])
    rows.append([_("Ranking formula"), report["formula"]])
    if report["targets"]:
        rows.append([])
        rows.append([_("Targets and coverage")])
        rows.append(report["target_headers"])
        rows.extend(report["targets"])
    rows.append([])
    rows.append([_("Month"), _("Started"), _("Completed"), _("Entered service")])
    for t in report["trend"]:
        rows.append([t["month"][:7], t["started"], t["completed"], t["in_service"]])
    handle = write_xlsx(rows, report["headers"], sheet_title=f"{dispatch.month:%Y-%m}")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"monthly-dispatch-{dispatch.region.code}-{dispatch.month:%Y%m}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"
