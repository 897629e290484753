"""The printed forms: A4, Chinese text extractable, the font embedded, a QR code, and well under a second a page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from jiati.consent import pdfs, services
from jiati.consent.models import RollVoter
from jiati.consent.tests.conftest import cast_online, in_stage, open_vote, voters
from jiati.core.pdf import render_pdf
from jiati.projects.models import Stage


def embedded_fonts(reader: PdfReader) -> set[str]:
    """The kinds of font file embedded (the font dictionaries sit in compressed object streams)."""
    kinds: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    kinds |= {k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()}
    return kinds


def read(data: bytes) -> tuple[PdfReader, str]:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert "/FontFile2" in embedded_fonts(reader)  # the TrueType Chinese font travels with the file
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    return reader, "".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def closed_vote(project, world):
    community = world.users["community"]
    scheme = services.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000.00"))
    vote = open_vote(project, community, cost_scheme=scheme)
    for voter, choice in zip(voters(vote), ["agree"] * 10 + ["disagree", "abstain"], strict=True):
        cast_online(vote, voter, choice)
    return services.vote_close(vote=vote, actor=community)


def test_ballot_forms_one_page_per_owner(closed_vote):
    roll = list(RollVoter.objects.filter(vote=closed_vote).prefetch_related("dwellings"))
    data = render_pdf("consent/pdf/ballot_forms.html", pdfs.ballot_forms_context(closed_vote, roll))
    reader, text = read(data)
    assert len(reader.pages) == 12
    for words in ("加装电梯业主表决票", "同意", "不同意", "弃权", "40,000.00", roll[0].name, "签名"):
        assert words in text, words


def test_result_notice_shows_the_tests_and_the_chain_head(closed_vote):
    data = render_pdf("consent/pdf/result.html", pdfs.result_context(closed_vote))
    _reader, text = read(data)
    compact = text.replace("\n", "").replace(" ", "")
    for words in ("业主表决结果公告", "表决结果：通过", "83.3%", "3/4", "哈希链头", "civil-code-278@1"):
        assert words in compact, words
    assert closed_vote.chain_head[:32] in compact


def test_agreement_notice_and_cost_table(closed_vote, world):
    _reader, text = read(render_pdf("consent/pdf/agreement.html", pdfs.agreement_context(closed_vote)))
    assert "业主协议书" in text and "480,000.00" in text
    scheme = closed_vote.cost_scheme
    _reader, text = read(render_pdf("consent/pdf/costs.html", pdfs.cost_context(scheme)))
    assert "费用分摊表" in text and "480,000.00" in text.replace(" ", "")
    project = in_stage(closed_vote.project, Stage.PUBLIC_NOTICE)
    notice = services.notice_post(
        project=project,
        actor=world.users["community"],
        starts_on=timezone.localdate(),
        period_days=10,
        day_kind="working",
        content="北侧加装电梯方案",
    )
    _reader, text = read(render_pdf("consent/pdf/notice.html", pdfs.notice_context(notice)))
    assert "公示期" in text and "北侧加装电梯方案" in text and "工作日" in text


def test_the_cost_table_has_a_qr_code_to_its_online_page(closed_vote):
    from django.template.loader import render_to_string
    from django.urls import reverse

    scheme = closed_vote.cost_scheme
    context = pdfs.cost_context(scheme)
    assert context["url"].endswith(reverse("consent:public-costs", args=[scheme.pk]))
    assert "<svg" in render_to_string("consent/pdf/costs.html", context)
    _reader, text = read(render_pdf("consent/pdf/costs.html", context))
    compact = text.replace("\n", "").replace(" ", "")
    assert "扫码在线查看" in compact and f"/consent/c/{scheme.pk}/" in compact
