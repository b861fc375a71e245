"""The waiting list: offers (accept, decline, expiry, reminders), withdrawals taking effect,
and a coordinator's promotions and reordering."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import messages
from ..exceptions import (
    InvalidTransitionError,
    OfferExpiredError,
)
from ..locking import group_lock
from ..models import (
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
)
from .places import advance_waitlist, move, save_counters

S = EnrollmentStatus


def withdrawals_complete_due(*, today: dt.date | None = None) -> int:
    """End active enrollments whose last day has passed and pass their places on."""
    today = today or timezone.localdate()
    now = timezone.now()
    done = 0
    due = Enrollment.objects.filter(status=S.ACTIVE, ends_on__lt=today)
    for group_id in sorted(set(due.values_list("group_id", flat=True))):
        with transaction.atomic():
            group = group_lock(group_id)
            ending = list(due.filter(group_id=group_id))
            for enrollment in ending:
                move(enrollment, S.WITHDRAWN, actor=None, reason=_("Withdrawal took effect"))
            save_counters(
                group, taken=group.places_taken - len(ending), waiting=group.waitlist_length
            )
            advance_waitlist(group, now=now)
            done += len(ending)
    return done


@transaction.atomic
def offer_accept(*, enrollment: Enrollment, by, now: dt.datetime | None = None) -> Enrollment:
    now = now or timezone.now()
    group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != S.OFFERED:
        raise InvalidTransitionError(_("There is no open offer for this enrollment."))
    if enrollment.offer_expires_at and enrollment.offer_expires_at <= now:
        raise OfferExpiredError()
    move(enrollment, S.ACTIVE, actor=by, offer_expires_at=None)
    return enrollment


@transaction.atomic
def offer_decline(*, enrollment: Enrollment, by, now: dt.datetime | None = None) -> Enrollment:
    now = now or timezone.now()
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != S.OFFERED:
        raise InvalidTransitionError(_("There is no open offer for this enrollment."))
    move(enrollment, S.DECLINED, actor=by, offer_expires_at=None)
    save_counters(group, taken=group.places_taken - 1, waiting=group.waitlist_length)
    advance_waitlist(group, now=now)
    return enrollment


def offers_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire offers past their deadline and offer the places to the next people."""
    now = now or timezone.now()
    due = Enrollment.objects.filter(status=S.OFFERED, offer_expires_at__lte=now)
    expired = 0
    for group_id in sorted(set(due.values_list("group_id", flat=True))):
        with transaction.atomic():
            group = group_lock(group_id)
            ending = list(due.filter(group_id=group_id))  # re-read under the lock
            for enrollment in ending:
                move(enrollment, S.EXPIRED, actor=None, reason=_("Offer not accepted in time"))
            save_counters(
                group, taken=group.places_taken - len(ending), waiting=group.waitlist_length
            )
            advance_waitlist(group, now=now)
            expired += len(ending)
    return expired


def offers_remind_expiring(*, now: dt.datetime | None = None, hours: int = 12) -> int:
    """Remind once about offers that expire within `hours` (the dedupe key makes it once)."""
    now = now or timezone.now()
    expiring = Enrollment.objects.filter(
        status=S.OFFERED,
        offer_expires_at__gt=now,
        offer_expires_at__lte=now + dt.timedelta(hours=hours),
    ).select_related("participant", "group__activity")
    count = 0
    for enrollment in expiring:
        with transaction.atomic():
            messages.offer_expiring_notify(enrollment=enrollment)
        count += 1
    return count


@transaction.atomic
def waitlist_promote(
    *, enrollment: Enrollment, by, reason: str, now: dt.datetime | None = None
) -> Enrollment:
    """A coordinator gives a waiting person the next place: at once if one is free, else the
    person moves to the head of the list."""
    now = now or timezone.now()
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != S.WAITLISTED:
        raise InvalidTransitionError(_("Only people on the waiting list can be promoted."))
    if group.places_taken < group.capacity:
        move(enrollment, S.ACTIVE, actor=by, reason=reason)
        save_counters(group, taken=group.places_taken + 1, waiting=group.waitlist_length - 1)
        return enrollment
    head = Enrollment.objects.filter(group=group).waitlist().first()
    enrollment.priority_tier = min(enrollment.priority_tier, head.priority_tier)
    enrollment.waitlist_rank = head.waitlist_rank - 1
    enrollment.save(update_fields=["priority_tier", "waitlist_rank", "updated_at"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment,
        from_status=S.WAITLISTED,
        to_status=S.WAITLISTED,
        actor=by,
        reason=_("Moved to the head of the waiting list: %(reason)s") % {"reason": reason},
    )
    return enrollment


@transaction.atomic
def waitlist_reorder(*, enrollment: Enrollment, by, up: bool, reason: str) -> Enrollment:
    """Swap a waiting person with the one just before (up) or after them."""
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != S.WAITLISTED:
        raise InvalidTransitionError(_("Only people on the waiting list can be moved."))
    line = list(Enrollment.objects.filter(group=group).waitlist())
    index = next(i for i, item in enumerate(line) if item.pk == enrollment.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(line):
        raise InvalidTransitionError(_("There is nobody to swap places with."))
    other = line[other_index]
    enrollment.priority_tier, other.priority_tier = other.priority_tier, enrollment.priority_tier
    enrollment.waitlist_rank, other.waitlist_rank = other.waitlist_rank, enrollment.waitlist_rank
    if enrollment.waitlist_rank == other.waitlist_rank:
        # Equal ranks are ordered by id; make the swap visible.
        enrollment.waitlist_rank += -1 if up else 1
    for item in (enrollment, other):
        item.save(update_fields=["priority_tier", "waitlist_rank", "updated_at"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment,
        from_status=S.WAITLISTED,
        to_status=S.WAITLISTED,
        actor=by,
        reason=(
            _("Moved up the waiting list: %(reason)s")
            if up
            else _("Moved down the waiting list: %(reason)s")
        )
        % {"reason": reason},
    )
    return enrollment
