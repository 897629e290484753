"""Importing the units staff belong to: community workstations and property offices, one row each.

A workstation row is keyed by its community (one workstation per community) and opens its service window; a
property-office row is keyed by the office's code (re-importing updates it). All or nothing, like every table load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.administration.tables import Column, read_table
from jiati.organisation.models import Region
from jiati.organisation.services import property_office_save, workstation_save

COLUMNS = [
    Column("kind", "类型", gettext_lazy("Kind")),
    Column("community", "社区代码", gettext_lazy("Community code")),
    Column("name", "名称", gettext_lazy("Name")),
    Column("code", "物业服务中心编码", gettext_lazy("Property office code"), required=False),
    Column("company_name", "物业公司", gettext_lazy("Property company"), required=False),
    Column("address", "地址", gettext_lazy("Address"), required=False),
    Column("phone", "电话", gettext_lazy("Phone"), required=False),
    Column("window", "设窗口", gettext_lazy("Service window"), required=False),
]
WORKSTATION_WORDS = {"workstation", "工作站", "社区工作站"}
OFFICE_WORDS = {"property_office", "property office", "物业", "物业服务中心"}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class UnitsImportResult:
    dry_run: bool
    rows: int = 0
    workstations: int = 0
    property_offices: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


def units_import(*, actor, path: str, name: str, dry_run: bool) -> UnitsImportResult:
    records = read_table(path, name, COLUMNS)
    result = UnitsImportResult(dry_run=dry_run, rows=len(records))
    labels = {c.key: str(c.en) for c in COLUMNS}
    communities = {r.code: r for r in Region.objects.filter(code__in={v["community"] for _n, v in records})}
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for number, values in records:
            kind = values["kind"].strip().lower()
            community = communities.get(values["community"])
            if community is None:
                result.errors.append(
                    RowError(
                        number, labels["community"], _("No division has code %(code)s.") % {"code": values["community"]}
                    )
                )
                continue
            key = (kind, values.get("code") or values["community"])
            if key in seen:
                result.errors.append(
                    RowError(number, labels["code"], _("Row %(row)s is the same unit.") % {"row": seen[key]})
                )
                continue
            seen[key] = number
            try:
                with transaction.atomic():
                    if kind in WORKSTATION_WORDS:
                        workstation_save(
                            actor=actor, community=community, name=values["name"],
                            address=values.get("address", ""), phone=values.get("phone", ""),
                        )  # fmt: skip
                        result.workstations += 1
                    elif kind in OFFICE_WORDS:
                        if not values.get("code"):
                            raise ValidationError({"code": [_("A property office needs its code.")]})
                        property_office_save(
                            actor=actor, code=values["code"], name=values["name"], community=community,
                            company_name=values.get("company_name", ""), address=values.get("address", ""),
                            phone=values.get("phone", ""), with_window=values.get("window", "").lower() in TRUE_WORDS,
                        )  # fmt: skip
                        result.property_offices += 1
                    else:
                        raise ValidationError({"kind": [_("The kind is 工作站 or 物业服务中心.")]})
            except PermissionDenied:
                result.errors.append(RowError(number, labels["community"], _("This community is outside your area.")))
            except ValidationError as exc:
                for key_, messages in exc.message_dict.items():
                    for message in messages:
                        result.errors.append(RowError(number, labels.get(key_, key_), message))
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result
