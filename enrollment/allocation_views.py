"""Pages of the fair allocation.

Families: apply during the window (per child, up to three groups in order, siblings together
or not at all), change or withdraw until the close, and read each child's explained result.
Staff: the runs of the seasons they allocate, a dry run, the review per group and tier, the
decisions log with reasons, and the publication. Seasons and runs come through
`allocation_permissions`, so "not yours" answers 404 like a missing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import is_staff_member

from . import services
from .allocation_forms import ApplicationForm, DecisionFilter, PreferencesForm, PublishForm
from .allocation_permissions import (
    can_publish_allocation,
    lottery_groups_managed_by,
    runs_visible_to,
    seasons_allocated_by,
)
from .allocation_selectors import (
    WindowState,
    application_list_for_participants,
    decisions_for_participants,
    groups_open_for_applications,
    run_group_summary,
    window_state,
)
from .exceptions import EnrollmentError
from .models import AllocationDecision, AllocationRun, Application
from .permissions import participants_of

DECISIONS_PAGE_SIZE = 100
CHOICE_FIELDS = ("choice_1", "choice_2", "choice_3")


# --- families ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    participants = participants_of(request.user)
    can_act = participants_of(request.user, full_rights=True)
    applications = list(application_list_for_participants(participants=participants))
    actable = set(can_act.values_list("pk", flat=True))
    for application in applications:
        application.can_change = application.participant_id in actable and (
            window_state(season=application.season, now=now) is WindowState.OPEN
        )
    open_groups = groups_open_for_applications(now=now)
    seasons = {group.season for group in open_groups}
    return render(
        request,
        "enrollment/allocation/application_list.html",
        {
            "applications": applications,
            "results": list(decisions_for_participants(participants=participants)),
            "seasons": sorted(seasons, key=lambda s: s.starts_on),
            "can_apply": bool(seasons) and can_act.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    groups = groups_open_for_applications(now=timezone.now())
    participants = participants_of(request.user, full_rights=True).select_related("household")
    form = ApplicationForm(request.POST or None, groups=groups, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            applications = services.application_submit(
                participants=list(form.cleaned_data["participants"]),
                preferences=form.preferences(),
                together=form.cleaned_data["together"],
                submitted_by=request.user,
            )
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Application sent for %(names)s. You can change it until applications close.")
                % {"names": ", ".join(str(a.participant) for a in applications)},
            )
            return redirect("allocation:application-list")
    return render(
        request,
        "enrollment/allocation/application_form.html",
        {"form": form, "has_groups": groups.exists(), "change": False},
    )


def _my_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.current()
        .filter(participant__in=participants_of(request.user, full_rights=True))
        .select_related("participant__household", "season"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_change(request: HttpRequest, pk: int) -> HttpResponse:
    application = _my_application(request, pk)
    groups = groups_open_for_applications(now=timezone.now()).filter(season=application.season)
    chosen = list(application.choices.select_related("group").order_by("rank"))
    initial = {CHOICE_FIELDS[c.rank - 1]: c.group for c in chosen}
    form = PreferencesForm(request.POST or None, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_change(
                application=application, preferences=form.preferences(), changed_by=request.user
            )
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The application has been changed."))
            return redirect("allocation:application-list")
    return render(
        request,
        "enrollment/allocation/application_form.html",
        {"form": form, "application": application, "has_groups": True, "change": True},
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _my_application(request, pk)
    try:
        services.application_withdraw(application=application, by=request.user)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The application for %(name)s has been withdrawn.")
            % {"name": application.participant},
        )
    return redirect("allocation:application-list")


# --- staff ------------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise Http404


@never_cache
@login_required
@require_safe
def run_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    now = timezone.now()
    seasons = list(seasons_allocated_by(request.user).order_by("-starts_on"))
    runs = runs_visible_to(request.user).select_related("started_by", "published_by")
    by_season: dict[int, list[AllocationRun]] = {}
    for run in runs:
        by_season.setdefault(run.season_id, []).append(run)
    rows = [
        {
            "season": season,
            "state": window_state(season=season, now=now).value,
            "runs": by_season.get(season.pk, []),
            "published": any(run.is_published for run in by_season.get(season.pk, [])),
        }
        for season in seasons
    ]
    return render(request, "enrollment/allocation/run_list.html", {"rows": rows})


@login_required
@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    season = get_object_or_404(seasons_allocated_by(request.user), pk=pk)
    try:
        run = services.allocation_run(season=season, actor=request.user)
    except EnrollmentError as error:
        messages.error(request, error.message)
        return redirect("allocation:run-list")
    messages.success(request, _("Dry run ready: review it before publishing."))
    return redirect("allocation:run-detail", pk=run.pk)


def _visible_run(request: HttpRequest, pk: int) -> AllocationRun:
    _staff(request)
    return get_object_or_404(
        runs_visible_to(request.user).select_related("season", "started_by", "published_by"),
        pk=pk,
    )


def _render_run(request: HttpRequest, run: AllocationRun, form: PublishForm) -> HttpResponse:
    groups = lottery_groups_managed_by(request.user).filter(season=run.season)
    published = AllocationRun.objects.filter(season=run.season, published_at__isnull=False).exists()
    return render(
        request,
        "enrollment/allocation/run_detail.html",
        {
            "run": run,
            "rows": run_group_summary(run=run, groups=groups),
            "form": form,
            "can_publish": not published and can_publish_allocation(request.user, run.season),
            "season_published": published,
            "tiers": run.inputs.get("tiers", []),
            "applications": run.inputs.get("applications", 0),
        },
    )


@never_cache
@login_required
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    return _render_run(request, run, PublishForm())


@never_cache
@login_required
@require_safe
def run_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    groups = lottery_groups_managed_by(request.user).filter(season=run.season)
    queryset = (
        AllocationDecision.objects.filter(run=run, group__in=groups)
        .select_related("application__participant", "group__activity")
        .order_by("sequence", "rank", "pk")
    )
    filterset = DecisionFilter(
        request.GET or None,
        queryset=queryset,
        groups=groups.select_related("activity").order_by("activity__name", "name"),
    )
    page = Paginator(filterset.qs, DECISIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enrollment/allocation/decision_list.html",
        {
            "run": run,
            "filter": filterset,
            "page_obj": page,
            "decisions": page.object_list,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    if not can_publish_allocation(request.user, run.season):
        raise Http404
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _render_run(request, run, form)
    try:
        made = services.allocation_publish(run=run, actor=request.user)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Published: %(count)d enrollments made; every family has been sent its results.")
            % {"count": made},
        )
    return redirect("allocation:run-detail", pk=run.pk)
