"""Shared set-up of the fair-allocation tests: a lottery season and its window."""

import datetime as dt

from clubs.models import AllocationMode
from enrollment import services
from tests.enrollment.factories import family
from tests.factories import WARSAW, GroupFactory, SeasonFactory

OPENS = dt.datetime(2026, 6, 1, 8, 0, tzinfo=WARSAW)
CLOSES = dt.datetime(2026, 6, 8, 20, 0, tzinfo=WARSAW)
DURING = OPENS + dt.timedelta(days=2)
AFTER = CLOSES + dt.timedelta(minutes=1)


def lottery_season(**kwargs):
    return SeasonFactory(
        allocation_mode=AllocationMode.LOTTERY,
        applications_open_at=OPENS,
        applications_close_at=CLOSES,
        **kwargs,
    )


def lottery_group(season=None, **kwargs):
    return GroupFactory(season=season or lottery_season(), **kwargs)


def apply(groups, *, children=1, together=False, now=DURING, **participant):
    """A new family applies for its children with `groups` in order of preference."""
    user, kids = family(children, **participant)
    applications = services.application_submit(
        participants=kids, preferences=groups, submitted_by=user, together=together, now=now
    )
    return user, kids, applications
