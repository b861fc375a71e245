"""The figures for the city: participants per month and instructor hours, with the XLSX."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clubs.models import Activity

from .. import city, exports
from ..filters import CityFilter
from ..permissions import dashboard_groups, people_scope
from .common import PAGE_SIZE, _attachment, _query_without_page, report_of_year


def _city_filter(request: HttpRequest) -> CityFilter:
    """The city figures' filter over the groups the user may see (the page and its XLSX)."""
    scope = dashboard_groups(request.user)
    return CityFilter(
        request.GET or None,
        queryset=scope,
        activities=Activity.objects.filter(groups__in=scope).distinct().order_by("name"),
    )


def _month_labels() -> list[str]:
    return [formats.date_format(dt.date(2000, m, 1), "b") for m in range(1, 13)]


@never_cache
@login_required
@require_safe
@report_of_year
def city_view(request: HttpRequest, year: int) -> HttpResponse:
    filterset = _city_filter(request)
    groups = filterset.qs
    activities = city.participants_per_month(year=year, groups=groups)
    if filterset.sort_key() == "-peak":
        activities.sort(key=lambda row: (-row.peak, row.name))
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/city.html",
        {
            "filter": filterset,
            "year": year,
            "page_obj": page,
            "activities": page.object_list,
            "totals": city.month_totals(activities),
            "instructors": city.instructor_hours(year=year, groups=groups),
            "month_labels": _month_labels(),
            "sees_people": people_scope(request.user) is not None,
            "query": _query_without_page(request),
        },
    )


@never_cache
@login_required
@require_safe
@report_of_year
def city_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    groups = _city_filter(request).qs
    people = None
    if request.GET.get("names") == "1":
        scope = people_scope(request.user)
        if scope is None:
            raise Http404
        people = list(city.people_per_activity(year=year, groups=groups, scope=scope))
    content = exports.city_xlsx(
        year=year,
        activities=city.participants_per_month(year=year, groups=groups),
        instructors=city.instructor_hours(year=year, groups=groups),
        people=people,
        month_labels=_month_labels(),
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    suffix = "-imiennie" if people is not None else ""
    return _attachment(response, f"uczestnicy-i-godziny-{year}{suffix}.xlsx")
