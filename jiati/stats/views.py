"""The staff dashboard (the user's own area, drilling down region by region) and the public statistics page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.companies.ranking import current_red_black
from jiati.core.replica import replica_reads
from jiati.organisation.models import Region
from jiati.projects.models import Stage
from jiati.stats import figures_list, selectors
from jiati.stats.models import MonthCount

# Hooked charts colour what is late red and what is closed green (the theme's colours for the rest).
SERIES_COLORS = {"overdue": "#dc3545", "closed": "#198754"}


@replica_reads
@login_required
def dashboard(request):
    """Figures of one region of the user's area (?region=), each chart with its table, children to drill into."""
    region = selectors.region_for(user=request.user, region_id=request.GET.get("region"))
    figs = selectors.figures(user=request.user, region=region)
    kids = selectors.children(region=region)
    per_child = selectors.by_child(regions=kids)
    funnel = [{"name": label, "value": figs.by_stage[value]} for value, label in Stage.choices]
    months = sorted(set(figs.started_by_month) | set(figs.completed_by_month))
    monthly = [
        {"month": m, "started": figs.started_by_month.get(m, 0), "completed": figs.completed_by_month.get(m, 0)}
        for m in months
    ]
    children = [{"region": k, **per_child[k.pk]} for k in kids]
    today = timezone.localdate()
    completions = selectors.completions_this_year(figs, today=today)
    own = selectors.year_targets(user=request.user, regions=[region], year=today.year) if region else {}
    target = own.get(region.pk, {}).get("target_in_service") if region else None
    per_target = selectors.year_targets(user=request.user, regions=kids, year=today.year)
    coverage = [
        {
            "region": k,
            "willing_feasible": t["willing_feasible"],
            "willing_feasible_done": t["willing_feasible_done"],
            "willing_rate": selectors.percent(t["willing_feasible_done"], t["willing_feasible"]),
            "feasible": t["feasible"],
            "feasible_done": t["feasible_done"],
            "feasible_rate": selectors.percent(t["feasible_done"], t["feasible"]),
        }
        for k in kids
        if (t := per_target.get(k.pk))
    ]
    charts = selectors.hooked_charts(user=request.user, region=region, children=kids)
    chart_data = {
        "hooked": [
            {
                "id": f"chart-{c['key']}",
                "series": [s["label"] for s in c["series"]],
                "colors": [SERIES_COLORS.get(s["key"]) for s in c["series"]],
                # no child regions (a community): the region's own totals as one bar
                "names": [r["label"] for r in c["rows"]] or [region.name if region else _("My area")],
                "values": [r["values"] for r in c["rows"]] or [c["total"]["values"]],
                "drill": [r["drill"] for r in c["rows"]] or [None],
                "urls": [r["urls"] for r in c["rows"]] or [c["total"]["urls"]],
            }
            for c in charts
        ],
        "funnel": funnel,
        "children": {
            "names": [c["region"].name for c in children],
            "under_way": [c["under_way"] for c in children],
            "in_service": [c["in_service"] for c in children],
            "ids": [c["region"].pk for c in children],
        },
        "months": {
            "labels": [m["month"].strftime("%Y-%m") for m in monthly],
            "started": [m["started"] for m in monthly],
            "completed": [m["completed"] for m in monthly],
        },
        "completions": {
            "labels": [c["month"].strftime("%Y-%m") for c in completions],
            "completed": [c["completed"] for c in completions],
            "cumulative": [c["cumulative"] for c in completions],
            "target": target,
        },
        "coverage": {
            "names": [c["region"].name for c in coverage],
            "ids": [c["region"].pk for c in coverage],
            "willing": [None if c["willing_rate"] is None else float(c["willing_rate"]) for c in coverage],
            "feasible": [None if c["feasible_rate"] is None else float(c["feasible_rate"]) for c in coverage],
        },
        "money": [
            {"name": _("Subsidy paid (yuan)"), "value": str(figs.subsidy_paid)},
            {"name": _("Subsidy due, unpaid (yuan)"), "value": str(figs.subsidy_due)},
        ],
        "labels": {
            "under_way": _("Under way"),
            "in_service": _("In service"),
            "started": _("Started"),
            "completed": _("Completed"),
            "cumulative": _("Completed this year"),
            "target": _("Target for the year"),
            "willing_rate": _("愿装尽装 rate"),
            "feasible_rate": _("可装尽装 rate"),
        },
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "region": region,
            "trail": _trail(request.user, region),
            "named": figures_list.named(figs),
            "others": selectors.hooked_figures(user=request.user, region=region),
            "figs": figs,
            "funnel": funnel,
            "monthly": monthly,
            "children": children,
            "completions": completions,
            "target": target,
            "coverage": coverage,
            "charts": charts,
            "red_black": current_red_black(user=request.user),
            "chart_data": chart_data,
        },
    )


def _trail(user, region) -> list[Region]:
    """The regions from the user's own area down to this one (breadcrumb of the drill-down)."""
    if region is None:
        return []
    codes = region.path.strip("/").split("/")
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return list(Region.objects.visible_to(user).filter(path__in=paths).order_by("path"))


@replica_reads
@login_not_required
def public(request):
    """What the district announces: elevators in service, under way, subsidy paid; per subdistrict and by year.

    No sign-in and no personal data: counts and sums of whole subdistricts only."""
    top = Region.objects.filter(level="district", is_retired=False).order_by("path")
    district = (
        top.filter(pk=request.GET.get("district") or 0).first() if request.GET.get("district", "").isdigit() else None
    )
    district = district or top.first()
    rows, totals = [], {"in_service": 0, "under_way": 0, "paid": 0}
    years = []
    if district is not None:
        kids = selectors.children(region=district)
        per = selectors.by_child(regions=kids)
        for k in kids:
            rows.append({"name": k.name, **per[k.pk]})
            totals["in_service"] += per[k.pk]["in_service"]
            totals["under_way"] += per[k.pk]["under_way"]
            totals["paid"] += per[k.pk]["paid"]
        by_year: dict[int, list[int]] = {}
        for month, started, completed in MonthCount.objects.filter(region=district).values_list(
            "month", "started", "completed"
        ):
            entry = by_year.setdefault(month.year, [0, 0])
            entry[0] += started
            entry[1] += completed
        years = [{"year": y, "started": s, "completed": c} for y, (s, c) in sorted(by_year.items())]
    return render(
        request,
        "stats/public.html",
        {"district": district, "districts": top, "rows": rows, "totals": totals, "years": years},
    )
