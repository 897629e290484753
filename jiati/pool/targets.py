"""Hook for the monthly dispatch (`targets.region_targets`): each region's yearly target and its coverage, so the
district's report can set progress against them without importing the pool."""

from __future__ import annotations

from collections import defaultdict

from jiati.pool import permissions, selectors
from jiati.pool.models import Target


def region_targets(*, user, regions, year: int) -> list[dict]:
    """Per region: the year's target (its own, else the sum of the targets set for the communities under it; None
    when neither is set) and the coverage counts as of today. One query for the targets, one per region for the
    coverage."""
    if not permissions.can_read(user) or not regions:
        return []
    own: dict[int, Target] = {}
    below: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    set_below: set[int] = set()
    by_path = {r.path: r.pk for r in regions}
    for target in Target.objects.visible_to(user).filter(year=year).select_related("region"):
        if target.region_id in by_path.values():
            own[target.region_id] = target
            continue
        for path, pk in by_path.items():
            if target.region.path.startswith(path) and target.region.level == "community":
                below[pk][0] += target.projects_started
                below[pk][1] += target.elevators_in_service
                set_below.add(pk)
    out = []
    for region in regions:
        target = own.get(region.pk)
        if target is not None:
            started, in_service = target.projects_started, target.elevators_in_service
        elif region.pk in set_below:
            started, in_service = below[region.pk]
        else:
            started = in_service = None
        c = selectors.coverage(user=user, region=region)
        out.append(
            {
                "region_id": region.pk,
                "target_started": started,
                "target_in_service": in_service,
                "willing_feasible": c.willing_feasible,
                "willing_feasible_done": c.willing_feasible_done,
                "feasible": c.feasible,
                "feasible_done": c.feasible_done,
            }
        )
    return out
