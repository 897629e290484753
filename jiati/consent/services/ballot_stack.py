"""A stack of paper ballots recorded at once: the spreadsheet of the signed forms (one row an owner and a choice)
and the scanned forms as one PDF, each page matched to its owner by the QR code printed on that owner's form.

Every row goes through `ballot_cast`, the one service that records a paper ballot, so the one-head rules, the
open-vote checks, the audit and the hash chain are the same as for a ballot entered alone, and so are the
refusals (each named here with its row and field). A row's signed form is its own scanned page, stored as a
one-page PDF. "All or nothing" records the rows in one transaction that any refusal rolls back; "row by row"
records what it can and lists the rest. A preview (`dry_run`) runs the very same path and rolls it all back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, diff, snapshot
from jiati.consent import permissions
from jiati.consent.models import Channel, Choice, RollVoter, StagedBallotStack, Vote
from jiati.consent.services.votes import Cast, ballot_cast
from jiati.consent.tally import CHOICE_WORDS, TallyInputError, _cell_text, read_rows
from jiati.core.errors import Refusals, refuse
from jiati.core.services import require

FORM_CODE_PREFIX = "JIATI-BALLOT:"
FORM_CODE_SALT = "jiati.consent.ballot-form"
MAX_SCAN_PAGES = 300  # as many as one printed file of forms holds (pdfs.MAX_FORMS_PER_FILE)
RENDER_SCALE = 2.0  # 144 dpi: a 3-pixel-module QR printed on A4 decodes reliably
MODES = ("all", "rows")
STAGE_LIFETIME = dt.timedelta(hours=2)  # a preview's files are kept this long for "Record"
HEADERS = {
    "dwelling": ("dwelling", "房号", "房屋", "room"),
    "owner": ("owner", "业主", "姓名", "name"),
    "choice": ("choice", "表决意见", "意见", "选择"),
}


class _Rollback(Exception):
    """Raised inside the stack's transaction to undo it (a preview, or a refused row in all-or-nothing mode)."""


def form_code(voter: RollVoter) -> str:
    """What the QR code on an owner's printed ballot form says: the vote and the roll entry, signed so that a
    page cannot be made to match another owner by editing the code."""
    return FORM_CODE_PREFIX + signing.Signer(salt=FORM_CODE_SALT).sign(f"{voter.vote_id}.{voter.pk}")


def read_form_code(text: str) -> tuple[int, int] | None:
    """(vote id, roll voter id) from a QR code's text, or None when it is not a genuine ballot-form code."""
    if not text.startswith(FORM_CODE_PREFIX):
        return None
    try:
        vote_id, voter_id = signing.Signer(salt=FORM_CODE_SALT).unsign(text[len(FORM_CODE_PREFIX) :]).split(".")
        return int(vote_id), int(voter_id)
    except (signing.BadSignature, ValueError):
        return None


@dataclass
class ScannedPage:
    number: int  # 1-based, as a PDF viewer counts
    pdf: bytes  # this page alone, as a one-page PDF: the ballot's own scan
    voter_id: int | None = None
    vote_id: int | None = None
    problem: str = ""
    voter: RollVoter | None = None  # the owner the page's code names, when it names one on this roll


@dataclass
class RowOutcome:
    row: int
    dwelling: str
    owner: str
    choice: str
    voter: RollVoter | None = None
    page: int | None = None
    errors: list[str] = field(default_factory=list)
    receipt: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def choice_shown(self) -> str:
        """The choice in the reader's language ("agree" or 同意 in the sheet reads 同意 / Agree alike); a word that
        is no choice is shown as written (its row is refused and says so)."""
        value = CHOICE_WORDS.get((self.choice or "").strip().lower())
        return str(Choice(value).label) if value in Choice.values else self.choice


@dataclass
class StackResult:
    rows: list[RowOutcome]
    pages_for_review: list[ScannedPage]
    recorded: int
    dry_run: bool
    mode: str

    @property
    def refused(self) -> list[RowOutcome]:
        return [r for r in self.rows if not r.ok]


def split_scans(source) -> list[ScannedPage]:
    """Each page of the scanned PDF, rendered and searched for a ballot-form QR code, kept as its own PDF.
    Pages are read one at a time, so memory follows one page, not the file."""
    import pypdfium2 as pdfium
    import zxingcpp

    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read() if hasattr(source, "read") else source
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise refuse(_("The scanned file is not a readable PDF."), code="scan_unreadable", field="scans") from None
    try:
        if len(document) > MAX_SCAN_PAGES:
            raise refuse(
                _("The scanned file has %(pages)s pages; upload at most %(limit)s at a time.")
                % {"pages": len(document), "limit": MAX_SCAN_PAGES},
                code="scan_too_many_pages",
                field="scans",
            )
        pages = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=RENDER_SCALE, grayscale=True).to_pil()
            page.close()
            codes = {
                read_form_code(b.text) for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            }
            codes.discard(None)
            single = pdfium.PdfDocument.new()
            single.import_pages(document, [index])
            buffer = io.BytesIO()
            single.save(buffer)
            single.close()
            scanned = ScannedPage(number=index + 1, pdf=buffer.getvalue())
            if len(codes) == 1:
                scanned.vote_id, scanned.voter_id = next(iter(codes))
            elif codes:
                scanned.problem = _("the page carries the codes of more than one form.")
            else:
                scanned.problem = _("no ballot-form QR code was found on the page.")
            pages.append(scanned)
        return pages
    finally:
        document.close()


def match_pages(vote: Vote, pages: list[ScannedPage]) -> tuple[dict[int, ScannedPage], list[ScannedPage]]:
    """{roll voter id: their page} and the pages left for review: no code, another vote's code, a code for
    no one on this roll, or an owner whose form appears on two pages (both pages are held back)."""
    roll = set(RollVoter.objects.filter(vote=vote).values_list("pk", flat=True))
    by_voter: dict[int, list[ScannedPage]] = {}
    review: list[ScannedPage] = []
    for page in pages:
        if page.voter_id is None:
            review.append(page)
        elif page.vote_id != vote.pk or page.voter_id not in roll:
            page.problem = _("the form belongs to another vote or to no owner on this roll.")
            review.append(page)
        else:
            by_voter.setdefault(page.voter_id, []).append(page)
    matched: dict[int, ScannedPage] = {}
    for voter_id, found in by_voter.items():
        if len(found) == 1:
            matched[voter_id] = found[0]
            continue
        numbers = ", ".join(str(p.number) for p in found)
        for page in found:
            page.problem = _("the same owner's form is on pages %(pages)s; keep one.") % {"pages": numbers}
            review.append(page)
    review.sort(key=lambda p: p.number)
    return matched, review


def _read_sheet(source, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The sheet's data rows as (row number, {dwelling, owner, choice}), read by the tally's reader."""
    header: dict[str, int] | None = None
    rows = []
    for number, raw in enumerate(read_rows(source, filename), start=1):
        cells = [_cell_text(c) for c in (raw or ())]
        if not any(cells):
            continue
        if header is None:
            lowered = [c.lower().lstrip("\ufeff") for c in cells]
            header = {key: lowered.index(w) for key, words in HEADERS.items() for w in words if w in lowered}
            missing = [words[0] + "/" + words[1] for key, words in HEADERS.items() if key not in header]
            if missing:
                raise refuse(
                    _("Row %(row)s: the header row lacks the column(s) %(columns)s (expected dwelling,owner,choice).")
                    % {"row": number, "columns": ", ".join(missing)},
                    code="sheet_header",
                    field="sheet",
                )
            continue
        rows.append((number, {k: (cells[i] if i < len(cells) else "") for k, i in header.items()}))
    if header is None:
        raise refuse(_("The spreadsheet is empty."), code="sheet_empty", field="sheet")
    return rows


# A refusal of `ballot_cast` that names no field, named by the column of the sheet it is about.
FIELD_OF_CODE = {"already_voted": "voter", "code_used": "voter", "vote_closed": "vote"}


def _field_errors(error: ValidationError) -> list[str]:
    """A service refusal as "field: message" texts, so that the row's error names the field at fault (a refusal
    without a field: the column its code is about, else the ballot as a whole)."""
    labels = {
        "choice": _("choice"),
        "signed_form": _("scanned form"),
        "voter": _("owner"),
        "dwelling": _("dwelling"),
        "vote": _("vote"),
        "ballot": _("ballot"),
    }
    by_field = getattr(error, "error_dict", None) or {None: error.error_list}
    texts = []
    for name, errors in by_field.items():
        for one in errors:
            field_name = name if name not in (None, "__all__") else FIELD_OF_CODE.get(one.code, "ballot")
            label = labels.get(field_name, field_name)
            texts.extend(f"{label}: {message}" for message in one.messages)
    return texts


def _no_scan(scans_uploaded: bool) -> str:
    if scans_uploaded:
        return _(
            "scanned form: no page of the scanned PDF carries this owner's form (its QR code); scan it, or see "
            "the pages for review."
        )
    return _("scanned form: upload the scanned forms as one PDF with the sheet; every ballot keeps its scan.")


def ballot_stack_record(
    *, vote: Vote, actor, sheet, sheet_name: str, scans, mode: str = "all", dry_run: bool = True
) -> StackResult:
    """Record (or, with `dry_run`, preview) a stack of paper ballots. Whole-file problems (an unreadable sheet or
    PDF) are refused at once; each row's problems are listed with its row number and field."""
    require(actor is not None and permissions.can_record_ballots(actor))
    with Refusals() as checked:  # the mode and the sheet at once (issue 13)
        if mode not in MODES:
            checked.add(refuse(_("Choose all-or-nothing or row by row."), code="invalid_mode", field="mode"))
        try:
            rows = checked(_read_sheet, sheet, sheet_name)  # its own refusals (empty, no header) too
        except TallyInputError as exc:
            checked.add(refuse(str(exc), code="sheet_unreadable", field="sheet"))
    pages = split_scans(scans) if scans is not None else []
    matched, review = match_pages(vote, pages)
    roll = list(RollVoter.objects.filter(vote=vote).prefetch_related("dwellings"))
    by_room: dict[str, RollVoter] = {}
    for voter in roll:
        by_room[voter.rooms.strip()] = voter
        for dwelling in voter.dwellings.all():
            by_room.setdefault(dwelling.room.strip(), voter)
    outcomes: list[RowOutcome] = []
    seen: dict[int, int] = {}
    for number, cells in rows:
        outcome = RowOutcome(row=number, dwelling=cells["dwelling"], owner=cells["owner"], choice=cells["choice"])
        outcomes.append(outcome)
        voter = by_room.get(cells["dwelling"].strip())
        if voter is None:
            outcome.errors.append(
                _("dwelling: “%(value)s” is on no owner's line of this vote's roll.") % {"value": cells["dwelling"]}
            )
        elif cells["owner"] and cells["owner"].strip() != voter.name.strip():
            outcome.errors.append(
                _("owner: “%(value)s” is not the owner of %(dwelling)s on the roll (%(name)s).")
                % {"value": cells["owner"], "dwelling": cells["dwelling"], "name": voter.name}
            )
        elif voter.pk in seen:
            outcome.errors.append(
                _("dwelling: this owner is already on row %(row)s (one owner, one vote).") % {"row": seen[voter.pk]}
            )
        else:
            seen[voter.pk] = number
            outcome.voter = voter
            page = matched.get(voter.pk)
            outcome.page = page.number if page else None
            if page is None:  # said here, for a stack: the single ballot's "attach the form" would not help
                outcome.errors.append(_no_scan(bool(pages)))
        if CHOICE_WORDS.get(cells["choice"].strip().lower()) not in Choice.values:
            outcome.errors.append(
                _("choice: “%(value)s” is not agree, disagree or abstain (同意, 不同意, 弃权).")
                % {"value": cells["choice"]}
            )
    named = {voter.pk for _number, cells in rows if (voter := by_room.get(cells["dwelling"].strip()))}
    by_pk = {voter.pk: voter for voter in roll}
    for voter_id, page in list(matched.items()):
        if voter_id not in named:  # a signed form whose owner the sheet forgets: its ballot would be lost
            del matched[voter_id]
            page.voter = by_pk[voter_id]
            page.problem = _("this owner's signed form has no row in the spreadsheet; add the row or record it alone.")
            review.append(page)
    for page in review:
        if page.voter is None and page.vote_id == vote.pk:
            page.voter = by_pk.get(page.voter_id)
    review.sort(key=lambda p: p.number)
    recorded: list[Cast] = []

    def cast(outcome: RowOutcome) -> None:
        page = matched.get(outcome.voter.pk)
        scan = None
        if page is not None:
            scan = SimpleUploadedFile(f"ballot-{vote.pk}-{outcome.voter.pk}-p{page.number}.pdf", page.pdf)
        try:
            done = ballot_cast(
                vote=vote,
                voter=outcome.voter,
                choice=CHOICE_WORDS[outcome.choice.strip().lower()],
                channel=Channel.PAPER,
                actor=actor,
                signed_form=scan,
            )
        except ValidationError as exc:
            outcome.errors.extend(_field_errors(exc))
        else:
            recorded.append(done)
            outcome.receipt = done.receipt

    all_or_nothing = mode == "all"
    try:
        with transaction.atomic() if (dry_run or all_or_nothing) else contextlib.nullcontext():
            for outcome in outcomes:
                if outcome.ok:
                    cast(outcome)
            if dry_run or (all_or_nothing and any(not o.ok for o in outcomes)):
                raise _Rollback
    except _Rollback:
        _discard_scans(recorded)
        for outcome in outcomes:
            outcome.receipt = ""
        return StackResult(rows=outcomes, pages_for_review=review, recorded=0, dry_run=dry_run, mode=mode)
    except BaseException:
        if dry_run or all_or_nothing:
            _discard_scans(recorded)
        raise
    return StackResult(rows=outcomes, pages_for_review=review, recorded=len(recorded), dry_run=False, mode=mode)


def _discard_scans(casts: list[Cast]) -> None:
    """The stored pages of ballots whose transaction was rolled back: nothing left behind by a preview."""
    for done in casts:
        name = done.entry.signed_form.name
        if name:
            with contextlib.suppress(OSError):
                done.entry.signed_form.storage.delete(name)


@dataclass
class StackRun:
    """A stack's outcome and the files kept for "Record" (None once they are used or could not be read)."""

    result: StackResult
    staged: StagedBallotStack | None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_name(upload) -> str:
    return upload.name.rsplit("/", 1)[-1][:200]


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _staged_fields(staged: StagedBallotStack) -> list[str]:
    # The token is the key to the files: it is not written into the audit trail.
    return [f.name for f in staged._meta.concrete_fields if not f.primary_key and f.name != "token"]


def ballot_stack_sweep(*, now=None) -> int:
    """Remove staged stacks past their time, with their files. Returns how many were removed."""
    stale = list(StagedBallotStack.objects.filter(expires_at__lte=now or timezone.now()))
    for staged in stale:
        _unstage(staged)
    return len(stale)


def _unstage(staged: StagedBallotStack) -> None:
    for stored in (staged.sheet, staged.scans):
        if stored.name:
            with contextlib.suppress(OSError):
                stored.storage.delete(stored.name)
    staged.delete()


def _stage(*, vote: Vote, actor, staged: StagedBallotStack | None, sheet, scans) -> StagedBallotStack:
    """Keep the files of a preview (new ones replacing the kept ones), audited as any stored upload is."""
    creating = staged is None
    if creating:
        staged = StagedBallotStack(vote=vote, created_by=actor)
    fields = _staged_fields(staged)
    before = snapshot(staged, fields) if not creating else {}
    replaced = []
    for kind, upload in (("sheet", sheet), ("scans", scans)):
        if upload is None:
            continue
        data = _read(upload)
        stored = getattr(staged, kind)
        if stored.name:
            replaced.append(stored.name)
        setattr(staged, f"{kind}_name", _file_name(upload))
        setattr(staged, f"{kind}_sha256", _digest(data))
        stored.save(_file_name(upload), upload, save=False)
    staged.expires_at = timezone.now() + STAGE_LIFETIME
    staged.save()
    for name in replaced:
        with contextlib.suppress(OSError):
            staged.sheet.storage.delete(name)
    audit_record(
        actor=actor,
        instance=staged,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        changes=diff(before, snapshot(staged, fields)),
    )
    return staged


def ballot_stack_submit(
    *, vote: Vote, actor, sheet=None, scans=None, token: str = "", mode: str = "all", dry_run: bool = True
) -> StackRun:
    """The stack page's one action. A preview keeps its files (staged, for this user and this vote, under an
    unguessable token, for `STAGE_LIFETIME`), so that "Record" uses them without a second upload; a newly chosen
    file replaces its kept one. Recording anything uses the kept files up. Stale staged files are swept here."""
    require(actor is not None and permissions.can_record_ballots(actor))
    ballot_stack_sweep()
    staged = None
    if token:
        staged = StagedBallotStack.objects.filter(
            token=token, vote=vote, created_by=actor, expires_at__gt=timezone.now()
        ).first()
    with Refusals() as checked:
        gone = _("The file chosen for the preview is no longer kept; choose it again.")
        if sheet is None and staged is None:
            checked.add(refuse(gone if token else _("Choose the spreadsheet."), code="sheet_missing", field="sheet"))
        if scans is None and (staged is None or not staged.scans.name):
            checked.add(refuse(gone if token else _("Choose the scanned forms."), code="scans_missing", field="scans"))
    if sheet is not None:
        sheet_source, sheet_name = sheet, _file_name(sheet)
    else:
        with staged.sheet.open("rb") as handle:
            sheet_source, sheet_name = handle.read(), staged.sheet_name
    if scans is not None:
        scans_source = scans
    else:
        with staged.scans.open("rb") as handle:
            scans_source = handle.read()
    result = ballot_stack_record(
        vote=vote,
        actor=actor,
        sheet=sheet_source,
        sheet_name=sheet_name,
        scans=scans_source,
        mode=mode,
        dry_run=dry_run,
    )
    if result.recorded:
        if staged is not None:
            audit_record(
                actor=actor,
                instance=staged,
                action=AuditAction.DELETE,
                changes=diff(snapshot(staged, _staged_fields(staged)), {}),
            )
            _unstage(staged)
        return StackRun(result=result, staged=None)
    if sheet is not None or scans is not None or staged is None:
        staged = _stage(vote=vote, actor=actor, staged=staged, sheet=sheet, scans=scans)
    return StackRun(result=result, staged=staged)
