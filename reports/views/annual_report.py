"""The annual statistics report: the page, its XLSX and PDF exports and the drill-down."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from enrollment.attendance_pdf import PDF_CONTENT_TYPE, html_to_pdf

from .. import annual, exports
from ..filters import PeopleFilter
from ..models import AgeBracket, Section
from ..permissions import people_scope
from .common import _attachment, _query_without_page, report_of_year

PEOPLE_PAGE_SIZE = 50


def _annual_context(request: HttpRequest, year: int) -> dict:
    report = annual.annual_report(year=year)
    return {
        "report": report,
        "year": year,
        "previous_year": year - 1,
        "next_year": year + 1,
        "sees_people": people_scope(request.user) is not None,
        "generated_at": timezone.localtime(),
    }


@never_cache
@login_required
@require_safe
@report_of_year
def annual_view(request: HttpRequest, year: int) -> HttpResponse:
    return render(request, "reports/annual.html", _annual_context(request, year))


@never_cache
@login_required
@require_safe
@report_of_year
def annual_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    content = exports.annual_xlsx(annual.annual_report(year=year))
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    return _attachment(response, f"sprawozdanie-{year}.xlsx")


@never_cache
@login_required
@require_safe
@report_of_year
def annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    html = render_to_string("reports/annual_pdf.html", _annual_context(request, year), request)
    response = HttpResponse(html_to_pdf(html), content_type=PDF_CONTENT_TYPE)
    return _attachment(response, f"sprawozdanie-{year}.pdf")


@never_cache
@login_required
@require_safe
@report_of_year
def annual_people(request: HttpRequest, year: int) -> HttpResponse:
    """The people (or units) behind one figure of the annual report."""
    section = request.GET.get("section")
    measure = request.GET.get("measure")
    if section not in Section.values or measure not in (*annual.Measure.PEOPLE, "units"):
        raise Http404
    row_key = request.GET.get("row") or None
    bracket = None
    if request.GET.get("bracket"):
        value = request.GET["bracket"]
        bracket = AgeBracket.objects.filter(pk=value).first() if value.isdigit() else None
        if bracket is None:
            raise Http404
    context = {
        "year": year,
        "section": section,
        "section_label": Section(section).label,
        "measure": measure,
        "bracket": bracket,
        "row_key": row_key,
        "query": _query_without_page(request),
    }
    if measure == "units":
        units = annual.units_behind(year=year, section=section, row_key=row_key)
        page = Paginator(units, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request, "reports/annual_units.html", {**context, "page_obj": page, "units": page}
        )
    everyone = annual.people_behind(
        year=year, measure=measure, section=section, row_key=row_key, bracket=bracket
    )
    scope = people_scope(request.user)
    if scope is None:
        raise Http404
    visible = everyone.filter(scope) if scope != Q() else everyone
    filterset = PeopleFilter(request.GET or None, queryset=visible)
    people = filterset.qs
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    total = everyone.count()
    shown_total = visible.count() if scope != Q() else total
    return render(
        request,
        "reports/annual_people.html",
        {
            **context,
            "filter": filterset,
            "page_obj": page,
            "people": page.object_list,
            "total": total,
            "hidden": total - shown_total,
            "reference_date": dt.date(year, 12, 31),
            "is_courses": section == Section.COURSES,
        },
    )
