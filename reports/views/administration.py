"""The director's pages: the report settings and the season rollover."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clubs.models import Season

from .. import config
from ..exceptions import ReportConfigError, RolloverError
from ..forms import AgeBracketFormSet, ReportRowFormSet, RolloverForm, specs_of
from ..models import AgeBracket
from ..permissions import can_configure_reports, can_roll_over_season
from ..rollover import season_rollover, season_rollover_preview
from .common import _require

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
