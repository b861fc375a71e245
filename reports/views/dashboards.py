"""The dashboard: fill and attendance of the groups the user may see."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clubs.models import Activity

from .. import charts, dashboard
from ..filters import DashboardFilter
from ..permissions import can_view_reports, dashboard_groups, people_scope
from .common import PAGE_SIZE, _query_without_page, _require


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


@never_cache
@login_required
@require_safe
def dashboard_view(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    scope = dashboard_groups(request.user)
    now = timezone.now()
    filterset = DashboardFilter(
        request.GET or None,
        queryset=dashboard.groups_with_figures(scope, now=now),
        activities=Activity.objects.filter(groups__in=scope).distinct().order_by("name"),
    )
    season = filterset.selected_season()
    groups = filterset.qs.filter(season=season) if season else filterset.qs.none()
    if not (
        filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("sort")
    ):
        groups = groups.order_by("activity__name", "age_min", "name", "pk")
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    totals = dashboard.summary(groups, now=now)
    months = dashboard.attendance_by_month(groups, season=season, now=now)
    fill_chart = charts.bar_chart(
        [(f"{g.activity.name}: {g.name}", g.fill, _percent(g.fill)) for g in rows]
    )
    trend_chart = charts.line_chart(
        [(formats.date_format(m.month, "M Y"), m.rate, _percent(m.rate)) for m in months]
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "filter": filterset,
            "season": season,
            "page_obj": page,
            "groups": rows,
            "totals": totals,
            "months": months,
            "fill_chart": fill_chart,
            "trend_chart": trend_chart,
            "query": _query_without_page(request),
            "whole_centre": people_scope(request.user) == Q(),
        },
    )
