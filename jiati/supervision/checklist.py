"""What staff look at on a site under construction (domain.md §7): the same six points on every site,
and the quality points of the construction step the project is in.

Each item has a stable code (stored on the check's rows and on the rectifications it raises) and the
scoring area a finding on it counts against: site conduct → civilised construction, the step's quality
points → quality control.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiati.projects.models import Stage

CIVILISED = "civilised_construction"
QUALITY = "quality_control"


@dataclass(frozen=True)
class Item:
    code: str
    label: object  # lazy translated
    hint: object
    area: str


COMMON = (
    Item("fencing_signs", _("Fencing and safety signs"), _("Site closed off, warning and notice boards up"), CIVILISED),
    Item("dust_noise", _("Dust and noise"), _("Dust covered and damped, noise kept down"), CIVILISED),
    Item(
        "working_hours",
        _("Working hours"),
        _("No noisy work at night (22:00–07:00) without a permit"),
        CIVILISED,
    ),
    Item("lifting", _("Lifting and work at height"), _("Hoisting guarded, harnesses worn, zone cordoned"), CIVILISED),
    Item(
        "temporary_power",
        _("Temporary power"),
        _("Distribution box locked, cables raised, earth leakage tested"),
        CIVILISED,
    ),
    Item(
        "materials_fire_lane",
        _("Materials and fire lane"),
        _("Materials stacked tidily, fire lane kept clear"),
        CIVILISED,
    ),
)

STEP_ITEMS: dict[str, tuple[Item, ...]] = {
    Stage.FOUNDATION: (
        Item(
            "foundation_pit",
            _("Foundation pit"),
            _("Pit size and depth as drawn, sides shored, water drained"),
            QUALITY,
        ),
        Item("reinforcement", _("Reinforcement"), _("Bars, spacing and cover as drawn before pouring"), QUALITY),
    ),
    Stage.SHAFT: (
        Item("frame_welds_bolts", _("Steel frame welds and bolts"), _("Welds continuous, bolts tightened"), QUALITY),
        Item("shaft_plumb", _("Plumbness of the shaft"), _("Shaft within tolerance of vertical"), QUALITY),
    ),
    Stage.INSTALLATION: (
        Item("guide_rails", _("Guide rails"), _("Rails fixed, aligned and joined within tolerance"), QUALITY),
        Item("safety_gear", _("Safety gear"), _("Safety gear, governor and buffers fitted and tested"), QUALITY),
    ),
    Stage.FINISHING: (
        Item("walkways", _("Walkways to each landing"), _("Walkway to every landing safe, railings fitted"), QUALITY),
        Item("waterproofing", _("Waterproofing"), _("Roof and joints sealed, no leaks"), QUALITY),
    ),
}

CONSTRUCTION_STEPS = tuple(STEP_ITEMS)
ALL_ITEMS: dict[str, Item] = {
    item.code: item for item in (*COMMON, *(i for items in STEP_ITEMS.values() for i in items))
}


def items_for(stage: str) -> tuple[Item, ...]:
    """The checklist of a site in this construction step (nothing for a project not under construction)."""
    if stage not in STEP_ITEMS:
        return ()
    return (*COMMON, *STEP_ITEMS[stage])


def item_label(code: str) -> str:
    item = ALL_ITEMS.get(code)
    return str(item.label) if item else code


def item_area(code: str) -> str:
    item = ALL_ITEMS.get(code)
    return item.area if item else CIVILISED
