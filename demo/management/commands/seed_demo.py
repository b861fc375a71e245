"""Demo data of a Polish municipal culture centre. Safe to run again: it changes nothing twice."""

import contextlib
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.roles import roles_sync
from billing.exceptions import BillingError
from billing.models import DiscountGrant, DiscountKind, FeePlan, FeePlanKind, PaymentMethod
from billing.services import payment_record
from billing.services.charges import billing_run, billing_run_exists
from clubs.models import (
    Activity,
    AllocationMode,
    ClosurePeriod,
    Group,
    Instructor,
    Room,
    Season,
    Venue,
    WeeklySlot,
)
from clubs.services import meetings_generate
from demo.data import (
    ACTIVITIES,
    DEMO_PASSWORD,
    DEMO_USERS,
    INSTRUCTORS,
    LOTTERY_ACTIVITY,
    LOTTERY_GROUPS,
    VENUES,
)
from enrollment import services as enrollment_services
from enrollment.models import ConsentKind, Household, Participant


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        roles_sync()
        tz = ZoneInfo(settings.TIME_ZONE)
        users = self._users()
        rooms = self._venues()
        instructors = self._instructors(users)
        season, _ = Season.objects.get_or_create(
            name="2026/2027",
            defaults={
                "starts_on": dt.date(2026, 9, 14),
                "ends_on": dt.date(2027, 6, 25),
                "age_reference_date": dt.date(2026, 9, 1),
                "priority_opens_at": dt.datetime(2026, 8, 24, 10, 0, tzinfo=tz),
                "enrollment_opens_at": dt.datetime(2026, 8, 31, 18, 0, tzinfo=tz),
                "offer_hours": 48,
                "is_published": True,
            },
        )
        for name, start, end in [
            ("Przerwa świąteczna", dt.date(2026, 12, 23), dt.date(2027, 1, 1)),
            ("Ferie zimowe (woj. wielkopolskie)", dt.date(2027, 1, 18), dt.date(2027, 1, 31)),
            ("Przerwa wielkanocna", dt.date(2027, 3, 25), dt.date(2027, 3, 30)),
        ]:
            ClosurePeriod.objects.get_or_create(
                season=season, name=name, defaults={"starts_on": start, "ends_on": end}
            )
        groups = self._catalogue(season, rooms, instructors, users)
        created = sum(meetings_generate(group=group).created for group in groups)
        self._families(users, {group.name: group for group in groups})
        self._fees(users, season)
        self._lottery(users, season, rooms)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(groups)} groups, {created} new meetings. "
                f"Demo logins (password {DEMO_PASSWORD}): "
                + ", ".join(email for email, *_ in DEMO_USERS)
            )
        )

    def _families(self, users, groups):
        """The demo parent's family, and other families that fill a popular group."""
        if Household.objects.filter(guardians__user=users[Role.GUARDIAN]).exists():
            return
        parent = users[Role.GUARDIAN]
        kids = self._family(
            parent,
            "Kowalscy",
            [
                ("Zosia", "Kowalska", dt.date(2018, 4, 12)),
                ("Kuba", "Kowalski", dt.date(2015, 10, 3)),
            ],
        )
        popular = groups["Dzieci 7–9 lat"]
        User = get_user_model()
        for number in range(popular.capacity + 3):
            other = User.objects.create_user(
                f"rodzina{number + 1}@mok.example.pl",
                DEMO_PASSWORD,
                first_name="Rodzic",
                last_name=f"Demo {number + 1}",
            )
            other.groups.add(AuthGroup.objects.get(name=Role.GUARDIAN))
            [child] = self._family(
                other,
                f"Rodzina {number + 1}",
                [("Dziecko", other.last_name, dt.date(2018, 1, 1 + number))],
            )
            enrollment_services.enrollment_request(
                participants=[child], group=popular, requested_by=other
            )
        # Zosia waits for a place in the full group; Kuba dances with the juniors.
        enrollment_services.enrollment_request(
            participants=[kids[0]], group=popular, requested_by=parent
        )
        enrollment_services.enrollment_request(
            participants=[kids[1]], group=groups["Juniorzy 10–13 lat"], requested_by=parent
        )

    def _fees(self, users, season):
        """Discounts, this month's charges and a desk payment, so the ledgers are not empty."""
        office = users[Role.OFFICE]
        kowalscy = Household.objects.filter(guardians__user=users[Role.GUARDIAN]).first()
        if kowalscy is not None:
            DiscountGrant.objects.get_or_create(
                household=kowalscy,
                kind=DiscountKind.LARGE_FAMILY_CARD,
                defaults={
                    "card_number": "KDR0012345",
                    "valid_until": season.ends_on,
                    "granted_by": office,
                },
            )
        other = Household.objects.filter(name="Rodzina 1").first()
        if other is not None:
            DiscountGrant.objects.get_or_create(
                household=other,
                kind=DiscountKind.INDIVIDUAL,
                defaults={
                    "percent": Decimal("10.00"),
                    "reason": "Decyzja dyrektora: trudna sytuacja rodziny",
                    "granted_by": office,
                },
            )
        period = timezone.localdate().replace(day=1)
        if not billing_run_exists(period):
            # A month the demo season does not cover has no charges; nothing else changes.
            with contextlib.suppress(BillingError):
                billing_run(period, actor=office)
        if kowalscy is not None:
            payment_record(
                household=kowalscy,
                amount=Decimal("50.00"),
                method=PaymentMethod.CASH,
                received_on=timezone.localdate(),
                actor=office,
                payer="Anna Kowalska",
                title="Wpłata w kasie (dane demonstracyjne)",
                key="demo:desk:kowalscy",
            )

    def _lottery(self, users, season, rooms):
        """Two dance groups whose places go by lottery. The application window closed an hour
        ago; 12 children applied for 9 places; the seed is drawn and the dry run waits for the
        coordinator to review and publish it at /staff/allocation/."""
        if season.applications_close_at is not None:
            return  # seeded before (or set by hand): leave it
        now = timezone.now()
        season.applications_open_at = now - dt.timedelta(days=14)
        season.applications_close_at = now - dt.timedelta(hours=1)
        season.save(update_fields=["applications_open_at", "applications_close_at"])
        activity = Activity.objects.get(slug=LOTTERY_ACTIVITY)
        room = rooms[("MOK", "Sala taneczna")]
        instructor = Instructor.objects.get(last_name="Wiśniewska")
        lottery = []
        for name, capacity, weekday, start, end in LOTTERY_GROUPS:
            group, created = Group.objects.get_or_create(
                activity=activity,
                season=season,
                name=name,
                defaults={
                    "capacity": capacity,
                    "age_min": 7,
                    "age_max": 9,
                    "room": room,
                    "allocation_mode": AllocationMode.LOTTERY,
                },
            )
            if created:
                group.instructors.set([instructor])
                WeeklySlot.objects.create(
                    group=group, weekday=weekday, starts_at=_time(start), ends_at=_time(end)
                )
                FeePlan.objects.create(group=group, kind=FeePlanKind.MONTHLY, amount=Decimal("120"))
                meetings_generate(group=group)
            lottery.append(group)
        # The applicants: Zosia Kowalska and eleven children of the demo families, each with
        # both groups in some order, applying on different days of the window.
        applicants = [
            (Participant.objects.get(first_name="Zosia", household__name="Kowalscy"), 0)
        ] + [
            (Participant.objects.get(household__name=f"Rodzina {number}"), number)
            for number in range(1, 12)
        ]
        for participant, number in applicants:
            guardian = participant.household.guardians.first().user
            preferences = lottery if number % 3 else lottery[::-1]
            enrollment_services.application_submit(
                participants=[participant],
                preferences=preferences,
                submitted_by=guardian,
                now=season.applications_open_at + dt.timedelta(days=1 + number % 12),
            )
        enrollment_services.allocation_run(season=season, actor=None, now=now)

    def _family(self, user, name, children):
        household = enrollment_services.household_create(user=user, name=name)
        kids = []
        for first_name, last_name, birth_date in children:
            child = Participant.objects.create(
                household=household,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth_date,
            )
            enrollment_services.consent_decide(
                participant=child, kind=ConsentKind.ENROLLMENT_DATA, granted=True, decided_by=user
            )
            kids.append(child)
        return kids

    def _users(self):
        User = get_user_model()
        users = {}
        for email, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": role in {Role.COORDINATOR, Role.OFFICE, Role.DIRECTOR},
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(AuthGroup.objects.get(name=role))
            users[role] = user
        return users

    def _venues(self):
        rooms = {}
        for short, (name, address, room_list) in VENUES.items():
            venue, _ = Venue.objects.get_or_create(
                short_name=short, defaults={"name": name, "address": address}
            )
            for room_name, seats in room_list:
                rooms[(short, room_name)], _ = Room.objects.get_or_create(
                    venue=venue, name=room_name, defaults={"seats": seats}
                )
        return rooms

    def _instructors(self, users):
        instructors = {}
        for first, last, bio in INSTRUCTORS:
            instructor, _ = Instructor.objects.get_or_create(
                first_name=first, last_name=last, defaults={"bio": bio}
            )
            instructors[last] = instructor
        demo = users[Role.INSTRUCTOR]
        if instructors["Wiśniewska"].user_id is None:
            instructors["Wiśniewska"].user = demo
            instructors["Wiśniewska"].save(update_fields=["user"])
        return instructors

    def _catalogue(self, season, rooms, instructors, users):
        groups = []
        for (
            slug,
            name,
            kind,
            category,
            venue_short,
            room_name,
            description,
            teacher_names,
            coordinated,
            group_rows,
        ) in ACTIVITIES:
            room = rooms[(venue_short, room_name)]
            activity, _ = Activity.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "category": category,
                    "description": description,
                    "venue": room.venue,
                },
            )
            if coordinated:
                activity.coordinators.add(users[Role.COORDINATOR])
            for (
                group_name,
                capacity,
                age_min,
                age_max,
                slots,
                fee_kind,
                amount,
                approval,
                trial,
            ) in group_rows:
                group, created = Group.objects.get_or_create(
                    activity=activity,
                    season=season,
                    name=group_name,
                    defaults={
                        "capacity": capacity,
                        "age_min": age_min,
                        "age_max": age_max,
                        "room": room,
                        "requires_approval": approval,
                        "trial_allowed": trial,
                    },
                )
                if created:
                    group.instructors.set([instructors[n] for n in teacher_names])
                    for weekday, start, end in slots:
                        WeeklySlot.objects.create(
                            group=group, weekday=weekday, starts_at=_time(start), ends_at=_time(end)
                        )
                    FeePlan.objects.create(
                        group=group,
                        kind=fee_kind,
                        amount=Decimal(amount),
                        entries=10 if fee_kind == FeePlanKind.PASS else None,
                    )
                groups.append(group)
        return groups
