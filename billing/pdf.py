"""Billing documents as PDF: the same WeasyPrint rendering as the attendance register
(docs/adr/0006-pdf-rendering.md): self-contained HTML, A4, DejaVu Sans for Polish letters."""

from django.http import HttpResponse

from enrollment.attendance_pdf import PDF_CONTENT_TYPE
from enrollment.attendance_pdf import html_to_pdf as _html_to_pdf


def html_to_pdf(html: str) -> bytes:
    return _html_to_pdf(html)


def pdf_response(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(html_to_pdf(html), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
