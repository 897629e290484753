"""Writes on the pool. Each service checks who may do it, refuses bad input naming the field (and the row, for
imports), changes the data inside one transaction with the rows locked, and writes the audit trail."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, diff, save_if_changed, snapshot
from jiati.core.errors import refuse
from jiati.core.tabular import TabularError, open_table
from jiati.core.uploads import check_upload
from jiati.housing.models import Dwelling, Estate, Ownership, Stairwell
from jiati.organisation.models import Region
from jiati.pool import permissions, priority, rules
from jiati.pool.models import (
    AllocationRule,
    AnswerChoice,
    Assessment,
    AssessmentEvidence,
    Channel,
    ClusterWork,
    EvidenceKind,
    Feasibility,
    MobilityKind,
    MobilityNeed,
    Obstacle,
    PoolSettings,
    Survey,
    SurveyAnswer,
    SurveyStatus,
    Target,
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _visible_stairwell(stairwell: Stairwell, actor) -> Stairwell:
    try:
        return Stairwell.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=stairwell.pk)
    except Stairwell.DoesNotExist:
        raise PermissionDenied from None


# --- settings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def pool_settings_set(*, actor, region: Region, **values) -> PoolSettings:
    """Set the pool's rules for a region the actor oversees; surveys under it are re-judged against the new share."""
    _require(permissions.can_plan(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk, path__startswith=_own_path(actor)).exists():
        raise PermissionDenied
    errors: dict[str, list] = {}
    clean = {}
    for name, default in rules.DEFAULTS.items():
        value = values.get(name)
        value = default if value is None else value  # left empty: the default
        try:
            clean[name] = int(value)
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(ValidationError(_("Enter a whole number."), code="invalid"))
            continue
        if clean[name] < 0:
            errors.setdefault(name, []).append(ValidationError(_("It cannot be below zero."), code="negative"))
    if not errors:
        if not 2 <= clean["min_storeys"] <= 50:
            errors["min_storeys"] = [ValidationError(_("Between 2 and 50 storeys."), code="out_of_range")]
        if not (1 <= clean["willing_numerator"] <= clean["willing_denominator"]):
            errors["willing_numerator"] = [
                ValidationError(_("The willing share is a fraction between 0 and 1, such as 2/3."), code="share")
            ]
        for name in ("typical_cost_base", "typical_cost_per_storey"):
            if clean[name] > 5_000_000:
                errors[name] = [ValidationError(_("At most ¥5,000,000."), code="out_of_range")]
        if clean["typical_cost_base"] + 2 * clean["typical_cost_per_storey"] < 10_000:
            errors["typical_cost_base"] = [
                ValidationError(_("A typical elevator costs at least ¥10,000; please check the amounts."), code="low")
            ]
        if all(clean[name] == 0 for name in rules.WEIGHT_FIELDS):
            errors["weight_elderly"] = [
                ValidationError(
                    _("At least one weight must be above zero: with all weights at zero nothing could be ranked."),
                    code="all_zero",
                )
            ]
    if errors:
        raise ValidationError(errors)
    row = PoolSettings.objects.select_for_update().filter(region=region).first()
    before = snapshot(row) if row else {}
    if row is None:
        row = PoolSettings.objects.create(region=region, updated_by=actor, **clean)
        audit_record(actor=actor, instance=row, action=AuditAction.CREATE, changes=diff({}, snapshot(row)))
    else:
        for name, value in clean.items():
            setattr(row, name, value)
        if save_if_changed(actor=actor, instance=row, before=before) is None:
            return row  # the same weights again: nothing to save, audit or rescore
        row.updated_by = actor
        row.save(update_fields=["updated_by"])
    _rejudge_surveys(region=region, the_rules=rules.rules_for_path(region.path))
    priority.priority_rescore(region=region)
    return row


def _own_path(actor) -> str:
    from jiati.accounts.scoping import sees_everything

    if sees_everything(actor):
        return "/"
    return actor.region.path if actor.region_id else "\x00"


def _rejudge_surveys(*, region: Region, the_rules: rules.Rules) -> None:
    """One UPDATE: willing where willing × denominator ≥ numerator × dwellings (and there are dwellings), for the
    surveys these settings govern (not those under a region with settings of its own)."""
    from django.db.models import Case, F, Value, When
    from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

    Survey.objects.filter(is_current=True, community_id__in=priority.governed_regions(region).values("pk")).update(
        is_willing=Case(
            When(
                GreaterThan(F("dwelling_count"), 0)
                & GreaterThanOrEqual(
                    F("willing_count") * the_rules.willing_denominator,
                    F("dwelling_count") * the_rules.willing_numerator,
                ),
                then=Value(True),
            ),
            default=Value(False),
        )
    )


# --- feasibility ------------------------------------------------------------------------------------------------


@dataclass
class EvidenceUpload:
    kind: str
    upload: object


@transaction.atomic
def assessment_record(
    *,
    actor,
    stairwell: Stairwell,
    result: str,
    obstacles: list[str] | None = None,
    conditions: str = "",
    note: str = "",
    assessed_on: dt.date | None = None,
    evidence: list[EvidenceUpload] | None = None,
) -> Assessment:
    """Record a feasibility assessment; it becomes the current one and the previous one stays as history.

    "Not feasible" needs at least one reason; "with conditions" needs the conditions written down."""
    _require(permissions.can_assess(actor))
    stairwell = _visible_stairwell(stairwell, actor)
    obstacles = list(dict.fromkeys(obstacles or []))
    evidence = evidence or []
    errors: dict[str, list] = {}
    if result not in Feasibility.values:
        errors["result"] = [ValidationError(_("Choose the result of the assessment."), code="required")]
    unknown = [o for o in obstacles if o not in Obstacle.values]
    if unknown:
        errors["obstacles"] = [
            ValidationError(_("Unknown reason: %(value)s."), code="invalid", params={"value": ", ".join(unknown)})
        ]
    elif result == Feasibility.NOT_FEASIBLE and not obstacles:
        errors["obstacles"] = [
            ValidationError(
                _("Say why the stairwell is not feasible: choose at least one reason."), code="reason_required"
            )
        ]
    if result == Feasibility.CONDITIONAL and not conditions.strip():
        errors["conditions"] = [ValidationError(_("Write down the conditions."), code="required")]
    today = timezone.localdate()
    assessed_on = assessed_on or today
    if assessed_on > today:
        errors["assessed_on"] = [ValidationError(_("The assessment date cannot be in the future."), code="future")]
    checked = []
    for item in evidence:
        if item.kind not in EvidenceKind.values:
            errors.setdefault("evidence", []).append(
                ValidationError(_("Choose what the file is."), code="invalid_kind")
            )
            continue
        try:
            checked.append(
                (item, check_upload(item.upload, field="evidence", allowed=(".jpg", ".jpeg", ".png", ".pdf")))
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("evidence", []):
                errors.setdefault("evidence", []).append(ValidationError(message, code="file"))
    if errors:
        raise ValidationError(errors)
    previous = Assessment.objects.select_for_update().filter(stairwell=stairwell, is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    assessment = Assessment.objects.create(
        stairwell=stairwell,
        estate_id=stairwell.estate_id,
        community_id=stairwell.community_id,
        result=result,
        obstacles=obstacles if result != Feasibility.FEASIBLE else [],
        conditions=conditions.strip(),
        note=note.strip(),
        assessed_on=assessed_on,
        assessed_by=actor,
    )
    for item, facts in checked:
        row = AssessmentEvidence(
            assessment=assessment,
            kind=item.kind,
            original_name=facts.name,
            size=facts.size,
            sha256=facts.sha256,
            content_type=facts.content_type,
            uploaded_by=actor,
        )
        row.file.save(facts.name, item.upload, save=False)
        row.save()
    audit_record(
        actor=actor,
        instance=assessment,
        action=AuditAction.CREATE,
        changes={
            "result": [previous.result if previous else None, assessment.result],
            "obstacles": [previous.obstacles if previous else None, assessment.obstacles],
            "evidence": [None, [facts.sha256 for _item, facts in checked]],
        },
    )
    # Feasibility is this stairwell's input, and its estate's count of feasible stairwells its neighbours'.
    priority.priority_refresh_estates(estate_ids=[stairwell.estate_id])
    return assessment


@transaction.atomic
def assessment_evidence_add(*, actor, assessment: Assessment, kind: str, upload) -> AssessmentEvidence:
    """Add a file to the current assessment (a photo taken later, the appraisal when it arrives). The history's
    assessments stay as they were decided."""
    _require(permissions.can_assess(actor))
    try:
        assessment = Assessment.objects.visible_to(actor).select_for_update().get(pk=assessment.pk)
    except Assessment.DoesNotExist:
        raise PermissionDenied from None
    errors: dict[str, list] = {}
    if not assessment.is_current:
        errors["assessment"] = [
            ValidationError(
                _("This assessment has been replaced; add evidence to the current one."), code="not_current"
            )
        ]
    if kind not in EvidenceKind.values:
        errors["kind"] = [ValidationError(_("Choose what the file is."), code="invalid_kind")]
    facts = None
    try:
        facts = check_upload(upload, field="file", allowed=(".jpg", ".jpeg", ".png", ".pdf"))
    except ValidationError as exc:
        errors["file"] = [ValidationError(m, code="file") for m in exc.message_dict.get("file", exc.messages)]
    if errors:
        raise ValidationError(errors)
    row = AssessmentEvidence(
        assessment=assessment,
        kind=kind,
        original_name=facts.name,
        size=facts.size,
        sha256=facts.sha256,
        content_type=facts.content_type,
        uploaded_by=actor,
    )
    row.file.save(facts.name, upload, save=False)
    row.save()
    audit_record(
        actor=actor,
        instance=assessment,
        action=AuditAction.UPDATE,
        changes={"evidence": [None, facts.sha256], "kind": [None, kind]},
        message=facts.name[:200],
    )
    return row


# --- willingness surveys ----------------------------------------------------------------------------------------


@transaction.atomic
def survey_open(*, actor, stairwell: Stairwell) -> Survey:
    """Open the willingness survey of a stairwell (one current survey each; a new round replaces a closed one)."""
    _require(permissions.can_survey(actor))
    stairwell = _visible_stairwell(stairwell, actor)
    previous = Survey.objects.select_for_update().filter(stairwell=stairwell, is_current=True).first()
    if previous is not None and previous.status == SurveyStatus.OPEN:
        raise refuse(_("This stairwell's survey is already open."), code="already_open", field="stairwell")
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    survey = Survey.objects.create(
        stairwell=stairwell,
        estate_id=stairwell.estate_id,
        community_id=stairwell.community_id,
        opened_by=actor,
        dwelling_count=Dwelling.objects.filter(stairwell=stairwell).count(),
    )
    audit_created(actor=actor, instance=survey)
    priority.priority_refresh(stairwell_ids=[stairwell.pk])
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    _require(permissions.can_survey(actor))
    survey = _locked_survey(survey, actor)
    if survey.status != SurveyStatus.OPEN:
        raise refuse(_("This survey is already closed."), code="closed", field="status")
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, instance=survey, action=AuditAction.UPDATE, changes={"status": ["open", "closed"]})
    return survey


def _locked_survey(survey: Survey, actor) -> Survey:
    queryset = Survey.objects.select_for_update(of=("self",))
    if actor is not None:
        queryset = queryset.visible_to(actor)
    try:
        return queryset.get(pk=survey.pk)
    except Survey.DoesNotExist:
        raise PermissionDenied from None


def _recount(survey: Survey) -> None:
    """Keep the survey's counters and its "willing" verdict true to its current answers."""
    counts = dict(
        survey.answers.filter(is_current=True).values("answer").annotate(n=Count("pk")).values_list("answer", "n")
    )
    survey.dwelling_count = Dwelling.objects.filter(stairwell_id=survey.stairwell_id).count()
    survey.willing_count = counts.get(AnswerChoice.WILLING, 0)
    survey.not_willing_count = counts.get(AnswerChoice.NOT_WILLING, 0)
    survey.undecided_count = counts.get(AnswerChoice.UNDECIDED, 0)
    the_rules = rules.rules_for_path(survey.community.path)
    survey.is_willing = rules.is_willing(willing=survey.willing_count, dwellings=survey.dwelling_count, rules=the_rules)
    survey.save(update_fields=["dwelling_count", "willing_count", "not_willing_count", "undecided_count", "is_willing"])
    priority.priority_refresh(stairwell_ids=[survey.stairwell_id])


def _answer_errors(survey: Survey, dwelling: Dwelling | None, answer: str, channel: str) -> dict[str, list]:
    errors: dict[str, list] = {}
    if survey.status != SurveyStatus.OPEN:
        errors["survey"] = [
            ValidationError(_("This survey is closed; open a new round to record answers."), code="closed")
        ]
    if dwelling is None:
        errors["dwelling"] = [ValidationError(_("Choose the dwelling."), code="required")]
    elif dwelling.stairwell_id != survey.stairwell_id:
        errors["dwelling"] = [
            ValidationError(
                _("Dwelling %(room)s is not in this stairwell."), code="other_stairwell", params={"room": dwelling.room}
            )
        ]
    if answer not in AnswerChoice.values:
        errors["answer"] = [ValidationError(_("Choose willing, not willing or undecided."), code="invalid")]
    if channel not in Channel.values:
        errors["channel"] = [ValidationError(_("Choose how the answer was given."), code="invalid")]
    return errors


def _store_answer(*, survey, dwelling, answer, channel, note, actor, owner) -> SurveyAnswer:
    previous = survey.answers.select_for_update().filter(dwelling=dwelling, is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    row = SurveyAnswer.objects.create(
        survey=survey,
        dwelling=dwelling,
        answer=answer,
        channel=channel,
        note=(note or "").strip()[:255],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        owner=owner,
    )
    return row, previous


@transaction.atomic
def survey_answer_record(
    *, actor, survey: Survey, dwelling: Dwelling | None, answer: str, channel: str, note: str = "", owner=None
) -> SurveyAnswer:
    """Record one dwelling's answer. A later answer for the same dwelling replaces the earlier one, which is kept.

    `actor` is a staff member; an owner answering on the resident portal comes as `owner` with `actor=None`, and
    may answer only for a dwelling he owns."""
    if actor is not None:
        _require(permissions.can_survey(actor))
    elif owner is None or dwelling is None or not Ownership.objects.filter(owner=owner, dwelling=dwelling).exists():
        raise PermissionDenied
    survey = _locked_survey(survey, actor)
    errors = _answer_errors(survey, dwelling, answer, channel)
    if errors:
        raise ValidationError(errors)
    row, previous = _store_answer(
        survey=survey, dwelling=dwelling, answer=answer, channel=channel, note=note, actor=actor, owner=owner
    )
    _recount(survey)
    audit_record(
        actor=actor,
        instance=row,
        action=AuditAction.CREATE,
        changes={"answer": [previous.answer if previous else None, answer], "channel": [None, channel]},
        message=_("Dwelling %(room)s") % {"room": dwelling.room},
    )
    return row


# --- importing answers -------------------------------------------------------------------------------------------

IMPORT_COLUMNS = {
    # key: (Chinese header, English header, required)
    "room": ("房号", "Room", True),
    "answer": ("意愿", "Answer", True),
    "channel": ("方式", "Channel", False),
    "note": ("备注", "Note", False),
}
ANSWER_WORDS = {
    "willing": AnswerChoice.WILLING,
    "愿意": AnswerChoice.WILLING,
    "同意": AnswerChoice.WILLING,
    "not_willing": AnswerChoice.NOT_WILLING,
    "not willing": AnswerChoice.NOT_WILLING,
    "不愿意": AnswerChoice.NOT_WILLING,
    "不同意": AnswerChoice.NOT_WILLING,
    "undecided": AnswerChoice.UNDECIDED,
    "未定": AnswerChoice.UNDECIDED,
    "待定": AnswerChoice.UNDECIDED,
    "考虑中": AnswerChoice.UNDECIDED,
}
CHANNEL_WORDS = {
    "": Channel.PAPER_FORM,
    "paper_form": Channel.PAPER_FORM,
    "paper form": Channel.PAPER_FORM,
    "纸质表": Channel.PAPER_FORM,
    "纸质": Channel.PAPER_FORM,
    "door_to_door": Channel.DOOR_TO_DOOR,
    "door-to-door visit": Channel.DOOR_TO_DOOR,
    "上门": Channel.DOOR_TO_DOOR,
    "入户": Channel.DOOR_TO_DOOR,
}
IMPORT_MAX_ROWS = 5000  # a stairwell has about 12 dwellings; a sheet of thousands is a mistake


@dataclass
class ImportOutcome:
    applied: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row": n, "column": header, "message": text}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_table(path: str, name: str):
    """(header, rows as (row number, cells)) read by the project's one hardened reader (`jiati.core.tabular`)."""
    rows: list[tuple[int, list]] = []
    try:
        with open_table(path, name=name, max_bytes=settings.JIATI_IMPORT_MAX_BYTES) as table:
            for number, cells in table.rows:
                rows.append((number, cells))
                if len(rows) > IMPORT_MAX_ROWS + 1:
                    break
    except TabularError as exc:
        raise refuse(exc.message, code=exc.code, field="file") from exc
    rows = [(n, cells) for n, cells in rows if any(_cell(c) for c in cells)]
    if not rows:
        raise refuse(_("The file is empty."), code="empty", field="file")
    if len(rows) > IMPORT_MAX_ROWS + 1:
        raise refuse(
            _("The file has more than %(n)s rows; one survey covers one stairwell.") % {"n": IMPORT_MAX_ROWS},
            code="too_many_rows",
            field="file",
        )
    return rows[0][1], rows[1:]


@transaction.atomic
def survey_import(*, actor, survey: Survey, path: str, name: str) -> ImportOutcome:
    """Import answers from a spreadsheet (columns 房号/Room, 意愿/Answer, 方式/Channel, 备注/Note).

    Every row is checked first; if any is wrong nothing is applied and every error is reported with its row and
    column, so the user fixes the file and uploads it again. A room listed twice: the lower row wins, like a later
    answer replaces an earlier one."""
    _require(permissions.can_survey(actor))
    survey = _locked_survey(survey, actor)
    if survey.status != SurveyStatus.OPEN:
        raise refuse(_("This survey is closed; open a new round to record answers."), code="closed", field="file")
    header, rows = _read_table(path, name)
    positions = {}
    for index, cell in enumerate(header):
        text = _cell(cell).lower()
        for key, (zh, en, _required) in IMPORT_COLUMNS.items():
            if text in (key, zh, en.lower()) and key not in positions:
                positions[key] = index
    missing = [zh for key, (zh, _en, required) in IMPORT_COLUMNS.items() if required and key not in positions]
    if missing:
        raise refuse(
            _("Required columns are missing from the header row: %(cols)s.") % {"cols": "、".join(missing)},
            code="missing_columns",
            field="file",
        )
    rooms = {d.room.strip().lower(): d for d in Dwelling.objects.filter(stairwell_id=survey.stairwell_id)}
    outcome = ImportOutcome()
    parsed = []

    def get(cells, key):
        index = positions.get(key)
        return _cell(cells[index]) if index is not None and index < len(cells) else ""

    for number, cells in rows:
        room, answer_text, channel_text = get(cells, "room"), get(cells, "answer"), get(cells, "channel")
        dwelling = rooms.get(room.lower())
        row_errors = []
        if not room:
            row_errors.append((IMPORT_COLUMNS["room"][0], _("Enter the room number.")))
        elif dwelling is None:
            row_errors.append(
                (IMPORT_COLUMNS["room"][0], _("Room %(room)s is not in this stairwell.") % {"room": room})
            )
        answer = ANSWER_WORDS.get(answer_text.lower())
        if answer is None:
            row_errors.append(
                (
                    IMPORT_COLUMNS["answer"][0],
                    _("“%(value)s” is not an answer: write 愿意, 不愿意 or 未定.") % {"value": answer_text},
                )
            )
        channel = CHANNEL_WORDS.get(channel_text.lower())
        if channel is None:
            row_errors.append(
                (
                    IMPORT_COLUMNS["channel"][0],
                    _("“%(value)s” is not a channel: write 纸质表 or 上门.") % {"value": channel_text},
                )
            )
        for column, message in row_errors:
            outcome.errors.append({"row": number, "column": column, "message": message})
        if not row_errors:
            parsed.append((dwelling, answer, channel, get(cells, "note")))
    if outcome.errors:
        return outcome
    for dwelling, answer, channel, note in parsed:
        _store_answer(
            survey=survey, dwelling=dwelling, answer=answer, channel=channel, note=note, actor=actor, owner=None
        )
        outcome.applied += 1
    _recount(survey)
    audit_record(
        actor=actor,
        instance=survey,
        action=AuditAction.UPDATE,
        changes={"imported_answers": [None, outcome.applied]},
        message=name[:200],
    )
    return outcome


def survey_import_upload(*, actor, survey: Survey, upload) -> ImportOutcome:
    """`survey_import` for an uploaded file (the page and the API): written to a temporary file the reader opens."""
    suffix = os.path.splitext(upload.name)[1].lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        return survey_import(actor=actor, survey=survey, path=handle.name, name=upload.name)


def import_errors_text(outcome: ImportOutcome) -> list[str]:
    """Each refused row as one sentence naming its row and column."""
    return [
        _("Row %(row)s, column %(column)s: %(message)s")
        % {"row": error["row"], "column": error["column"], "message": error["message"]}
        for error in outcome.errors
    ]


# --- mobility needs -------------------------------------------------------------------------------------------------


@transaction.atomic
def mobility_need_record(*, actor, dwelling: Dwelling, kind: str) -> MobilityNeed:
    """Record that someone in this dwelling has a mobility need (one active record per dwelling)."""
    _require(permissions.can_survey(actor))
    if not Dwelling.objects.visible_to(actor).filter(pk=dwelling.pk).exists():
        raise PermissionDenied
    if kind not in MobilityKind.values:
        raise refuse(_("Choose the kind of need."), code="invalid", field="kind")
    current = MobilityNeed.objects.select_for_update().filter(dwelling=dwelling, is_active=True).first()
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    need = MobilityNeed.objects.create(
        dwelling=dwelling,
        stairwell_id=dwelling.stairwell_id,
        estate_id=dwelling.estate_id,
        community_id=dwelling.community_id,
        kind=kind,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        instance=need,
        action=AuditAction.CREATE,
        changes={"kind": [current.kind if current else None, kind]},
    )
    priority.priority_refresh(stairwell_ids=[need.stairwell_id])
    return need


@transaction.atomic
def mobility_need_end(*, actor, need: MobilityNeed) -> MobilityNeed:
    _require(permissions.can_survey(actor))
    try:
        need = MobilityNeed.objects.visible_to(actor).select_for_update().get(pk=need.pk, is_active=True)
    except MobilityNeed.DoesNotExist:
        raise PermissionDenied from None
    need.is_active = False
    need.save(update_fields=["is_active"])
    audit_record(actor=actor, instance=need, action=AuditAction.UPDATE, changes={"is_active": [True, False]})
    priority.priority_refresh(stairwell_ids=[need.stairwell_id])
    return need


# --- targets -----------------------------------------------------------------------------------------------------


@transaction.atomic
def target_set(*, actor, region: Region | None, year, projects_started, elevators_in_service) -> Target:
    """Set (or change) a region's target for a year: a subdistrict or community in the actor's area."""
    _require(permissions.can_plan(actor))
    errors: dict[str, list] = {}
    if (
        region is None
        or not Region.objects.visible_to(actor)
        .filter(pk=region.pk, path__startswith=_own_path(actor), level__in=["subdistrict", "community"])
        .exists()
    ):
        errors["region"] = [ValidationError(_("Choose a subdistrict or community in your area."), code="outside_area")]
    values = {}
    for name, value in (
        ("year", year),
        ("projects_started", projects_started),
        ("elevators_in_service", elevators_in_service),
    ):
        try:
            values[name] = int(value)
        except (TypeError, ValueError):
            errors[name] = [ValidationError(_("Enter a whole number."), code="invalid")]
            continue
        if values[name] < 0:
            errors[name] = [ValidationError(_("A target cannot be below zero."), code="negative")]
    if "year" in values and not 2000 <= values["year"] <= 2100:
        errors["year"] = [ValidationError(_("Enter a year between 2000 and 2100."), code="out_of_range")]
    if errors:
        raise ValidationError(errors)
    target = Target.objects.select_for_update().filter(region=region, year=values["year"]).first()
    before = snapshot(target) if target else {}
    if target is None:
        target = Target(region=region, year=values["year"], set_by=actor)
    target.projects_started = values["projects_started"]
    target.elevators_in_service = values["elevators_in_service"]
    target.set_by = actor
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise refuse(_("This target was just set by someone else; reload and try again."), code="conflict") from None
    audit_record(
        actor=actor,
        instance=target,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        changes=diff(before, snapshot(target)),
    )
    return target


# --- from pool to project, clusters ------------------------------------------------------------------------------


@transaction.atomic
def pool_project_open(*, actor, stairwell: Stairwell, note: str = ""):
    """Open the project of a willing (and not unfeasible) stairwell through the projects' own service."""
    from jiati.projects.services import project_open

    stairwell = _visible_stairwell(stairwell, actor)
    survey = Survey.objects.filter(stairwell=stairwell, is_current=True).first()
    if survey is None or not survey.is_willing:
        raise refuse(
            _("Only a willing stairwell's project is opened from the pool: its survey has not reached the share."),
            code="not_willing",
            field="stairwell",
        )
    assessment = Assessment.objects.filter(stairwell=stairwell, is_current=True).first()
    if assessment is not None and assessment.result == Feasibility.NOT_FEASIBLE:
        raise refuse(
            _("The current assessment says this stairwell is not feasible."), code="not_feasible", field="stairwell"
        )
    return project_open(actor=actor, stairwell=stairwell, note=note or _("Opened from the retrofit pool"))


def cluster_open(*, actor, estate: Estate, name: str, design: str, projects: list):
    """Start a cluster through the projects' service (which checks the estate and the actor)."""
    from jiati.projects.services import cluster_create

    _require(permissions.can_manage_clusters(actor))
    if not Estate.objects.visible_to(actor).filter(pk=estate.pk).exists():
        raise PermissionDenied
    if len(projects) < 2:
        raise refuse(_("A cluster has at least two projects."), code="too_few", field="projects")
    return cluster_create(actor=actor, estate=estate, name=name, design=design, projects=projects)


@transaction.atomic
def cluster_work_add(*, actor, cluster, description: str, cost, rule: str) -> ClusterWork:
    """Record shared works of a cluster with their cost and how it is split across the members."""
    from jiati.projects.models import Cluster

    _require(permissions.can_manage_clusters(actor))
    if not Cluster.objects.visible_to(actor).filter(pk=cluster.pk).exists():
        raise PermissionDenied
    errors: dict[str, list] = {}
    if not description.strip():
        errors["description"] = [ValidationError(_("Describe the works."), code="required")]
    try:
        amount = Decimal(str(cost).strip())
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["cost"] = [ValidationError(_("Enter the cost in yuan, above zero, to the fen."), code="invalid")]
    if rule not in AllocationRule.values:
        errors["rule"] = [ValidationError(_("Choose how the cost is split."), code="invalid")]
    if errors:
        raise ValidationError(errors)
    work = ClusterWork.objects.create(
        cluster=cluster, description=description.strip(), cost=amount, rule=rule, created_by=actor
    )
    audit_created(actor=actor, instance=work)
    return work
