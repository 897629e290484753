"""Printed forms: A4 PDFs from Django templates (WeasyPrint), Chinese font embedded, QR codes inline.

The font is WenQuanYi Micro Hei from Debian's fonts-wqy-microhei (bin/setup installs it): a
TrueType face WeasyPrint subsets in a fraction of a second, where Noto CJK takes seconds a
face (shared/field-notes.md). Noto Sans CJK stays second in the list for rare characters.
"""

from __future__ import annotations

import segno
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

PDF_FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'


def qr_svg(data: str, *, scale: int = 3) -> str:
    """An inline SVG QR code (no image library needed)."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, border=2))


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    # Start-up cost: WeasyPrint (and its fonts) load only when a PDF is printed.
    from weasyprint import HTML

    html = render_to_string(template_name, {"pdf_font_family": PDF_FONT_FAMILY, **context})
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(template_name: str, context: dict, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
