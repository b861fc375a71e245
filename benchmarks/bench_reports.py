"""The director's dashboard and the annual statistics report on a centre of 3,000
participants, 150 groups and a year of attendance, as ratios to the bare view.

From the reports issue: "benchmark: the director dashboard and the annual report for a centre
of 3,000 participants, 150 groups and a year of attendance, as ratios to the bare view
baseline, with bounded query counts". No target is set; the figures are reported with their
ratios, and the query count of each page (measured in-process with the same session) must stay
under `MAX_QUERIES`, else the benchmark fails.

setup: an unpublished season of its own that lies in the last calendar year (so it is never
`Season.objects.current()` and the other benchmarks' seasons are untouched), 150 groups over
the demo's active activities, 3,000 participants (families made in bulk, one child each) with
20 active enrollments per group, a weekly meeting per group for the whole season and a mark
for about 85 % of each meeting's participants (about 120,000 marks), a fee charge per
enrollment for two months, half of them paid. A director with a confirmed authenticator and a
logged-in, verified session written straight into the session store.

run:
1. `reports_dashboard`: wrk GETs /reports/?season=<bench season> as the director (the page of
   25 groups, the totals over 150, the monthly attendance chart), req/s, ratio to `bare_view`.
2. `reports_annual`: wrk GETs /reports/annual/?year=<that year>: every figure over the year.
Both pages are checked first (200, the expected content) and their SQL queries counted; each is
loaded by `CONNECTIONS` wrk connections (one per gunicorn worker). The setup ends with ANALYZE,
as a production database would have statistics for these tables.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from .harness import BenchmarkError, Context, Result, benchmark, fetch

PARTICIPANTS = 3000
GROUPS = 150
PER_GROUP = PARTICIPANTS // GROUPS
MARKED_SHARE = 0.85
MAX_QUERIES = 40
# One request in flight per gunicorn worker: these pages take a few hundred milliseconds, and
# a deeper queue only adds waiting (wrk gives up on a request after 2 s).
CONNECTIONS = 2
PLAN_FILE = "reports.json"
EMAIL_DOMAIN = "reports.bench.example.pl"


def _plan_path(ctx: Context) -> Path:
    return ctx.tmp / PLAN_FILE


def _session(user, device=None) -> str:
    """A logged-in session as `login()` (and django-otp's `login()`) would write it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    backend = "django.contrib.auth.backends.ModelBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        backend = settings.AUTHENTICATION_BACKENDS[-1]
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:
        store["otp_device_id"] = device.persistent_id
    store.create()
    return store.session_key


def _verified_device(user):
    """A confirmed authenticator, so the staff two-factor middleware lets the session through."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # two-factor not installed: nothing to verify
        return None
    return TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def setup(ctx: Context) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as AuthGroup
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role
    from billing.models import Allocation, Charge, FeePlanKind, Payment, PaymentMethod
    from clubs.models import Activity, Group, Meeting, Room, Season
    from enrollment.models import AttendanceMark, Enrollment, EnrollmentStatus

    from .bench_enrollment import families_bulk_create

    rng = random.Random(PARTICIPANTS)
    User = get_user_model()
    tz = timezone.get_current_timezone()
    year = timezone.localdate().year - 1
    now = timezone.now()
    with transaction.atomic():
        season = Season.objects.create(
            name=f"Bench reports {year}",
            starts_on=dt.date(year, 1, 8),
            ends_on=dt.date(year, 12, 18),
            enrollment_opens_at=dt.datetime(year - 1, 12, 1, 18, tzinfo=tz),
            is_published=False,
        )
        activities = list(Activity.objects.filter(is_active=True).order_by("pk"))
        rooms = {r.venue_id: r for r in Room.objects.order_by("pk")}
        if not activities or not rooms:
            raise BenchmarkError("seed_demo made no active activity or room")
        activities = [a for a in activities if a.venue_id in rooms] or activities
        groups = Group.objects.bulk_create(
            Group(
                activity=activities[n % len(activities)],
                season=season,
                name=f"Raport {n:03d}",
                capacity=PER_GROUP + rng.choice([0, 0, 2, 5]),
                places_taken=PER_GROUP,
                waitlist_length=rng.choice([0, 0, 0, 2, 6]),
                age_min=rng.choice([5, 7, 10, 14, 18, 60]),
                age_max=120,
                room=rooms.get(activities[n % len(activities)].venue_id)
                or next(iter(rooms.values())),
            )
            for n in range(GROUPS)
        )
        staff = User.objects.create(
            email=f"dyrektor@{EMAIL_DOMAIN}",
            first_name="Dyrektor",
            last_name="Raportowy",
            password=make_password(None),
            is_staff=True,
        )
        role = AuthGroup.objects.filter(name=Role.DIRECTOR).first()
        if role is None:
            raise BenchmarkError("no director role")
        staff.groups.add(role)
        births = [dt.date(rng.randrange(1945, 2020), 3, 15) for _ in range(PARTICIPANTS)]
        parents, children = families_bulk_create(
            count=PARTICIPANTS,
            email_domain=EMAIL_DOMAIN,
            family="Raportowa",
            birth_date=dt.date(2015, 3, 15),
        )
        for child, birth in zip(children, births, strict=True):
            child.birth_date = birth
        type(children[0]).objects.bulk_update(children, ["birth_date"], batch_size=1000)
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                participant=child,
                group=groups[n // PER_GROUP],
                status=EnrollmentStatus.ACTIVE,
                requested_at=dt.datetime(year - 1, 12, 10, 12, tzinfo=tz),
                requested_by=parent,
            )
            for n, (child, parent) in enumerate(zip(children, parents, strict=True))
        )
        meetings = []
        for group in groups:
            day = season.starts_on + dt.timedelta(days=rng.randrange(7))
            while day <= season.ends_on:
                starts = dt.datetime.combine(day, dt.time(rng.choice([16, 17, 18])), tzinfo=tz)
                meetings.append(
                    Meeting(
                        group=group,
                        date=day,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=rng.choice([45, 60, 90])),
                        room=group.room,
                    )
                )
                day += dt.timedelta(days=7)
        meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
        by_group: dict[int, list] = {}
        for enrollment in enrollments:
            by_group.setdefault(enrollment.group_id, []).append(enrollment.participant_id)
        statuses = ["present"] * 14 + ["late", "absent", "absent", "excused"]
        marks = [
            AttendanceMark(
                meeting=meeting,
                participant_id=participant,
                status=rng.choice(statuses),
                marked_by=staff,
                marked_at=meeting.starts_at + dt.timedelta(minutes=5),
            )
            for meeting in meetings
            for participant in by_group[meeting.group_id]
            if rng.random() < MARKED_SHARE
        ]
        AttendanceMark.objects.bulk_create(marks, batch_size=5000)
        charges = Charge.objects.bulk_create(
            Charge(
                household_id=child.household_id,
                enrollment=enrollment,
                period=dt.date(year, month, 1),
                kind=FeePlanKind.MONTHLY,
                description="Opłata miesięczna",
                base_amount=Decimal("120.00"),
                amount=Decimal("120.00"),
                due_on=dt.date(year, month, 10),
            )
            for child, enrollment in zip(children, enrollments, strict=True)
            for month in (10, 11)
        )
        paid = charges[::2]
        payments = Payment.objects.bulk_create(
            Payment(
                household_id=charge.household_id,
                amount=charge.amount,
                method=PaymentMethod.TRANSFER,
                received_on=charge.due_on,
            )
            for charge in paid
        )
        Allocation.objects.bulk_create(
            Allocation(charge=charge, payment=payment, amount=charge.amount)
            for charge, payment in zip(paid, payments, strict=True)
        )
        device = _verified_device(staff)
        session = _session(staff, device)

    # A database that took these rows over months would have statistics; a bulk load has none
    # until autovacuum gets to it, and without them PostgreSQL plans these joins as if the
    # tables were empty. Measure the pages as they run in production.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from django.conf import settings

    plan = {
        "season": season.pk,
        "year": year,
        "session": session,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "director": staff.pk,
        "marks": len(marks),
        "meetings": len(meetings),
    }
    _plan_path(ctx).write_text(json.dumps(plan), encoding="utf-8")
    print(
        f"   reports: {GROUPS} groups, {PARTICIPANTS} participants, {len(meetings)} meetings, "
        f"{len(marks)} marks in {year} ({now:%Y-%m-%d})"
    )


def _query_count(plan: dict, path: str) -> tuple[int, int]:
    """(status, SQL queries) of one GET of the page in this process, with the same session."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "127.0.0.1")
    client = Client(HTTP_HOST=host.lstrip("."))
    client.cookies[plan["session_cookie"]] = plan["session"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured)


@benchmark(
    "reports",
    setup=setup,
    description=f"the director's dashboard and the annual report: {PARTICIPANTS} participants, "
    f"{GROUPS} groups, a year of attendance; ratios to the bare view (no target), query counts "
    f"at most {MAX_QUERIES}",
)
def run(ctx: Context) -> list[Result]:
    from .harness import django_close_connections

    if ctx.server is None:
        raise BenchmarkError("no server is running")
    path = _plan_path(ctx)
    if not path.exists():
        raise BenchmarkError(f"no plan at {path}: the setup did not run")
    plan = json.loads(path.read_text(encoding="utf-8"))
    cookie = f"{plan['session_cookie']}={plan['session']}"
    pages = {
        "reports_dashboard": (f"/reports/?season={plan['season']}", b"data-group="),
        "reports_annual": (f"/reports/annual/?year={plan['year']}", b'data-section="ensembles"'),
    }
    results = []
    problems = []
    for name, (page, marker) in pages.items():
        response = fetch(ctx.server.url(page), headers={"Cookie": cookie}, timeout=60)
        if response.status != 200 or marker not in response.body:
            raise BenchmarkError(f"GET {page}: {response.status}\n{response.text[:500]}")
        status, queries = _query_count(plan, page)
        if status != 200:
            problems.append(f"{page}: {status} in process")
        if queries > MAX_QUERIES:
            problems.append(f"{page}: {queries} queries, more than {MAX_QUERIES}")
        result = ctx.http(
            name,
            page,
            lua=f'wrk.method = "GET"\nwrk.headers["Cookie"] = "{cookie}"\n',
            target=None,
            connections=CONNECTIONS,
            description=f"GET {page.split('?')[0]} as the director ({GROUPS} groups, "
            f"{PARTICIPANTS} participants, {plan['marks']} marks)",
        )
        result.extra = {**(result.extra or {}), "queries": queries}
        results.append(result)
    django_close_connections()
    if problems:
        raise BenchmarkError("; ".join(problems))
    return results
