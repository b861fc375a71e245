import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from clubs.models import Group, Season, age_on
from tests.factories import GroupFactory, SeasonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2019, 9, 1), dt.date(2026, 9, 1), 7),
        (dt.date(2019, 9, 2), dt.date(2026, 9, 1), 6),
        (dt.date(2016, 2, 29), dt.date(2026, 2, 28), 9),
        (dt.date(2016, 2, 29), dt.date(2026, 3, 1), 10),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


@given(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2025, 12, 31)))
def test_age_never_negative_and_grows_by_one_a_year(birth):
    on = dt.date(2026, 9, 1)
    age = age_on(birth, on)
    assert age >= 0
    assert age_on(birth, on.replace(year=on.year + 1)) == age + 1


def test_group_accepts_birth_dates_by_age_on_the_reference_date():
    season = SeasonFactory(age_reference_date=dt.date(2026, 9, 1))
    group = GroupFactory(season=season, age_min=7, age_max=9)
    assert group.accepts_birth_date(dt.date(2019, 9, 1))
    assert not group.accepts_birth_date(dt.date(2019, 9, 2))
    assert group.accepts_birth_date(dt.date(2016, 9, 2))
    assert not group.accepts_birth_date(dt.date(2016, 9, 1))


def test_database_refuses_more_places_taken_than_capacity():
    group = GroupFactory(capacity=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=group.pk).update(places_taken=4)


def test_database_refuses_inverted_age_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(age_min=10, age_max=5)


def test_current_season():
    SeasonFactory(name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30))
    running = SeasonFactory(name="2026/2027")
    SeasonFactory(
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
        is_published=False,
    )
    assert Season.objects.current(on=dt.date(2026, 11, 25)) == running
    assert Season.objects.current(on=dt.date(2026, 7, 15)) == running  # the next one to start
    assert Season.objects.current(on=dt.date(2030, 1, 1)) == running  # the last one
