"""Factories shared by the whole suite."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group as AuthGroup

from accounts.models import User
from billing.models import FeePlan, FeePlanKind
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

WARSAW = ZoneInfo("Europe/Warsaw")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.pl")
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Kowalski{n}")
    password = factory.PostGenerationMethodCall("set_password", "haslo-testowe-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(AuthGroup.objects.get_or_create(name=role)[0])
        if create:
            self.save()


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season
        django_get_or_create = ("name",)

    name = "2026/2027"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 6, 30)
    enrollment_opens_at = dt.datetime(2026, 8, 25, 18, 0, tzinfo=WARSAW)
    is_published = True


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Budynek {n}")
    short_name = factory.Sequence(lambda n: f"B{n}")
    address = "ul. Testowa 1, 64-100 Leszno"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Sala {n}")


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    first_name = "Ewa"
    last_name = factory.Sequence(lambda n: f"Nowak{n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    name = factory.Sequence(lambda n: f"Zajęcia {n}")
    slug = factory.Sequence(lambda n: f"zajecia-{n}")
    kind = ActivityKind.SECTION
    category = Category.DANCE
    venue = factory.SubFactory(VenueFactory)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    activity = factory.SubFactory(ActivityFactory)
    season = factory.SubFactory(SeasonFactory)
    name = factory.Sequence(lambda n: f"Grupa {n}")
    capacity = 12
    age_min = 7
    age_max = 9
    room = factory.SubFactory(RoomFactory, venue=factory.SelfAttribute("..activity.venue"))


class WeeklySlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklySlot

    group = factory.SubFactory(GroupFactory)
    weekday = 2
    starts_at = dt.time(17, 0)
    ends_at = dt.time(18, 0)


class ClosurePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosurePeriod

    season = factory.SubFactory(SeasonFactory)
    name = "Ferie zimowe"
    starts_on = dt.date(2027, 1, 18)
    ends_on = dt.date(2027, 1, 31)


class FeePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeePlan

    group = factory.SubFactory(GroupFactory)
    kind = FeePlanKind.MONTHLY
    amount = Decimal("120.00")
