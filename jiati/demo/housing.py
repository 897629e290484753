"""A fictional district shaped like Longgang, and as many more like it as a national-size data set needs.

Deterministic (seeded) so that every demo looks the same. Each district: 11
subdistricts, 111 communities (68 with a workstation), 117 property offices,
estates of walk-up buildings, about 40,000 dwellings, owners (some holding
several dwellings, some developer stock).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field

from django.utils import timezone
from stdnum.cn import uscc

from jiati.demo.bulk import BulkSink
from jiati.projects.models import STAGE_ORDER

LONGGANG_SUBDISTRICTS = ["平湖", "坂田", "布吉", "南湾", "吉华", "横岗", "园山", "龙城", "龙岗", "宝龙", "坪地"]
COMMUNITY_NAMES = [
    "新木",
    "山厦",
    "鹅公岭",
    "白坭坑",
    "辅城坳",
    "凤凰",
    "禾花",
    "良安田",
    "力昌",
    "上木古",
    "新南",
    "大围",
    "岗头",
    "五和",
    "杨美",
    "马安堂",
    "象角塘",
    "雪象",
    "南坑",
    "冲之",
    "布吉",
    "德兴",
    "罗岗",
    "长龙",
    "丹竹头",
    "南岭",
    "吉厦",
    "沙湾",
    "樟树布",
    "上水径",
    "三联",
    "水径",
    "丽湖",
    "甘李",
    "横岗",
    "六约",
    "四联",
    "保安",
    "西坑",
    "安良",
    "大康",
    "荷坳",
    "园山",
    "龙西",
    "五联",
    "回龙埔",
    "愉园",
    "黄阁坑",
    "尚景",
    "紫薇",
    "龙岗",
    "南联",
    "平南",
    "新生",
    "南约",
    "同乐",
    "宝龙",
    "龙东",
    "坪地",
    "坪西",
    "六联",
    "中心",
    "年丰",
    "怡心",
    "盛平",
    "嶂背",
    "鹤湖",
    "天安",
    "中海",
    "中兴",
    "百合",
    "龙腾",
    "锦华",
    "清林",
    "万科",
    "星河",
    "华南",
    "翠湖",
    "恒大",
    "碧湖",
]
ESTATE_PREFIXES = [
    "长江",
    "锦绣",
    "翠竹",
    "碧华",
    "幸福",
    "和平",
    "富康",
    "阳光",
    "龙园",
    "东方",
    "海湾",
    "华侨",
    "金叶",
    "桂园",
    "松柏",
    "鹏城",
    "华茂",
    "怡景",
    "百花",
    "聚龙",
    "兴华",
    "宝安",
    "安居",
    "鸿基",
]
ESTATE_SUFFIXES = ["花园", "小区", "新村", "苑", "家园", "大厦", "公寓", "山庄", "雅苑", "名苑"]
SURNAMES = (
    "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰淑珍德明志强文海金凤秀珍小红春梅桂芳"
DEVELOPERS = [
    "深圳市龙华房地产开发有限公司",
    "深圳市鹏基实业有限公司",
    "深圳市宝龙置业有限公司",
    "深圳市华侨城地产有限公司",
    "深圳市金地物业发展有限公司",
]

DWELLINGS_PER_DISTRICT = 40_000
NULL = "\\N"  # NULL in COPY text format
ID_AREAS = ["440300", "440100", "440200", "440400", "440500", "440600", "430100", "430200"]


_BIRTH_DAYS = [f"{dt.date(1935, 1, 1) + dt.timedelta(days=d):%Y%m%d}" for d in range(30000)]


# GB 11643: the check character is "10X98765432"[Σ digit × weight mod 11]. The area and birth date change
# only every 1,000 owners, so their part of the sum is computed once per prefix.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


# Digits 15-17 (the sequence) with their part of the sum, for each of the 1,000 sequences.
_ID_SEQUENCES = [(f"{seq:03d}", (seq // 100) * 8 + (seq // 10 % 10) * 4 + (seq % 10) * 2) for seq in range(1000)]


@functools.lru_cache(maxsize=256)
def _id_prefix(block: int) -> tuple[str, int]:
    """Area code and birth date of owners block×1000 … block×1000+999, with their part of the sum."""
    # Area codes valid for births since 1935 (stdnum checks the code against its assignment years).
    prefix = ID_AREAS[(block // 30000) % len(ID_AREAS)] + _BIRTH_DAYS[block % 30000]
    return prefix, sum(int(c) * w for c, w in zip(prefix, _ID_WEIGHTS, strict=False))


def resident_id(n: int) -> str:
    """A valid, unique resident ID number for owner number n (birth date and sequence from n)."""
    prefix, partial = _id_prefix(n // 1000)
    digits, weight = _ID_SEQUENCES[n % 1000]
    return f"{prefix}{digits}{_ID_CHECK[(partial + weight) % 11]}"


def credit_code(n: int) -> str:
    body = f"91440300MA5{n:06d}"[:17]
    return body + uscc.calc_check_digit(body)


_N_GIVEN = len(GIVEN)
_N_SURNAMES = len(SURNAMES)


def person_name(rng: random.Random) -> str:
    r = rng.random()
    given = GIVEN[int(r * 997) % len(GIVEN)]
    if r < 0.6:
        given += GIVEN[int(r * 7919) % len(GIVEN)]
    return SURNAMES[int(rng.random() * len(SURNAMES))] + given


@dataclass
class DistrictPlan:
    """Where one generated district sits in the tree."""

    index: int
    code: str
    name: str
    subdistrict_names: list[str]
    parent_id: int | None
    parent_path: str


@dataclass
class Generated:
    """Ids the rich demo needs afterwards (only for the first district)."""

    district_id: int = 0
    subdistrict_ids: list[int] = field(default_factory=list)
    community_ids: list[int] = field(default_factory=list)
    office_ids: list[int] = field(default_factory=list)
    dwellings: int = 0


class HousingGenerator:
    def __init__(self, sink: BulkSink, *, seed: int = 2024, project_share: float = 0.0, project_owner_id=None):
        self.sink = sink
        self.rng = random.Random(seed)
        self.region_ids: dict[str, int] = {}
        # For benchmarks: a project on this share of stairwells (bulk rows, no history).
        self.project_share = project_share
        self.project_owner_id = project_owner_id
        self.today = timezone.localdate()

    # --- tree -------------------------------------------------------------
    def region(self, code: str, name: str, level: str, parent_id: int | None, parent_path: str) -> tuple[int, str]:
        region_id = self.sink.new_id("organisation_region")
        path = f"{parent_path}{code}/"
        self.sink.add("organisation_region", (region_id, code, name, level, parent_id, path, False))
        self.region_ids[code] = region_id
        return region_id, path

    # --- one district -----------------------------------------------------
    def district(self, plan: DistrictPlan, dwellings: int) -> Generated:
        rng, sink = self.rng, self.sink
        out = Generated()
        district_id, district_path = self.region(plan.code, plan.name, "district", plan.parent_id, plan.parent_path)
        out.district_id = district_id
        communities: list[tuple[int, str, str]] = []  # (id, code, name)
        names = iter(COMMUNITY_NAMES + [n + "东" for n in COMMUNITY_NAMES] + [n + "西" for n in COMMUNITY_NAMES])
        per_subdistrict = [11] + [10] * 10  # 111 communities
        for s_index, s_name in enumerate(plan.subdistrict_names):
            s_code = f"{plan.code}{s_index + 1:03d}"
            s_id, s_path = self.region(s_code, f"{s_name}街道", "subdistrict", district_id, district_path)
            out.subdistrict_ids.append(s_id)
            for c_index in range(per_subdistrict[s_index]):
                c_code = f"{s_code}{c_index + 1:03d}"
                c_name = f"{next(names)}社区"
                c_id, _path = self.region(c_code, c_name, "community", s_id, s_path)
                communities.append((c_id, c_code, c_name))
                out.community_ids.append(c_id)
        # 68 workstations with a service window.
        for c_id, c_code, c_name in communities[:68]:
            sink.add(
                "organisation_workstation",
                (
                    sink.new_id("organisation_workstation"),
                    c_id,
                    f"{c_name}工作站",
                    f"{plan.name}{c_name}服务中心一楼",
                    f"0755-8{c_code[-7:]}",
                ),
            )
        # 117 property offices spread over the communities.
        offices_by_community: dict[int, list[int]] = {}
        for o_index in range(117):
            c_id, c_code, c_name = communities[o_index % len(communities)]
            office_id = sink.new_id("organisation_propertyoffice")
            estate_word = rng.choice(ESTATE_PREFIXES)
            sink.add(
                "organisation_propertyoffice",
                (
                    office_id,
                    f"{plan.code}-PO{o_index + 1:03d}",
                    f"{estate_word}物业服务中心（{c_name}）",
                    f"深圳市{estate_word}物业管理有限公司",
                    c_id,
                    f"{c_name}{estate_word}路{o_index + 1}号",
                    f"0755-2{o_index:03d}{plan.index % 10000:04d}",
                ),
            )
            offices_by_community.setdefault(c_id, []).append(office_id)
            out.office_ids.append(office_id)
        developer_ids = []
        for d_index, d_name in enumerate(DEVELOPERS):
            owner_id = sink.new_id("housing_owner")
            sink.add("housing_owner", (owner_id, "developer", d_name, credit_code(plan.index * 10 + d_index), ""))
            developer_ids.append(owner_id)
        out.dwellings = self._housing(plan, communities, offices_by_community, developer_ids, dwellings)
        return out

    def _housing(self, plan, communities, offices_by_community, developer_ids, target: int) -> int:
        rng, sink = self.rng, self.sink
        made = 0
        estate_no = 0
        while made < target:
            c_id, _c_code, _c_name = communities[estate_no % len(communities)]
            estate_no += 1
            estate_id = sink.new_id("housing_estate")
            year = rng.randint(1982, 2004)
            offices = offices_by_community.get(c_id) or []
            office_id = offices[estate_no % len(offices)] if offices and rng.random() < 0.8 else None
            name = f"{rng.choice(ESTATE_PREFIXES)}{rng.choice(ESTATE_SUFFIXES)}"
            sink.add(
                "housing_estate",
                (
                    estate_id,
                    f"{plan.code}-{estate_no:05d}",
                    name,
                    f"{plan.name}{rng.choice(ESTATE_PREFIXES)}路{rng.randint(1, 300)}号",
                    c_id,
                    office_id,
                    year,
                    None,
                ),
            )
            estate_owners: list[int] = []
            developer_id = developer_ids[estate_no % len(developer_ids)]
            for b_index in range(rng.randint(2, 6)):
                if made >= target:
                    break
                building_id = sink.new_id("housing_building")
                storeys = rng.choice((5, 6, 6, 7, 7, 7, 8, 9))
                sink.add(
                    "housing_building",
                    (
                        building_id,
                        estate_id,
                        c_id,
                        f"{b_index + 1}栋",
                        storeys,
                        year + rng.randint(0, 2),
                        "brick_concrete" if rng.random() < 0.85 else "frame",
                        None,
                    ),
                )
                for s_index in range(rng.randint(1, 3)):
                    if made >= target:
                        break
                    stairwell_id = sink.new_id("housing_stairwell")
                    sink.add(
                        "housing_stairwell",
                        (
                            stairwell_id,
                            building_id,
                            estate_id,
                            c_id,
                            f"{s_index + 1}单元",
                            storeys,
                            rng.random() < 0.04,
                        ),
                    )
                    if self.project_share and rng.random() < self.project_share:
                        self._project(stairwell_id, estate_id, c_id)
                    per_floor = 2
                    count = min(storeys * per_floor, target - made)
                    dwellings = self._dwellings_copy if sink.is_copy else self._dwellings
                    dwellings(stairwell_id, building_id, estate_id, c_id, per_floor, count, estate_owners, developer_id)
                    made += count
        return made

    def _project(self, stairwell_id: int, estate_id: int, community_id: int) -> None:

        rng, sink = self.rng, self.sink
        project_id = sink.new_id("projects_project")
        stage = rng.choice(STAGE_ORDER)
        due = self.today + dt.timedelta(days=rng.randint(-30, 90))
        at_risk = due - dt.timedelta(days=4)
        live = stage != "in_service"
        now = timezone.now()
        sink.add(
            "projects_project",
            (
                project_id,
                f"JTB{project_id:08d}",
                stairwell_id,
                estate_id,
                community_id,
                stage,
                "active",
                "",
                now,
                self.project_owner_id,
                due + dt.timedelta(days=200) if live else None,
                due if live else None,
                at_risk if live else None,
                "",
                "",
                "",
                rng.randint(0, 7),
                int(rng.random() < 0.1),
                self.project_owner_id,
                now,
                now,
            ),
        )

    def _dwellings(self, stairwell_id, building_id, estate_id, c_id, per_floor, count, estate_owners, developer_id):
        """A stairwell's dwellings with their owners, as row tuples (SQLite: the demo's 40,000 dwellings)."""
        rng, sink = self.rng, self.sink
        for index in range(count):
            floor = index // per_floor + 1
            dwelling_id = sink.new_id("housing_dwelling")
            cents = int(4500 + rng.random() * 7500)
            area = f"{cents // 100}.{cents % 100:02d}"
            register, survey, contract, source = _area_columns(rng.random(), area, cents)
            owner_roll = rng.random()
            if owner_roll < 0.015:
                owner_id = developer_id  # unsold developer stock
            elif owner_roll < 0.055 and estate_owners:
                owner_id = estate_owners[int(rng.random() * len(estate_owners))]  # one owner, several dwellings
            else:
                owner_id = sink.new_id("housing_owner")
                phone = f"13{owner_id % 1_000_000_000:09d}"
                sink.add("housing_owner", (owner_id, "person", person_name(rng), resident_id(owner_id), phone))
                if len(estate_owners) < 50:
                    estate_owners.append(owner_id)
            sink.add(
                "housing_dwelling",
                (dwelling_id, stairwell_id, building_id, estate_id, c_id, floor, f"{floor}0{index % per_floor + 1}",
                 register, survey, contract, area, source),
            )  # fmt: skip
            sink.add("housing_ownership", (sink.new_id("housing_ownership"), owner_id, dwelling_id, c_id, True, None))

    def _dwellings_copy(
        self, stairwell_id, building_id, estate_id, c_id, per_floor, count, estate_owners, developer_id
    ) -> None:
        """The same rows as `_dwellings` (same random draws), written straight as COPY lines.

        The hot path of national-size loads: ids, buffers and the random source are locals, and the sink is
        told once per stairwell rather than once per row."""
        sink = self.sink
        random = self.rng.random
        next_ids = sink.next_ids
        dwelling_id, owner_id, ownership_id = (
            next_ids["housing_dwelling"],
            next_ids["housing_owner"],
            next_ids["housing_ownership"],
        )
        dwellings = sink.buffers["housing_dwelling"]
        owners = sink.buffers["housing_owner"]
        ownerships = sink.buffers["housing_ownership"]
        head = f"{stairwell_id}\t{building_id}\t{estate_id}\t{c_id}\t"
        new_owners = 0
        for index in range(count):
            floor = index // per_floor + 1
            cents = int(4500 + random() * 7500)
            area = f"{cents // 100}.{cents % 100:02d}"
            roll = random()
            if roll < 0.9:
                areas = f"{area}\t{NULL}\t{NULL}\t{area}\tregister"
            elif roll < 0.97:
                extra = cents + 120
                areas = f"{NULL}\t{area}\t{extra // 100}.{extra % 100:02d}\t{area}\tsurvey"
            else:
                areas = f"{NULL}\t{NULL}\t{area}\t{area}\tcontract"
            dwellings.append(f"{dwelling_id}\t{head}{floor}\t{floor}0{index % per_floor + 1}\t{areas}")
            owner_roll = random()
            if owner_roll < 0.015:
                owner = developer_id
            elif owner_roll < 0.055 and estate_owners:
                owner = estate_owners[int(random() * len(estate_owners))]
            else:
                owner = owner_id
                owner_id += 1
                new_owners += 1
                r = random()  # person_name, inlined
                given = GIVEN[int(r * 997) % _N_GIVEN]
                if r < 0.6:
                    given += GIVEN[int(r * 7919) % _N_GIVEN]
                name = SURNAMES[int(random() * _N_SURNAMES)] + given
                owners.append(f"{owner}\tperson\t{name}\t{resident_id(owner)}\t13{owner % 1_000_000_000:09d}")
                if len(estate_owners) < 50:
                    estate_owners.append(owner)
            ownerships.append(f"{ownership_id}\t{owner}\t{dwelling_id}\t{c_id}\tt\t{NULL}")
            ownership_id += 1
            dwelling_id += 1
        next_ids["housing_dwelling"], next_ids["housing_owner"], next_ids["housing_ownership"] = (
            dwelling_id,
            owner_id,
            ownership_id,
        )
        sink.added(2 * count + new_owners)


def _area_columns(roll: float, area: str, cents: int) -> tuple[str | None, str | None, str | None, str]:
    """Where the exclusive area comes from: mostly the register, some surveys (contract area a little larger),
    a few contracts only."""
    if roll < 0.9:
        return area, None, None, "register"
    if roll < 0.97:
        extra = cents + 120
        return None, area, f"{extra // 100}.{extra % 100:02d}", "survey"
    return None, None, area, "contract"


def generate(
    *, dwellings: int, sink: BulkSink, progress=None, project_share: float = 0.0, project_owner_id: int | None = None
) -> Generated:
    """Longgang first; beyond DWELLINGS_PER_DISTRICT, further synthetic districts under synthetic cities."""
    gen = HousingGenerator(sink, project_share=project_share, project_owner_id=project_owner_id)
    province_id, province_path = gen.region("440000", "广东省", "province", None, "/")
    city_id, city_path = gen.region("440300", "深圳市", "city", province_id, province_path)
    first = min(dwellings, DWELLINGS_PER_DISTRICT)
    result = gen.district(DistrictPlan(0, "440307", "龙岗区", LONGGANG_SUBDISTRICTS, city_id, city_path), first)
    made = result.dwellings
    if progress:
        progress(made)
    index = 1
    city = (city_id, city_path)
    while made < dwellings:
        if index % 10 == 1:
            c_code = f"9{index // 10:05d}"[:6]
            city = gen.region(f"C{c_code}", f"示范市{index // 10 + 1}", "city", province_id, province_path)
        code = f"D{index:07d}"
        names = [f"第{n + 1}" for n in range(11)]
        plan = DistrictPlan(index, code, f"示范区{index}", names, city[0], city[1])
        made += gen.district(plan, min(DWELLINGS_PER_DISTRICT, dwellings - made)).dwellings
        index += 1
        if progress:
            progress(made)
    sink.finish()
    return result
