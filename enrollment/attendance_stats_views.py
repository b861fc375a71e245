"""A group's attendance statistics and its monthly register (HTML for printing, XLSX; the PDF
is in `attendance_pdf`).

Groups are fetched through `attendance_stats.groups_for_stats(user)`: a group the user does not
teach, coordinate or run answers 404, exactly like a missing one.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clubs.models import Group

from . import attendance_sheet, exports
from . import attendance_stats as stats


def _group(request: HttpRequest, pk: int) -> Group:
    return get_object_or_404(
        stats.groups_for_stats(request.user).select_related("activity", "season"), pk=pk
    )


def _month(request: HttpRequest) -> tuple[dt.date, str | None]:
    """The requested month, or this month and a message saying what was wrong."""
    value = request.GET.get("month")
    try:
        return stats.month_parse(value), None
    except stats.BadMonthError:
        message = _("“%(value)s” is not a month. Choose a month as YYYY-MM, e.g. %(example)s.")
        return stats.month_parse(None), message % {
            "value": value,
            "example": timezone.localdate().strftime("%Y-%m"),
        }


def _month_context(month: dt.date) -> dict:
    return {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "previous_month": stats.month_previous(month).strftime("%Y-%m"),
        "next_month": stats.month_next(month).strftime("%Y-%m"),
    }


def _sheet_context(group: Group, month: dt.date) -> dict:
    """What the register's table (`_sheet_table.html`) needs: for the page and the PDF."""
    data = stats.group_sheet(group=group, month=month)
    abbreviations = attendance_sheet.status_abbreviations()
    return {
        "group": group,
        "sheet": data,
        "header": attendance_sheet.header_lines(data),
        "total_headers": attendance_sheet.total_headers(),
        "legend": attendance_sheet.legend(),
        "rows": [(row, [abbreviations.get(cell, "") for cell in row.cells]) for row in data.rows],
        **_month_context(month),
    }


@never_cache
@login_required
@require_safe
def group_stats(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    month, error = _month(request)
    return render(
        request,
        "enrollment/attendance/stats/group.html",
        {
            "group": group,
            "stats": stats.group_stats(group=group, month=month),
            "month_error": error,
            **_month_context(month),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_safe
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    month, error = _month(request)
    return render(
        request,
        "enrollment/attendance/stats/sheet.html",
        {**_sheet_context(group, month), "month_error": error},
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_safe
def sheet_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(request, pk)
    month, error = _month(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    content = attendance_sheet.sheet_xlsx(stats.group_sheet(group=group, month=month))
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    filename = exports.export_filename(group, suffix=month.strftime("%Y-%m"), extension="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
