"""The reports pages: dashboards, the annual statistics report (screen, XLSX, PDF) with its
drill-down, the figures for the city, the report settings and the season rollover.

Access is decided in `permissions`; a page the user may not open answers 404 like a missing one
(anonymous users are sent to log in first), as the coordinators' other pages do.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clubs.models import Activity, Season
from enrollment.attendance_pdf import PDF_CONTENT_TYPE, html_to_pdf

from . import annual, charts, city, config, dashboard, exports
from .exceptions import BadYearError, ReportConfigError, RolloverError
from .filters import CityFilter, DashboardFilter, PeopleFilter
from .forms import AgeBracketFormSet, ReportRowFormSet, RolloverForm, specs_of
from .models import AgeBracket, Section
from .permissions import (
    can_configure_reports,
    can_roll_over_season,
    can_view_reports,
    dashboard_groups,
    people_scope,
)
from .rollover import season_rollover, season_rollover_preview

PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 50


def _require(predicate, request: HttpRequest) -> None:
    if not predicate(request.user):
        raise Http404


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


# --- dashboards ---------------------------------------------------------------------------------


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


# --- the annual report -------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    return annual.year_parse(request.GET.get("year"))


def _bad_year(request: HttpRequest, exc: BadYearError) -> HttpResponse:
    return render(
        request,
        "reports/bad_year.html",
        {"message": exc.messages[0], "value": request.GET.get("year", "")},
        status=400,
    )


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
def annual_view(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
    return render(request, "reports/annual.html", _annual_context(request, year))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_safe
def annual_xlsx(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
    content = exports.annual_xlsx(annual.annual_report(year=year))
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    return _attachment(response, f"sprawozdanie-{year}.xlsx")


@never_cache
@login_required
@require_safe
def annual_pdf(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
    html = render_to_string("reports/annual_pdf.html", _annual_context(request, year), request)
    response = HttpResponse(html_to_pdf(html), content_type=PDF_CONTENT_TYPE)
    return _attachment(response, f"sprawozdanie-{year}.pdf")


@never_cache
@login_required
@require_safe
def annual_people(request: HttpRequest) -> HttpResponse:
    """The people (or units) behind one figure of the annual report."""
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
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


# --- figures for the city ----------------------------------------------------------------------


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
def city_view(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
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
def city_xlsx(request: HttpRequest) -> HttpResponse:
    _require(can_view_reports, request)
    try:
        year = _year(request)
    except BadYearError as exc:
        return _bad_year(request, exc)
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


# --- settings ----------------------------------------------------------------------------------


def _bracket_initial() -> list[dict]:
    return [
        {"label": b.label, "age_min": b.age_min, "age_max": b.age_max}
        for b in AgeBracket.objects.all()
    ]


def _row_initial() -> list[dict]:
    return [
        {"section": r.section, "label": r.label, "position": r.position, "categories": r.categories}
        for r in config.ReportRow.objects.all()
    ]


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """Age brackets and rows of the form, each set saved whole or not at all."""
    _require(can_configure_reports, request)
    brackets = AgeBracketFormSet(prefix="brackets", initial=_bracket_initial())
    rows = ReportRowFormSet(prefix="rows", initial=_row_initial())
    problems: list[str] = []
    if request.method == "POST":
        which = request.POST.get("save")
        if which == "brackets":
            brackets = AgeBracketFormSet(
                request.POST, prefix="brackets", initial=_bracket_initial()
            )
            if brackets.is_valid():
                try:
                    config.age_brackets_replace(brackets=specs_of(brackets))
                except ReportConfigError as exc:
                    problems = [str(m) for m in exc.messages]
                else:
                    messages.success(request, _("The age brackets were saved."))
                    return redirect("reports:settings")
        elif which == "rows":
            rows = ReportRowFormSet(request.POST, prefix="rows", initial=_row_initial())
            if rows.is_valid():
                try:
                    config.report_rows_replace(rows=specs_of(rows))
                except ReportConfigError as exc:
                    problems = [str(m) for m in exc.messages]
                else:
                    messages.success(request, _("The rows of the form were saved."))
                    return redirect("reports:settings")
        else:
            return HttpResponse(status=400)
    failed = request.method == "POST"
    return render(
        request,
        "reports/settings.html",
        {"brackets": brackets, "rows": rows, "problems": problems},
        status=400 if failed else 200,
    )


# --- season rollover ---------------------------------------------------------------------------


def _next_season(source: Season | None) -> Season | None:
    if source is None:
        return None
    return Season.objects.filter(starts_on__gt=source.starts_on).order_by("starts_on").first()


@never_cache
@login_required
@require_safe
def rollover_view(request: HttpRequest) -> HttpResponse:
    """Choose the seasons, then see what would be copied (nothing changes here)."""
    _require(can_roll_over_season, request)
    preview, error = None, None
    if "source" in request.GET:
        form = RolloverForm(request.GET)
        if form.is_valid():
            try:
                preview = season_rollover_preview(
                    source=form.cleaned_data["source"], target=form.cleaned_data["target"]
                )
            except RolloverError as exc:
                error = exc.messages[0]
    else:
        source = Season.objects.current()
        form = RolloverForm(initial={"source": source, "target": _next_season(source)})
    return render(
        request,
        "reports/rollover.html",
        {"form": form, "preview": preview, "error": error},
        status=400 if error or (form.is_bound and not form.is_valid()) else 200,
    )


@login_required
@require_POST
def rollover_confirm(request: HttpRequest) -> HttpResponse:
    _require(can_roll_over_season, request)
    form = RolloverForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/rollover.html", {"form": form}, status=400)
    source, target = form.cleaned_data["source"], form.cleaned_data["target"]
    try:
        outcome = season_rollover(source=source, target=target)
    except RolloverError as exc:
        return render(
            request, "reports/rollover.html", {"form": form, "error": exc.messages[0]}, status=400
        )
    messages.success(
        request,
        _(
            "Season %(target)s: %(created)d groups created, %(existing)d already there, "
            "%(plans)d fee plans copied, %(households)d families invited to re-enroll."
        )
        % {
            "target": target,
            "created": outcome.groups_created,
            "existing": outcome.groups_existing,
            "plans": outcome.fee_plans_created,
            "households": outcome.households_invited,
        },
    )
    return redirect(f"{reverse('reports:rollover')}?source={source.pk}&target={target.pk}")
