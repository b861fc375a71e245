"""The shared steps of every change of places: a status move with its event and message,
the group's counters, and offering free places to the waiting list. Call with the group's row
locked (`locking.group_lock`)."""

import datetime as dt

from clubs.models import Group

from .. import messages
from ..models import Enrollment, EnrollmentEvent, EnrollmentStatus

S = EnrollmentStatus


def micros(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def record(enrollment: Enrollment, *, from_status: str, actor, reason: str = "") -> dict | None:
    """Write the audit event and queue its message; returns the message's context."""
    event = EnrollmentEvent.objects.create(
        enrollment=enrollment,
        from_status=from_status,
        to_status=enrollment.status,
        actor=actor,
        reason=reason[:300],
    )
    return messages.enrollment_event_notify(enrollment=enrollment, event=event)


def move(enrollment: Enrollment, to: str, *, actor, reason: str = "", **fields) -> None:
    from_status = enrollment.status
    enrollment.status = to
    for name, value in fields.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", "updated_at", *fields])
    record(enrollment, from_status=from_status, actor=actor, reason=reason)


def save_counters(group: Group, *, taken: int, waiting: int) -> None:
    group.places_taken, group.waitlist_length = taken, waiting
    group.save(update_fields=["places_taken", "waitlist_length"])


def advance_waitlist(group: Group, *, now: dt.datetime) -> list[Enrollment]:
    """Offer every free place to the next person in line. Call with the group locked."""
    free = group.capacity - group.places_taken
    if free <= 0:
        return []
    offered = list(Enrollment.objects.filter(group=group).waitlist()[:free])
    deadline = now + dt.timedelta(hours=group.season.offer_hours)
    for enrollment in offered:
        move(enrollment, S.OFFERED, actor=None, offer_expires_at=deadline)
    if offered:
        save_counters(
            group,
            taken=group.places_taken + len(offered),
            waiting=group.waitlist_length - len(offered),
        )
    return offered
