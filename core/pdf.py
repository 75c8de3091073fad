"""HTML → PDF with weasyprint, with a CJK font embedded (Source Han Sans SC, shipped in static/fonts).

Templates extend ``pdf/base.html``, which declares the font with @font-face, so the PDF shows real
Chinese glyphs on any machine, with or without system CJK fonts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.encoding import escape_uri_path


def font_url() -> str:
    return settings.PDF_FONT_PATH.as_uri()


def render_pdf(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML  # here: weasyprint takes a second to import, and most requests print nothing

    html = render_to_string(template, {"pdf_font_url": font_url(), **context}, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
