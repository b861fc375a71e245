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
    ActivityKind,
    Category,
    ClosurePeriod,
    Group,
    Instructor,
    Room,
    Season,
    Venue,
    WeeklySlot,
)
from clubs.services import meetings_generate
from enrollment import services as enrollment_services
from enrollment.models import ConsentKind, Household, Participant

DEMO_PASSWORD = "demo-mok-2026"  # noqa: S105 - published in the README, demo only

DEMO_USERS = [
    # email, first name, last name, role
    ("dyrektor@mok.example.pl", "Janina", "Krawczyk", Role.DIRECTOR),
    ("biuro@mok.example.pl", "Beata", "Nowicka", Role.OFFICE),
    ("koordynator@mok.example.pl", "Marek", "Zieliński", Role.COORDINATOR),
    ("instruktor@mok.example.pl", "Katarzyna", "Wiśniewska", Role.INSTRUCTOR),
    ("rodzic@mok.example.pl", "Anna", "Kowalska", Role.GUARDIAN),
]

VENUES = {
    "MOK": (
        "Miejski Ośrodek Kultury",
        "ul. Słowiańska 41, 64-100 Leszno",
        [
            ("Sala taneczna", 30),
            ("Sala baletowa", 20),
            ("Sala muzyczna", 25),
            ("Pracownia plastyczna", 16),
            ("Sala widowiskowa", 200),
            ("Pracownia ceramiki", 12),
        ],
    ),
    "OBOK": (
        "Klub OBOK",
        "ul. Ostroroga 9, 64-100 Leszno",
        [
            ("Sala klubowa", 40),
            ("Pracownia", 15),
        ],
    ),
}

INSTRUCTORS = [
    ("Katarzyna", "Wiśniewska", "Instruktorka tańca współczesnego i jazzowego."),
    ("Tomasz", "Lewandowski", "Choreograf, tancerz zespołów folklorystycznych."),
    ("Magdalena", "Wójcik", "Pedagog baletu."),
    ("Paweł", "Kamiński", "Dyrygent chóru i orkiestry, nauczyciel muzyki."),
    ("Ewa", "Dąbrowska", "Wokalistka, prowadzi studio piosenki."),
    ("Michał", "Szymański", "Gitarzysta sesyjny."),
    ("Agnieszka", "Woźniak", "Artystka plastyczka, ceramiczka."),
    ("Łukasz", "Kozłowski", "Aktor i reżyser teatru młodzieżowego."),
    ("Jerzy", "Mazur", "Fotograf, członek ZPAF."),
    ("Halina", "Jankowska", "Animatorka Klubu Seniora."),
    ("Zbigniew", "Pawlak", "Prezes koła Polskiego Związku Filatelistów."),
]

M, PM, S, P, A, F = (
    FeePlanKind.MONTHLY,
    FeePlanKind.PER_MEETING,
    FeePlanKind.SEMESTER,
    FeePlanKind.PASS,
    FeePlanKind.ANNUAL_DUES,
    FeePlanKind.FREE,
)

# slug, name, kind, category, venue, room, description, instructor surnames, coordinated?, groups
# group: name, capacity, age_min, age_max, [(weekday, "HH:MM", "HH:MM")], fee kind, amount,
#        requires approval, trial allowed
ACTIVITIES = [
    (
        "studio-tanca-impuls",
        "Studio Tańca „Impuls”",
        ActivityKind.SECTION,
        Category.DANCE,
        "MOK",
        "Sala taneczna",
        "Taniec współczesny, jazz i hip-hop dla dzieci i młodzieży.",
        ["Wiśniewska"],
        True,
        [
            ("Maluchy 4–6 lat", 12, 4, 6, [(2, "16:00", "16:45")], M, "90.00", False, True),
            (
                "Dzieci 7–9 lat",
                15,
                7,
                9,
                [(2, "17:00", "18:00"), (4, "17:00", "18:00")],
                M,
                "140.00",
                False,
                True,
            ),
            ("Juniorzy 10–13 lat", 15, 10, 13, [(1, "17:30", "19:00")], M, "120.00", False, False),
        ],
    ),
    (
        "balet-dla-dzieci",
        "Balet dla dzieci",
        ActivityKind.SECTION,
        Category.DANCE,
        "MOK",
        "Sala baletowa",
        "Podstawy tańca klasycznego.",
        ["Wójcik"],
        True,
        [
            ("Grupa 5–8 lat", 12, 5, 8, [(3, "16:30", "17:30")], PM, "30.00", False, True),
        ],
    ),
    (
        "zespol-leszczyniacy",
        "Zespół Pieśni i Tańca „Leszczyniacy”",
        ActivityKind.ENSEMBLE,
        Category.DANCE,
        "MOK",
        "Sala widowiskowa",
        "Amatorski zespół folklorystyczny: tańce narodowe i regionalne, koncerty i festiwale.",
        ["Lewandowski"],
        True,
        [
            ("Grupa dziecięca", 24, 8, 12, [(5, "16:00", "17:30")], M, "60.00", True, False),
            ("Grupa młodzieżowa", 24, 13, 19, [(5, "17:45", "19:45")], M, "60.00", True, False),
        ],
    ),
    (
        "chor-cantilena",
        "Chór „Cantilena”",
        ActivityKind.ENSEMBLE,
        Category.VOCAL,
        "MOK",
        "Sala muzyczna",
        "Chór mieszany dla dorosłych i młodzieży.",
        ["Kamiński"],
        False,
        [
            ("Chór mieszany", 40, 16, 90, [(3, "18:30", "20:30")], A, "120.00", True, False),
        ],
    ),
    (
        "studio-piosenki",
        "Studio Piosenki",
        ActivityKind.SECTION,
        Category.VOCAL,
        "MOK",
        "Sala muzyczna",
        "Emisja głosu i praca z mikrofonem.",
        ["Dąbrowska"],
        False,
        [
            ("Dzieci 7–11 lat", 10, 7, 11, [(1, "15:30", "16:30")], M, "150.00", False, True),
            ("Młodzież 12–15 lat", 10, 12, 15, [(1, "16:45", "17:45")], M, "150.00", False, True),
        ],
    ),
    (
        "gitara",
        "Nauka gry na gitarze",
        ActivityKind.COURSE,
        Category.MUSIC,
        "MOK",
        "Sala muzyczna",
        "Kurs dla początkujących: akordy, akompaniament, pierwsze utwory.",
        ["Szymański"],
        False,
        [
            ("Początkujący", 8, 10, 99, [(4, "18:00", "19:00")], S, "450.00", False, False),
        ],
    ),
    (
        "rytmika",
        "Rytmika dla przedszkolaków",
        ActivityKind.SECTION,
        Category.MUSIC,
        "MOK",
        "Sala baletowa",
        "Zabawy muzyczno-ruchowe.",
        ["Dąbrowska"],
        False,
        [
            ("Przedszkolaki 4–5 lat", 12, 4, 5, [(5, "10:00", "10:45")], P, "200.00", False, True),
        ],
    ),
    (
        "orkiestra-deta",
        "Orkiestra Dęta MOK",
        ActivityKind.ENSEMBLE,
        Category.MUSIC,
        "MOK",
        "Sala widowiskowa",
        "Orkiestra dęta z tradycjami; instrumenty wypożycza ośrodek.",
        ["Kamiński"],
        False,
        [
            ("Orkiestra", 35, 12, 85, [(2, "18:00", "20:00")], F, "0.00", True, False),
        ],
    ),
    (
        "pracownia-kolorowo",
        "Pracownia Plastyczna „Kolorowo”",
        ActivityKind.SECTION,
        Category.VISUAL_ARTS,
        "MOK",
        "Pracownia plastyczna",
        "Rysunek, malarstwo, grafika i formy przestrzenne.",
        ["Woźniak"],
        False,
        [
            ("Dzieci 6–9 lat", 12, 6, 9, [(3, "15:30", "17:00")], M, "110.00", False, True),
            ("Dzieci 10–12 lat", 12, 10, 12, [(4, "15:30", "17:00")], M, "110.00", False, True),
        ],
    ),
    (
        "ceramika",
        "Ceramika dla dorosłych",
        ActivityKind.COURSE,
        Category.VISUAL_ARTS,
        "MOK",
        "Pracownia ceramiki",
        "Toczenie na kole, szkliwienie, wypał.",
        ["Woźniak"],
        False,
        [
            ("Kurs wieczorowy", 10, 18, 99, [(2, "18:00", "20:30")], P, "480.00", False, False),
        ],
    ),
    (
        "teatr-scena",
        "Teatr Młodzieżowy „Scena”",
        ActivityKind.ENSEMBLE,
        Category.THEATRE,
        "MOK",
        "Sala widowiskowa",
        "Warsztaty aktorskie i spektakle.",
        ["Kozłowski"],
        False,
        [
            ("Zespół", 18, 13, 19, [(4, "17:00", "19:00")], M, "80.00", False, True),
        ],
    ),
    (
        "klub-fotograficzny",
        "Klub Fotograficzny „Kadr”",
        ActivityKind.CLUB,
        Category.PHOTOGRAPHY,
        "MOK",
        "Pracownia plastyczna",
        "Spotkania, plenery i wystawy.",
        ["Mazur"],
        False,
        [
            ("Klub", 20, 14, 99, [(3, "18:00", "20:00")], A, "100.00", False, True),
        ],
    ),
    (
        "klub-seniora",
        "Klub Seniora",
        ActivityKind.CLUB,
        Category.SENIORS,
        "OBOK",
        "Sala klubowa",
        "Spotkania, wykłady, wycieczki i potańcówki dla seniorów.",
        ["Jankowska"],
        False,
        [
            (
                "Klub Seniora",
                60,
                60,
                120,
                [(2, "10:00", "12:00"), (4, "10:00", "12:00")],
                A,
                "60.00",
                False,
                True,
            ),
        ],
    ),
    (
        "klub-filatelistow",
        "Klub Filatelistów",
        ActivityKind.CLUB,
        Category.COLLECTING,
        "OBOK",
        "Pracownia",
        "Giełdy, wymiana i wystawy znaczków; koło PZF.",
        ["Pawlak"],
        False,
        [
            ("Koło filatelistów", 30, 10, 120, [(6, "10:00", "12:00")], A, "50.00", False, True),
        ],
    ),
]


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
