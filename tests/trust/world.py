"""One seeded centre for the permission matrix: two families, an adult member, two groups with
their instructors and coordinators, the office and the director, and a row of every kind a URL
can point at. Objects of family A and group X are the ones asked for; B and Y are "the others".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from billing.models import (
    BankStatement,
    Charge,
    FeePlanKind,
    OnlinePayment,
    StatementLine,
    StatementLineStatus,
)
from billing.services import payment_record
from clubs.models import Instructor, Meeting
from enrollment.models import (
    AbsenceNotice,
    AttendanceMark,
    Enrollment,
    EnrollmentStatus,
    GuardianRights,
    Guardianship,
    Invitation,
    MakeupCredit,
    Participant,
)
from notifications.models import Broadcast, Notification
from tests.enrollment.factories import HouseholdFactory, ParticipantFactory
from tests.factories import (
    WARSAW,
    ActivityFactory,
    FeePlanFactory,
    GroupFactory,
    SeasonFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "guardian_a",
    "guardian_b",
    "adult",
    "instructor_x",
    "instructor_y",
    "coordinator_x",
    "coordinator_y",
    "office",
    "director",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    strings: dict = field(default_factory=dict)


def _family(world: World, key: str, first_name: str) -> tuple:
    user = UserFactory(roles=[Role.GUARDIAN], first_name=first_name)
    household = HouseholdFactory(name=f"Rodzina {first_name}")
    Guardianship.objects.create(household=household, user=user, rights=GuardianRights.FULL)
    child = ParticipantFactory(
        household=household,
        first_name=f"Dziecko{first_name}",
        birth_date=dt.date(2018, 5, 1),
        health_notes=f"Notatka zdrowotna {first_name}",
    )
    world.users[f"guardian_{key}"] = user
    world.ids[f"household_{key}"] = household.pk
    world.ids[f"participant_{key}"] = child.pk
    world.strings[f"health_{key}"] = child.health_notes
    world.strings[f"name_{key}"] = child.first_name
    return user, household, child


def _group(world: World, key: str, season):
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    instructor_user = UserFactory(roles=[Role.INSTRUCTOR])
    activity = ActivityFactory()
    activity.coordinators.add(coordinator)
    group = GroupFactory(activity=activity, season=season, capacity=10, age_min=5, age_max=12)
    instructor = Instructor.objects.create(
        user=instructor_user, first_name="Instr", last_name=key.upper()
    )
    group.instructors.add(instructor)
    FeePlanFactory(group=group, kind=FeePlanKind.MONTHLY, amount=Decimal("100.00"))
    now = timezone.now().astimezone(WARSAW).replace(minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        group=group,
        date=now.date(),
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
        room=group.room,
    )
    later = now + dt.timedelta(days=7)
    future = Meeting.objects.create(
        group=group,
        date=later.date(),
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
        room=group.room,
    )
    world.users[f"coordinator_{key}"] = coordinator
    world.users[f"instructor_{key}"] = instructor_user
    world.ids[f"activity_{key}"] = activity.pk
    world.ids[f"activity_slug_{key}"] = activity.slug
    world.ids[f"group_{key}"] = group.pk
    world.ids[f"meeting_{key}"] = meeting.pk
    world.ids[f"future_meeting_{key}"] = future.pk
    return group, meeting, future


def _enroll(participant, group, by) -> Enrollment:
    enrollment = Enrollment.objects.create(
        participant=participant,
        group=group,
        status=EnrollmentStatus.ACTIVE,
        requested_at=timezone.now(),
        requested_by=by,
    )
    group.places_taken += 1
    group.save(update_fields=["places_taken"])
    return enrollment


def build_world() -> World:
    world = World()
    season = SeasonFactory()
    group_x, meeting_x, future_x = _group(world, "x", season)
    group_y, meeting_y, future_y = _group(world, "y", season)
    world.users["office"] = UserFactory(roles=[Role.OFFICE])
    world.users["director"] = UserFactory(roles=[Role.DIRECTOR])

    for key, name, group, meeting, future in (
        ("a", "Adam", group_x, meeting_x, future_x),
        ("b", "Beata", group_y, meeting_y, future_y),
    ):
        user, household, child = _family(world, key, name)
        enrollment = _enroll(child, group, user)
        world.ids[f"enrollment_{key}"] = enrollment.pk
        AttendanceMark.objects.create(
            meeting=meeting,
            participant=child,
            status="present",
            marked_by=world.users[f"instructor_{'x' if key == 'a' else 'y'}"],
            marked_at=timezone.now(),
        )
        notice = AbsenceNotice.objects.create(participant=child, meeting=future, reported_by=user)
        credit = MakeupCredit.objects.create(
            participant=child,
            activity=group.activity,
            notice=notice,
            earned_at=timezone.now(),
            expires_on=timezone.localdate() + dt.timedelta(days=28),
        )
        world.ids[f"credit_{key}"] = credit.pk
        charge = Charge.objects.create(
            household=household,
            enrollment=enrollment,
            period=timezone.localdate().replace(day=1),
            kind=FeePlanKind.MONTHLY,
            description=str(group),
            base_amount=Decimal("100.00"),
            amount=Decimal("100.00"),
            due_on=timezone.localdate(),
        )
        world.ids[f"charge_{key}"] = charge.pk
        payment = payment_record(
            household=household,
            amount="40.00",
            method="cash",
            received_on=timezone.localdate(),
            actor=world.users["office"],
        )
        world.ids[f"payment_{key}"] = payment.pk
        online = OnlinePayment.objects.create(
            household=household,
            gateway="simulator",
            session_id=f"session-{key}",
            amount=Decimal("60.00"),
            created_by=user,
        )
        world.ids[f"online_session_{key}"] = online.session_id
        invitation = Invitation.objects.create(
            household=household,
            email=f"drugi-{key}@example.pl",
            rights=GuardianRights.VIEW,
            invited_by=user,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        world.ids[f"invitation_token_{key}"] = invitation.token
        world.ids[f"calendar_token_{key}"] = household.calendar_token
        notification = Notification.objects.create(
            kind="enrollment_accepted",
            channel="email",
            user=user,
            address=user.email,
            language="pl",
            dedupe_key=f"matrix-{key}",
            due_at=timezone.now(),
            next_attempt_at=timezone.now(),
        )
        world.ids[f"notification_{key}"] = notification.pk

    adult_user = UserFactory(roles=[Role.GUARDIAN])
    adult_household = HouseholdFactory(name="Pan Senior")
    Guardianship.objects.create(household=adult_household, user=adult_user)
    adult = Participant.objects.create(
        household=adult_household,
        user=adult_user,
        first_name="Senior",
        last_name="Klubowy",
        birth_date=dt.date(1950, 1, 1),
    )
    world.users["adult"] = adult_user
    world.ids["participant_adult"] = adult.pk

    broadcast = Broadcast.objects.create(
        author=world.users["coordinator_x"],
        source="group",
        audience=str(group_x.pk),
        audience_label=str(group_x),
        subject="Próba",
        body="Treść",
    )
    world.ids["broadcast_x"] = broadcast.pk

    statement = BankStatement.objects.create(
        file_name="wyciag.csv",
        file_sha256="0" * 64,
        format="csv",
        encoding="utf-8",
        imported_by=world.users["office"],
    )
    line = StatementLine.objects.create(
        statement=statement,
        line_no=2,
        booked_on=timezone.localdate(),
        amount=Decimal("10.00"),
        title="bez tytułu",
        fingerprint="f" * 64,
        status=StatementLineStatus.UNMATCHED,
    )
    from enrollment.models import AllocationRun, Application, ApplicationChoice
    from privacy.models import ErasureRequest

    application = Application.objects.create(
        season=season,
        participant_id=world.ids["participant_a"],
        submitted_by=world.users["guardian_a"],
    )
    from clubs.models import AllocationMode

    season.applications_open_at = timezone.now() - dt.timedelta(days=1)
    season.applications_close_at = timezone.now() + dt.timedelta(days=7)
    season.save(update_fields=["applications_open_at", "applications_close_at"])

    lottery_group = GroupFactory(
        activity=group_x.activity,
        season=season,
        capacity=10,
        age_min=5,
        age_max=12,
        allocation_mode=AllocationMode.LOTTERY,
    )
    ApplicationChoice.objects.create(application=application, rank=1, group=lottery_group)
    world.ids["application_a"] = application.pk
    world.ids["season"] = season.pk
    run = AllocationRun.objects.create(
        season=season,
        seed=12345,
        started_by=world.users["coordinator_x"],
        started_at=timezone.now(),
    )
    world.ids["allocation_run"] = run.pk

    erasure = ErasureRequest.objects.create(
        household_id=world.ids["household_a"], requested_by=world.users["guardian_a"]
    )
    world.ids["erasure_a"] = erasure.pk
    world.ids["statement"] = statement.pk
    world.ids["statement_line"] = line.pk
    return world
