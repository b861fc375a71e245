"""The public catalogue with 200 groups: the page `/` and the JSON API `/api/v1/groups/`.

Target: each serves at least 0.3 of the bare view's requests per second.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from .harness import Context, Response, Result, benchmark

TOTAL_GROUPS = 200
TARGET_RATIO = 0.3
CATALOGUE_PAGE_SIZE = 24  # clubs.views.CATALOGUE_PAGE_SIZE


def setup(ctx: Context) -> None:
    """Add published groups to the demo season, each with slots, an instructor and a fee plan,
    until the current season has TOTAL_GROUPS of them."""
    from django.db import transaction

    from billing.models import FeePlan, FeePlanKind
    from clubs.models import Activity, Group, Instructor, Room, Season, WeeklySlot

    rng = random.Random(TOTAL_GROUPS)  # the same catalogue every run
    season = Season.objects.current()
    assert season is not None, "seed_demo made no published season"
    existing = Group.objects.published().filter(season=season).count()
    activities = list(Activity.objects.filter(is_active=True).order_by("pk"))
    rooms: dict[int, list[Room]] = {}
    for room in Room.objects.order_by("pk"):
        rooms.setdefault(room.venue_id, []).append(room)
    instructors = list(Instructor.objects.order_by("pk"))
    fee_amounts = {
        FeePlanKind.MONTHLY: ["90.00", "110.00", "140.00"],
        FeePlanKind.PER_MEETING: ["25.00", "30.00"],
        FeePlanKind.SEMESTER: ["380.00", "450.00"],
        FeePlanKind.PASS: ["200.00", "480.00"],
        FeePlanKind.ANNUAL_DUES: ["50.00", "120.00"],
        FeePlanKind.FREE: ["0.00"],
    }
    with transaction.atomic():
        groups = []
        for number in range(existing + 1, TOTAL_GROUPS + 1):
            activity = activities[number % len(activities)]
            age_min = rng.choice([4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 60])
            capacity = rng.choice([8, 10, 12, 15, 20, 24, 30])
            taken = rng.randint(0, capacity)
            groups.append(
                Group(
                    activity=activity,
                    season=season,
                    name=f"Grupa {number:03d}",
                    capacity=capacity,
                    age_min=age_min,
                    age_max=min(age_min + rng.choice([2, 3, 5, 10, 40]), 120),
                    room=rng.choice(rooms[activity.venue_id]),
                    requires_approval=rng.random() < 0.2,
                    trial_allowed=rng.random() < 0.5,
                    places_taken=taken,
                    waitlist_length=rng.randint(1, 6) if taken == capacity else 0,
                )
            )
        Group.objects.bulk_create(groups)
        slots, plans, teachers = [], [], []
        for group in groups:
            for weekday in rng.sample(range(1, 7), rng.choice([1, 1, 2])):
                start = dt.datetime(2026, 1, 1, rng.randint(9, 19), rng.choice([0, 15, 30]))
                end = start + dt.timedelta(minutes=rng.choice([45, 60, 90, 120]))
                slots.append(
                    WeeklySlot(
                        group=group, weekday=weekday, starts_at=start.time(), ends_at=end.time()
                    )
                )
            kind = rng.choice(list(fee_amounts))
            plans.append(
                FeePlan(
                    group=group,
                    kind=kind,
                    amount=Decimal(rng.choice(fee_amounts[kind])),
                    entries=10 if kind == FeePlanKind.PASS else None,
                )
            )
            teachers.append(
                Group.instructors.through(group=group, instructor=rng.choice(instructors))
            )
        WeeklySlot.objects.bulk_create(slots)
        FeePlan.objects.bulk_create(plans)
        Group.instructors.through.objects.bulk_create(teachers)
    published = Group.objects.published().filter(season=season).count()
    assert published == TOTAL_GROUPS, f"{published} published groups, not {TOTAL_GROUPS}"
    print(f"   catalogue: {len(groups)} groups added, {published} published in {season}")


def check_catalogue(response: Response) -> None:
    assert response.status == 200
    cards = response.text.count("group-card")
    assert cards == CATALOGUE_PAGE_SIZE, f"{cards} group cards on the page"


def check_api(response: Response) -> None:
    assert response.status == 200
    data = response.json()
    assert data["count"] == TOTAL_GROUPS, f"count {data['count']}"
    assert all(group["slots"] for group in data["results"]), "a group without slots"


@benchmark(
    "catalogue",
    setup=setup,
    description=f"GET / and /api/v1/groups/ with {TOTAL_GROUPS} groups (target >= "
    f"{TARGET_RATIO} of the bare view)",
)
def run(ctx: Context) -> list[Result]:
    return [
        ctx.http(
            "catalogue_page",
            "/",
            target=TARGET_RATIO,
            check=check_catalogue,
            description=f"GET / (page 1: {CATALOGUE_PAGE_SIZE} of {TOTAL_GROUPS} groups)",
        ),
        ctx.http(
            "api_groups",
            "/api/v1/groups/",
            target=TARGET_RATIO,
            check=check_api,
            description=f"GET /api/v1/groups/ (all {TOTAL_GROUPS} groups as JSON)",
        ),
    ]
