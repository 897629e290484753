"""The pool's services: what they refuse (naming the field and row, changing nothing) and what they keep."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.housing.models import Dwelling
from jiati.pool import services
from jiati.pool.models import Assessment, PoolSettings, Survey, SurveyAnswer, Target
from jiati.pool.tests.conftest import answer_all

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_not_feasible_without_a_reason_is_refused_and_nothing_saved(stairwell, community):
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(actor=community, stairwell=stairwell, result="not_feasible", obstacles=[])
    assert "obstacles" in refused.value.message_dict
    assert refused.value.error_dict["obstacles"][0].code == "reason_required"
    assert not Assessment.objects.exists()


def test_conditional_needs_its_conditions_and_all_errors_come_at_once(stairwell, community):
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            actor=community, stairwell=stairwell, result="conditional", obstacles=["nowhere"], assessed_on=tomorrow
        )
    assert set(refused.value.message_dict) == {"obstacles", "conditions", "assessed_on"}


def test_a_redone_assessment_replaces_the_current_one_and_keeps_history(stairwell, community):
    first = services.assessment_record(
        actor=community, stairwell=stairwell, result="not_feasible", obstacles=["fire_lane", "pipes"]
    )
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    second = services.assessment_record(
        actor=community,
        stairwell=stairwell,
        result="conditional",
        obstacles=["pipes"],
        conditions="Move the gas pipe first",
        evidence=[services.EvidenceUpload("site_photo", photo)],
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert list(Assessment.objects.filter(stairwell=stairwell).order_by("id")) == [first, second]
    assert second.evidence.get().sha256
    assert second.assessed_by == community and second.recorded_at
    assert AuditEntry.objects.filter(object_id=str(second.pk), changes__result=["not_feasible", "conditional"]).exists()


def test_evidence_goes_through_the_upload_checks(stairwell, community):
    fake = SimpleUploadedFile("appraisal.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            actor=community,
            stairwell=stairwell,
            result="feasible",
            evidence=[services.EvidenceUpload("structural_appraisal", fake)],
        )
    assert "evidence" in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_assessing_outside_ones_area_is_denied(world, community):
    with pytest.raises(PermissionDenied):
        services.assessment_record(actor=community, stairwell=world.stairwells["a1b"], result="feasible")
    with pytest.raises(PermissionDenied):
        services.assessment_record(actor=world.users["finance"], stairwell=world.stairwells["a1a"], result="feasible")


def test_a_later_answer_for_the_same_dwelling_replaces_the_earlier_one(survey, community):
    dwelling = Dwelling.objects.filter(stairwell_id=survey.stairwell_id).first()
    services.survey_answer_record(
        actor=community, survey=survey, dwelling=dwelling, answer="undecided", channel="paper_form"
    )
    services.survey_answer_record(
        actor=community, survey=survey, dwelling=dwelling, answer="willing", channel="door_to_door"
    )
    survey.refresh_from_db()
    assert (survey.willing_count, survey.undecided_count) == (1, 0)
    history = list(SurveyAnswer.objects.filter(survey=survey, dwelling=dwelling).order_by("id"))
    assert [(a.answer, a.is_current) for a in history] == [("undecided", False), ("willing", True)]


def test_an_answer_for_a_dwelling_outside_the_stairwell_is_refused(world, survey, community):
    elsewhere = stairwell_with_dwellings(estate=world.estates["a1a"], number="2单元", storeys=4, per_floor=1)
    dwelling = Dwelling.objects.filter(stairwell=elsewhere).first()
    with pytest.raises(ValidationError) as refused:
        services.survey_answer_record(
            actor=community, survey=survey, dwelling=dwelling, answer="willing", channel="paper_form"
        )
    assert refused.value.error_dict["dwelling"][0].code == "other_stairwell"
    assert not SurveyAnswer.objects.exists()


def test_the_survey_turns_willing_at_two_thirds(survey, community):
    answer_all(survey, community, ["willing"] * 7 + ["not_willing"] * 5)
    assert (survey.willing_count, survey.dwelling_count, survey.is_willing) == (7, 12, False)
    dwelling = Dwelling.objects.filter(stairwell_id=survey.stairwell_id).order_by("floor", "room")[7]
    services.survey_answer_record(
        actor=community, survey=survey, dwelling=dwelling, answer="willing", channel="paper_form"
    )
    survey.refresh_from_db()
    assert (survey.willing_count, survey.is_willing) == (8, True)


def test_changing_the_share_rejudges_current_surveys(world, survey, community):
    answer_all(survey, community, ["willing"] * 8)
    assert survey.is_willing
    services.pool_settings_set(
        actor=world.users["district"], region=world.regions["A"], willing_numerator=3, willing_denominator=4
    )
    survey.refresh_from_db()
    assert not survey.is_willing
    services.pool_settings_set(
        actor=world.users["district"], region=world.regions["A"], willing_numerator=2, willing_denominator=3
    )
    survey.refresh_from_db()
    assert survey.is_willing


def test_weights_all_zero_are_refused(world):
    zeros = dict.fromkeys(services.rules.WEIGHT_FIELDS, 0)
    with pytest.raises(ValidationError) as refused:
        services.pool_settings_set(actor=world.users["district"], region=world.regions["A"], **zeros)
    assert refused.value.error_dict["weight_elderly"][0].code == "all_zero"
    assert not PoolSettings.objects.exists()


def test_settings_are_for_the_district_office_of_its_own_area(world):
    with pytest.raises(PermissionDenied):
        services.pool_settings_set(actor=world.users["community"], region=world.regions["A1a"])
    with pytest.raises(PermissionDenied):
        services.pool_settings_set(actor=world.users["other_district"], region=world.regions["A"])


def test_min_storeys_setting_changes_the_pool(world, community):
    from jiati.pool.selectors import pool_stairwells

    assert pool_stairwells(user=community).count() == 1  # the 6-storey stairwell of A1a
    services.pool_settings_set(actor=world.users["district"], region=world.regions["A"], min_storeys=7)
    assert pool_stairwells(user=community).count() == 0


def _sheet(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_import_with_a_bad_row_applies_nothing_and_names_row_and_column(tmp_path, survey, community):
    path = _sheet(tmp_path, "answers.csv", "房号,意愿,方式\n101,愿意,上门\n999,愿意,\n102,也许,纸质表\n", "gb18030")
    outcome = services.survey_import(actor=community, survey=survey, path=path, name="answers.csv")
    assert outcome.applied == 0
    assert [(e["row"], e["column"]) for e in outcome.errors] == [(3, "房号"), (4, "意愿")]
    assert not SurveyAnswer.objects.exists()


def test_import_applies_every_row_and_a_repeated_room_keeps_the_lower_row(tmp_path, survey, community):
    path = _sheet(tmp_path, "answers.csv", "Room,Answer,Channel\n101,愿意,\n102,不愿意,上门\n101,未定,\n")
    outcome = services.survey_import(actor=community, survey=survey, path=path, name="answers.csv")
    assert (outcome.applied, outcome.errors) == (3, [])
    survey.refresh_from_db()
    assert (survey.willing_count, survey.not_willing_count, survey.undecided_count) == (0, 1, 1)
    assert SurveyAnswer.objects.filter(survey=survey).count() == 3


def test_import_reads_xlsx_through_the_shared_reader(tmp_path, survey, community):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["房号", "意愿"])
    sheet.append([101, "愿意"])
    sheet.append(["102", "同意"])
    path = tmp_path / "answers.xlsx"
    workbook.save(path)
    outcome = services.survey_import(actor=community, survey=survey, path=str(path), name="answers.xlsx")
    assert (outcome.applied, outcome.errors) == (2, [])


def test_import_without_the_required_columns_is_refused(tmp_path, survey, community):
    path = _sheet(tmp_path, "answers.csv", "门牌,想法\n101,愿意\n")
    with pytest.raises(ValidationError) as refused:
        services.survey_import(actor=community, survey=survey, path=path, name="answers.csv")
    assert refused.value.error_dict["file"][0].code == "missing_columns"


def test_owner_answers_only_for_his_own_dwelling(world, survey):
    from jiati.housing.models import Ownership

    mine = (
        Ownership.objects.filter(dwelling__stairwell_id=survey.stairwell_id).select_related("owner", "dwelling").first()
    )
    services.survey_answer_record(
        actor=None, owner=mine.owner, survey=survey, dwelling=mine.dwelling, answer="willing", channel="portal"
    )
    other = Dwelling.objects.filter(stairwell_id=survey.stairwell_id).exclude(pk=mine.dwelling_id).first()
    with pytest.raises(PermissionDenied):
        services.survey_answer_record(
            actor=None, owner=mine.owner, survey=survey, dwelling=other, answer="willing", channel="portal"
        )
    survey.refresh_from_db()
    assert survey.willing_count == 1


def test_a_target_below_zero_or_outside_the_area_is_refused(world):
    district = world.users["district"]
    with pytest.raises(ValidationError) as refused:
        services.target_set(
            actor=district, region=world.regions["A1"], year=2026, projects_started=-1, elevators_in_service=3
        )
    assert refused.value.error_dict["projects_started"][0].code == "negative"
    with pytest.raises(ValidationError) as refused:
        services.target_set(
            actor=district, region=world.regions["B1"], year=2026, projects_started=1, elevators_in_service=1
        )
    assert refused.value.error_dict["region"][0].code == "outside_area"
    assert not Target.objects.exists()
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=world.users["subdistrict"],
            region=world.regions["A1a"],
            year=2026,
            projects_started=1,
            elevators_in_service=1,
        )


def test_setting_a_target_again_changes_it(world):
    district = world.users["district"]
    services.target_set(
        actor=district, region=world.regions["A1"], year=2026, projects_started=5, elevators_in_service=2
    )
    target = services.target_set(
        actor=district, region=world.regions["A1"], year=2026, projects_started=6, elevators_in_service=2
    )
    assert Target.objects.get().projects_started == 6 == target.projects_started


def test_a_project_opens_from_the_pool_only_when_willing(stairwell, survey, community):
    with pytest.raises(ValidationError) as refused:
        services.pool_project_open(actor=community, stairwell=stairwell)
    assert refused.value.error_dict["stairwell"][0].code == "not_willing"
    answer_all(survey, community, ["willing"] * 8)
    project = services.pool_project_open(actor=community, stairwell=stairwell)
    assert project.stairwell == stairwell and project.events.filter(kind="created").exists()


def test_survey_can_open_once_and_a_new_round_after_closing(stairwell, survey, community):
    with pytest.raises(ValidationError):
        services.survey_open(actor=community, stairwell=stairwell)
    services.survey_close(actor=community, survey=survey)
    again = services.survey_open(actor=community, stairwell=stairwell)
    survey.refresh_from_db()
    assert not survey.is_current and again.is_current
    assert Survey.objects.filter(stairwell=stairwell).count() == 2
