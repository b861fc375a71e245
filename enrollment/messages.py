"""What enrollment tells families, queued through `notifications` in the caller's transaction."""

from django.utils import timezone

from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import notification_queue

from .models import Enrollment, EnrollmentEvent, EnrollmentStatus, Guardianship

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
        ahead = (
            Enrollment.objects.filter(group_id=enrollment.group_id)
            .waitlist()
            .values_list("pk", flat=True)
        )
        context["position"] = list(ahead).index(enrollment.pk) + 1
    return context


def enrollment_event_notify(*, enrollment: Enrollment, event: EnrollmentEvent) -> None:
    kind = _kind_for(event)
    if kind is None:
        return
    context = _context(enrollment)
    if event.reason:
        context["reason"] = event.reason
    for recipient in recipients_for(enrollment):
        notification_queue(
            recipient=recipient,
            kind=kind,
            context=context,
            dedupe_key=f"enrollment-event:{event.pk}:{recipient.key}",
        )


def offer_expiring_notify(*, enrollment: Enrollment) -> None:
    context = _context(enrollment)
    deadline = enrollment.offer_expires_at.isoformat()
    for recipient in recipients_for(enrollment):
        notification_queue(
            recipient=recipient,
            kind=Kind.OFFER_EXPIRING,
            context=context,
            dedupe_key=f"offer-expiring:{enrollment.pk}:{deadline}:{recipient.key}",
        )
