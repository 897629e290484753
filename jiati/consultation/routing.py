"""Who answers for a petition: the group answering for the estate (分片包干), then one level up.

- community level: the community's service group; the handler is the estate's responsible staff
  member, else the group's leader;
- subdistrict level: the subdistrict group above the community; its leader;
- district level: the district retrofit office; its leader.
A level without a group passes the petition to the next one up.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiati.consultation.models.petitions import LEVEL_ORDER, PetitionLevel
from jiati.organisation.models import GroupLevel, MemberRole, Region, ServiceGroup

GROUP_LEVEL = {
    PetitionLevel.COMMUNITY: GroupLevel.COMMUNITY_GROUP,
    PetitionLevel.SUBDISTRICT: GroupLevel.SUBDISTRICT_GROUP,
    PetitionLevel.DISTRICT: GroupLevel.DISTRICT_OFFICE,
}
REGION_LEVEL = {
    PetitionLevel.COMMUNITY: "community",
    PetitionLevel.SUBDISTRICT: "subdistrict",
    PetitionLevel.DISTRICT: "district",
}
ROLE_ORDER = [MemberRole.LEADER, MemberRole.DEPUTY, MemberRole.LIAISON, MemberRole.MEMBER]


@dataclass(frozen=True)
class Route:
    level: str
    group: ServiceGroup | None
    handler: object | None  # a User


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def region_at(community: Region, level: str) -> Region | None:
    """The community itself, or the ancestor at the subdistrict / district level."""
    wanted = REGION_LEVEL[level]
    if community.level == wanted:
        return community
    return next((r for r in community.ancestors() if r.level == wanted), None)


def group_leader(group: ServiceGroup):
    memberships = [m for m in group.memberships.select_related("user") if m.user.is_active]
    memberships.sort(key=lambda m: (ROLE_ORDER.index(m.role) if m.role in ROLE_ORDER else 9, m.pk))
    return memberships[0].user if memberships else None


def route_for(*, estate, level: str = PetitionLevel.COMMUNITY) -> Route:
    """The group and handler at `level` for a petition about `estate`, or the first level above that has one."""
    current: str | None = level
    while current is not None:
        region = region_at(estate.community, current)
        group = (
            ServiceGroup.objects.filter(level=GROUP_LEVEL[current], region=region).order_by("id").first()
            if region is not None
            else None
        )
        if group is not None:
            handler = None
            if current == PetitionLevel.COMMUNITY and estate.responsible_staff_id:
                staff = estate.responsible_staff
                handler = staff if staff.is_active else None
            handler = handler or group_leader(group)
            return Route(level=current, group=group, handler=handler)
        current = next_level(current)
    return Route(level=level, group=None, handler=None)
