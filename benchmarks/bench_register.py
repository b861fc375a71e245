"""Taking a register: an instructor marks a 25-person register on a phone, over HTTP.

From the attendance issue: "marking a 25-person register (open + 25 taps + save) as a ratio to
the bare Django view baseline, and the register page rate". The issue sets no target; the
figures are reported with their ratios (target None).

setup: a published season of its own that is never `Season.objects.current()` (so the
catalogue benchmark's count of the current season's groups is untouched), one group of 25
places with 25 ACTIVE enrollments (`places_taken` = 25), each child with a guardian, a
household and the enrollment consent; an instructor (role `instructor`, an `Instructor` linked
to the group) with a logged-in session written straight into the session store. Meetings of
the group today, each starting within the past hour (the service marks a meeting up to
`MARK_DAYS_AHEAD` days ahead, so any meeting of today is markable): one for the page rate
(already marked, as a register in the middle of the lesson), two warm-up registers and one
fresh register per measured round.

run:
1. `register_page`: wrk GETs /register/meetings/<pk>/ with the instructor's session cookie (a
   Lua script sets the Cookie header); one response is checked first (200, 25 rows). req/s,
   ratio to `bare_view`.
2. `register_take`: "take the register" = GET the page, 25 one-tap htmx POSTs
   /register/meetings/<pk>/mark/<participant>/ (`HX-Request: true`, the row comes back), then
   POST the note (a redirect back to the register): 27 requests. Each round marks a fresh
   meeting; `CONCURRENCY` instructors take registers at once (one per gunicorn worker), each
   round sequential, a new connection per request (gunicorn's sync workers close it). The
   figure is requests/s (27 per register) as a ratio to `bare_view`; p50/p95/p99 are per
   register (the whole round); `register_take_rate` is registers/s.
3. The database is checked: every measured meeting has exactly 25 marks, one per participant,
   and its note. A failed request or a wrong count fails the benchmark after the figures are
   kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import json
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from .harness import BenchmarkError, Context, Result, benchmark, fetch

PARTICIPANTS = 25
ROUNDS_QUICK = 20
ROUNDS_FULL = 40
WARMUP_ROUNDS = 2
CONCURRENCY = 2  # registers taken at once: one per gunicorn sync worker
REQUESTS_PER_REGISTER = PARTICIPANTS + 2  # open + 25 taps + save the note
REQUEST_TIMEOUT_S = 30.0
DEADLINE_S = 300.0
PLAN_FILE = "register.json"
EMAIL_DOMAIN = "register.bench.example.pl"
STATUSES = ["present"] * 19 + ["absent"] * 3 + ["late"] * 2 + ["excused"]  # 25 taps
NOTE = "Rozgrzewka, gra w kole, ćwiczenia z piłką."


# --- setup ------------------------------------------------------------------------------------


def _rounds(ctx: Context) -> int:
    return ROUNDS_QUICK if ctx.config.quick else ROUNDS_FULL


def _bench_season():
    """A published season that is never the current one (ended two years before today)."""
    from django.utils import timezone

    from clubs.models import Season

    current = Season.objects.current()
    if current is None:
        raise BenchmarkError("seed_demo made no published season")
    tz = timezone.get_default_timezone()
    year = min(timezone.localdate(), current.starts_on).year - 3
    season = Season.objects.create(
        name=f"Bench register {year}/{year + 1}",
        starts_on=dt.date(year, 9, 1),
        ends_on=dt.date(year + 1, 6, 30),
        age_reference_date=dt.date(year, 9, 1),
        enrollment_opens_at=dt.datetime(year, 8, 25, 18, 0, tzinfo=tz),
        is_published=True,
    )
    if Season.objects.current() != current:
        raise BenchmarkError(f"the bench season {season} became the current season")
    return season


def setup(ctx: Context) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as AuthGroup
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role
    from clubs.models import Activity, Group, Instructor, Meeting, Room
    from enrollment.models import (
        AttendanceMark,
        Enrollment,
        EnrollmentStatus,
    )

    from .bench_enrollment import _sessions, families_bulk_create

    User = get_user_model()
    now = timezone.now()
    rounds = _rounds(ctx)
    with transaction.atomic():
        season = _bench_season()
        room = Room.objects.filter(venue__activities__is_active=True).order_by("pk").first()
        if room is None:
            raise BenchmarkError("seed_demo made no room in the venue of an active activity")
        activity = (
            Activity.objects.filter(is_active=True, venue_id=room.venue_id).order_by("pk").first()
        )
        group = Group.objects.create(
            activity=activity,
            season=season,
            name="Dziennik 25",
            capacity=PARTICIPANTS,
            age_min=7,
            age_max=12,
            room=room,
            is_published=True,
        )

        unusable = make_password(None)
        teacher = User.objects.create(
            email=f"instruktor@{EMAIL_DOMAIN}",
            first_name="Instruktor",
            last_name="Dziennikowy",
            password=unusable,
        )
        instructor_role = AuthGroup.objects.filter(name=Role.INSTRUCTOR).first()
        if instructor_role is not None:
            teacher.groups.add(instructor_role)
        instructor = Instructor.objects.create(
            user=teacher, first_name="Instruktor", last_name="Dziennikowy"
        )
        group.instructors.add(instructor)

        birth_date = dt.date(season.reference_date.year - 9, 3, 15)
        parents, children = families_bulk_create(
            count=PARTICIPANTS,
            email_domain=EMAIL_DOMAIN,
            family="Dziennikowa",
            birth_date=birth_date,
        )
        Enrollment.objects.bulk_create(
            Enrollment(
                participant=child,
                group=group,
                status=EnrollmentStatus.ACTIVE,
                requested_at=now - dt.timedelta(days=30),
                requested_by=user,
            )
            for child, user in zip(children, parents, strict=True)
        )
        Group.objects.filter(pk=group.pk).update(places_taken=PARTICIPANTS, waitlist_length=0)

        # Meetings today, each starting within the past hour (markable now).
        count = 1 + WARMUP_ROUNDS + rounds
        local_now = timezone.localtime(now)
        meetings = Meeting.objects.bulk_create(
            Meeting(
                group=group,
                date=(local_now - dt.timedelta(minutes=50) + dt.timedelta(seconds=n)).date(),
                starts_at=now - dt.timedelta(minutes=50) + dt.timedelta(seconds=n),
                ends_at=now + dt.timedelta(minutes=40) + dt.timedelta(seconds=n),
                room=room,
            )
            for n in range(count)
        )
        page_meeting, warmup, measured = (
            meetings[0],
            meetings[1 : 1 + WARMUP_ROUNDS],
            meetings[1 + WARMUP_ROUNDS :],
        )
        AttendanceMark.objects.bulk_create(
            AttendanceMark(
                meeting=page_meeting,
                participant=child,
                status=STATUSES[n],
                marked_by=teacher,
                marked_at=now,
            )
            for n, child in enumerate(children)
        )
        # Staff pass a second factor (docs/adr/0010): a confirmed authenticator, and a session
        # that entered its code.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=teacher, name="bench", confirmed=True)
        [session] = _sessions([teacher], second_factor={teacher.pk: device.persistent_id})

    plan = {
        "group": group.pk,
        "participants": [child.pk for child in children],
        "page_meeting": page_meeting.pk,
        "warmup_meetings": [m.pk for m in warmup],
        "meetings": [m.pk for m in measured],
        "session": session,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "season": season.name,
    }
    _plan_path(ctx).write_text(json.dumps(plan), encoding="utf-8")
    print(
        f"   register: a group of {PARTICIPANTS} in {season}, an instructor with a session, "
        f"{count} meetings today ({rounds} measured registers)"
    )


def _plan_path(ctx: Context) -> Path:
    return ctx.tmp / PLAN_FILE


# --- the HTTP client --------------------------------------------------------------------------


@dataclasses.dataclass
class Round:
    meeting: int
    latency_ms: float | None = None  # the whole register: open + 25 taps + save
    request_ms: list[float] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    ended: float = 0.0


def _csrf_token() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def _request(
    host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes | None
) -> tuple[int, bytes, str, float]:
    begin = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        location = response.getheader("Location") or ""
    finally:
        conn.close()
    return response.status, payload, location, (time.perf_counter() - begin) * 1000


def take_register(host: str, port: int, plan: dict[str, Any], meeting: int) -> Round:
    """Open the register, tap each of the 25 rows once (htmx), save the note."""
    result = Round(meeting)
    token = _csrf_token()
    cookie = f"{plan['session_cookie']}={plan['session']}; {plan['csrf_cookie']}={token}"
    page = f"/register/meetings/{meeting}/"
    begin = time.perf_counter()
    try:
        status, body, _loc, ms = _request(host, port, "GET", page, {"Cookie": cookie}, None)
        result.request_ms.append(ms)
        rows = body.count(b"data-register-row>")
        if status != 200 or rows != PARTICIPANTS:
            result.errors.append(f"GET {page}: {status}, {rows} rows")
        post_headers = {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
            "HX-Current-URL": page,
        }
        for n, participant in enumerate(plan["participants"]):
            path = f"{page}mark/{participant}/"
            form = urlencode({"status": STATUSES[n], "csrfmiddlewaretoken": token}).encode()
            status, body, _loc, ms = _request(host, port, "POST", path, post_headers, form)
            result.request_ms.append(ms)
            if status != 200 or f'id="p-{participant}"'.encode() not in body:
                result.errors.append(f"POST {path}: {status} {body[:200]!r}")
        form = urlencode({"text": NOTE, "csrfmiddlewaretoken": token}).encode()
        note_headers = {k: v for k, v in post_headers.items() if not k.startswith("HX-")}
        status, body, location, ms = _request(
            host, port, "POST", f"{page}note/", note_headers, form
        )
        result.request_ms.append(ms)
        if status != 302 or not location.endswith(page):
            result.errors.append(f"POST {page}note/: {status} -> {location!r}")
    except (OSError, http.client.HTTPException) as exc:
        result.errors.append(repr(exc))
    result.ended = time.perf_counter()
    result.latency_ms = (result.ended - begin) * 1000
    return result


def take_registers(
    base_url: str, plan: dict[str, Any], meetings: list[int], concurrency: int
) -> tuple[list[Round], float]:
    """Take every meeting's register once, `concurrency` at a time; (rounds, wall seconds)."""
    parts = urlsplit(base_url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"loopback addresses only, not {base_url}")
    host, port = parts.hostname, parts.port or 80
    done: list[Round | None] = [None] * len(meetings)
    lock = threading.Lock()
    next_index = 0
    threads = min(concurrency, len(meetings))
    barrier = threading.Barrier(threads + 1)
    deadline = [time.perf_counter() + 60 + DEADLINE_S]

    def worker() -> None:
        nonlocal next_index
        barrier.wait(timeout=60)
        while True:
            with lock:
                index, next_index = next_index, next_index + 1
            if index >= len(meetings):
                return
            if time.perf_counter() > deadline[0]:
                done[index] = Round(meetings[index], errors=["not sent: deadline"])
                continue
            done[index] = take_register(host, port, plan, meetings[index])

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    deadline[0] = started + DEADLINE_S
    for thread in pool:
        thread.join(timeout=max(0.0, deadline[0] + REQUEST_TIMEOUT_S * 30 - time.perf_counter()))
    if any(thread.is_alive() for thread in pool):
        raise BenchmarkError("the register client did not finish within its deadline")
    rounds = [
        r if r is not None else Round(m, errors=["lost"])
        for r, m in zip(done, meetings, strict=True)
    ]
    wall = max((r.ended for r in rounds), default=started) - started
    return rounds, wall


def percentile(values: list[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- checks -----------------------------------------------------------------------------------


def _check_database(plan: dict[str, Any], meetings: list[int]) -> list[str]:
    """Every register taken: 25 marks per meeting, one per participant, and its note."""
    from django.db.models import Count

    from enrollment.models import AttendanceMark, MeetingNote

    counts = {
        row["meeting_id"]: row
        for row in AttendanceMark.objects.filter(meeting_id__in=meetings)
        .values("meeting_id")
        .annotate(
            marks=Count("pk"),
            participants=Count("participant_id", distinct=True),
        )
    }
    notes = set(
        MeetingNote.objects.filter(meeting_id__in=meetings, text=NOTE).values_list(
            "meeting_id", flat=True
        )
    )
    expected = set(plan["participants"])
    problems = []
    for meeting in meetings:
        row = counts.get(meeting, {"marks": 0, "participants": 0})
        if row["marks"] != PARTICIPANTS or row["participants"] != PARTICIPANTS:
            problems.append(
                f"meeting {meeting}: {row['marks']} marks of {row['participants']} participants, "
                f"not {PARTICIPANTS}"
            )
        if meeting not in notes:
            problems.append(f"meeting {meeting}: no note saved")
    strangers = (
        AttendanceMark.objects.filter(meeting_id__in=meetings)
        .exclude(participant_id__in=expected)
        .count()
    )
    if strangers:
        problems.append(f"{strangers} marks of participants outside the group")
    return problems


# --- the benchmark ----------------------------------------------------------------------------


@benchmark(
    "register",
    setup=setup,
    description=f"taking a {PARTICIPANTS}-person register: the register page rate, and open + "
    f"{PARTICIPANTS} htmx taps + save the note ({REQUESTS_PER_REGISTER} requests), as ratios "
    "to the bare view (no target)",
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

    # 1. The register page (a marked register), with the instructor's session.
    page = f"/register/meetings/{plan['page_meeting']}/"
    response = fetch(ctx.server.url(page), headers={"Cookie": cookie})
    rows = response.body.count(b"data-register-row>")
    if response.status != 200 or rows != PARTICIPANTS:
        raise BenchmarkError(
            f"GET {page}: {response.status} with {rows} rows, not 200 with {PARTICIPANTS}:\n"
            f"{response.text[:500]}"
        )
    lua = f'wrk.method = "GET"\nwrk.headers["Cookie"] = "{cookie}"\n'
    page_result = ctx.http(
        "register_page",
        page,
        lua=lua,
        target=None,
        description=f"GET the register of {PARTICIPANTS} (marked) as its instructor",
    )

    # 2. Taking registers: warm-up, then one fresh meeting per round.
    base_url = ctx.server.url("/")
    warm, _ = take_registers(base_url, plan, plan["warmup_meetings"], CONCURRENCY)
    warm_errors = [e for r in warm for e in r.errors]
    if warm_errors:
        raise BenchmarkError(f"the warm-up registers failed: {warm_errors[:5]}")
    client_cpu = time.process_time()
    rounds, wall = take_registers(base_url, plan, plan["meetings"], CONCURRENCY)
    client_cpu = time.process_time() - client_cpu
    ok_rounds = [r for r in rounds if not r.errors]
    errors = [e for r in rounds for e in r.errors]
    latencies = [r.latency_ms for r in rounds if r.latency_ms is not None]
    request_ms = [ms for r in rounds for ms in r.request_ms]
    registers_per_s = len(ok_rounds) / wall if wall > 0 else 0.0
    requests_per_s = len(request_ms) / wall if wall > 0 else 0.0
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))

    problems = _check_database(plan, plan["meetings"])
    warm_problems = _check_database(plan, plan["warmup_meetings"])
    django_close_connections()

    common = {
        "rounds": len(rounds),
        "ok_rounds": len(ok_rounds),
        "concurrency": CONCURRENCY,
        "requests_per_register": REQUESTS_PER_REGISTER,
        "registers_per_s": round(registers_per_s, 3),
        "requests_per_s": round(requests_per_s, 3),
        "request_p50_ms": percentile(request_ms, 50),
        "request_p95_ms": percentile(request_ms, 95),
        "register_mean_ms": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "register_max_ms": round(max(latencies), 3) if latencies else None,
        "wall_s": round(wall, 3),
        "client_cpu_s": round(client_cpu, 3),
        "marks_checked": not problems,
        "problems": problems[:20],
        "first_errors": errors[:5],
        "season": plan["season"],
        "load_generator": "python threads, http.client, a new connection per request",
    }
    take = ctx.result(
        "register_take",
        requests_per_s,
        f"req/s ({REQUESTS_PER_REGISTER} per register)",
        baseline="bare_view",
        target=None,
        description=f"take a register: GET + {PARTICIPANTS} htmx POST taps + POST note, "
        f"{len(rounds)} fresh meetings, {CONCURRENCY} at once; p50/p95 per register",
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        requests=len(request_ms),
        errors=len(errors),
        duration_s=wall,
        extra=common,
    )
    rate = ctx.result(
        "register_take_rate",
        registers_per_s,
        "registers/s",
        target=None,
        description=f"registers of {PARTICIPANTS} taken per second ({CONCURRENCY} at once)",
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        requests=len(rounds),
        errors=len(rounds) - len(ok_rounds),
        duration_s=wall,
        extra={"concurrency": CONCURRENCY, "participants": PARTICIPANTS},
    )

    failures = problems[:10] + warm_problems[:5]
    if errors:
        failures.append(f"{len(errors)} failed requests: {errors[:3]}")
    if failures:
        raise BenchmarkError("the registers were not taken:\n  " + "\n  ".join(failures))
    return [page_result, take, rate]
