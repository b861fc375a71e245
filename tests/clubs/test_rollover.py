"""Copying a season's catalogue into the next one: once, merging into what is there."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clubs.models import Group, Meeting, Season, WeeklySlot
from clubs.rollover import CatalogueRolloverError, catalogue_rollover, catalogue_rollover_plan
from tests.factories import (
    ActivityFactory,
    GroupFactory,
    InstructorFactory,
    SeasonFactory,
    WeeklySlotFactory,
)

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def seasons(db):
    source = SeasonFactory()
    target = Season.objects.create(
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
        enrollment_opens_at=dt.datetime(2027, 8, 25, 18, tzinfo=WARSAW),
    )
    return source, target


@pytest.fixture
def catalogue(seasons):
    source, _target = seasons
    teacher = InstructorFactory()
    groups = []
    for n in range(3):
        group = GroupFactory(season=source, name=f"Grupa {n}", capacity=10 + n, age_min=5 + n)
        group.instructors.add(teacher)
        WeeklySlotFactory(group=group, weekday=2)
        WeeklySlotFactory(group=group, weekday=4)
        groups.append(group)
    GroupFactory(season=source, activity=ActivityFactory(is_active=False))  # not copied
    return groups


def _snapshot(season):
    return sorted(
        (g.activity_id, g.name, g.capacity, g.age_min, g.age_max, g.copied_from_id)
        for g in Group.objects.filter(season=season)
    )


def test_the_groups_slots_and_instructors_are_copied_with_their_meetings(seasons, catalogue):
    source, target = seasons

    result = catalogue_rollover(source=source, target=target)

    assert len(result.created) == 3 and result.existing == []
    copies = Group.objects.filter(season=target).order_by("name")
    assert [(c.name, c.capacity, c.age_min, c.copied_from_id) for c in copies] == [
        (g.name, g.capacity, g.age_min, g.pk) for g in catalogue
    ]
    for copy in copies:
        assert copy.places_taken == 0 and copy.waitlist_length == 0
        assert list(copy.instructors.all()) == list(copy.copied_from.instructors.all())
        assert sorted(copy.slots.values_list("weekday", flat=True)) == [2, 4]
        assert Meeting.objects.filter(group=copy).count() > 50  # two a week, a whole season
    assert result.slots_created == 6
    assert result.meetings_created == Meeting.objects.filter(group__season=target).count()


def test_running_it_twice_creates_nothing_twice(seasons, catalogue):
    source, target = seasons
    catalogue_rollover(source=source, target=target)
    counts = (
        Group.objects.count(),
        WeeklySlot.objects.count(),
        Meeting.objects.count(),
    )

    second = catalogue_rollover(source=source, target=target)

    assert second.created == [] and len(second.existing) == 3
    assert (Group.objects.count(), WeeklySlot.objects.count(), Meeting.objects.count()) == counts


def test_a_target_with_groups_gets_only_the_missing_ones(seasons, catalogue):
    source, target = seasons
    by_hand = GroupFactory(
        season=target, activity=catalogue[0].activity, name="Grupa 0", capacity=99
    )

    plan = catalogue_rollover_plan(source=source, target=target)
    result = catalogue_rollover(source=source, target=target)

    assert sorted(g.pk for g in plan.to_copy) == sorted(g.pk for g in catalogue[1:])
    assert (catalogue[0], by_hand) in result.existing
    by_hand.refresh_from_db()
    assert by_hand.capacity == 99 and by_hand.copied_from_id is None  # left as it was
    assert Group.objects.filter(season=target).count() == 3


@pytest.mark.parametrize("case", ["same", "backwards"])
def test_a_rollover_that_does_not_go_forward_is_refused_and_changes_nothing(
    seasons, catalogue, case
):
    source, target = seasons
    before = (_snapshot(source), _snapshot(target))
    with pytest.raises(CatalogueRolloverError):
        if case == "same":
            catalogue_rollover(source=source, target=source)
        else:
            catalogue_rollover(source=target, target=source)
    assert (_snapshot(source), _snapshot(target)) == before
