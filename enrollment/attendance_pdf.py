"""The monthly register of a group as a PDF (A4 landscape), rendered by WeasyPrint.

Same scoping as the other register views (`attendance_stats_views`): a group outside the user's
statistics answers 404, a bad month 400. WeasyPrint needs pango from the system; see
docs/adr/0006-pdf-rendering.md.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import exports
from .attendance_stats_views import _group, _month, _sheet_context

PDF_CONTENT_TYPE = "application/pdf"
TEMPLATE = "enrollment/attendance/stats/sheet_pdf.html"


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (nothing is fetched: no base URL)."""
    import weasyprint  # heavy (pango, fonts): loaded on the first PDF only

    return weasyprint.HTML(string=html).write_pdf()


@never_cache
@login_required
@require_safe
def group_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    month, error = _month(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    html = render_to_string(TEMPLATE, _sheet_context(group, month), request=request)
    response = HttpResponse(html_to_pdf(html), content_type=PDF_CONTENT_TYPE)
    name = exports.export_filename(group, suffix=month.strftime("%Y-%m"), extension="pdf")
    response["Content-Disposition"] = f'attachment; filename="dziennik-{name}"'
    return response
