"""The register of a meeting, absence notices, and cancelling or moving a meeting.

Marks are append-only: a correction is a new row and the latest row counts. A meeting changed
by a person gets `changed_by`, so schedule regeneration keeps it (`clubs.services`).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from clubs.models import Meeting, MeetingStatus, Room
from notifications.kinds import Kind
from notifications.recipients import Recipient, recipients_unique
from notifications.services import QueueRequest, notifications_cancel, notifications_queue_many

from ..attendance import latest_marks, live_notices, meeting_participant_ids
from ..exceptions import (
    MeetingCancelledError,
    MeetingChangeError,
    MeetingStartedError,
    MeetingTooFarAheadError,
    NotInGroupError,
)
from ..models import (
    AbsenceNotice,
    AttendanceMark,
    AttendanceStatus,
    Guardianship,
    MeetingNote,
    Participant,
    TrialBooking,
)
from .reminders import _recipients_by_group

# The register of a meeting may be taken this many days before its day (a trip, a concert).
MARK_DAYS_AHEAD = 1


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)


def _check_markable(meeting: Meeting, *, now: dt.datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingCancelledError
    last_day = timezone.localdate(now) + dt.timedelta(days=MARK_DAYS_AHEAD)
    if timezone.localtime(meeting.starts_at).date() > last_day:
        raise MeetingTooFarAheadError


def attendance_mark(
    *, meeting: Meeting, participant: Participant, status: str, marked_by, note: str = ""
) -> AttendanceMark:
    """Record a participant's attendance; a second call records a correction (a new row)."""
    status = AttendanceStatus(status)
    now = timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_markable(meeting, now=now)
        if participant.pk not in meeting_participant_ids(meeting=meeting):
            raise NotInGroupError
        return AttendanceMark.objects.create(
            meeting=meeting,
            participant=participant,
            status=status,
            note=note[:200],
            marked_by=marked_by,
            marked_at=now,
        )


def attendance_mark_all_present(*, meeting: Meeting, marked_by) -> list[AttendanceMark]:
    """Mark everyone not marked yet as present; a reported absence is marked excused."""
    now = timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_markable(meeting, now=now)
        ids = meeting_participant_ids(meeting=meeting) - set(latest_marks(meeting=meeting))
        notices = live_notices(meeting=meeting, participant_ids=ids)
        marks = [
            AttendanceMark(
                meeting=meeting,
                participant_id=pk,
                status=AttendanceStatus.EXCUSED if pk in notices else AttendanceStatus.PRESENT,
                marked_by=marked_by,
                marked_at=now,
            )
            for pk in sorted(ids)
        ]
        return AttendanceMark.objects.bulk_create(marks)


def meeting_note_save(*, meeting: Meeting, text: str, by) -> MeetingNote:
    with transaction.atomic():
        note, _created = MeetingNote.objects.update_or_create(
            meeting=meeting, defaults={"text": text.strip(), "updated_by": by}
        )
    return note


def absence_report(
    *, meeting: Meeting, participant: Participant, reported_by, reason: str = ""
) -> AbsenceNotice:
    """A guardian's "will not attend" for a coming meeting. Reporting twice keeps the first."""
    now = timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise MeetingCancelledError
        if meeting.starts_at <= now:
            raise MeetingStartedError
        if participant.pk not in meeting_participant_ids(meeting=meeting):
            raise NotInGroupError
        notice = AbsenceNotice.objects.filter(
            meeting=meeting, participant=participant, withdrawn_at__isnull=True
        ).first()
        if notice is None:
            try:
                with transaction.atomic():
                    notice = AbsenceNotice.objects.create(
                        meeting=meeting,
                        participant=participant,
                        reason=reason[:300],
                        reported_by=reported_by,
                    )
            except IntegrityError:  # the same notice sent twice at once
                notice = AbsenceNotice.objects.get(
                    meeting=meeting, participant=participant, withdrawn_at__isnull=True
                )
        # An absence reported early enough earns a make-up credit (idempotent). Imported here:
        # the make-up services read the register, which imports this module's neighbours.
        from .makeups import makeup_credit_grant

        makeup_credit_grant(notice=notice)
        return notice


def absence_withdraw(*, notice: AbsenceNotice, by) -> AbsenceNotice:
    """The participant will come after all (before the meeting starts)."""
    with transaction.atomic():
        notice = (
            AbsenceNotice.objects.select_for_update().select_related("meeting").get(pk=notice.pk)
        )
        if notice.meeting.starts_at <= timezone.now():
            raise MeetingStartedError
        if notice.withdrawn_at is None:
            notice.withdrawn_at = timezone.now()
            notice.save(update_fields=["withdrawn_at"])
    return notice


# --- cancelling and moving ---------------------------------------------------------------------


def meeting_recipients(*, meeting: Meeting) -> list[Recipient]:
    """Every household affected: guardians of active participants and of the meeting's trial
    participants, and adult members themselves."""
    recipients = list(_recipients_by_group({meeting.group_id})[meeting.group_id])
    trial_participants = Participant.objects.filter(
        pk__in=TrialBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True).values(
            "participant_id"
        )
    ).select_related("user")
    users = [
        g.user
        for g in Guardianship.objects.filter(
            household__participants__in=trial_participants, user__is_active=True
        ).select_related("user")
    ]
    users += [p.user for p in trial_participants if p.user_id and p.user.is_active]
    recipients += [Recipient.for_user(user) for user in users]
    return recipients_unique(recipients)


def _stamp(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y%m%d%H%M}"


def _context(meeting: Meeting, *, reason: str) -> dict:
    room = meeting.room
    context = {
        "activity_name": meeting.group.activity.name,
        "group_name": meeting.group.name,
        "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
        "place": f"{room.name}, {room.venue.address}",
        "path": "/family/",
    }
    if reason:
        context["reason"] = reason
    return context


def _reminders_cancel(meeting: Meeting, *, starts_at: dt.datetime, recipients, reason: str):
    for recipient in recipients:
        notifications_cancel(
            dedupe_key=f"meeting-reminder:{meeting.pk}:{_stamp(starts_at)}:{recipient.key}",
            reason=reason,
        )


def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    """Cancel a coming meeting and tell every affected household; withdraw its reminders."""
    now = timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status == MeetingStatus.CANCELLED or meeting.ends_at <= now:
            raise MeetingChangeError
        meeting.status = MeetingStatus.CANCELLED
        meeting.changed_by = by
        meeting.note = reason[:200]
        meeting.save(update_fields=["status", "changed_by", "note", "updated_at"])
        meeting = Meeting.objects.select_related("group__activity", "room__venue").get(
            pk=meeting.pk
        )
        recipients = meeting_recipients(meeting=meeting)
        context = _context(meeting, reason=reason)
        notifications_queue_many(
            requests=[
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.MEETING_CANCELLED,
                    context=context,
                    dedupe_key=(
                        f"meeting-cancelled:{meeting.pk}:{_stamp(meeting.starts_at)}:"
                        f"{recipient.key}"
                    ),
                )
                for recipient in recipients
            ]
        )
        _reminders_cancel(
            meeting, starts_at=meeting.starts_at, recipients=recipients, reason="meeting cancelled"
        )
    return meeting


def meeting_move(
    *,
    meeting: Meeting,
    by,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: Room | None = None,
    reason: str,
) -> Meeting:
    """Move a coming meeting to another time (and room) and tell every affected household."""
    now = timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if (
            meeting.status == MeetingStatus.CANCELLED
            or meeting.ends_at <= now
            or starts_at <= now
            or ends_at <= starts_at
        ):
            raise MeetingChangeError
        old_starts_at = meeting.starts_at
        if (starts_at, ends_at) == (meeting.starts_at, meeting.ends_at) and (
            room is None or room.pk == meeting.room_id
        ):
            raise MeetingChangeError
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        if room is not None:
            meeting.room = room
        meeting.changed_by = by
        meeting.note = reason[:200]
        meeting.save(
            update_fields=["starts_at", "ends_at", "room", "changed_by", "note", "updated_at"]
        )
        meeting = Meeting.objects.select_related("group__activity", "room__venue").get(
            pk=meeting.pk
        )
        recipients = meeting_recipients(meeting=meeting)
        context = _context(meeting, reason=reason)
        context["old_starts_at"] = timezone.localtime(old_starts_at).isoformat()
        notifications_queue_many(
            requests=[
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.MEETING_MOVED,
                    context=context,
                    dedupe_key=(
                        f"meeting-moved:{meeting.pk}:{_stamp(old_starts_at)}:"
                        f"{_stamp(starts_at)}:{recipient.key}"
                    ),
                )
                for recipient in recipients
            ]
        )
        _reminders_cancel(
            meeting, starts_at=old_starts_at, recipients=recipients, reason="meeting moved"
        )
    return meeting
