"""A small centre with a year and a half of activity, built from explicit rows with a seeded
random generator, and independent counts computed from those rows in plain Python."""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from clubs.models import ActivityKind, Category, Meeting, MeetingStatus, Season
from enrollment.models import AttendanceMark, AttendanceStatus, Enrollment, EnrollmentStatus
from tests.enrollment.factories import HouseholdFactory, ParticipantFactory
from tests.factories import (
    ActivityFactory,
    GroupFactory,
    InstructorFactory,
    RoomFactory,
    UserFactory,
)

WARSAW = ZoneInfo("Europe/Warsaw")
S = EnrollmentStatus
ACTIVITIES = [
    (ActivityKind.ENSEMBLE, Category.DANCE),
    (ActivityKind.ENSEMBLE, Category.VOCAL),
    (ActivityKind.ENSEMBLE, Category.PHOTOGRAPHY),  # counted in "inne"
    (ActivityKind.CLUB, Category.SENIORS),
    (ActivityKind.SECTION, Category.VISUAL_ARTS),
    (ActivityKind.SECTION, Category.DANCE),
    (ActivityKind.COURSE, Category.LANGUAGES),
    (ActivityKind.COURSE, Category.MUSIC),
]
STATUSES = [S.ACTIVE] * 6 + [S.WITHDRAWN, S.MOVED, S.WAITLISTED, S.PENDING, S.OFFERED, S.REJECTED]


@dataclass
class Centre:
    seasons: list[Season]
    groups: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    participants: list = field(default_factory=list)


def seasons() -> list[Season]:
    def season(name, start, end):
        return Season.objects.get_or_create(
            name=name,
            defaults={
                "starts_on": start,
                "ends_on": end,
                "enrollment_opens_at": dt.datetime(start.year, 8, 20, 18, tzinfo=WARSAW),
                "is_published": True,
            },
        )[0]

    return [
        season("2024/2025", dt.date(2024, 9, 1), dt.date(2025, 6, 30)),
        season("2025/2026", dt.date(2025, 9, 1), dt.date(2026, 6, 30)),
    ]


def build_centre(*, seed: int = 7, people: int = 40, groups_per_activity: int = 2) -> Centre:
    rng = random.Random(seed)
    centre = Centre(seasons=seasons())
    staff = UserFactory()
    room = RoomFactory()
    instructors = [InstructorFactory() for _ in range(3)]
    for kind, category in ACTIVITIES:
        activity = ActivityFactory(kind=kind, category=category, venue=room.venue)
        centre.activities.append(activity)
        for season in centre.seasons:
            for n in range(groups_per_activity):
                group = GroupFactory(
                    activity=activity, season=season, room=room, name=f"G{n}", capacity=30
                )
                group.instructors.set(rng.sample(instructors, k=rng.choice([0, 1, 1, 2])))
                centre.groups.append(group)
                day = season.starts_on + dt.timedelta(days=rng.randrange(7))
                meetings = []
                while day <= season.ends_on:
                    starts = dt.datetime.combine(day, dt.time(17, 0), tzinfo=WARSAW)
                    meetings.append(
                        Meeting(
                            group=group,
                            date=day,
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(minutes=rng.choice([45, 60, 90])),
                            room=room,
                            status=(
                                MeetingStatus.CANCELLED
                                if rng.random() < 0.1
                                else MeetingStatus.SCHEDULED
                            ),
                        )
                    )
                    day += dt.timedelta(days=rng.choice([14, 21]))
                Meeting.objects.bulk_create(meetings)
    households = [HouseholdFactory() for _ in range(max(people // 3, 1))]
    for _n in range(people):
        birth = dt.date(rng.randrange(1940, 2021), rng.randrange(1, 13), rng.randrange(1, 29))
        centre.participants.append(
            ParticipantFactory(household=rng.choice(households), birth_date=birth, consents=[])
        )
    enrollments = []
    for participant in centre.participants:
        for group in rng.sample(centre.groups, k=rng.randrange(1, 4)):
            status = rng.choice(STATUSES)
            season = group.season
            requested = dt.datetime.combine(
                season.starts_on - dt.timedelta(days=rng.randrange(-60, 30)),
                dt.time(12),
                tzinfo=WARSAW,
            )
            ends_on = None
            if status in (S.WITHDRAWN, S.MOVED) or (status == S.ACTIVE and rng.random() < 0.2):
                ends_on = season.starts_on + dt.timedelta(days=rng.randrange(0, 320))
            enrollments.append(
                Enrollment(
                    participant=participant,
                    group=group,
                    status=status,
                    requested_at=requested,
                    requested_by=staff,
                    ends_on=ends_on,
                )
            )
    Enrollment.objects.bulk_create(enrollments)
    marks = []
    statuses = list(AttendanceStatus.values)
    for enrollment in enrollments:
        if enrollment.status != S.ACTIVE:
            continue
        for meeting in enrollment.group.meetings.all():
            if rng.random() < 0.6:
                at = meeting.starts_at + dt.timedelta(minutes=5)
                marks.append(
                    AttendanceMark(
                        meeting=meeting,
                        participant=enrollment.participant,
                        status=rng.choice(statuses),
                        marked_by=staff,
                        marked_at=at,
                    )
                )
                if rng.random() < 0.15:  # a correction: the later mark counts
                    marks.append(
                        AttendanceMark(
                            meeting=meeting,
                            participant=enrollment.participant,
                            status=rng.choice(statuses),
                            marked_by=staff,
                            marked_at=at + dt.timedelta(minutes=30),
                        )
                    )
    AttendanceMark.objects.bulk_create(marks)
    return centre


# --- independent counts, from the rows, in Python -------------------------------------------------

SECTION_OF_KIND = {
    ActivityKind.ENSEMBLE: "ensembles",
    ActivityKind.CLUB: "clubs",
    ActivityKind.SECTION: "clubs",
    ActivityKind.COURSE: "courses",
}


def _held(meeting, year, now) -> bool:
    local = meeting.starts_at.astimezone(WARSAW)
    return (
        meeting.status == MeetingStatus.SCHEDULED and local.year == year and meeting.starts_at < now
    )


def expected(year: int, now: dt.datetime, brackets) -> dict:
    """Per section: units, members, members per bracket, graduates, meetings, minutes, marks."""
    meetings = list(Meeting.objects.select_related("group__activity", "group__season"))
    held = [m for m in meetings if _held(m, year, now)]
    held_groups = {m.group_id for m in held}
    out = {
        s: {
            "units": set(),
            "members": set(),
            "by_bracket": [set() for _ in brackets],
            "graduates": set(),
            "graduates_by_bracket": [set() for _ in brackets],
            "meetings": 0,
            "minutes": 0,
            "marked": 0,
            "attended": 0,
        }
        for s in ("ensembles", "clubs", "courses")
    }
    for m in held:
        section = SECTION_OF_KIND[m.group.activity.kind]
        out[section]["units"].add(m.group_id if section == "courses" else m.group.activity_id)
        out[section]["meetings"] += 1
        out[section]["minutes"] += int((m.ends_at - m.starts_at).total_seconds() // 60)

    def bracket_index(birth):
        age = year - birth.year
        for i, b in enumerate(brackets):
            if age >= b.age_min and (b.age_max is None or age <= b.age_max):
                return i
        return None

    year_start = dt.datetime(year, 1, 1, tzinfo=WARSAW)
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=WARSAW)
    today = now.astimezone(WARSAW).date()
    for e in Enrollment.objects.select_related("group__activity", "group__season", "participant"):
        section = SECTION_OF_KIND[e.group.activity.kind]
        unit = e.group_id if section == "courses" else e.group.activity_id
        member = (
            e.group_id in held_groups
            and e.requested_at < year_end
            and (
                (e.status == S.ACTIVE and e.ends_on is None)
                or (
                    e.status in (S.ACTIVE, S.WITHDRAWN, S.MOVED)
                    and e.ends_on is not None
                    and e.ends_on >= year_start.date()
                )
            )
        )
        index = bracket_index(e.participant.birth_date)
        if member:
            out[section]["members"].add((e.participant_id, unit))
            if index is not None:
                out[section]["by_bracket"][index].add((e.participant_id, unit))
        season_end = e.group.season.ends_on
        graduate = (
            section == "courses"
            and e.status == S.ACTIVE
            and (e.ends_on is None or e.ends_on >= season_end)
            and season_end.year == year
            and season_end < today
        )
        if graduate:
            out[section]["graduates"].add((e.participant_id, unit))
            if index is not None:
                out[section]["graduates_by_bracket"][index].add((e.participant_id, unit))
    latest = {}
    held_ids = {m.pk: m for m in held}
    for mark in AttendanceMark.objects.order_by("marked_at", "pk"):
        if mark.meeting_id in held_ids:
            latest[(mark.meeting_id, mark.participant_id)] = mark
    for (meeting_id, _p), mark in latest.items():
        section = SECTION_OF_KIND[held_ids[meeting_id].group.activity.kind]
        out[section]["marked"] += 1
        if mark.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            out[section]["attended"] += 1
    return out


def decimal_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
