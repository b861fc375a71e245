"""Reads of the enrollment app, with related rows loaded up front."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from clubs.models import Group, Season

from .models import (
    REQUIRED_CONSENTS,
    ConsentDecision,
    ConsentKind,
    ConsentText,
    Enrollment,
    EnrollmentStatus,
    Guardianship,
    Household,
    Participant,
)


def household_for_user(*, user) -> Household | None:
    guardianship = (
        Guardianship.objects.select_related("household").filter(user=user).order_by("pk").first()
    )
    return guardianship.household if guardianship else None


def guardianship_for(*, user, household: Household) -> Guardianship | None:
    return Guardianship.objects.filter(user=user, household=household).first()


def participant_list_for_user(*, user) -> QuerySet[Participant]:
    """Participants in households where the user is a guardian."""
    return Participant.objects.filter(household__guardians__user=user).distinct()


def consent_state(*, participant: Participant) -> dict[str, ConsentDecision | None]:
    """The latest decision per consent kind."""
    state: dict[str, ConsentDecision | None] = dict.fromkeys(ConsentKind.values)
    for decision in participant.consent_decisions.select_related("text").order_by(
        "-decided_at", "-pk"
    ):
        if state[decision.text.kind] is None:
            state[decision.text.kind] = decision
    return state


def consents_current_versions() -> dict[str, int]:
    versions: dict[str, int] = {}
    for text in ConsentText.objects.order_by("kind", "-version"):
        versions.setdefault(text.kind, text.version)
    return versions


def consents_missing(*, participant: Participant) -> list[str]:
    """Required consents not granted in their current wording (one query: the latest decision
    per required kind, with the kind's current version alongside)."""
    current = (
        ConsentText.objects.filter(kind=OuterRef("text__kind"))
        .order_by("-version")
        .values("version")[:1]
    )
    decisions = (
        ConsentDecision.objects.filter(participant=participant, text__kind__in=REQUIRED_CONSENTS)
        .annotate(current_version=Subquery(current))
        .order_by("-decided_at", "-pk")
        .values_list("text__kind", "granted", "text__version", "current_version")
    )
    latest: dict[str, tuple[bool, int, int | None]] = {}
    for kind, granted, version, current_version in decisions:
        latest.setdefault(kind, (granted, version, current_version))
    missing = []
    for kind in sorted(REQUIRED_CONSENTS):
        decision = latest.get(kind)
        if decision is None:
            missing.append(kind)
            continue
        granted, version, current_version = decision
        if not granted or version < (current_version if current_version is not None else version):
            missing.append(kind)
    return missing


def photo_allowed(*, participant: Participant) -> bool:
    decision = consent_state(participant=participant)[ConsentKind.IMAGE]
    return bool(decision and decision.granted)


def season_previous(*, season: Season) -> Season | None:
    return Season.objects.filter(starts_on__lt=season.starts_on).order_by("-starts_on").first()


def participant_is_continuing(*, participant: Participant, group: Group) -> bool:
    """Active in the same activity in the season just before the group's season (one query)."""
    previous = (
        Season.objects.filter(starts_on__lt=group.season.starts_on)
        .order_by("-starts_on")
        .values("pk")[:1]
    )
    return Enrollment.objects.filter(
        Q(status=EnrollmentStatus.ACTIVE)
        | Q(status=EnrollmentStatus.WITHDRAWN, ends_on__isnull=False),
        participant=participant,
        group__activity_id=group.activity_id,
        group__season=Subquery(previous),
    ).exists()


def waitlist_position(*, enrollment: Enrollment) -> int:
    """1-based place of a waiting enrollment in its group's line (one COUNT), in the order of
    `EnrollmentQuerySet.waitlist()`: priority tier, rank, id."""
    tier, rank = enrollment.priority_tier, enrollment.waitlist_rank
    ahead = Enrollment.objects.filter(
        Q(priority_tier__lt=tier)
        | Q(priority_tier=tier, waitlist_rank__lt=rank)
        | Q(priority_tier=tier, waitlist_rank=rank, pk__lt=enrollment.pk),
        group_id=enrollment.group_id,
        status=EnrollmentStatus.WAITLISTED,
    ).count()
    return ahead + 1


def _waitlist_position():
    ahead = (
        Enrollment.objects.filter(group=OuterRef("group"), status=EnrollmentStatus.WAITLISTED)
        .filter(
            Q(priority_tier__lt=OuterRef("priority_tier"))
            | Q(
                priority_tier=OuterRef("priority_tier"), waitlist_rank__lt=OuterRef("waitlist_rank")
            )
            | Q(
                priority_tier=OuterRef("priority_tier"),
                waitlist_rank=OuterRef("waitlist_rank"),
                pk__lt=OuterRef("pk"),
            )
        )
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), Value(0)) + 1


def enrollment_list_for_household(*, household: Household) -> QuerySet[Enrollment]:
    """Every enrollment of the household's participants, with waiting-list positions."""
    return (
        Enrollment.objects.filter(participant__household=household)
        .select_related("participant", "group__activity", "group__season", "group__room__venue")
        .annotate(position=_waitlist_position())
        .order_by("participant__birth_date", "-requested_at")
    )


def enrollment_list_for_group(*, group: Group) -> QuerySet[Enrollment]:
    """The roster: every enrollment of the group, waiting list in its order."""
    return (
        Enrollment.objects.filter(group=group)
        .select_related("participant__household", "requested_by")
        .annotate(position=_waitlist_position())
        .order_by("status", "priority_tier", "waitlist_rank", "pk")
    )


def offers_due(*, now: dt.datetime) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now)


def photo_allowed_among(*, participant_ids: Iterable[int]) -> set[int]:
    """The participants whose latest image-consent decision is a grant, in one query.

    The bulk form of `selectors.photo_allowed`: the same rule (the latest decision counts, in
    any wording) for every participant on a roster at once.
    """
    decisions = (
        ConsentDecision.objects.filter(
            participant_id__in=list(participant_ids), text__kind=ConsentKind.IMAGE
        )
        .order_by("participant_id", "-decided_at", "-pk")
        .values_list("participant_id", "granted")
    )
    latest: dict[int, bool] = {}
    for participant_id, granted in decisions:
        latest.setdefault(participant_id, granted)
    return {participant_id for participant_id, granted in latest.items() if granted}
