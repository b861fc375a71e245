"""Publishing a dry run: enrollments (places, then waiting lists in lottery order) with their
audit events under the group locks, and one result message per household."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clubs.models import Group
from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import QueueRequest, notifications_queue_many

from ...exceptions import AllocationPublishedError, AllocationStaleError
from ...locking import groups_lock
from ...models import (
    LIVE_STATUSES,
    AllocationDecision,
    AllocationOutcome,
    AllocationRun,
    AllocationTierKind,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Guardianship,
    PriorityTier,
)
from ..places import micros
from .run import DECISION_BATCH

S = EnrollmentStatus
K = AllocationTierKind
O = AllocationOutcome  # noqa: E741 - the outcome choices, as S is the status choices


def allocation_publish(*, run: AllocationRun, actor, now: dt.datetime | None = None) -> int:
    """Turn a dry run into enrollments (places, then waiting lists in lottery order), each with
    its audit event, and queue one message per household. Returns the enrollments made."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The partial unique index refuses a second published run of the season.
            marked = AllocationRun.objects.filter(pk=run.pk, published_at__isnull=True).update(
                published_at=now, published_by=actor
            )
            if not marked:
                raise AllocationPublishedError()
            made = _publish(run, actor=actor, now=now)
    except IntegrityError as error:
        if AllocationRun.objects.filter(
            season_id=run.season_id, published_at__isnull=False
        ).exists():
            raise AllocationPublishedError() from error
        raise AllocationStaleError() from error
    run.published_at, run.published_by = now, actor
    return made


def _publish(run: AllocationRun, *, actor, now: dt.datetime) -> int:
    decisions = list(
        AllocationDecision.objects.filter(run=run, outcome__in=[O.PLACED, O.WAITLISTED])
        .select_related("application__participant", "group__activity")
        .order_by("sequence", "rank", "pk")
    )
    groups = groups_lock({d.group_id for d in decisions})
    placed: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    for d in decisions:
        (placed if d.outcome == O.PLACED else waiting)[d.group_id] += 1
    for group_id, count in placed.items():
        group = groups[group_id]
        if group.places_taken + count > group.capacity:
            raise AllocationStaleError()
    live = Enrollment.objects.filter(
        status__in=LIVE_STATUSES,
        group_id__in=list(groups),
        participant_id__in=[d.application.participant_id for d in decisions],
    ).values_list("participant_id", "group_id")
    if set(live) & {(d.application.participant_id, d.group_id) for d in decisions}:
        raise AllocationStaleError()
    base = micros(now)
    positions: dict[int, int] = defaultdict(int)
    enrollments = []
    for d in decisions:
        is_placed = d.outcome == O.PLACED
        if not is_placed:
            positions[d.group_id] += 1
            d.position = groups[d.group_id].waitlist_length + positions[d.group_id]
        else:
            d.position = None
        enrollments.append(
            Enrollment(
                participant_id=d.application.participant_id,
                group_id=d.group_id,
                status=S.ACTIVE if is_placed else S.WAITLISTED,
                priority_tier=(
                    PriorityTier.CONTINUING if d.tier_kind == K.CONTINUING else PriorityTier.GENERAL
                ),
                waitlist_rank=base + d.sequence,
                requested_at=now,
                requested_by_id=d.application.submitted_by_id,
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=DECISION_BATCH)
    with translation.override(settings.LANGUAGE_CODE):  # the audit trail in the centre's language
        events = [
            EnrollmentEvent(
                enrollment=enrollment,
                from_status="",
                to_status=enrollment.status,
                actor=actor,
                reason=(_("Lottery for places: %(reason)s") % {"reason": d.reason})[:300],
            )
            for enrollment, d in zip(enrollments, decisions, strict=True)
        ]
    EnrollmentEvent.objects.bulk_create(events, batch_size=DECISION_BATCH)
    for group_id, group in groups.items():
        group.places_taken += placed.get(group_id, 0)
        group.waitlist_length += waiting.get(group_id, 0)
    Group.objects.bulk_update(groups.values(), ["places_taken", "waitlist_length"])
    _notify(run, decisions)
    return len(enrollments)


def _notify(run: AllocationRun, decisions: list[AllocationDecision]) -> None:
    """One message per household (to each of its guardians) with every child's result."""
    unplaced = AllocationDecision.objects.filter(run=run, outcome=O.UNPLACED).select_related(
        "application__participant"
    )
    by_household: dict[int, list[dict]] = defaultdict(list)
    names: dict[int, str] = {}
    for d in [*decisions, *unplaced]:
        participant = d.application.participant
        by_household[participant.household_id].append(
            {
                "participant_name": str(participant),
                "outcome": d.outcome,
                "activity_name": d.group.activity.name if d.group_id else "",
                "group_name": d.group.name if d.group_id else "",
                "rank": d.rank,
                "position": getattr(d, "position", None),
                "_order": (participant.birth_date.isoformat(), participant.pk, d.rank or 0),
            }
        )
    if not by_household:
        return
    users: dict[int, list] = defaultdict(list)
    for guardianship in Guardianship.objects.filter(
        household_id__in=list(by_household)
    ).select_related("user", "household"):
        users[guardianship.household_id].append(guardianship.user)
        names[guardianship.household_id] = guardianship.household.name
    requests = []
    for household_id, results in by_household.items():
        results.sort(key=lambda r: r.pop("_order"))
        recipients = {user.pk: user for user in users[household_id] if user.is_active}
        context = {
            "family_name": names.get(household_id, ""),
            "season_name": run.season.name,
            "results": results,
            "path": "/family/applications/",
        }
        for user in recipients.values():
            recipient = Recipient.for_user(user)
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.ALLOCATION_RESULT,
                    context=context,
                    dedupe_key=f"allocation:{run.season_id}:{household_id}:{recipient.key}",
                )
            )
    if requests:
        notifications_queue_many(requests=requests)
