"""Printed documents: minutes, sign-in sheet, petition reply letter and the publicity poster — A4 PDFs whose
Chinese text can be extracted and whose font is embedded."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jiati.consultation.services import petitions


def embedded_fonts(reader: PdfReader) -> set[str]:
    """The font-file kinds embedded in the document (walks each page's fonts to their descriptors)."""
    kinds: set[str] = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    kinds |= {k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()}
    return kinds


def pdf_text(response) -> tuple[str, set[str]]:
    """The extracted text and the embedded font kinds of a PDF response."""
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages), embedded_fonts(reader)


def messages_of(response) -> list[str]:
    """The flash messages shown on the page a response ended on."""
    return [str(m) for m in response.context["messages"]]


def test_minutes_pdf(world, scene, client_for):
    client = client_for(world.users["community"])
    text, data = pdf_text(client.get(reverse("consultation:meeting-minutes-pdf", args=[scene["meeting"].pk])))
    assert "会议纪要" in text and "业主同意按面积分摊" in text and "出具管线迁改方案" in text
    assert "/FontFile2" in data  # the TrueType Chinese font travels with the file


def test_sign_in_sheet_pdf_lists_the_invitees(world, scene, client_for):
    client = client_for(world.users["community"])
    text, data = pdf_text(client.get(reverse("consultation:meeting-sign-in-pdf", args=[scene["meeting"].pk])))
    assert "签到表" in text and world.users["property"].display_name in text
    assert "/FontFile2" in data  # the TrueType Chinese font travels with the file


def test_reply_letter_pdf(world, scene, client_for):
    community = world.users["community"]
    petition = petitions.petition_accept(actor=community, petition=scene["petition"])
    petitions.petition_reply(actor=community, petition=petition, reply="经协调，施工方调整了施工时间。")
    text, data = pdf_text(client_for(community).get(reverse("consultation:petition-letter", args=[petition.pk])))
    assert "答复意见书" in text and "施工方调整了施工时间" in text and petition.reference in text
    assert "/FontFile2" in data  # the TrueType Chinese font travels with the file


def test_a_declined_petition_prints_a_notice(world, scene, client_for):
    community = world.users["community"]
    petitions.petition_decline(actor=community, petition=scene["petition"], reason="不属于本部门职责")
    text, _data = pdf_text(
        client_for(community).get(reverse("consultation:petition-letter", args=[scene["petition"].pk]))
    )
    assert "不予受理" in text and "不属于本部门职责" in text


def test_unanswered_petition_has_no_letter(world, scene, client_for):
    """No PDF: back to the petition's own page (not a sign-in page), which says why."""
    petition = scene["petition"]
    response = client_for(world.users["community"]).get(
        reverse("consultation:petition-letter", args=[petition.pk]), follow=True
    )
    assert response.redirect_chain == [(reverse("consultation:petition-detail", args=[petition.pk]), 302)]
    assert response["Content-Type"].startswith("text/html")
    assert "The letter can be printed once the petition is answered." in messages_of(response)


@pytest.mark.parametrize("role", ["district", "community"])
def test_poster_pdf_with_a_qr_code(world, scene, client_for, role):
    text, data = pdf_text(
        client_for(world.users[role]).get(reverse("consultation:article-poster", args=[scene["article"].pk]))
    )
    assert "加装电梯补贴政策解读" in text and "扫码" in text
    assert "/FontFile2" in data  # the TrueType Chinese font travels with the file


def test_a_draft_has_no_poster(world, scene, client_for):
    """No PDF: back to the article's own page (not a sign-in page), which says why."""
    draft = scene["draft"]
    response = client_for(world.users["district"]).get(
        reverse("consultation:article-poster", args=[draft.pk]), follow=True
    )
    assert response.redirect_chain == [(reverse("consultation:article-detail", args=[draft.pk]), 302)]
    assert response["Content-Type"].startswith("text/html")
    assert "Publish the article before printing its poster." in messages_of(response)


def test_the_acknowledgement_letter_for_a_petitioner_without_a_phone(world, groups, client_for):
    community = world.users["community"]
    petition = petitions.petition_submit(
        actor=community,
        estate=world.estates["a1a"],
        petitioner_name="李桂兰",
        petitioner_address="新木路8号3栋201",
        reply_method="letter",
        subject="电梯井占用绿地",
        content="要求恢复绿地",
    )
    url = reverse("consultation:petition-notice-letter", args=[petition.pk])
    text, data = pdf_text(client_for(community).get(url))
    assert "信访事项告知书" in text and "李桂兰" in text and petition.reference in text
    assert f"{petition.accept_due:%Y-%m-%d}前决定是否受理" in text
    assert "/FontFile2" in data
    page = client_for(community).get(reverse("consultation:petition-detail", args=[petition.pk])).content.decode()
    assert 'id="letter-due"' in page and 'id="letter-sent-button"' in page
    response = client_for(community).post(reverse("consultation:petition-act", args=[petition.pk, "letter-sent"]))
    assert response.status_code == 302
    petition.refresh_from_db()
    assert not petition.letter_due
    # Accepted: the letter says by when it will be answered. Not the handler: the name is masked.
    petitions.petition_accept(actor=community, petition=petition)
    petition.refresh_from_db()
    text, _data = pdf_text(client_for(world.users["district"]).get(url))
    assert "已于" in text and "受理" in text and "李桂兰" not in text and "李**" in text
