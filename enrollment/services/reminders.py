"""The opt-in reminder the day before a meeting, queued for the families of a group."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clubs.models import Meeting, MeetingStatus
from notifications.kinds import Kind
from notifications.recipients import Recipient, recipients_unique
from notifications.scheduling import due_day_before
from notifications.services import QueueRequest, notifications_queue_many

from ..models import EnrollmentStatus, Guardianship, Participant


def _recipients_by_group(group_ids: set[int]) -> dict[int, list[Recipient]]:
    participants = Participant.objects.filter(
        enrollments__group_id__in=group_ids, enrollments__status=EnrollmentStatus.ACTIVE
    ).values_list("enrollments__group_id", "household_id", "user_id")
    households: dict[int, set[int]] = {}
    adults: dict[int, set[int]] = {}
    for group_id, household_id, user_id in participants:
        households.setdefault(group_id, set()).add(household_id)
        if user_id:
            adults.setdefault(group_id, set()).add(user_id)
    guardians: dict[int, list] = {}
    all_households = set().union(*households.values()) if households else set()
    users = {}
    for guardianship in Guardianship.objects.filter(
        household_id__in=all_households, user__is_active=True
    ).select_related("user"):
        guardians.setdefault(guardianship.household_id, []).append(guardianship.user)
        users[guardianship.user_id] = guardianship.user
    missing = set().union(*adults.values()) - set(users) if adults else set()
    users.update({user.pk: user for user in User.objects.filter(pk__in=missing, is_active=True)})
    result = {}
    for group_id in group_ids:
        people = [u for h in sorted(households.get(group_id, ())) for u in guardians.get(h, [])]
        people += [users[pk] for pk in sorted(adults.get(group_id, ())) if pk in users]
        result[group_id] = recipients_unique(Recipient.for_user(user) for user in people)
    return result


def meeting_reminders_queue(*, day: dt.date | None = None) -> int:
    """Queue tomorrow's reminders (sent the evening before, 18:00 centre time) for every active
    participant's family. Only people who switched the reminder on receive it; running twice
    queues nothing twice (the dedupe key names the meeting and its start)."""
    day = day or timezone.localdate() + dt.timedelta(days=1)
    meetings = list(
        Meeting.objects.filter(starts_at__date=day, status=MeetingStatus.SCHEDULED).select_related(
            "group__activity", "room__venue"
        )
    )
    if not meetings:
        return 0
    recipients = _recipients_by_group({m.group_id for m in meetings})
    requests = []
    for meeting in meetings:
        context = {
            "activity_name": meeting.group.activity.name,
            "group_name": meeting.group.name,
            "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
            "place": f"{meeting.room.name}, {meeting.room.venue.address}",
            "path": "/family/",
        }
        for recipient in recipients[meeting.group_id]:
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.MEETING_REMINDER,
                    context=context,
                    dedupe_key=(
                        f"meeting-reminder:{meeting.pk}:"
                        f"{timezone.localtime(meeting.starts_at):%Y%m%d%H%M}:"
                        f"{recipient.key}"
                    ),
                    due_at=due_day_before(meeting.starts_at),
                )
            )
    with transaction.atomic():
        notifications_queue_many(requests=requests)
    return len(requests)
