"""What enrollment tells families, queued through `notifications` in the caller's transaction."""

from django.utils import timezone

from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import QueueRequest, notifications_queue_many

from .models import Enrollment, EnrollmentEvent, EnrollmentStatus, Guardianship
from .selectors import waitlist_position

S = EnrollmentStatus


def _kind_for(event: EnrollmentEvent) -> str | None:
    to, was = event.to_status, event.from_status
    if to == S.ACTIVE and was == S.ACTIVE:
        return Kind.ENROLLMENT_WITHDRAWN  # a withdrawal recorded for the end of the month
    return {
        S.ACTIVE: Kind.ENROLLMENT_ACCEPTED,
        S.PENDING: Kind.ENROLLMENT_PENDING,
        S.WAITLISTED: Kind.ENROLLMENT_WAITLISTED if was != S.WAITLISTED else None,
        S.OFFERED: Kind.WAITLIST_OFFER,
        S.EXPIRED: Kind.OFFER_EXPIRED,
        S.REJECTED: Kind.ENROLLMENT_REJECTED,
        S.WITHDRAWN: Kind.ENROLLMENT_WITHDRAWN,
    }.get(to)


def recipients_for(enrollment: Enrollment) -> list[Recipient]:
    """Every guardian of the participant's household, and the adult member themself."""
    users = [
        guardianship.user
        for guardianship in Guardianship.objects.filter(
            household_id=enrollment.participant.household_id
        ).select_related("user")
    ]
    if enrollment.participant.user_id and all(
        user.pk != enrollment.participant.user_id for user in users
    ):
        users.append(enrollment.participant.user)
    return [Recipient.for_user(user) for user in users]


def _context(enrollment: Enrollment) -> dict:
    group = enrollment.group
    context = {
        "participant_name": str(enrollment.participant),
        "activity_name": group.activity.name,
        "group_name": group.name,
        "status": enrollment.status,
        "path": "/family/",
    }
    if enrollment.offer_expires_at:
        context["offer_expires_at"] = timezone.localtime(enrollment.offer_expires_at).isoformat()
    if enrollment.ends_on:
        context["ends_on"] = enrollment.ends_on.isoformat()
    if enrollment.status == S.WAITLISTED:
        context["position"] = waitlist_position(enrollment=enrollment)
    return context


def enrollment_event_notify(*, enrollment: Enrollment, event: EnrollmentEvent) -> dict | None:
    """Queue the event's message to every recipient; returns the message context (None when
    the event tells nobody anything)."""
    kind = _kind_for(event)
    if kind is None:
        return None
    context = _context(enrollment)
    if event.reason:
        context["reason"] = event.reason
    requests = [
        QueueRequest(
            recipient=recipient,
            kind=kind,
            context=context,
            dedupe_key=f"enrollment-event:{event.pk}:{recipient.key}",
        )
        for recipient in recipients_for(enrollment)
    ]
    if requests:
        # The keys name the event just written in this transaction: never queued before.
        notifications_queue_many(requests=requests, new_keys=True)
    return context


def offer_expiring_notify(*, enrollment: Enrollment) -> None:
    context = _context(enrollment)
    deadline = enrollment.offer_expires_at.isoformat()
    requests = [
        QueueRequest(
            recipient=recipient,
            kind=Kind.OFFER_EXPIRING,
            context=context,
            dedupe_key=f"offer-expiring:{enrollment.pk}:{deadline}:{recipient.key}",
        )
        for recipient in recipients_for(enrollment)
    ]
    if requests:
        notifications_queue_many(requests=requests)
