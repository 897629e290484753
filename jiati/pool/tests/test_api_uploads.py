"""The API's uploads: survey answers from a spreadsheet (the page's importer, rows named when refused) and evidence
for an assessment — scoped, refused in the one error body, nothing kept when refused."""

from django.core.files.uploadedfile import SimpleUploadedFile

from jiati.pool import services
from jiati.pool.models import AssessmentEvidence, StairwellPriority, SurveyAnswer


def _sheet(text: str, name: str = "answers.csv"):
    return SimpleUploadedFile(name, text.encode())


def test_import_answers_through_the_api(world, survey, community, client_for):
    client = client_for(community)
    response = client.post(
        f"/api/pool/surveys/{survey.pk}/import/", {"file": _sheet("房号,意愿,方式\n101,愿意,上门\n102,不愿意,\n")}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["applied"] == 2
    assert (body["survey"]["willing_count"], body["survey"]["not_willing_count"]) == (1, 1)
    assert StairwellPriority.objects.get(pk=survey.stairwell_id).willing == 1


def test_a_refused_sheet_names_every_row_and_keeps_nothing(world, survey, community, client_for):
    response = client_for(community).post(
        f"/api/pool/surveys/{survey.pk}/import/", {"file": _sheet("房号,意愿\n101,愿意\nX9,愿意\n102,也许\n")}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["codes"] == {"file": ["row_invalid", "row_invalid"]}
    first, second = body["errors"]["file"]
    assert first.startswith("Row 3, column 房号") and "X9" in first
    assert second.startswith("Row 4, column 意愿") and "也许" in second
    assert not SurveyAnswer.objects.exists()


def test_an_unreadable_or_missing_file_is_refused_on_the_file_field(world, survey, community, client_for):
    client = client_for(community)
    no_header = client.post(f"/api/pool/surveys/{survey.pk}/import/", {"file": _sheet("a,b\n1,2\n")})
    assert no_header.status_code == 400 and no_header.json()["codes"]["file"] == ["missing_columns"]
    missing = client.post(f"/api/pool/surveys/{survey.pk}/import/", {})
    assert missing.status_code == 400 and "file" in missing.json()["errors"]


def test_import_is_scoped_and_needs_the_survey_right(world, survey, client_for):
    sheet = "房号,意愿\n101,愿意\n"
    outside = client_for(world.users["other_community"]).post(
        f"/api/pool/surveys/{survey.pk}/import/", {"file": _sheet(sheet)}
    )
    assert outside.status_code == 404
    finance = client_for(world.users["finance"]).post(f"/api/pool/surveys/{survey.pk}/import/", {"file": _sheet(sheet)})
    assert finance.status_code == 403
    assert not SurveyAnswer.objects.exists()


def _photo(name="site.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"1" * 50, content_type="image/jpeg")


def test_evidence_upload_to_the_current_assessment(world, stairwell, community, client_for):
    assessment = services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    client = client_for(community)
    response = client.post(f"/api/pool/assessments/{assessment.pk}/evidence/", {"kind": "site_photo", "file": _photo()})
    assert response.status_code == 201, response.json()
    row = AssessmentEvidence.objects.get()
    assert (row.assessment_id, row.kind, response.json()["sha256"]) == (assessment.pk, "site_photo", row.sha256)


def test_evidence_refusals_change_nothing(world, stairwell, community, client_for):
    old = services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    current = services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    client = client_for(community)
    replaced = client.post(f"/api/pool/assessments/{old.pk}/evidence/", {"kind": "site_photo", "file": _photo()})
    assert replaced.status_code == 400 and replaced.json()["codes"] == {"assessment": ["not_current"]}
    wrong_type = client.post(
        f"/api/pool/assessments/{current.pk}/evidence/",
        {"kind": "structural_appraisal", "file": SimpleUploadedFile("x.exe", b"MZ" + b"0" * 20)},
    )
    assert wrong_type.status_code == 400 and "file" in wrong_type.json()["errors"]
    bad_kind = client.post(f"/api/pool/assessments/{current.pk}/evidence/", {"kind": "selfie", "file": _photo()})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    outside = client_for(world.users["other_community"]).post(
        f"/api/pool/assessments/{current.pk}/evidence/", {"kind": "site_photo", "file": _photo()}
    )
    assert outside.status_code == 404
    property_staff = client_for(world.users["property"]).post(
        f"/api/pool/assessments/{current.pk}/evidence/", {"kind": "site_photo", "file": _photo()}
    )
    assert property_staff.status_code == 403  # sees the estate, may not assess
    assert not AssessmentEvidence.objects.exists()
