"""The demo's people and service network: staff for every role, service groups, windows, responsibilities.

Built with the ORM (a few thousand rows) on top of the bulk-loaded district.
"""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password

from jiati.accounts.models import Role, User
from jiati.companies.models import Company
from jiati.demo.housing import Generated, credit_code, person_name
from jiati.housing.models import Building, Estate, Owner
from jiati.organisation.models import (
    GroupLevel,
    GroupMembership,
    MemberRole,
    PropertyOffice,
    Region,
    ServiceGroup,
    ServiceWindow,
    WindowKind,
    Workstation,
)

DEMO_PASSWORD = "jiati-demo-2026"  # noqa: S105 - the demo prints it; real deployments create their own users

COMPANIES = [
    # name, brand, maker, contractor, maintainer
    ("广州日立电梯有限公司", "日立", True, True, True),
    ("上海三菱电梯有限公司", "三菱", True, True, True),
    ("通力电梯有限公司", "通力", True, True, True),
    ("迅达（中国）电梯有限公司", "迅达", True, False, True),
    ("深圳市加梯建设工程有限公司", "", False, True, False),
    ("深圳市安居加装电梯工程有限公司", "", False, True, False),
    ("深圳市鹏城电梯维保有限公司", "", False, False, True),
]


def build_people(*, generated: Generated) -> dict[str, User]:
    rng = random.Random(7)
    password = make_password(DEMO_PASSWORD)
    district = Region.objects.get(pk=generated.district_id)
    subdistricts = list(Region.objects.filter(pk__in=generated.subdistrict_ids).order_by("code"))
    communities = list(Region.objects.filter(pk__in=generated.community_ids).select_related("parent").order_by("code"))
    offices = list(PropertyOffice.objects.filter(pk__in=generated.office_ids).order_by("code"))

    companies = []
    for index, (name, brand, maker, contractor, maintainer) in enumerate(COMPANIES):
        companies.append(
            Company.objects.create(
                name=name,
                credit_code=credit_code(900 + index),
                brand=brand,
                is_manufacturer=maker,
                is_contractor=contractor,
                is_maintainer=maintainer,
                contact_name=person_name(rng),
                contact_phone=f"1390000{index:04d}",
                address="深圳市龙岗区",
            )
        )

    users: list[User] = []

    def staff(username, role, full_name, **units) -> User:
        user = User(username=username, password=password, role=role, full_name=full_name, **units)
        users.append(user)
        return user

    demo = {
        "admin": staff("admin", Role.PLATFORM_ADMIN, "平台管理员"),
        "district": staff("district", Role.DISTRICT_OFFICE, "区加梯办 陈主任", region=district),
        "finance": staff("finance", Role.DISTRICT_FINANCE, "区财政 林会计", region=district),
        "subdistrict": staff("subdistrict", Role.SUBDISTRICT, "平湖街道 王组长", region=subdistricts[0]),
        "community": staff("community", Role.COMMUNITY, "新木社区 李专干", region=communities[0]),
        "property": staff(
            "property",
            Role.PROPERTY,
            "物业 赵经理",
            property_office=next(o for o in offices if o.community_id == communities[0].pk),
        ),
        "contractor": staff("contractor", Role.CONTRACTOR, "施工队 周队长", company=companies[4]),
        "maintainer": staff("maintainer", Role.MAINTAINER, "维保 吴师傅", company=companies[6]),
    }
    demo["admin"].is_superuser = True
    demo["admin"].is_staff = True
    district_staff = [
        staff(f"district{n}", Role.DISTRICT_OFFICE, f"区加梯办 {person_name(rng)}", region=district)
        for n in range(1, 4)
    ]
    sub_staff: dict[int, list[User]] = {}
    for s_index, sub in enumerate(subdistricts):
        sub_staff[sub.pk] = [demo["subdistrict"]] if s_index == 0 else []
        for n in range(1, 3 if s_index == 0 else 4):
            sub_staff[sub.pk].append(
                staff(f"sub{s_index + 1:02d}-{n}", Role.SUBDISTRICT, f"{sub.name} {person_name(rng)}", region=sub)
            )
    com_staff: dict[int, list[User]] = {}
    for c_index, com in enumerate(communities):
        com_staff[com.pk] = [demo["community"]] if c_index == 0 else []
        for n in range(1, 2 if c_index == 0 else 3):
            com_staff[com.pk].append(
                staff(f"com{c_index + 1:03d}-{n}", Role.COMMUNITY, f"{com.name} {person_name(rng)}", region=com)
            )
    office_staff: dict[int, User] = {demo["property"].property_office.pk: demo["property"]}
    for o_index, office in enumerate(offices):
        if office.pk not in office_staff:
            office_staff[office.pk] = staff(
                f"po{o_index + 1:03d}", Role.PROPERTY, f"物业 {person_name(rng)}", property_office=office
            )
    for c_index, company in enumerate(companies):
        if company.is_contractor and company.pk != companies[4].pk:
            staff(f"contractor{c_index}", Role.CONTRACTOR, f"施工 {person_name(rng)}", company=company)
    User.objects.bulk_create(users)
    by_username = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    demo = {key: by_username[user.username] for key, user in demo.items()}
    district_staff = [by_username[u.username] for u in district_staff]
    sub_staff = {k: [by_username[u.username] for u in v] for k, v in sub_staff.items()}
    com_staff = {k: [by_username[u.username] for u in v] for k, v in com_staff.items()}
    office_staff = {k: by_username[u.username] for k, u in office_staff.items()}

    # Service groups: the district office, 11 subdistrict groups, 111 community groups (+ property groups).
    memberships = []
    office_group = ServiceGroup.objects.create(
        name="龙岗区既有住宅加装电梯工作办公室", level=GroupLevel.DISTRICT_OFFICE, region=district
    )
    memberships.append(
        GroupMembership(group=office_group, user=demo["district"], role=MemberRole.LEADER, duties="统筹全区加梯工作")
    )
    memberships.append(
        GroupMembership(group=office_group, user=demo["finance"], role=MemberRole.MEMBER, duties="补贴资金审核与拨付")
    )
    for user in district_staff:
        memberships.append(GroupMembership(group=office_group, user=user, role=MemberRole.MEMBER, duties="督导"))
    for sub in subdistricts:
        group = ServiceGroup.objects.create(
            name=f"{sub.name}加梯工作小组", level=GroupLevel.SUBDISTRICT_GROUP, region=sub
        )
        for n, user in enumerate(sub_staff[sub.pk]):
            memberships.append(
                GroupMembership(
                    group=group, user=user, role=MemberRole.LEADER if n == 0 else MemberRole.MEMBER, duties="分片包干"
                )
            )
    for com in communities:
        group = ServiceGroup.objects.create(name=f"{com.name}加梯服务组", level=GroupLevel.COMMUNITY_GROUP, region=com)
        for n, user in enumerate(com_staff[com.pk]):
            memberships.append(
                GroupMembership(
                    group=group, user=user, role=MemberRole.LEADER if n == 0 else MemberRole.LIAISON, duties="专人包栋"
                )
            )
    for office in offices[:40]:
        group = ServiceGroup.objects.create(
            name=f"{office.name}加梯服务组",
            level=GroupLevel.PROPERTY_GROUP,
            region=office.community,
            property_office=office,
        )
        memberships.append(GroupMembership(group=group, user=office_staff[office.pk], role=MemberRole.LEADER))
    GroupMembership.objects.bulk_create(memberships)

    # Service windows: one at each of the 68 workstations and each of the 117 property offices.
    windows = []
    for station in Workstation.objects.filter(community_id__in=generated.community_ids).select_related("community"):
        windows.append(
            ServiceWindow(
                name=f"{station.community.name}加梯办事窗口",
                kind=WindowKind.WORKSTATION,
                workstation=station,
                community=station.community,
                address=station.address,
                opening_hours="周一至周五 9:00-12:00, 14:00-18:00",
                phone=station.phone,
            )
        )
    for office in offices:
        windows.append(
            ServiceWindow(
                name=f"{office.name}加梯窗口",
                kind=WindowKind.PROPERTY_OFFICE,
                property_office=office,
                community_id=office.community_id,
                address=office.address,
                opening_hours="周一至周六 9:00-17:30",
                phone=office.phone,
            )
        )
    ServiceWindow.objects.bulk_create(windows)
    through = ServiceWindow.staff_on_duty.through
    duty = []
    for window in ServiceWindow.objects.filter(community_id__in=generated.community_ids):
        people = (
            [office_staff[window.property_office_id]]
            if window.property_office_id
            else com_staff.get(window.community_id, [])[:1]
        )
        duty.extend(through(servicewindow_id=window.pk, user_id=u.pk) for u in people)
    through.objects.bulk_create(duty)

    # 分片包干 / 专人包栋: each estate answers to a community staff member, each building to a named person.
    estates = list(Estate.objects.filter(community_id__in=generated.community_ids).only("id", "community_id"))
    for index, estate in enumerate(estates):
        people = com_staff.get(estate.community_id) or [demo["community"]]
        estate.responsible_staff = people[index % len(people)]
    Estate.objects.bulk_update(estates, ["responsible_staff"], batch_size=1000)
    buildings = list(Building.objects.filter(community_id__in=generated.community_ids).only("id", "community_id"))
    for index, building in enumerate(buildings):
        people = com_staff.get(building.community_id) or [demo["community"]]
        building.responsible_person = people[(index + 1) % len(people)]
    Building.objects.bulk_update(buildings, ["responsible_person"], batch_size=1000)

    # A resident account linked to an owner of the demo community (the resident portal's login).
    owner = Owner.objects.filter(kind="person", ownerships__dwelling__community=communities[0]).order_by("id").first()
    if owner is not None:
        demo["resident"] = User.objects.create(
            username="resident", password=password, role=Role.RESIDENT, full_name=owner.name, owner=owner
        )
    return demo
