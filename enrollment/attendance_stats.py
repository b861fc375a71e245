"""Attendance statistics of a group: rates per group, participant and month, the monthly sheet,
and streaks of unexcused absences. Reads only.

Every selector here runs a fixed number of queries whatever the number of meetings and
participants: the meetings, the marks and the participants are each fetched in one query and
combined in Python. The current mark is the latest `AttendanceMark` row per meeting and
participant, so a correction replaces the earlier mark.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from clubs.models import Group, Meeting, MeetingStatus

from .attendance import groups_for_register
from .models import AttendanceMark, AttendanceStatus, Enrollment, EnrollmentStatus, Participant
from .permissions import groups_managed_by

DEFAULT_STREAK = 3
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class BadMonthError(ValueError):
    """A `month` value that is not YYYY-MM."""


def groups_for_stats(user) -> QuerySet[Group]:
    """Groups whose statistics the user sees: registers they take (instructors, the activity's
    coordinator, the director) and rosters they run (the office)."""
    return Group.objects.filter(
        Q(pk__in=groups_for_register(user).values("pk"))
        | Q(pk__in=groups_managed_by(user).values("pk"))
    )


def month_parse(value: str | None, *, today: dt.date | None = None) -> dt.date:
    """The first day of the month given as YYYY-MM; empty means this month."""
    if not value:
        return (today or timezone.localdate()).replace(day=1)
    try:
        parsed = dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError as exc:
        raise BadMonthError(value) from exc
    if not 2000 <= parsed.year <= 2100:
        raise BadMonthError(value)
    return parsed


def month_next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@dataclass
class Tally:
    """Counts of current marks; `rate` is attended (present or late) out of marked."""

    present: int = 0
    late: int = 0
    absent: int = 0
    excused: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def marked(self) -> int:
        return self.present + self.late + self.absent + self.excused

    @property
    def rate(self) -> float | None:
        return self.attended / self.marked if self.marked else None

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{round(self.rate * 100)}%"


@dataclass
class ParticipantStats:
    participant: Participant
    tally: Tally = field(default_factory=Tally)
    streak: int = 0  # unexcused absences in a row, up to the month's end


@dataclass
class MonthStats:
    month: dt.date
    meetings: int
    tally: Tally


@dataclass
class GroupStats:
    group: Group
    month: dt.date
    held: list[Meeting]  # held meetings of the month
    tally: Tally  # the month
    participants: list[ParticipantStats]
    months: list[MonthStats]  # every month of the group with a held meeting, up to `month`
    streak_limit: int

    @property
    def flagged(self) -> list[ParticipantStats]:
        return [row for row in self.participants if row.streak >= self.streak_limit]


def _current_marks(meeting_ids) -> dict[tuple[int, int], str]:
    """(meeting id, participant id) → status of the latest mark, in one query."""
    rows = (
        AttendanceMark.objects.filter(meeting_id__in=list(meeting_ids))
        .order_by("meeting_id", "participant_id", "-marked_at", "-pk")
        .values_list("meeting_id", "participant_id", "status")
    )
    current: dict[tuple[int, int], str] = {}
    for meeting_id, participant_id, status in rows:
        current.setdefault((meeting_id, participant_id), status)
    return current


def _members_in(*, group: Group, month: dt.date, extra_ids) -> list[Participant]:
    """Members at any time in the month, and anyone else marked in it (trials), by name."""
    during = Q(status=EnrollmentStatus.ACTIVE, ends_on__isnull=True) | Q(
        status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.MOVED),
        ends_on__gte=month,
    )
    members = Enrollment.objects.filter(during, group=group).values("participant_id")
    return list(
        Participant.objects.filter(Q(pk__in=members) | Q(pk__in=list(extra_ids))).order_by(
            "last_name", "first_name", "pk"
        )
    )


def _held(queryset: QuerySet[Meeting], *, now: dt.datetime) -> QuerySet[Meeting]:
    return queryset.filter(status=MeetingStatus.SCHEDULED, starts_at__lt=now)


def group_stats(
    *,
    group: Group,
    month: dt.date,
    streak_limit: int = DEFAULT_STREAK,
    now: dt.datetime | None = None,
) -> GroupStats:
    """Statistics of a group for a month, in three queries."""
    now = now or timezone.now()
    month_end = _local_midnight(month_next(month))
    held = list(
        _held(Meeting.objects.filter(group=group, starts_at__lt=month_end), now=now).order_by(
            "starts_at", "pk"
        )
    )
    marks = _current_marks(m.pk for m in held)
    month_start = _local_midnight(month)
    in_month = [m for m in held if m.starts_at >= month_start]
    in_month_ids = {m.pk for m in in_month}
    participants = _members_in(
        group=group,
        month=month,
        extra_ids={pid for (mid, pid) in marks if mid in in_month_ids},
    )

    tally = Tally()
    by_participant = {p.pk: ParticipantStats(participant=p) for p in participants}
    month_of = {m.pk: timezone.localtime(m.starts_at).date().replace(day=1) for m in held}
    meetings_per_month = Counter(month_of.values())
    months: dict[dt.date, Tally] = defaultdict(Tally)
    for (meeting_id, participant_id), status in marks.items():
        months[month_of[meeting_id]].add(status)
        if meeting_id in in_month_ids:
            tally.add(status)
            if participant_id in by_participant:
                by_participant[participant_id].tally.add(status)

    # Streaks: chronological, an unmarked meeting neither counts nor breaks the run.
    for meeting in held:
        for participant_id, row in by_participant.items():
            status = marks.get((meeting.pk, participant_id))
            if status is None:
                continue
            row.streak = row.streak + 1 if status == AttendanceStatus.ABSENT else 0

    return GroupStats(
        group=group,
        month=month,
        held=in_month,
        tally=tally,
        participants=list(by_participant.values()),
        months=[
            MonthStats(month=key, meetings=meetings_per_month[key], tally=months[key])
            for key in sorted(meetings_per_month)
        ],
        streak_limit=streak_limit,
    )


@dataclass
class SheetRow:
    participant: Participant
    cells: list[str]  # status per meeting, "" when unmarked
    tally: Tally


@dataclass
class Sheet:
    """The monthly register (dziennik zajęć): the month's meetings that are not cancelled,
    including those still to come, so the paper copy can be filled in by hand."""

    group: Group
    month: dt.date
    meetings: list[Meeting]
    rows: list[SheetRow]
    instructors: list[str]

    @property
    def attended_per_meeting(self) -> list[int]:
        return [
            sum(1 for row in self.rows if row.cells[index] in ATTENDED)
            for index in range(len(self.meetings))
        ]

    @property
    def total(self) -> Tally:
        total = Tally()
        for row in self.rows:
            for cell in row.cells:
                if cell:
                    total.add(cell)
        return total


def group_sheet(*, group: Group, month: dt.date) -> Sheet:
    """The monthly sheet of a group, in four queries."""
    meetings = list(
        Meeting.objects.filter(
            group=group,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=_local_midnight(month),
            starts_at__lt=_local_midnight(month_next(month)),
        ).order_by("starts_at", "pk")
    )
    marks = _current_marks(m.pk for m in meetings)
    participants = _members_in(group=group, month=month, extra_ids={pid for (_m, pid) in marks})
    rows = []
    for participant in participants:
        cells = [marks.get((m.pk, participant.pk), "") for m in meetings]
        tally = Tally()
        for cell in cells:
            if cell:
                tally.add(cell)
        rows.append(SheetRow(participant=participant, cells=cells, tally=tally))
    instructors = [str(i) for i in group.instructors.order_by("last_name", "first_name")]
    return Sheet(group=group, month=month, meetings=meetings, rows=rows, instructors=instructors)
