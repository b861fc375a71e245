"""Attendance: who may take a meeting's register, and the reads the register pages need.

"Not yours" looks like "not found": views fetch meetings and participants through the scoped
querysets here and answer 404 when the object is not in them.
"""

import datetime as dt
from dataclasses import dataclass

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.permissions import is_coordinator, is_director, is_instructor
from clubs.models import Group, Meeting

from .makeups import makeup_participants_for_meeting
from .models import (
    AbsenceNotice,
    AttendanceMark,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    MeetingNote,
    Participant,
    TrialBooking,
)
from .permissions import participants_of
from .selectors import photo_allowed_among

# --- permissions -------------------------------------------------------------------------------


def groups_for_register(user) -> QuerySet[Group]:
    """Groups whose registers the user takes: taught, coordinated, or all for the director."""
    if not (user.is_authenticated and user.is_active):
        return Group.objects.none()
    if is_director(user):
        return Group.objects.all()
    taught = Q(instructors__user=user)
    if is_coordinator(user):
        taught |= Q(activity__coordinators=user)
    return Group.objects.filter(pk__in=Group.objects.filter(taught).values("pk"))


def meetings_for_register(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group__in=groups_for_register(user))


@rules.predicate
def teaches_meeting_group(user, meeting) -> bool:
    return (
        meeting is not None
        and user.is_authenticated
        and meeting.group.instructors.filter(user=user).exists()
    )


@rules.predicate
def coordinates_meeting_group(user, meeting) -> bool:
    return (
        meeting is not None
        and user.is_authenticated
        and meeting.group.activity.coordinators.filter(pk=user.pk).exists()
    )


@rules.predicate
def looks_after_participant(user, participant) -> bool:
    return participant is not None and participants_of(user).filter(pk=participant.pk).exists()


can_take_attendance = (
    is_director | teaches_meeting_group | (is_coordinator & coordinates_meeting_group)
)
# Cancelling or moving a meeting: the same people who take its register.
can_change_meeting = can_take_attendance
can_view_attendance_of = looks_after_participant

rules.add_perm("enrollment.take_attendance", can_take_attendance)
rules.add_perm("enrollment.change_meeting", can_change_meeting)
rules.add_perm("enrollment.view_attendance_of", can_view_attendance_of)
# The "Today" screen in the menu: for the people who take registers.
rules.add_perm("enrollment.open_registers", is_instructor | is_coordinator | is_director)


def takes_registers(user) -> bool:
    """Whether to show the "Today" screen in the menu."""
    return groups_for_register(user).exists()


# --- reads -------------------------------------------------------------------------------------


def active_on(day: dt.date) -> Q:
    """Enrollments that make a participant part of a group on `day`: active, or ended (a
    withdrawal, a move) on a later day."""
    return Q(status=EnrollmentStatus.ACTIVE, ends_on__isnull=True) | Q(
        status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.MOVED),
        ends_on__gte=day,
    )


def meeting_participant_ids(*, meeting: Meeting) -> set[int]:
    """Who belongs in the meeting's register: the group's members on its day and its trials."""
    members = Enrollment.objects.filter(active_on(meeting.date), group_id=meeting.group_id)
    trials = TrialBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True)
    return (
        set(members.values_list("participant_id", flat=True))
        | set(trials.values_list("participant_id", flat=True))
        | set(makeup_participants_for_meeting(meeting).values_list("pk", flat=True))
    )


def latest_marks(*, meeting: Meeting, participant_ids=None) -> dict[int, AttendanceMark]:
    """The current mark (the latest row) per participant, in one query."""
    marks = AttendanceMark.objects.filter(meeting=meeting).select_related("marked_by")
    if participant_ids is not None:
        marks = marks.filter(participant_id__in=list(participant_ids))
    latest: dict[int, AttendanceMark] = {}
    for mark in marks.order_by("participant_id", "-marked_at", "-pk"):
        latest.setdefault(mark.participant_id, mark)
    return latest


def live_notices(*, meeting: Meeting, participant_ids=None) -> dict[int, AbsenceNotice]:
    notices = AbsenceNotice.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
    if participant_ids is not None:
        notices = notices.filter(participant_id__in=list(participant_ids))
    return {notice.participant_id: notice for notice in notices}


@dataclass
class RegisterRow:
    participant: Participant
    mark: AttendanceMark | None
    notice: AbsenceNotice | None
    is_trial: bool
    photo_allowed: bool

    @property
    def status(self) -> str:
        """What the register shows: the latest mark, else excused for a reported absence."""
        if self.mark is not None:
            return self.mark.status
        if self.notice is not None:
            return AttendanceStatus.EXCUSED
        return ""

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label if self.status else ""

    @property
    def is_saved(self) -> bool:
        return self.mark is not None


def register_rows(*, meeting: Meeting, only: Participant | None = None) -> list[RegisterRow]:
    """The register of a meeting, in a fixed number of queries whatever its size."""
    members = Enrollment.objects.filter(active_on(meeting.date), group_id=meeting.group_id)
    trials = TrialBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True)
    if only is not None:
        members, trials = members.filter(participant=only), trials.filter(participant=only)
    member_ids = set(members.values_list("participant_id", flat=True))
    guests = makeup_participants_for_meeting(meeting)
    if only is not None:
        guests = guests.filter(pk=only.pk)
    # Trial and make-up guests take a place at this meeting only; both show the trial flag.
    trial_ids = (
        set(trials.values_list("participant_id", flat=True))
        | set(guests.values_list("pk", flat=True))
    ) - member_ids
    ids = member_ids | trial_ids
    participants = Participant.objects.filter(pk__in=ids).order_by("last_name", "first_name")
    marks = latest_marks(meeting=meeting, participant_ids=ids)
    notices = live_notices(meeting=meeting, participant_ids=ids)
    photos = photo_allowed_among(participant_ids=ids)
    return [
        RegisterRow(
            participant=participant,
            mark=marks.get(participant.pk),
            notice=notices.get(participant.pk),
            is_trial=participant.pk in trial_ids,
            photo_allowed=participant.pk in photos,
        )
        for participant in participants
    ]


def meeting_note(*, meeting: Meeting) -> MeetingNote | None:
    return MeetingNote.objects.filter(meeting=meeting).first()


def meetings_for_today(*, user, today: dt.date | None = None) -> tuple[list, list]:
    """The user's meetings today and in the rest of this week (to Sunday)."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(week_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    meetings = list(
        meetings_for_register(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("group__activity", "room__venue")
        .order_by("starts_at")
    )
    todays = [m for m in meetings if timezone.localtime(m.starts_at).date() == today]
    later = [m for m in meetings if m not in todays]
    return todays, later


def upcoming_meetings_of(*, participant: Participant, days: int = 28) -> list[Meeting]:
    """The participant's coming meetings (member or trial), for reporting an absence."""
    now = timezone.now()
    groups = Enrollment.objects.filter(
        active_on(timezone.localdate()), participant=participant
    ).values("group_id")
    trials = TrialBooking.objects.filter(participant=participant, cancelled_at__isnull=True)
    return list(
        Meeting.objects.filter(
            Q(group_id__in=groups) | Q(pk__in=trials.values("meeting_id")),
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=days),
        )
        .select_related("group__activity", "room__venue")
        .order_by("starts_at")
    )


def marks_of(*, participant: Participant, limit: int = 30) -> list[AttendanceMark]:
    """The current mark of each of the participant's recent meetings."""
    marks = (
        AttendanceMark.objects.filter(participant=participant)
        .select_related("meeting__group__activity")
        .order_by("meeting_id", "-marked_at", "-pk")
    )
    latest: dict[int, AttendanceMark] = {}
    for mark in marks:
        latest.setdefault(mark.meeting_id, mark)
    return sorted(latest.values(), key=lambda m: m.meeting.starts_at, reverse=True)[:limit]
