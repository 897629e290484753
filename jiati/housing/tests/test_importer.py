"""The housing import: dry run reports, rejected rows name row and column, real run is all-or-nothing."""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import valid_credit_code, valid_resident_id
from jiati.housing import import_services
from jiati.housing.importer import COLUMNS, template_workbook
from jiati.housing.models import Building, Dwelling, Estate, ImportJob, ImportStatus, Owner, Ownership, Stairwell

HEADER = [c.zh for c in COLUMNS]


def row(**over):
    base = {
        "community_code": "440307001001",
        "estate_code": "NEW-1",
        "estate_name": "新建花园",
        "estate_address": "新木路2号",
        "property_office_code": "",
        "estate_year_built": "1998",
        "building_number": "1栋",
        "building_storeys": "7",
        "building_year_built": "1998",
        "building_structure": "砖混",
        "stairwell_number": "1单元",
        "stairwell_storeys": "7",
        "has_elevator": "否",
        "floor": "3",
        "room": "301",
        "area_register": "80.50",
        "area_survey": "",
        "area_contract": "",
        "owner_kind": "个人",
        "owner_name": "王五",
        "owner_id_number": valid_resident_id(),
        "owner_phone": "13800138000",
    }
    base.update(over)
    return [base[c.key] for c in COLUMNS]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("stock.xlsx", buffer.getvalue())


def csv_file(rows, header=HEADER, encoding="utf-8-sig") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("stock.csv", buffer.getvalue().encode(encoding))


def stairwell_rows(n_floors=3, per_floor=2, **over):
    return [
        row(floor=str(f), room=f"{f}0{u}", owner_id_number=valid_resident_id(), **over)
        for f in range(1, n_floors + 1)
        for u in range(1, per_floor + 1)
    ]


def counts():
    return (
        Estate.objects.count(),
        Building.objects.count(),
        Stairwell.objects.count(),
        Dwelling.objects.count(),
        Owner.objects.count(),
        Ownership.objects.count(),
    )


def test_dry_run_reports_and_saves_nothing(world):
    before = counts()
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx(stairwell_rows()))
    assert job.status == ImportStatus.SUCCEEDED and job.dry_run, job.errors
    assert job.summary["estate"]["created"] == 1
    assert job.summary["dwelling"]["created"] == 6
    assert job.summary["owner"]["created"] == 6
    assert counts() == before


def test_real_run_applies_the_checked_file_once(world):
    user = world.users["community"]
    dry = import_services.import_job_start(actor=user, upload=xlsx(stairwell_rows()))
    real = import_services.import_job_apply(actor=user, dry_job=dry)
    assert real.status == ImportStatus.SUCCEEDED and not real.dry_run
    estate = Estate.objects.get(code="NEW-1")
    assert estate.community == world.regions["A1a"]
    assert Dwelling.objects.filter(estate=estate).count() == 6
    assert Dwelling.objects.filter(estate=estate, community=world.regions["A1a"]).count() == 6
    assert AuditEntry.objects.filter(object_repr__contains="新建花园").exists()
    with pytest.raises(Exception, match="already"):
        import_services.import_job_apply(actor=user, dry_job=dry)


def test_one_bad_row_rejects_the_whole_file_and_names_row_and_column(world):
    rows = stairwell_rows()
    rows[2] = row(floor="2", room="202", area_register="-5", owner_id_number=valid_resident_id())
    rows[4] = row(floor="3", room="301", owner_id_number="440307199001011234")  # bad checksum
    before = counts()
    dry = import_services.import_job_start(actor=world.users["community"], upload=xlsx(rows))
    assert dry.status == ImportStatus.REJECTED
    assert dry.error_count == 2
    by_row = {e["row"]: e for e in dry.errors}
    assert by_row[4]["column"] == "登记面积" and "greater than zero" in by_row[4]["message"]
    assert by_row[6]["column"] == "证件号码"
    assert counts() == before
    with pytest.raises(Exception, match="checked"):
        import_services.import_job_apply(actor=world.users["community"], dry_job=dry)
    assert counts() == before


@pytest.mark.parametrize(
    ("override", "column", "words"),
    [
        ({"area_register": ""}, "登记面积", "at least one area"),
        ({"area_register": "abc"}, "登记面积", "not a number"),
        ({"stairwell_storeys": "9"}, "单元层数", "only 7"),
        ({"floor": "8"}, "楼层", "does not exist"),
        ({"building_storeys": "x"}, "楼栋层数", "whole number"),
        ({"has_elevator": "maybe"}, "是否有电梯", "是"),
        ({"owner_phone": "12345"}, "联系电话", "not a valid"),
        ({"community_code": "440306001001"}, "社区代码", "in your area"),
        ({"property_office_code": "NOPE"}, "物业服务中心编码", "No property office"),
        ({"owner_kind": "开发商", "owner_id_number": "11010519491231002X"}, "证件号码", "credit code"),
        ({"estate_year_built": "1700"}, "小区建成年份", "plausible"),
        ({"room": ""}, "房号", "required"),
    ],
)
def test_each_bad_value_is_named(world, override, column, words):
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx([row(**override)]))
    assert job.status == ImportStatus.REJECTED
    assert job.errors[0]["row"] == 2
    assert job.errors[0]["column"] == column
    assert words.lower() in job.errors[0]["message"].lower()


def test_duplicate_room_is_rejected_with_first_row(world):
    rows = [row(room="301"), row(room="301", owner_id_number=valid_resident_id())]
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx(rows))
    assert job.error_count == 1
    assert job.errors[0] == {"row": 3, "column": "房号", "message": job.errors[0]["message"]}
    assert "row 2" in job.errors[0]["message"]


def test_rows_that_disagree_on_the_estate_are_rejected(world):
    rows = [row(room="301"), row(room="302", estate_name="别的名字", owner_id_number=valid_resident_id())]
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx(rows))
    assert job.error_count == 1 and job.errors[0]["row"] == 3


def test_missing_required_column_fails_the_file(world):
    header = [h for h in HEADER if h != "房号"]
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx([], header=header))
    assert job.status == ImportStatus.FAILED
    assert "房号" in job.failure


def test_not_a_workbook_fails_clearly(world):
    upload = SimpleUploadedFile("stock.xlsx", b"this is not a zip file")
    job = import_services.import_job_start(actor=world.users["community"], upload=upload)
    assert job.status == ImportStatus.FAILED
    assert "xlsx" in job.failure


def test_header_only_file_fails_clearly(world):
    job = import_services.import_job_start(actor=world.users["community"], upload=csv_file([]))
    assert job.status == ImportStatus.FAILED and "no rows" in job.failure


def test_update_existing_records_reports_before_and_after(world):
    stairwell = world.stairwells["a1a"]
    dwelling = stairwell.dwellings.get(room="101")
    owner = dwelling.ownerships.get().owner
    estate = stairwell.estate
    data = row(
        community_code=estate.community.code,
        estate_code=estate.code,
        estate_name=estate.name,
        estate_address="",
        estate_year_built="1995",
        building_number=stairwell.building.number,
        building_storeys="6",
        building_year_built="",
        building_structure="",
        stairwell_number=stairwell.number,
        stairwell_storeys="6",
        floor="1",
        room="101",
        area_register="91.20",
        owner_name=owner.name,
        owner_id_number=owner.id_number,
        owner_phone=owner.phone,
    )
    user = world.users["community"]
    dry = import_services.import_job_start(actor=user, upload=xlsx([data]))
    assert dry.status == ImportStatus.SUCCEEDED, dry.errors
    assert dry.summary["dwelling"] == {"created": 0, "changed": 1, "unchanged": 0}
    assert dry.summary["estate"]["unchanged"] == 1
    assert dry.changes[0]["changes"]["area_register"] == ["80.00", "91.20"]
    import_services.import_job_apply(actor=user, dry_job=dry)
    dwelling.refresh_from_db()
    assert dwelling.exclusive_area == Decimal("91.20")
    entry = AuditEntry.objects.filter(object_id=str(dwelling.pk), action="update").get()
    assert entry.changes["area_register"] == ["80.00", "91.20"]


def test_a_new_primary_owner_replaces_the_old_one(world):
    stairwell = world.stairwells["a1a"]
    estate = stairwell.estate
    data = row(
        community_code=estate.community.code,
        estate_code=estate.code,
        estate_name=estate.name,
        estate_year_built="1995",
        estate_address="",
        building_number=stairwell.building.number,
        building_storeys="6",
        building_year_built="",
        building_structure="",
        stairwell_number=stairwell.number,
        stairwell_storeys="6",
        floor="1",
        room="101",
        area_register="80.00",
    )
    user = world.users["community"]
    import_services.import_job_apply(
        actor=user, dry_job=import_services.import_job_start(actor=user, upload=xlsx([data]))
    )
    dwelling = stairwell.dwellings.get(room="101")
    assert list(dwelling.ownerships.values_list("owner__name", flat=True)) == ["王五"]


def test_multi_dwelling_owner_and_developer_are_one_owner_each(world):
    person = valid_resident_id()
    developer = valid_credit_code()
    rows = [
        row(room="301", owner_id_number=person),
        row(floor="4", room="401", owner_id_number=person),
        row(
            floor="5", room="501", owner_kind="开发商", owner_name="开发公司", owner_id_number=developer, owner_phone=""
        ),
        row(
            floor="5", room="502", owner_kind="开发商", owner_name="开发公司", owner_id_number=developer, owner_phone=""
        ),
    ]
    user = world.users["community"]
    dry = import_services.import_job_start(actor=user, upload=csv_file(rows))
    assert dry.status == ImportStatus.SUCCEEDED, dry.errors
    assert dry.summary["owner"]["created"] == 2
    assert dry.summary["ownership"]["created"] == 4


def test_csv_from_chinese_windows_excel_is_read(world):
    job = import_services.import_job_start(
        actor=world.users["community"], upload=csv_file(stairwell_rows(), encoding="gb18030")
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors


def test_english_headers_and_keys_are_accepted(world):
    header = [c.key for c in COLUMNS]
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx([row()], header=header))
    assert job.status == ImportStatus.SUCCEEDED, job.errors


def test_every_file_is_read_in_the_background_never_in_the_request(world, monkeypatch):
    queued = []
    monkeypatch.setattr(import_services, "run_import_job", type("Task", (), {"enqueue": staticmethod(queued.append)}))

    def no_reading(*args, **kwargs):
        raise AssertionError("the request opened the workbook")

    monkeypatch.setattr("jiati.housing.importer.open_table", no_reading)
    user = world.users["community"]
    job = import_services.import_job_start(actor=user, upload=xlsx(stairwell_rows()))
    assert job.status == ImportStatus.QUEUED
    assert queued == [job.pk]
    assert import_services.import_progress(job=job) == {"processed": 0, "total": 0, "finished": False}

    monkeypatch.undo()
    import_services.import_job_execute(job_id=job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert import_services.import_progress(job=job) == {"processed": 6, "total": 6, "finished": True}


def test_template_downloads_round_trip(world, client_for):
    client = client_for(world.users["community"])
    response = client.get(reverse("housing:import-template", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert template_workbook("csv").decode("utf-8-sig").splitlines()[0] == ",".join(HEADER)


def test_import_pages_flow_and_scope(world, client_for):
    client = client_for(world.users["community"])
    upload = xlsx(stairwell_rows())
    response = client.post(reverse("housing:import"), {"file": upload})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert "apply-import" in page
    response = client.post(job_url)
    assert response.status_code == 302
    assert Estate.objects.filter(code="NEW-1").exists()
    # Another user cannot see (or apply) this job; property staff may not import at all.
    other = client_for(world.users["other_community"])
    assert other.get(job_url).status_code == 404
    assert client_for(world.users["property"]).get(reverse("housing:import")).status_code == 403


def test_wrong_file_type_is_refused_by_the_form(world, client_for):
    client = client_for(world.users["community"])
    response = client.post(reverse("housing:import"), {"file": SimpleUploadedFile("stock.pdf", b"%PDF")})
    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()


# --- the importer's reach is its own area ---------------------------------------


def test_an_owner_outside_the_area_is_neither_changed_nor_named(world, client_for):
    outsider = world.stairwells["b1a"].dwellings.order_by("id").first().ownerships.get().owner
    name, phone = outsider.name, outsider.phone
    user = world.users["community"]
    data = row(owner_name="冒名顶替", owner_id_number=outsider.id_number, owner_phone="13711112222")
    dry = import_services.import_job_start(actor=user, upload=xlsx([data]))
    assert dry.status == ImportStatus.REJECTED
    assert dry.errors[0]["row"] == 2 and dry.errors[0]["column"] == "证件号码"
    assert "outside your area" in dry.errors[0]["message"]
    page = client_for(user).get(reverse("housing:import-job", args=[dry.pk])).content.decode()
    assert name not in page and name not in str(dry.changes) and name not in str(dry.errors)
    outsider.refresh_from_db()
    assert (outsider.name, outsider.phone) == (name, phone)
    assert not Ownership.objects.filter(owner=outsider, dwelling__estate__code="NEW-1").exists()


def test_an_owner_inside_the_area_is_matched_and_updated(world):
    owner = world.stairwells["a1a"].dwellings.order_by("id").first().ownerships.get().owner
    user = world.users["community"]
    dry = import_services.import_job_start(
        actor=user, upload=xlsx([row(owner_name="新名字", owner_id_number=owner.id_number)])
    )
    assert dry.status == ImportStatus.SUCCEEDED, dry.errors
    assert dry.summary["owner"] == {"created": 0, "changed": 1, "unchanged": 0}
    import_services.import_job_apply(actor=user, dry_job=dry)
    owner.refresh_from_db()
    assert owner.name == "新名字"
    assert Ownership.objects.filter(owner=owner, dwelling__estate__code="NEW-1").exists()


def test_an_administrator_matches_owners_anywhere(world):
    outsider = world.stairwells["b1a"].dwellings.order_by("id").first().ownerships.get().owner
    dry = import_services.import_job_start(
        actor=world.users["admin"], upload=xlsx([row(owner_name=outsider.name, owner_id_number=outsider.id_number)])
    )
    assert dry.status == ImportStatus.SUCCEEDED, dry.errors
    assert dry.summary["owner"]["created"] == 0


def test_a_property_office_outside_the_area_is_refused(world):
    dry = import_services.import_job_start(
        actor=world.users["community"], upload=xlsx([row(property_office_code="PO-B1A")])
    )
    assert dry.status == ImportStatus.REJECTED
    assert dry.errors[0]["column"] == "物业服务中心编码"
    assert "in your area" in dry.errors[0]["message"]


def test_a_property_office_of_another_subdistrict_is_refused(world):
    from jiati.core.tests.factories import PropertyOfficeFactory

    PropertyOfficeFactory(code="PO-A2A", community=world.regions["A2a"])
    district = world.users["district"]
    refused = import_services.import_job_start(actor=district, upload=xlsx([row(property_office_code="PO-A2A")]))
    assert refused.status == ImportStatus.REJECTED
    assert "another subdistrict" in refused.errors[0]["message"]
    accepted = import_services.import_job_start(actor=district, upload=xlsx([row(property_office_code="PO-A1A")]))
    assert accepted.status == ImportStatus.SUCCEEDED, accepted.errors


# --- CSV encodings -------------------------------------------------------------------


def _utf8_csv_cut_at(rows, boundary: int, *, bom: bool = False) -> bytes:
    """A UTF-8 CSV of `rows` whose byte `boundary` falls inside a Chinese character (not on its first byte).
    An extra header column (ignored by the importer) of growing length moves the rows into place."""
    for padding in range(100):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*HEADER, "备注" + "x" * padding])
        writer.writerows(rows)
        data = (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
        if 0x80 <= data[boundary] <= 0xBF:
            return data
    raise AssertionError("could not place a character across the boundary")


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_csv_with_a_character_across_byte_4096_is_read(world, bom):
    data = _utf8_csv_cut_at(stairwell_rows(n_floors=6, per_floor=6), 4096, bom=bom)
    job = import_services.import_job_start(actor=world.users["community"], upload=SimpleUploadedFile("s.csv", data))
    assert job.status == ImportStatus.SUCCEEDED, (job.failure, job.errors)
    assert job.summary["dwelling"]["created"] == 36


def test_utf8_csv_with_a_character_across_the_64k_sample_is_read(world):
    rows = [
        row(estate_code=f"LONG-{n // 36}", floor=str(1 + n % 6), room=str(n), owner_id_number=valid_resident_id())
        for n in range(600)
    ]
    data = _utf8_csv_cut_at(rows, 64 * 1024)
    job = import_services.import_job_start(actor=world.users["community"], upload=SimpleUploadedFile("s.csv", data))
    assert job.status == ImportStatus.SUCCEEDED, (job.failure, job.errors[:3])
    assert job.summary["dwelling"]["created"] == 600


def test_an_undecodable_csv_fails_the_job_naming_the_row(world, client_for):
    lines = csv_file(stairwell_rows(), encoding="utf-8").read().split(b"\n")
    lines[4] = lines[4].replace("王五".encode(), b"\xff\xfe", 1)  # the fifth line of the file
    upload = SimpleUploadedFile("stock.csv", b"\n".join(lines))
    client = client_for(world.users["community"])
    response = client.post(reverse("housing:import"), {"file": upload})
    assert response.status_code == 302
    job = import_services.ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "Row 5" in job.failure and "UTF-8" in job.failure
    assert "Row 5" in client.get(response["Location"]).content.decode()


def test_rows_of_one_new_stairwell_across_chunks_still_catch_a_repeated_room(world, monkeypatch):
    """A stairwell created by the run is not looked up again in later chunks; its rooms are checked in the file."""
    from jiati.housing import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    rows = [row(room=f"{n}01", floor=str(n), owner_id_number=valid_resident_id()) for n in range(1, 5)]
    rows.append(row(room="201", floor="2", owner_id_number=valid_resident_id()))
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx(rows))
    assert job.error_count == 1
    assert job.errors[0]["row"] == 6 and "row 3" in job.errors[0]["message"]

    user = world.users["community"]
    dry = import_services.import_job_start(actor=user, upload=xlsx(rows[:4]))
    assert dry.error_count == 0
    import_services.import_job_apply(actor=user, dry_job=dry)
    assert sorted(Dwelling.objects.filter(estate__code="NEW-1").values_list("room", flat=True)) == [
        "101", "201", "301", "401"
    ]  # fmt: skip
    assert Ownership.objects.filter(dwelling__estate__code="NEW-1", is_primary=True).count() == 4


def test_a_workbook_whose_table_starts_lower_down_names_the_rows_the_user_sees(world):
    """Rows are numbered from A1 even when the header is not on the first row or in the first column."""
    workbook = Workbook()
    sheet = workbook.active
    for index, title in enumerate(HEADER):
        sheet.cell(row=3, column=2 + index, value=title)
    for index, value in enumerate(row(floor="9")):
        sheet.cell(row=4, column=2 + index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("stock.xlsx", buffer.getvalue())
    job = import_services.import_job_start(actor=world.users["community"], upload=upload)
    assert job.error_count == 1
    assert job.errors[0]["row"] == 4 and job.errors[0]["column"] == "楼层"


def test_rows_are_checked_against_earlier_chunks_at_every_level(world, monkeypatch):
    """What the run remembers of earlier rows lives in its ledger, not in memory: one row per chunk still meets
    every earlier row, at every level, and names the row that first gave the key."""
    from jiati.housing import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    owner = valid_resident_id()
    rows = [
        row(room="101", floor="1", owner_id_number=owner),
        row(room="102", floor="1", estate_name="别的名字", owner_id_number=valid_resident_id()),
        row(room="103", floor="1", building_storeys="8", owner_id_number=valid_resident_id()),
        row(room="104", floor="1", has_elevator="是", owner_id_number=valid_resident_id()),
        row(room="105", floor="1", owner_id_number=owner, owner_name="赵六"),
        row(room="101", floor="1", owner_id_number=valid_resident_id()),
        row(room="106", floor="1", owner_id_number=owner),  # the same owner, in agreement: accepted
    ]
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx(rows))
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "小区名称"), (4, "楼栋层数"), (5, "单元层数"), (6, "业主姓名"), (7, "房号")
    ]  # fmt: skip
    assert all("row 2" in e["message"] for e in job.errors)
    # Rows 2, 6 and 8 reached the dwelling level (row 6 was refused at its owner, which comes after).
    assert job.summary["estate"]["created"] == 1 and job.summary["dwelling"]["created"] == 3
    assert job.summary["owner"]["created"] == 1


def test_one_owner_of_dwellings_in_different_chunks_is_one_record(world, monkeypatch):
    from jiati.housing import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    user, owner = world.users["community"], valid_resident_id()
    rows = stairwell_rows(n_floors=3, per_floor=2)
    rows[0] = row(floor="1", room="101", owner_id_number=owner)
    rows[5] = row(floor="3", room="302", owner_id_number=owner)
    dry = import_services.import_job_start(actor=user, upload=xlsx(rows))
    assert dry.error_count == 0
    import_services.import_job_apply(actor=user, dry_job=dry)
    assert sorted(Ownership.objects.filter(owner__id_number=owner).values_list("dwelling__room", flat=True)) == [
        "101", "302"
    ]  # fmt: skip
    assert Owner.objects.filter(id_number=owner).count() == 1
    assert Stairwell.objects.filter(estate__code="NEW-1").count() == 1


def test_the_importer_keeps_only_the_current_chunk_in_memory(world, monkeypatch):
    """Memory must not grow with the file: after a run of many stairwells, the maps hold one chunk's keys and the
    ledger is closed."""
    from jiati.housing import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    rows = [
        row(
            building_number=f"{b}栋",
            stairwell_number=f"{s}单元",
            room="101",
            floor="1",
            owner_id_number=valid_resident_id(),
        )
        for b in range(1, 4)
        for s in range(1, 4)
    ]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(xlsx(rows).read())
        handle.flush()
        run = importer.HousingImport(path=handle.name, name="stock.xlsx", actor=world.users["community"], dry_run=True)
        result = run.run()
    assert result.error_count == 0 and result.counts["stairwell"]["created"] == 9
    assert len(run.stairwells) <= 2 and len(run.buildings) <= 2 and len(run.estates) == 1
    with pytest.raises(sqlite3.ProgrammingError):
        run.ledger.db.execute("SELECT 1")


def test_a_re_import_in_one_row_chunks_matches_stored_records_at_every_level(world, monkeypatch):
    """Stored records met again in later chunks are known from the ledger as stored, not created by the run: their
    children are still looked up, so nothing is created twice and changes are found."""
    from jiati.housing import importer

    user = world.users["community"]
    rows = stairwell_rows(n_floors=3, per_floor=2)
    first = import_services.import_job_start(actor=user, upload=xlsx(rows))
    import_services.import_job_apply(actor=user, dry_job=first)
    before = counts()

    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    column = {c.key: index for index, c in enumerate(COLUMNS)}
    rows[5][column["area_register"]] = "91.00"
    rows[4][column["owner_name"]] = "王五改"
    dry = import_services.import_job_start(actor=user, upload=xlsx(rows))
    assert dry.error_count == 0, dry.errors
    summary = dry.summary
    assert [summary[level]["created"] for level in ("estate", "building", "stairwell", "dwelling", "owner")] == [0] * 5
    assert summary["estate"]["unchanged"] == 1 and summary["stairwell"]["unchanged"] == 1
    assert (summary["dwelling"]["changed"], summary["dwelling"]["unchanged"]) == (1, 5)
    assert (summary["owner"]["changed"], summary["owner"]["unchanged"]) == (1, 5)
    import_services.import_job_apply(actor=user, dry_job=dry)
    assert counts() == before
    assert Dwelling.objects.get(estate__code="NEW-1", room="302").area_register == Decimal("91.00")


def test_hostile_files_fail_the_job_naming_the_cause(world, settings):
    """The sweep's crafted workbooks end as a failed job whose reason names the cause; a file past the size is
    refused by the service before it is stored."""
    from jiati.core.tests.workbooks import bare_rows, hostile_workbook, long_shared_string

    user = world.users["community"]
    strings = hostile_workbook(sheet=b"<row/>", strings=long_shared_string(300 * 1024 * 1024))
    job = import_services.import_job_start(actor=user, upload=SimpleUploadedFile("stock.xlsx", strings))
    assert job.status == ImportStatus.FAILED and "sharedStrings.xml" in job.failure
    rows = hostile_workbook(sheet=bare_rows(2_097_152))
    job = import_services.import_job_start(actor=user, upload=SimpleUploadedFile("stock.xlsx", rows))
    assert job.status == ImportStatus.FAILED and "worksheets/sheet1.xml" in job.failure

    settings.JIATI_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        import_services.import_job_start(actor=user, upload=csv_file(stairwell_rows()))
    assert refused.value.message_dict["file"] == ["The file is 1.1\xa0KB; the limit is 1.0\xa0KB."]
    assert not ImportJob.objects.filter(created_by=user, status=ImportStatus.QUEUED).exists()


def test_every_bad_cell_of_a_row_is_named_at_once(world):
    """Issue 13: a row was refused at its first bad cell; the next one showed only after fixing it."""
    bad = row(building_storeys="x", owner_phone="12345", room="", estate_year_built="1700")
    job = import_services.import_job_start(actor=world.users["community"], upload=xlsx([bad]))
    assert job.status == ImportStatus.REJECTED
    assert {e["row"] for e in job.errors} == {2}
    assert sorted(e["column"] for e in job.errors) == sorted(["楼栋层数", "联系电话", "房号", "小区建成年份"])
