"""A stack of paper ballots recorded at once, end to end: the project's own printed forms, "signed" by drawing a
tick on each page image, scanned back into one PDF with a page that carries no code and one owner twice."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from jiati.consent.models import Ballot, BallotEntry, Choice
from jiati.consent.pdfs import ballot_forms_context
from jiati.consent.services.ballot_stack import ballot_stack_record, form_code, read_form_code
from jiati.consent.tests.conftest import cast_paper, voters
from jiati.core.pdf import render_pdf
from jiati.core.tests.browser import shots_dir


def _signed_pages(vote, owners) -> list[Image.Image]:
    """Each owner's printed form as a scanner would see it: rendered, with a tick and a scribbled signature."""
    pdf = render_pdf("consent/pdf/ballot_forms.html", ballot_forms_context(vote, owners))
    document = pdfium.PdfDocument(pdf)
    images = []
    for index in range(len(document)):
        image = document[index].render(scale=200 / 72).to_pil().convert("RGB")
        draw = ImageDraw.Draw(image)
        width, height = image.size
        draw.line(
            [(width * 0.1, height * 0.55), (width * 0.12, height * 0.57), (width * 0.16, height * 0.52)],
            fill="black",
            width=6,
        )
        draw.line([(width * 0.3, height * 0.65), (width * 0.4, height * 0.63)], fill="blue", width=4)
        images.append(image)
    document.close()
    return images


def _scanned_pdf(pages: list[Image.Image]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return SimpleUploadedFile("scans.pdf", buffer.getvalue(), content_type="application/pdf")


def _sheet(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("ballots.csv", ("\n".join(["房号,业主,表决意见", *lines]) + "\n").encode("gbk"))


@pytest.fixture
def stack(vote):
    owners = voters(vote)[:4]
    images = _signed_pages(vote, owners)
    blank = Image.new("RGB", images[0].size, "white")
    # Owner 0's form twice (scanned again by mistake), a page with no code at all.
    return vote, owners, [images[0], images[1], blank, images[2], images[3], images[0]]


def test_form_code_is_signed_and_names_the_voter(vote):
    voter = voters(vote)[0]
    assert read_form_code(form_code(voter)) == (vote.pk, voter.pk)
    assert read_form_code(form_code(voter)[:-2] + "xx") is None
    assert read_form_code("https://example.org/consent/v/1/") is None


def test_stack_preview_then_row_by_row_records_each_with_its_own_page(stack, world):
    vote, owners, pages = stack
    actor = world.users["community"]
    rows = [f"{o.rooms},{o.name},{word}" for o, word in zip(owners, ["同意", "不同意", "agree", "弃权"], strict=True)]

    preview = ballot_stack_record(
        vote=vote, actor=actor, sheet=_sheet(rows), sheet_name="ballots.csv", scans=_scanned_pdf(pages), dry_run=True
    )
    assert preview.recorded == 0 and not Ballot.objects.filter(vote=vote).exists()
    assert [p.number for p in preview.pages_for_review] == [1, 3, 6]  # owner 0 twice, and the blank page
    assert "no ballot-form QR code" in preview.pages_for_review[1].problem
    assert "pages 1, 6" in preview.pages_for_review[0].problem
    refused = preview.refused
    assert [r.row for r in refused] == [2]  # owner 0's page is held back for review: no scan, no ballot
    # Issue 13: the row says what is wrong with its scan, not the single ballot's "attach the signed form".
    assert refused[0].errors == [
        "scanned form: no page of the scanned PDF carries this owner's form (its QR code); scan it, or see the "
        "pages for review."
    ]
    assert [r.page for r in preview.rows[1:]] == [2, 4, 5]

    # All or nothing refuses the whole stack while one row is refused.
    whole = ballot_stack_record(
        vote=vote,
        actor=actor,
        sheet=_sheet(rows),
        sheet_name="ballots.csv",
        scans=_scanned_pdf(pages),
        mode="all",
        dry_run=False,
    )
    assert whole.recorded == 0 and not BallotEntry.objects.filter(vote=vote).exists()

    done = ballot_stack_record(
        vote=vote,
        actor=actor,
        sheet=_sheet(rows),
        sheet_name="ballots.csv",
        scans=_scanned_pdf(pages),
        mode="rows",
        dry_run=False,
    )
    assert done.recorded == 3
    ballots = {b.voter_id: b for b in Ballot.objects.filter(vote=vote).select_related("latest_entry")}
    assert set(ballots) == {o.pk for o in owners[1:]}
    assert [ballots[o.pk].choice for o in owners[1:]] == [Choice.DISAGREE, Choice.AGREE, Choice.ABSTAIN]
    for owner in owners[1:]:
        entry = ballots[owner.pk].latest_entry
        assert entry.channel == "paper" and entry.recorded_by == actor
        with entry.signed_form.open("rb") as handle:
            scan = pdfium.PdfDocument(handle.read())
        assert len(scan) == 1  # its own page, and that page carries this owner's code
        image = scan[0].render(scale=2).to_pil()
        scan.close()
        codes = [read_form_code(b.text) for b in zxingcpp.read_barcodes(image)]
        assert [c for c in codes if c] == [(vote.pk, owner.pk)]  # beside the online vote's QR code


def test_refused_rows_name_row_and_field_and_one_head_holds(stack, world):
    vote, owners, pages = stack
    actor = world.users["community"]
    cast_paper(vote, owners[1], "agree", actor)
    rows = [
        f"{owners[1].rooms},{owners[1].name},同意",  # row 2: already voted (the service's own rule)
        f"{owners[2].rooms},{owners[2].name},也许",  # row 3: not a choice
        "99-9901,某人,同意",  # row 4: on no one's line
        f"{owners[3].rooms},{owners[3].name},同意",  # row 5: fine
        f"{owners[3].rooms},{owners[3].name},同意",  # row 6: the same owner again
    ]
    result = ballot_stack_record(
        vote=vote,
        actor=actor,
        sheet=_sheet(rows),
        sheet_name="ballots.csv",
        scans=_scanned_pdf(pages),
        mode="all",
        dry_run=False,
    )
    errors = {r.row: r.errors for r in result.refused}
    assert errors[2][0].startswith("owner:") and "already voted" in errors[2][0]  # a refusal without a field
    assert errors[3][0].startswith("choice:")
    assert errors[4][0].startswith("dwelling:")
    assert errors[6][0].startswith("dwelling:") and "row 5" in errors[6][0]
    assert result.recorded == 0 and Ballot.objects.filter(vote=vote).count() == 1


def test_stack_page_previews_then_records(stack, world, client_for):
    from django.urls import reverse

    vote, owners, pages = stack
    client = client_for(world.users["community"])
    assert "stack-link" in client.get(reverse("consent:vote-detail", args=[vote.pk])).content.decode()
    url = reverse("consent:ballot-stack", args=[vote.pk])
    rows = [f"{owners[1].rooms},{owners[1].name},同意", f"{owners[2].rooms},{owners[2].name},也许"]

    def post(action, mode):
        return client.post(
            url, {"sheet": _sheet(rows), "scans": _scanned_pdf(pages[1:4]), "mode": mode, "action": action}
        ).content.decode()

    page = post("preview", "all")
    assert "stack-result" in page and "Row 3" in page and "choice:" in page and "Page 2" in page
    assert not Ballot.objects.filter(vote=vote).exists()
    post("record", "rows")
    assert list(Ballot.objects.filter(vote=vote).values_list("voter_id", flat=True)) == [owners[1].pk]
    assert client_for(world.users["resident"]).get(url).status_code in (302, 403, 404)


def test_stack_preview_shows_each_choice_in_the_readers_language(stack, world, client_for):
    """The preview echoed the sheet's word: "agree" on a Chinese page, 同意 on an English one."""
    import re

    from django.urls import reverse

    vote, owners, pages = stack
    client = client_for(world.users["community"])
    rows = [f"{owners[1].rooms},{owners[1].name},同意", f"{owners[2].rooms},{owners[2].name},disagree"]
    for language, agree, disagree in (("en", "Agree", "Disagree"), ("zh-hans", "同意", "不同意")):
        client.cookies["django_language"] = language
        page = client.post(
            reverse("consent:ballot-stack", args=[vote.pk]),
            {"sheet": _sheet(rows), "scans": _scanned_pdf(pages[1:3]), "mode": "all", "action": "preview"},
        ).content.decode()
        shown = re.findall(r'<td data-label="[^"]*">(Agree|Disagree|同意|不同意|disagree)</td>', page)
        assert shown == [agree, disagree], (language, shown)
    assert not Ballot.objects.filter(vote=vote).exists()


def test_preview_keeps_the_files_and_record_uses_them_without_choosing_again(stack, world, client_for):
    """After "Preview" both file inputs came back empty (a browser never keeps a file input's choice), so staff
    chose the two files again before "Record". The preview now keeps them, for this user and this vote only."""
    import re

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.storage import default_storage
    from django.urls import reverse

    from jiati.audit.models import AuditEntry
    from jiati.consent.models import StagedBallotStack
    from jiati.core.tests.factories import make_user

    vote, owners, pages = stack
    community = world.users["community"]
    client = client_for(community)
    url = reverse("consent:ballot-stack", args=[vote.pk])
    rows = [f"{owners[1].rooms},{owners[1].name},同意", f"{owners[2].rooms},{owners[2].name},也许"]
    page = client.post(
        url, {"sheet": _sheet(rows), "scans": _scanned_pdf(pages[1:4]), "mode": "rows", "action": "preview"}
    ).content.decode()
    staged = StagedBallotStack.objects.get()
    assert (staged.created_by, staged.vote, staged.sheet_name, staged.scans_name) == (
        community,
        vote,
        "ballots.csv",
        "scans.pdf",
    )
    assert len(staged.token) >= 40 and f'value="{staged.token}"' in page  # the next submit names them
    assert "stack-staged" in page and "ballots.csv" in page and "scans.pdf" in page and "stack-choose-other" in page
    assert re.search(r'value="rows"[^>]*checked', page)  # the choice of mode is kept too
    audited = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(staged), object_id=str(staged.pk)
    )
    entry = audited.get(action="create")
    assert entry.actor == community and staged.token not in str(entry.changes)
    kept = [staged.sheet.name, staged.scans.name]
    assert all(default_storage.exists(name) for name in kept)

    # Another recorder cannot use them, even with the token; a wrong token is no file at all.
    other = make_user("community2", community.role, region=community.region)
    for who, token in ((other, staged.token), (community, "x" + staged.token[1:])):
        refused = client_for(who).post(url, {"staged": token, "mode": "rows", "action": "record"}).content.decode()
        assert "no longer kept" in refused
    assert not Ballot.objects.filter(vote=vote).exists()

    # Record with no file chosen: the kept files are used, then removed.
    done = client.post(url, {"staged": staged.token, "mode": "rows", "action": "record"}).content.decode()
    assert "stack-result" in done and "<code>" in done
    assert list(Ballot.objects.filter(vote=vote).values_list("voter_id", flat=True)) == [owners[1].pk]
    assert Ballot.objects.get(vote=vote).latest_entry.signed_form.name  # its own page of the kept scan
    assert not StagedBallotStack.objects.exists() and not any(default_storage.exists(name) for name in kept)
    assert audited.filter(action="delete", actor=community).exists()


def test_a_newly_chosen_file_replaces_its_kept_one_and_stale_ones_are_swept(stack, world, client_for):
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.urls import reverse
    from django.utils import timezone

    from jiati.consent.models import StagedBallotStack

    vote, owners, pages = stack
    client = client_for(world.users["community"])
    url = reverse("consent:ballot-stack", args=[vote.pk])
    wrong = [f"{owners[1].rooms},{owners[1].name},也许"]
    client.post(url, {"sheet": _sheet(wrong), "scans": _scanned_pdf(pages[1:2]), "mode": "all", "action": "preview"})
    staged = StagedBallotStack.objects.get()
    old_sheet = staged.sheet.name
    right = _sheet([f"{owners[1].rooms},{owners[1].name},同意"])
    right.name = "corrected.csv"
    page = client.post(url, {"staged": staged.token, "sheet": right, "mode": "all", "action": "preview"})
    staged.refresh_from_db()
    assert staged.sheet_name == "corrected.csv" and staged.scans_name == "scans.pdf"
    assert not default_storage.exists(old_sheet) and "corrected.csv" in page.content.decode()

    # Past its time the stack is gone (swept with its files at the next submit), and Record says to choose again.
    StagedBallotStack.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    files = [staged.sheet.name, staged.scans.name]
    page = client.post(url, {"staged": staged.token, "mode": "all", "action": "record"}).content.decode()
    assert "no longer kept" in page and not Ballot.objects.filter(vote=vote).exists()
    assert not StagedBallotStack.objects.exists() and not any(default_storage.exists(name) for name in files)


def test_pages_of_owners_without_a_row_are_listed_for_review(stack, world, client_for):
    """A signed form scanned for an owner the sheet does not name was silently dropped: its ballot would be lost."""
    from django.urls import reverse

    vote, owners, pages = stack
    actor = world.users["community"]
    rows = [f"{owners[1].rooms},{owners[1].name},同意"]  # the scan also holds owners 2 and 3's forms
    result = ballot_stack_record(
        vote=vote, actor=actor, sheet=_sheet(rows), sheet_name="ballots.csv", scans=_scanned_pdf(pages[1:5])
    )
    review = {p.number: p for p in result.pages_for_review}
    assert sorted(review) == [2, 3, 4]  # the blank page, owner 2's page, owner 3's page
    assert review[3].voter == owners[2] and review[4].voter == owners[3]
    assert "no row in the spreadsheet" in review[3].problem and "no ballot-form QR code" in review[2].problem
    assert result.rows[0].page == 1 and result.rows[0].ok

    page = (
        client_for(actor)
        .post(
            reverse("consent:ballot-stack", args=[vote.pk]),
            {"sheet": _sheet(rows), "scans": _scanned_pdf(pages[1:5]), "mode": "all", "action": "preview"},
        )
        .content.decode()
    )
    review_html = page[page.index('id="stack-review"') :]
    assert f"Page 3 · {owners[2].name} ({owners[2].rooms}): " in review_html
    assert f"Page 4 · {owners[3].name} ({owners[3].rooms}): " in review_html


def test_stack_page_links_the_printed_ballot_forms(vote, world, client_for):
    """The page told staff to print the ballot forms without a way to them."""
    from django.urls import reverse

    client = client_for(world.users["community"])
    page = client.get(reverse("consent:ballot-stack", args=[vote.pk])).content.decode()
    forms_url = reverse("consent:vote-forms-pdf", args=[vote.pk])
    assert f'href="{forms_url}" id="stack-forms-link"' in page
    response = client.get(forms_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


SHOTS = shots_dir()  # set JIATI_SHOTS to keep the screenshots


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_stack_page_in_a_browser(size, request, live_server, tmp_path):
    """Staff (community login) walk a stack of printed, signed and scanned forms at desktop and phone size: the
    preview names each refused row with its field, lists the pages to review and saves nothing; it keeps the two
    files, so recording row by row needs no second upload and keeps each ballot's own page; the page never scrolls
    sideways."""
    import datetime as dt

    from django.utils import timezone

    from jiati.consent import services
    from jiati.consent.tests.conftest import ensure_rule_sets, in_stage
    from jiati.core.tests.browser import login
    from jiati.core.tests.factories import build_world
    from jiati.projects import services as project_services
    from jiati.projects.models import Stage

    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    ensure_rule_sets()
    world = build_world()
    community = world.users["community"]
    community.set_password("pass-Word-2026")
    community.save()
    project = in_stage(project_services.project_open(actor=community, stairwell=world.stairwells["a1a"]), Stage.VOTE)
    vote = services.vote_open(
        project=project, actor=community, closes_at=timezone.now() + dt.timedelta(days=7), plan="加装一部电梯。"
    )
    owners = voters(vote)[:3]
    images = _signed_pages(vote, owners)
    scans, sheet = tmp_path / "scans.pdf", tmp_path / "ballots.csv"
    # Owner 0's form, a blank page, owner 1's form; the sheet also names owner 2, whose form was not scanned.
    scans.write_bytes(_scanned_pdf([images[0], Image.new("RGB", images[0].size, "white"), images[1]]).read())
    rows = [
        f"{owners[0].rooms},{owners[0].name},同意",
        f"{owners[1].rooms},{owners[1].name},也许",
        f"{owners[2].rooms},{owners[2].name},不同意",
    ]
    sheet.write_bytes(_sheet(rows).read())

    def shot(name):
        if SHOTS:
            page.screenshot(path=str(SHOTS / f"stack-{name}-{size}.png"), full_page=True)

    def fits():
        return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

    login(page, live_server, "community")
    page.goto(f"{live_server.url}/consent/votes/{vote.pk}/")
    page.click("#stack-link")
    page.wait_for_selector("#id_sheet")  # the stack's page, not the vote's while it is being left
    shot("empty")
    assert fits()
    page.set_input_files("#id_sheet", str(sheet))
    page.set_input_files("#id_scans", str(scans))
    page.click("#stack-preview")
    page.wait_for_selector("#stack-result")
    shot("preview")
    assert fits()
    rows_text = page.inner_text("#stack-rows")
    assert "第 3 行" in rows_text or "Row 3" in rows_text  # 也许 is no choice
    assert "扫描件" in rows_text or "scanned form" in rows_text  # owner 2's form is not among the scans
    assert page.locator("#stack-rows tr.table-danger").count() == 2
    review = page.inner_text("#stack-review")
    assert "2" in review and "1" not in review.replace("QR", "")  # only the blank page 2 waits for review
    assert not Ballot.objects.filter(vote=vote).exists()

    # The preview kept both files: they are named, and Record needs no second choice of them.
    staged = page.inner_text("#stack-staged")
    assert "ballots.csv" in staged and "scans.pdf" in staged and page.locator("#stack-choose-other").is_visible()
    assert page.locator("#stack-forms-link").is_visible()

    # Row by row: what can be recorded is, each with its page; the rest stays listed. No file is chosen again.
    assert page.input_value("#id_sheet") == "" and page.input_value("#id_scans") == ""
    page.locator("input[name=mode][value=rows]").check()
    page.click("#stack-record")
    page.wait_for_selector("#stack-result")
    shot("recorded")
    assert fits()
    ballots = list(Ballot.objects.filter(vote=vote).select_related("latest_entry"))
    assert [b.voter_id for b in ballots] == [owners[0].pk]
    with ballots[0].latest_entry.signed_form.open("rb") as handle:
        assert len(pdfium.PdfDocument(handle.read())) == 1
    assert page.locator("#stack-rows code").count() == 1  # the recorded row shows its receipt


def test_a_sheet_without_the_scans_names_the_scanned_form_on_every_row(stack, world):
    vote, owners, _pages = stack
    rows = [f"{o.rooms},{o.name},同意" for o in owners[:2]]
    result = ballot_stack_record(
        vote=vote, actor=world.users["community"], sheet=_sheet(rows), sheet_name="ballots.csv", scans=None
    )
    assert [r.row for r in result.refused] == [2, 3]
    for row in result.refused:
        assert row.errors == [
            "scanned form: upload the scanned forms as one PDF with the sheet; every ballot keeps its scan."
        ]


def test_a_stack_names_a_wrong_mode_and_an_unreadable_sheet_at_once(vote, world):
    """Issue 13: a wrong mode hid a sheet that cannot be read."""
    from django.core.exceptions import ValidationError

    unreadable = SimpleUploadedFile("ballots.csv", b"")
    with pytest.raises(ValidationError) as exc:
        ballot_stack_record(
            vote=vote, actor=world.users["community"], sheet=unreadable, sheet_name="ballots.csv", scans=None, mode="x"
        )
    assert set(exc.value.error_dict) == {"mode", "sheet"}
    assert not Ballot.objects.filter(vote=vote).exists()
