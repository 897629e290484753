"""Test data builders (factory-boy) and a small world with every role, used across apps' tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import factory
from stdnum.cn import ric, uscc

from jiati.accounts.models import Role, User
from jiati.companies.models import Company
from jiati.housing.models import Building, Dwelling, Estate, Owner, OwnerKind, Ownership, Stairwell
from jiati.organisation.models import PropertyOffice, Region, ServiceWindow, WindowKind, Workstation

_ids = itertools.count(1)


def valid_resident_id(n: int | None = None) -> str:
    n = next(_ids) if n is None else n
    body = f"44030019{50 + (n // 1000) % 40:02d}0101{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check digit


def valid_credit_code(n: int | None = None) -> str:
    n = next(_ids) if n is None else n
    body = f"91440300MA5{n % 1000000:06d}"
    return body + uscc.calc_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"T{n:08d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = "community"
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


class PropertyOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyOffice

    code = factory.Sequence(lambda n: f"PO{n:05d}")
    name = factory.Sequence(lambda n: f"物业服务中心{n}")
    community = factory.SubFactory(RegionFactory)


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    code = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"测试花园{n}")
    community = factory.SubFactory(RegionFactory)
    year_built = 1995


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    community = factory.SelfAttribute("estate.community")
    number = factory.Sequence(lambda n: f"{n}栋")
    storeys = 7


class StairwellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stairwell

    building = factory.SubFactory(BuildingFactory)
    estate = factory.SelfAttribute("building.estate")
    community = factory.SelfAttribute("building.community")
    number = factory.Sequence(lambda n: f"{n}单元")
    storeys = factory.SelfAttribute("building.storeys")


class DwellingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dwelling

    stairwell = factory.SubFactory(StairwellFactory)
    building = factory.SelfAttribute("stairwell.building")
    estate = factory.SelfAttribute("stairwell.estate")
    community = factory.SelfAttribute("stairwell.community")
    floor = 1
    room = factory.Sequence(lambda n: f"R{n}")
    area_register = Decimal("80.00")
    exclusive_area = factory.SelfAttribute("area_register")
    area_source = "register"


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    kind = OwnerKind.PERSON
    name = factory.Sequence(lambda n: f"业主{n}")
    id_number = factory.LazyFunction(valid_resident_id)
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"电梯公司{n}")
    credit_code = factory.LazyFunction(valid_credit_code)
    is_contractor = True


def make_user(username: str, role: str, **units) -> User:
    return User.objects.create(username=username, role=role, full_name=username, **units)


def stairwell_with_dwellings(
    *, estate: Estate, number: str = "1单元", storeys: int = 6, per_floor: int = 2, area: Decimal = Decimal("80.00")
) -> Stairwell:
    """A stairwell full of dwellings, each with its own person owner."""
    building = BuildingFactory(estate=estate, storeys=storeys)
    stairwell = StairwellFactory(building=building, number=number, storeys=storeys)
    for floor in range(1, storeys + 1):
        for unit in range(1, per_floor + 1):
            dwelling = DwellingFactory(
                stairwell=stairwell, floor=floor, room=f"{floor}0{unit}", area_register=area, exclusive_area=area
            )
            Ownership.objects.create(owner=OwnerFactory(), dwelling=dwelling, is_primary=True)
    return stairwell


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    offices: dict[str, PropertyOffice] = field(default_factory=dict)
    estates: dict[str, Estate] = field(default_factory=dict)
    stairwells: dict[str, Stairwell] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)


def build_world() -> World:
    """Province → city → district A (subdistricts A1, A2; communities A1a, A1b, A2a) and district B (B1, B1a).

    Estates: "a1a" in A1a (with property office "po_a1a"), "a1b" in A1b, "a2a" in A2a, "b1a" in B1a.
    Users: admin, district (A), finance (A), subdistrict (A1), community (A1a), property (po_a1a),
    contractor, maintainer, resident, and "other_district" (B), "other_community" (A1b).
    """
    w = World()
    province = RegionFactory(code="440000", name="广东省", level="province")
    city = RegionFactory(code="440300", name="深圳市", level="city", parent=province)
    a = RegionFactory(code="440307", name="龙岗区", level="district", parent=city)
    b = RegionFactory(code="440306", name="宝安区", level="district", parent=city)
    a1 = RegionFactory(code="440307001", name="平湖街道", level="subdistrict", parent=a)
    a2 = RegionFactory(code="440307002", name="坂田街道", level="subdistrict", parent=a)
    b1 = RegionFactory(code="440306001", name="新安街道", level="subdistrict", parent=b)
    a1a = RegionFactory(code="440307001001", name="新木社区", level="community", parent=a1)
    a1b = RegionFactory(code="440307001002", name="山厦社区", level="community", parent=a1)
    a2a = RegionFactory(code="440307002001", name="岗头社区", level="community", parent=a2)
    b1a = RegionFactory(code="440306001001", name="海旺社区", level="community", parent=b1)
    w.regions = {
        "province": province,
        "city": city,
        "A": a,
        "B": b,
        "A1": a1,
        "A2": a2,
        "B1": b1,
        "A1a": a1a,
        "A1b": a1b,
        "A2a": a2a,
        "B1a": b1a,
    }
    station = Workstation.objects.create(community=a1a, name="新木社区工作站", address="新木路1号")
    w.offices["po_a1a"] = PropertyOfficeFactory(code="PO-A1A", name="长江物业", community=a1a)
    w.offices["po_b1a"] = PropertyOfficeFactory(code="PO-B1A", name="海旺物业", community=b1a)
    ServiceWindow.objects.create(name="新木窗口", kind=WindowKind.WORKSTATION, workstation=station, community=a1a)
    ServiceWindow.objects.create(
        name="长江物业窗口", kind=WindowKind.PROPERTY_OFFICE, property_office=w.offices["po_a1a"], community=a1a
    )
    w.estates["a1a"] = EstateFactory(code="A1A-1", name="长江花园", community=a1a, property_office=w.offices["po_a1a"])
    w.estates["a1b"] = EstateFactory(code="A1B-1", name="山厦新村", community=a1b)
    w.estates["a2a"] = EstateFactory(code="A2A-1", name="岗头小区", community=a2a)
    w.estates["b1a"] = EstateFactory(code="B1A-1", name="海旺花园", community=b1a, property_office=w.offices["po_b1a"])
    for key, estate in w.estates.items():
        w.stairwells[key] = stairwell_with_dwellings(estate=estate, storeys=6, per_floor=2)
    w.companies["contractor"] = CompanyFactory(name="加梯建设", is_contractor=True)
    w.companies["maintainer"] = CompanyFactory(name="维保公司", is_contractor=False, is_maintainer=True)
    owner = Ownership.objects.filter(dwelling__stairwell=w.stairwells["a1a"]).select_related("owner").first().owner
    w.users = {
        "admin": make_user("admin", Role.PLATFORM_ADMIN),
        "district": make_user("district", Role.DISTRICT_OFFICE, region=a),
        "finance": make_user("finance", Role.DISTRICT_FINANCE, region=a),
        "subdistrict": make_user("subdistrict", Role.SUBDISTRICT, region=a1),
        "community": make_user("community", Role.COMMUNITY, region=a1a),
        "property": make_user("property", Role.PROPERTY, property_office=w.offices["po_a1a"]),
        "contractor": make_user("contractor", Role.CONTRACTOR, company=w.companies["contractor"]),
        "maintainer": make_user("maintainer", Role.MAINTAINER, company=w.companies["maintainer"]),
        "resident": make_user("resident", Role.RESIDENT, owner=owner),
        "other_district": make_user("other_district", Role.DISTRICT_OFFICE, region=b),
        "other_community": make_user("other_community", Role.COMMUNITY, region=a1b),
    }
    return w
