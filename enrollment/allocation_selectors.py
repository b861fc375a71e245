"""Reads of the fair allocation: window state, the groups a family may apply for, runs and the
decisions a coordinator or a parent may see."""

import datetime as dt
import enum

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from clubs.models import Group, Season

from .exceptions import EnrollmentClosedError
from .models import AllocationDecision, AllocationRun, Application, Participant


class WindowState(enum.Enum):
    NONE = "none"  # no window set
    BEFORE = "before"
    OPEN = "open"
    CLOSED = "closed"


def window_state(*, season: Season, now: dt.datetime) -> WindowState:
    opens, closes = season.applications_open_at, season.applications_close_at
    if opens is None or closes is None:
        return WindowState.NONE
    if now < opens:
        return WindowState.BEFORE
    if now < closes:
        return WindowState.OPEN
    return WindowState.CLOSED


def published_run(*, season_id: int) -> AllocationRun | None:
    return AllocationRun.objects.filter(season_id=season_id, published_at__isnull=False).first()


def lottery_check_enrollment(*, group: Group) -> None:
    """Refuse first-come enrollment in a lottery group until its season's results are published;
    after that the normal enrollment and waiting list take over. No query for other groups."""
    if not group.is_by_lottery:
        return
    if published_run(season_id=group.season_id) is not None:
        return
    raise EnrollmentClosedError(
        _(
            "Places in this group are allocated by lottery after an application window; "
            "applying early gives no advantage. Apply on the applications page: %(url)s"
        )
        % {"url": reverse("allocation:application-list")}
    )


def groups_open_for_applications(*, now: dt.datetime) -> QuerySet[Group]:
    """Published lottery groups of seasons whose application window is open now."""
    return (
        Group.objects.published()
        .by_lottery()
        .filter(season__applications_open_at__lte=now, season__applications_close_at__gt=now)
        .select_related("activity", "season")
        .order_by("activity__name", "age_min", "name")
    )


def seasons_with_lottery() -> QuerySet[Season]:
    lottery = Group.objects.by_lottery().values("season_id")
    return Season.objects.filter(pk__in=lottery, applications_close_at__isnull=False)


def application_list_for_participants(
    *, participants: QuerySet[Participant]
) -> QuerySet[Application]:
    return (
        Application.objects.current()
        .filter(participant__in=participants)
        .select_related("participant", "season")
        .prefetch_related("choices__group__activity")
        .order_by("season__starts_on", "participant__birth_date", "pk")
    )


def decisions_for_participants(*, participants: QuerySet[Participant]) -> QuerySet:
    """The decisions of published runs about these participants' applications."""
    return (
        AllocationDecision.objects.filter(
            run__published_at__isnull=False,
            application__participant__in=participants,
            application__withdrawn_at__isnull=True,
        )
        .select_related("group__activity", "application__participant", "run__season")
        .order_by("application__participant__birth_date", "sequence", "rank")
    )


def run_group_summary(*, run: AllocationRun, groups: QuerySet[Group]) -> list[dict]:
    """Per group: capacity and how many were placed / waitlisted in each tier (one query for the
    counts, one for the groups)."""
    counts = (
        AllocationDecision.objects.filter(run=run, group__in=groups)
        .values("group_id", "tier_position", "tier_name")
        .annotate(
            placed=Count("pk", filter=Q(outcome="placed")),
            waitlisted=Count("pk", filter=Q(outcome="waitlisted")),
        )
        .order_by("group_id", "tier_position")
    )
    by_group: dict[int, list[dict]] = {}
    for row in counts:
        by_group.setdefault(row["group_id"], []).append(row)
    rows = []
    for group in groups.select_related("activity").order_by("activity__name", "age_min", "name"):
        tiers = by_group.get(group.pk, [])
        rows.append(
            {
                "group": group,
                "free": run.inputs.get("free", {}).get(str(group.pk), group.free_places),
                "tiers": tiers,
                "placed": sum(t["placed"] for t in tiers),
                "waitlisted": sum(t["waitlisted"] for t in tiers),
            }
        )
    return rows
