"""Loading the administrative divisions from the official list of 12-digit statistical division codes.

A code `PPCCDDSSSVVV` names its level and its parent by its digits: a province ends in ten zeros, a city in eight,
a district (county) in six, a subdistrict (town) in three, anything else is a community (village). Jiati's tree
keeps the significant part (440000 province, 440300 city, 440307 district, 440307001 subdistrict, 440307001001
community), so a division's code is the same whether it came from this list, the demo or an import.

The whole file is checked before anything is written, and the load is one transaction: a dry run, or any rejected
row, writes nothing. Re-loading a newer list renames and adds; a division under the file's area that the list no
longer has is retired (never deleted: staff, estates and the audit trail refer to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.administration.permissions import can_load_divisions
from jiati.administration.tables import Column, read_table
from jiati.audit.models import AuditAction
from jiati.audit.services import AuditBatch
from jiati.organisation.models import Region, RegionLevel

COLUMNS = [
    Column("code", "统计用区划代码", gettext_lazy("Division code")),
    Column("name", "名称", gettext_lazy("Name")),
]


class DivisionRejected(Exception):
    pass


def parse_code(code: str) -> tuple[str, str, str | None]:
    """(level, Jiati's code, the parent's Jiati code or None) of a 12-digit statistical code, or DivisionRejected."""
    if len(code) != 12 or not code.isdigit():
        raise DivisionRejected(_("A division code has exactly 12 digits."))
    if code[:2] == "00":
        raise DivisionRejected(_("A division code starts with its province's two digits."))
    if code[2:] == "0" * 10:
        return RegionLevel.PROVINCE, code[:6], None
    if code[4:] == "0" * 8:
        return RegionLevel.CITY, code[:6], code[:2] + "0000"
    if code[6:] == "0" * 6:
        if code[4:6] == "00":
            raise DivisionRejected(_("A district code does not end its first six digits in 00."))
        return RegionLevel.DISTRICT, code[:6], code[:4] + "00"
    if code[9:] == "000":
        return RegionLevel.SUBDISTRICT, code[:9], code[:6]
    return RegionLevel.COMMUNITY, code, code[:9]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class LoadResult:
    dry_run: bool
    rows: int = 0
    added: int = 0
    renamed: int = 0
    retired: int = 0
    restored: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


@dataclass
class _Row:
    number: int
    code: str
    name: str
    level: str
    parent: str | None


def _area_root(rows: dict[str, _Row]) -> str | None:
    """The deepest division of the file whose subtree holds every other row (None: the file spans provinces).

    Only divisions under it can be missing from the file on purpose; above it the file lists a chain of parents."""
    children: dict[str | None, list[str]] = {}
    for row in rows.values():
        parent = row.parent if row.parent in rows else None
        children.setdefault(parent, []).append(row.code)
    roots = children.get(None, [])
    if len(roots) != 1:
        return None
    current = roots[0]
    while len(children.get(current, [])) == 1:
        current = children[current][0]
    return current


def divisions_load(*, actor, path: str, name: str, dry_run: bool) -> LoadResult:
    """Check every row of the file, then (unless a dry run or a row was rejected) apply it in one transaction."""
    if actor is not None and not can_load_divisions(actor):  # None: the server's operator (load_divisions)
        raise PermissionDenied
    records = read_table(path, name, COLUMNS)
    result = LoadResult(dry_run=dry_run, rows=len(records))
    rows: dict[str, _Row] = {}
    first_row: dict[str, int] = {}
    for number, values in records:
        code, division_name = values.get("code", ""), values.get("name", "")
        try:
            level, short, parent = parse_code(code)
        except DivisionRejected as exc:
            result.errors.append(RowError(number, "code", str(exc)))
            continue
        if not division_name:
            result.errors.append(RowError(number, "name", _("The name is missing.")))
            continue
        if len(division_name) > Region._meta.get_field("name").max_length:
            result.errors.append(RowError(number, "name", _("The name is longer than 100 characters.")))
            continue
        if short in rows:
            result.errors.append(
                RowError(number, "code", _("The code is already on row %(row)s.") % {"row": first_row[short]})
            )
            continue
        rows[short] = _Row(number, short, division_name, level, parent)
        first_row[short] = number

    existing = {
        r.code: r for r in Region.objects.filter(code__in=list(rows) + [r.parent for r in rows.values() if r.parent])
    }
    # Parents: in the file or already in the tree (a district's list may start at its district).
    for row in sorted(rows.values(), key=lambda r: r.number):
        if row.parent and row.parent not in rows and row.parent not in existing:
            result.errors.append(
                RowError(row.number, "code", _("Its parent %(parent)s is neither in the file nor loaded.")
                         % {"parent": row.parent})
            )  # fmt: skip
        elif row.code in existing and existing[row.code].level != row.level:
            result.errors.append(
                RowError(row.number, "code", _("Code %(code)s is already a division of another level.")
                         % {"code": row.code})
            )  # fmt: skip
    # Name clashes: two divisions of one parent with one name (the file's own, or the file's against the tree's).
    seen_names: dict[tuple[str | None, str], _Row] = {}
    for row in sorted(rows.values(), key=lambda r: r.number):
        key = (row.parent, row.name)
        if key in seen_names:
            result.errors.append(
                RowError(row.number, "name", _("Row %(row)s already names a division %(name)s under the same parent.")
                         % {"row": seen_names[key].number, "name": row.name})
            )  # fmt: skip
        else:
            seen_names[key] = row
    parent_codes = {row.parent for row in rows.values() if row.parent}
    for sibling in Region.objects.filter(parent__code__in=parent_codes, is_retired=False).select_related("parent"):
        row = seen_names.get((sibling.parent.code, sibling.name))
        if row and row.code != sibling.code and sibling.code not in rows:
            result.errors.append(
                RowError(
                    row.number,
                    "name",
                    _("%(name)s is already the name of division %(code)s under the same parent.")
                    % {"name": row.name, "code": sibling.code},
                )
            )
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        return result
    with transaction.atomic():
        _apply(actor=actor, rows=rows, result=result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _apply(*, actor, rows: dict[str, _Row], result: LoadResult) -> None:
    batch = AuditBatch(actor=actor, message="divisions load")
    existing = {r.code: r for r in Region.objects.select_for_update().filter(code__in=list(rows))}
    ids: dict[str, int] = {code: region.pk for code, region in existing.items()}
    paths: dict[str, str] = {code: region.path for code, region in existing.items()}
    outside = {r.code: r for r in Region.objects.filter(code__in={row.parent for row in rows.values() if row.parent})}
    level_order = [level.value for level in RegionLevel]
    for row in sorted(rows.values(), key=lambda r: (level_order.index(r.level), r.code)):
        region = existing.get(row.code)
        if region is None:
            parent_id = ids.get(row.parent) if row.parent in rows else (outside[row.parent].pk if row.parent else None)
            parent_path = (
                paths.get(row.parent) if row.parent in rows else (outside[row.parent].path if row.parent else "/")
            )
            region = Region.objects.create(
                code=row.code, name=row.name, level=row.level, parent_id=parent_id, path=f"{parent_path}{row.code}/"
            )
            ids[row.code], paths[row.code] = region.pk, region.path
            batch.add(
                region, AuditAction.CREATE, label=row.name, changes={"code": [None, row.code], "name": [None, row.name]}
            )
            result.added += 1
            continue
        changes = {}
        if region.name != row.name:
            changes["name"] = [region.name, row.name]
            result.renamed += 1
        if region.is_retired:
            changes["is_retired"] = [True, False]
            result.restored += 1
        if changes:
            region.name, region.is_retired = row.name, False
            region.save(update_fields=["name", "is_retired"])
            batch.add(region, AuditAction.UPDATE, label=row.name, changes=changes)
        else:
            result.unchanged += 1
    root = _area_root(rows)
    absent = Region.objects.filter(is_retired=False).exclude(code__in=list(rows))
    if root is not None:
        absent = absent.filter(path__startswith=paths[root]).exclude(code=root)
    for region in absent.select_for_update():
        region.is_retired = True
        region.save(update_fields=["is_retired"])
        batch.add(region, AuditAction.UPDATE, label=region.name, changes={"is_retired": [False, True]})
        result.retired += 1
    batch.save()
