"""Factories of billing rows for the tests. Ledger rows are normally written by the services;
these make the rows directly, for reading pages and sums."""

import datetime as dt
from decimal import Decimal

import factory

from billing.models import (
    Charge,
    DiscountGrant,
    DiscountKind,
    FeePlanKind,
)
from tests.enrollment.factories import HouseholdFactory
from tests.factories import UserFactory


class ChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charge

    household = factory.SubFactory(HouseholdFactory)
    period = dt.date(2026, 9, 1)
    kind = FeePlanKind.MONTHLY
    description = factory.Sequence(lambda n: f"Zajęcia {n}")
    base_amount = factory.SelfAttribute("amount")
    amount = Decimal("100.00")
    due_on = factory.LazyAttribute(lambda o: o.period.replace(day=10))


class DiscountGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountGrant

    household = factory.SubFactory(HouseholdFactory)
    kind = DiscountKind.LARGE_FAMILY_CARD
    card_number = "KDR1234567"
    valid_until = dt.date(2030, 12, 31)
    granted_by = factory.SubFactory(UserFactory)


# --- charges: enrollments with their activation, and meetings ---------------------------------


def meetings_make(group, days, *, status="scheduled"):
    """Meetings of `group` at 17:00 Warsaw on each of `days` (no weekly slot)."""
    from zoneinfo import ZoneInfo

    from clubs.models import Meeting

    warsaw = ZoneInfo("Europe/Warsaw")
    return [
        Meeting.objects.create(
            group=group,
            date=day,
            starts_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=warsaw),
            ends_at=dt.datetime.combine(day, dt.time(18, 0), tzinfo=warsaw),
            room=group.room,
            status=status,
        )
        for day in days
    ]


def enrollment_activate(participant, group, on: dt.date, *, status="active", ends_on=None):
    """An enrollment that became ACTIVE on `on` (its event says so), as the services leave it."""
    from zoneinfo import ZoneInfo

    from enrollment.models import Enrollment, EnrollmentEvent

    at = dt.datetime.combine(on, dt.time(12, 0), tzinfo=ZoneInfo("Europe/Warsaw"))
    enrollment = Enrollment.objects.create(
        participant=participant,
        group=group,
        status=status,
        requested_at=at,
        requested_by=UserFactory(),
        ends_on=ends_on,
    )
    event = EnrollmentEvent.objects.create(
        enrollment=enrollment, from_status="", to_status="active"
    )
    EnrollmentEvent.objects.filter(pk=event.pk).update(at=at)
    return enrollment
