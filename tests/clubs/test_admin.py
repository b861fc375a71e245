import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from clubs.models import ClosurePeriod, Group, Meeting, WeeklySlot
from tests.factories import (
    ActivityFactory,
    ClosurePeriodFactory,
    GroupFactory,
    RoomFactory,
    SeasonFactory,
    UserFactory,
    WeeklySlotFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(client):
    user = UserFactory(is_staff=True, roles=[Role.DIRECTOR])
    client.force_login(user)
    return user


def group_form(group, **changes):
    data = {
        "activity": group.activity_id,
        "season": group.season_id,
        "name": group.name,
        "capacity": group.capacity,
        "age_min": group.age_min,
        "age_max": group.age_max,
        "room": group.room_id,
        "is_published": "on",
        "slots-TOTAL_FORMS": "0",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "-1"}, "większa lub równa 0"),
        ({"age_min": "10", "age_max": "8"}, "Wiek maksymalny nie może być niższy niż minimalny."),
        (
            {
                "slots-TOTAL_FORMS": "1",
                "slots-0-weekday": "2",
                "slots-0-starts_at": "18:00",
                "slots-0-ends_at": "17:00",
            },
            "Zajęcia muszą kończyć się po swoim początku.",
        ),
    ],
)
def test_admin_rejects_impossible_groups(client, director, changes, message):
    group = GroupFactory(name="Stara nazwa")
    url = reverse("admin:clubs_group_change", args=[group.pk])

    response = client.post(url, group_form(group, name="Nowa nazwa", **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    group.refresh_from_db()
    assert group.name == "Stara nazwa"
    assert not WeeklySlot.objects.exists()


def test_admin_refuses_capacity_below_places_taken(client, director):
    group = GroupFactory(capacity=10)
    Group.objects.filter(pk=group.pk).update(places_taken=8)
    response = client.post(
        reverse("admin:clubs_group_change", args=[group.pk]), group_form(group, capacity="5")
    )
    assert "Zajętych jest już 8 miejsc" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 10


def test_admin_saving_a_group_generates_its_meetings(client, director):
    group = GroupFactory()
    response = client.post(
        reverse("admin:clubs_group_change", args=[group.pk]),
        group_form(
            group,
            **{
                "slots-TOTAL_FORMS": "1",
                "slots-0-weekday": "3",
                "slots-0-starts_at": "16:00",
                "slots-0-ends_at": "17:00",
            },
        ),
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(group=group).count() > 30


def test_admin_rejects_overlapping_closures(client, director):
    season = SeasonFactory()
    ClosurePeriodFactory(
        season=season, starts_on=dt.date(2027, 1, 18), ends_on=dt.date(2027, 1, 31)
    )
    closure = ClosurePeriod(
        season=season, name="Druga", starts_on=dt.date(2027, 1, 30), ends_on=dt.date(2027, 2, 5)
    )
    with pytest.raises(ValidationError, match="nakłada się"):
        closure.full_clean()
    backwards = ClosurePeriod(
        season=season, name="Wstecz", starts_on=dt.date(2027, 3, 5), ends_on=dt.date(2027, 3, 1)
    )
    with pytest.raises(ValidationError, match="przed swoim początkiem"):
        backwards.full_clean()


def test_closure_of_another_venue_does_not_overlap():
    season = SeasonFactory()
    ClosurePeriodFactory(
        season=season,
        venue=RoomFactory().venue,
        starts_on=dt.date(2027, 1, 18),
        ends_on=dt.date(2027, 1, 31),
    )
    other = ClosurePeriod(
        season=season,
        name="Remont",
        venue=RoomFactory().venue,
        starts_on=dt.date(2027, 1, 20),
        ends_on=dt.date(2027, 1, 25),
    )
    other.full_clean()


def test_coordinator_sees_only_their_activities(client):
    coordinator = UserFactory(is_staff=True, roles=[Role.COORDINATOR])
    mine = GroupFactory(activity=ActivityFactory(name="Moje zajęcia"))
    mine.activity.coordinators.add(coordinator)
    theirs = GroupFactory(activity=ActivityFactory(name="Cudze zajęcia"))
    client.force_login(coordinator)

    listing = client.get(reverse("admin:clubs_group_changelist"))

    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [mine]
    assert client.get(reverse("admin:clubs_group_change", args=[mine.pk])).status_code == 200
    other = client.get(reverse("admin:clubs_group_change", args=[theirs.pk]))
    assert other.status_code == 302  # the admin redirects a missing object to the index
    assert client.post(
        reverse("admin:clubs_group_change", args=[theirs.pk]), group_form(theirs, name="X")
    ).status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.name != "X"


def test_guardian_cannot_open_the_admin(client):
    client.force_login(UserFactory(roles=[Role.GUARDIAN]))
    response = client.get(reverse("admin:clubs_group_changelist"))
    assert response.status_code == 302


def test_admin_generate_meetings_action(client, director):
    slot = WeeklySlotFactory()
    response = client.post(
        reverse("admin:clubs_group_changelist"),
        {"action": "generate_meetings", "_selected_action": [slot.group.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Meeting.objects.filter(group=slot.group).exists()


def test_admin_rejects_closures_that_overlap_each_other_in_one_submission(client, director):
    season = SeasonFactory()
    data = {
        "name": season.name,
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "enrollment_opens_at_0": "2026-08-25",
        "enrollment_opens_at_1": "18:00",
        "offer_hours": "48",
        "is_published": "on",
        "closures-TOTAL_FORMS": "2",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
        "closures-0-name": "Ferie",
        "closures-0-starts_on": "2027-01-18",
        "closures-0-ends_on": "2027-01-31",
        "closures-1-name": "Remont",
        "closures-1-starts_on": "2027-01-25",
        "closures-1-ends_on": "2027-02-05",
    }
    response = client.post(reverse("admin:clubs_season_change", args=[season.pk]), data)
    assert response.status_code == 200
    assert "„Ferie” i „Remont” nakładają się" in response.content.decode()
    assert not ClosurePeriod.objects.exists()
