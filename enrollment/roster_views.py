"""The coordinator's roster: the groups a member of staff runs, each group's enrollments, the
actions on them (each one service call, recorded with who and why) and the exports.

Groups are fetched through `permissions.groups_managed_by(user)` and enrollments through their
group, so a group or an enrollment the user may not manage answers 404, exactly like a missing
one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import is_staff_member
from clubs.models import Activity, Group, age_on

from . import exports, services
from .exceptions import EnrollmentError
from .health_reads import health_notes_read_record
from .models import Enrollment, EnrollmentStatus, Guardianship, HealthNotePage
from .permissions import groups_managed_by, sees_health_notes
from .roster_filters import (
    DEFAULT_TAB,
    TAB_CHOICES,
    TAB_ORDER,
    TABS,
    ManagedGroupFilter,
    RosterFilter,
)
from .roster_forms import (
    ApproveForm,
    MoveForm,
    PromoteForm,
    RejectForm,
    ReorderForm,
)
from .selectors import enrollment_list_for_group, photo_allowed_among

S = EnrollmentStatus
GROUP_PAGE_SIZE = 50
EXPORT_TABS = ("active", "waitlisted")
# Which actions the enrollment page offers in each status (the services have the last word).
ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    S.PENDING: ("approve", "reject"),
    S.WAITLISTED: ("promote", "reorder", "reject"),
    S.ACTIVE: ("move",),
}
FORMS: dict[str, type[forms.Form]] = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "promote": PromoteForm,
    "reorder": ReorderForm,
    "move": MoveForm,
}


def _with_guardians(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """One more query for the guardians (and their users) of every listed household."""
    return queryset.select_related("participant__household").prefetch_related(
        Prefetch(
            "participant__household__guardians",
            queryset=Guardianship.objects.select_related("user").order_by("pk"),
        )
    )


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    age: int
    photo_allowed: bool


def _rows(enrollments: list[Enrollment]) -> list[RosterRow]:
    allowed = photo_allowed_among(participant_ids={e.participant_id for e in enrollments})
    today = timezone.localdate()
    return [
        RosterRow(
            enrollment=e,
            age=age_on(e.participant.birth_date, today),
            photo_allowed=e.participant_id in allowed,
        )
        for e in enrollments
    ]


def _managed_group(request: HttpRequest, pk: int) -> Group:
    return get_object_or_404(
        groups_managed_by(request.user).select_related("activity", "season"), pk=pk
    )


def _managed_enrollment(request: HttpRequest, group_id: int, pk: int) -> tuple[Group, Enrollment]:
    """The group through the user's scope, the enrollment through the group: an enrollment of
    another group answers 404 even when the user manages both."""
    group = _managed_group(request, group_id)
    enrollment = get_object_or_404(_with_guardians(enrollment_list_for_group(group=group)), pk=pk)
    return group, enrollment


def _move_targets(user, group: Group) -> QuerySet[Group]:
    return (
        groups_managed_by(user)
        .filter(activity_id=group.activity_id, season_id=group.season_id)
        .exclude(pk=group.pk)
        .order_by("age_min", "name")
    )


def _action_form(name: str, user, group: Group, data=None) -> forms.Form:
    if name == "move":
        return MoveForm(data, prefix=name, groups=_move_targets(user, group))
    return FORMS[name](data, prefix=name)


# --- Pages ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise Http404  # a family's or an instructor's account has no rosters
    managed = groups_managed_by(request.user)
    filterset = ManagedGroupFilter(
        request.GET or None,
        queryset=managed.select_related("activity", "season").annotate(
            pending=Count("enrollments", filter=Q(enrollments__status=S.PENDING))
        ),
        activities=Activity.objects.filter(groups__in=managed).distinct(),
    )
    season = filterset.selected_season()
    groups = filterset.qs.filter(season=season) if season else filterset.qs.none()
    # Meta.ordering does not apply to a query with an aggregate: order explicitly.
    groups = groups.order_by("activity__name", "age_min", "name", "pk")
    page = Paginator(groups, GROUP_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enrollment/roster/group_list.html",
        {
            "filter": filterset,
            "season": season,
            "page_obj": page,
            "groups": page.object_list,
            "query": query.urlencode(),
        },
    )


@never_cache
@login_required
@require_safe
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    tab = request.GET.get("status")
    if tab not in TABS:
        tab = DEFAULT_TAB
    data = request.GET.copy()
    data["status"] = tab
    filterset = RosterFilter(data, queryset=_with_guardians(enrollment_list_for_group(group=group)))
    rows = _rows(list(filterset.qs))
    counts = Enrollment.objects.filter(group=group).aggregate(
        **{key: Count("pk", filter=Q(status__in=statuses)) for key, statuses in TABS.items()}
    )
    show_health = sees_health_notes(request.user, group)
    if show_health:
        health_notes_read_record(
            reader=request.user,
            participants=[row.enrollment.participant for row in rows],
            page=HealthNotePage.ROSTER,
            path=request.get_full_path(),
        )
    return render(
        request,
        "enrollment/roster/group_detail.html",
        {
            "group": group,
            "filter": filterset,
            "tab": tab,
            "tab_label": dict(TAB_CHOICES)[tab],
            "tabs": [(key, label, counts[key]) for key, label in TAB_CHOICES],
            "rows": rows,
            "show_health": show_health,
            "can_export": tab in EXPORT_TABS,
        },
    )


def _render_enrollment(
    request: HttpRequest,
    group: Group,
    enrollment: Enrollment,
    *,
    bound: tuple[str, forms.Form] | None = None,
) -> HttpResponse:
    action_forms = {
        name: _action_form(name, request.user, group)
        for name in ACTIONS_BY_STATUS.get(enrollment.status, ())
    }
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    [row] = _rows([enrollment])
    show_health = sees_health_notes(request.user, group)
    if show_health:
        health_notes_read_record(
            reader=request.user,
            participants=[enrollment.participant],
            page=HealthNotePage.ENROLLMENT,
            path=request.get_full_path(),
        )
    return render(
        request,
        "enrollment/roster/enrollment_detail.html",
        {
            "group": group,
            "enrollment": enrollment,
            "row": row,
            "events": enrollment.events.select_related("actor"),
            "forms": action_forms,
            "show_health": show_health,
            "tab": next(key for key, statuses in TABS.items() if enrollment.status in statuses),
        },
    )


@never_cache
@login_required
@require_safe
def enrollment_detail(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    group, enrollment = _managed_enrollment(request, group_id, pk)
    return _render_enrollment(request, group, enrollment)


# --- Actions: one form, one service call, a message, back where the user was ----------------


def _back(request: HttpRequest, enrollment: Enrollment) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("roster:enrollment-detail", group_id=enrollment.group_id, pk=enrollment.pk)


def _act(
    request: HttpRequest,
    group_id: int,
    pk: int,
    *,
    action: str,
    perform: Callable[[Enrollment, dict], str],
) -> HttpResponse:
    """Validate the action's form, call the service, turn a domain error into a message."""
    group, enrollment = _managed_enrollment(request, group_id, pk)
    form = _action_form(action, request.user, group, data=request.POST)
    if not form.is_valid():
        return _render_enrollment(request, group, enrollment, bound=(action, form))
    try:
        done = perform(enrollment, form.cleaned_data)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(request, enrollment)


def _name(enrollment: Enrollment) -> dict[str, str]:
    return {"name": str(enrollment.participant)}


@login_required
@require_POST
def approve(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    def perform(enrollment: Enrollment, data: dict) -> str:
        result = services.enrollment_approve(
            enrollment=enrollment, by=request.user, reason=data["reason"]
        )
        if result.status == S.ACTIVE:
            return _("Approved: %(name)s has a place in the group.") % _name(result)
        return _("Approved, but the group is full: %(name)s is on the waiting list.") % _name(
            result
        )

    return _act(request, group_id, pk, action="approve", perform=perform)


@login_required
@require_POST
def reject(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    def perform(enrollment: Enrollment, data: dict) -> str:
        result = services.enrollment_reject(
            enrollment=enrollment, by=request.user, reason=data["reason"]
        )
        return _("Rejected: %(name)s.") % _name(result)

    return _act(request, group_id, pk, action="reject", perform=perform)


@login_required
@require_POST
def promote(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    def perform(enrollment: Enrollment, data: dict) -> str:
        result = services.waitlist_promote(
            enrollment=enrollment, by=request.user, reason=data["reason"]
        )
        if result.status == S.ACTIVE:
            return _("Promoted: %(name)s has a place in the group.") % _name(result)
        return _("There is no free place: %(name)s is now first on the waiting list.") % _name(
            result
        )

    return _act(request, group_id, pk, action="promote", perform=perform)


@login_required
@require_POST
def reorder(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    def perform(enrollment: Enrollment, data: dict) -> str:
        up = data["direction"] == ReorderForm.UP
        result = services.waitlist_reorder(
            enrollment=enrollment, by=request.user, up=up, reason=data["reason"]
        )
        if up:
            return _("%(name)s has moved up the waiting list.") % _name(result)
        return _("%(name)s has moved down the waiting list.") % _name(result)

    return _act(request, group_id, pk, action="reorder", perform=perform)


@login_required
@require_POST
def move(request: HttpRequest, group_id: int, pk: int) -> HttpResponse:
    def perform(enrollment: Enrollment, data: dict) -> str:
        moved = services.enrollment_move(
            enrollment=enrollment,
            to_group=data["to_group"],
            by=request.user,
            reason=data["reason"],
        )
        return _("%(name)s has moved to %(group)s.") % {
            **_name(moved),
            "group": data["to_group"].name,
        }

    return _act(request, group_id, pk, action="move", perform=perform)


# --- Exports ----------------------------------------------------------------------------------


def _export(request: HttpRequest, pk: int) -> tuple[Group, list[exports.ExportRow], str]:
    group = _managed_group(request, pk)
    tab = request.GET.get("status", DEFAULT_TAB)
    if tab not in EXPORT_TABS:
        raise Http404
    enrollments = list(
        _with_guardians(Enrollment.objects.filter(group=group, status__in=TABS[tab])).order_by(
            *TAB_ORDER[tab]
        )
    )
    rows = exports.export_rows(
        enrollments,
        photo_allowed=photo_allowed_among(participant_ids={e.participant_id for e in enrollments}),
        today=timezone.localdate(),
    )
    suffix = "" if tab == DEFAULT_TAB else str(dict(TAB_CHOICES)[tab])
    return group, rows, suffix


def _attachment(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_safe
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    group, rows, suffix = _export(request, pk)
    return _attachment(
        exports.roster_csv(rows).encode("utf-8"),
        content_type=exports.CSV_CONTENT_TYPE,
        filename=exports.export_filename(group, suffix=suffix, extension="csv"),
    )


@never_cache
@login_required
@require_safe
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    group, rows, suffix = _export(request, pk)
    return _attachment(
        exports.roster_xlsx(rows, title=group.name),
        content_type=exports.XLSX_CONTENT_TYPE,
        filename=exports.export_filename(group, suffix=suffix, extension="xlsx"),
    )
