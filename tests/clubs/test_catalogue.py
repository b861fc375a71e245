import datetime as dt

import pytest
from django.urls import reverse

from clubs.models import ActivityKind, Category, Group
from tests.factories import (
    ActivityFactory,
    FeePlanFactory,
    GroupFactory,
    InstructorFactory,
    RoomFactory,
    SeasonFactory,
    UserFactory,
    WeeklySlotFactory,
)

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {group.name for group in response.context["groups"]}


@pytest.fixture
def catalogue():
    season = SeasonFactory()
    dance = ActivityFactory(name="Taniec", kind=ActivityKind.SECTION, category=Category.DANCE)
    seniors = ActivityFactory(
        name="Klub Seniora", kind=ActivityKind.CLUB, category=Category.SENIORS
    )
    tuesday_kids = GroupFactory(activity=dance, season=season, name="Dzieci", age_min=6, age_max=8)
    WeeklySlotFactory(group=tuesday_kids, weekday=2)
    full = GroupFactory(
        activity=dance, season=season, name="Pełna", age_min=7, age_max=9, capacity=10
    )
    Group.objects.filter(pk=full.pk).update(places_taken=10, waitlist_length=3)
    WeeklySlotFactory(group=full, weekday=2)
    club = GroupFactory(
        activity=seniors,
        season=season,
        name="Seniorzy",
        age_min=60,
        age_max=120,
        room=RoomFactory(),
    )
    WeeklySlotFactory(group=club, weekday=4)
    old = SeasonFactory(
        name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30)
    )
    GroupFactory(activity=dance, season=old, name="Zeszłoroczna", age_min=6, age_max=8)
    GroupFactory(activity=dance, season=season, name="Ukryta", is_published=False)
    return {"season": season, "club": club, "old": old}


def test_lists_published_groups_of_the_current_season(client, catalogue):
    response = client.get(reverse("clubs:catalogue"))
    assert response.status_code == 200
    assert names(response) == {"Dzieci", "Pełna", "Seniorzy"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"age": 7}, {"Dzieci", "Pełna"}),
        ({"age": 7, "weekday": 2, "free": "on"}, {"Dzieci"}),
        ({"weekday": 4}, {"Seniorzy"}),
        ({"kind": "club"}, {"Seniorzy"}),
        ({"category": "dance"}, {"Dzieci", "Pełna"}),
        ({"free": "true"}, {"Dzieci", "Seniorzy"}),
        ({"free": "0"}, {"Dzieci", "Pełna", "Seniorzy"}),
        ({"q": "senior"}, {"Seniorzy"}),
        ({"age": 90}, {"Seniorzy"}),
    ],
)
def test_filters(client, catalogue, query, expected):
    assert names(client.get(reverse("clubs:catalogue"), query)) == expected


def test_venue_and_season_filters(client, catalogue):
    club = catalogue["club"]
    response = client.get(reverse("clubs:catalogue"), {"venue": club.room.venue_id})
    assert names(response) == {"Seniorzy"}
    response = client.get(reverse("clubs:catalogue"), {"season": catalogue["old"].pk})
    assert names(response) == {"Zeszłoroczna"}


@pytest.mark.parametrize(
    "query",
    [
        {"age": "abc"},
        {"age": "-3"},
        {"age": "1e9"},
        {"weekday": "9"},
        {"kind": "circus"},
        {"venue": "999999"},
        {"season": "x"},
        {"free": "maybe"},
        {"page": "999"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_answer_with_a_message_not_an_error(client, catalogue, query):
    response = client.get(reverse("clubs:catalogue"), query)
    assert response.status_code == 200
    if "page" not in query:
        assert response.context["filter"].errors
        assert "nie zostały rozpoznane" in response.content.decode()


def test_htmx_request_gets_only_the_results(client, catalogue):
    response = client.get(reverse("clubs:catalogue"), {"age": 7}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="group-results"')
    assert "<html" not in content


def test_catalogue_query_count_does_not_grow_with_groups(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("clubs:catalogue"))
    season = catalogue["season"]
    for _ in range(20):
        group = GroupFactory(season=season)
        WeeklySlotFactory(group=group)
        group.instructors.add(InstructorFactory(), InstructorFactory())
        FeePlanFactory(group=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("clubs:catalogue"))
    assert len(response.context["groups"]) == 23


def test_group_detail_shows_schedule_fee_and_places(client, catalogue):
    group = catalogue["club"]
    group.instructors.add(InstructorFactory(first_name="Halina", last_name="Jankowska"))
    FeePlanFactory(group=group, kind="annual_dues", amount="60.00")

    response = client.get(group.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert "Halina Jankowska" in content
    assert "60,00 zł" in content
    assert "Czwartek 17:00–18:00" in content
    assert "12 wolnych miejsc" in content


def test_full_group_shows_waiting_list(client, catalogue):
    group = Group.objects.get(name="Pełna")
    content = client.get(group.get_absolute_url()).content.decode()
    assert "Brak wolnych miejsc" in content
    assert "3 osoby na liście rezerwowej" in content


@pytest.mark.parametrize(
    "path",
    ["/groups/999999/", "/groups/99999999999999999999999/", "/groups/abc/", "/activities/nie-ma/"],
)
def test_missing_objects_answer_404(client, catalogue, path):
    assert client.get(path).status_code == 404


def test_unpublished_group_is_not_found(client, catalogue):
    hidden = Group.objects.get(name="Ukryta")
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_activity_detail_lists_its_current_groups(client, catalogue):
    group = catalogue["club"]
    response = client.get(group.activity.get_absolute_url())
    assert response.status_code == 200
    assert [g.name for g in response.context["groups"]] == ["Seniorzy"]


def test_pages_are_polish_by_default_and_english_on_request(client, catalogue):
    assert "Znajdź grupę" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Find a group" in client.get("/").content.decode()


def test_catalogue_without_a_season(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["season"] is None


def test_anonymous_answers_are_cached_until_the_catalogue_changes(
    client, catalogue, django_assert_num_queries
):
    first = client.get("/", {"age": 7})
    with django_assert_num_queries(0):
        again = client.get("/", {"age": 7})
    assert again.content == first.content

    group = Group.objects.get(name="Dzieci")
    group.places_taken = group.capacity  # what an enrollment does, through save()
    group.save(update_fields=["places_taken"])

    changed = client.get("/", {"age": 7, "free": "on"})
    assert names(changed) == set()
    assert b"Brak wolnych miejsc" in client.get("/", {"age": 7}).content


def test_api_answers_are_cached_until_the_catalogue_changes(
    client, catalogue, django_assert_num_queries
):
    first = client.get("/api/v1/groups/").json()
    with django_assert_num_queries(0):
        assert client.get("/api/v1/groups/").json() == first
    catalogue["club"].slots.update(weekday=5)  # a bulk update bypasses save(): no bump yet
    catalogue["club"].save()
    weekdays = {
        g["name"]: [s["weekday"] for s in g["slots"]]
        for g in client.get("/api/v1/groups/").json()["results"]
    }
    assert weekdays["Seniorzy"] == [5]


def test_signed_in_people_are_never_served_a_cached_page(client, catalogue):
    client.get("/")
    user = UserFactory(first_name="Anna", last_name="Kowalska")
    client.force_login(user)
    assert "Anna Kowalska" in client.get("/").content.decode()


def test_language_is_part_of_the_cache_key(client, catalogue):
    assert "Znajdź grupę" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Find a group" in client.get("/").content.decode()


def test_catalogue_pages_keep_the_filters(client, catalogue):
    season = catalogue["season"]
    for _ in range(30):
        GroupFactory(season=season, age_min=7, age_max=9)
    response = client.get("/", {"age": 8})
    content = response.content.decode()
    assert "Strona 1 z 2" in content
    assert 'href="?age=8&amp;page=2"' in content
    assert len(client.get("/", {"age": 8, "page": 2}).context["groups"]) == 8


def test_filter_form_offers_every_choice_unselected(client, catalogue):
    form = client.get("/").context["filter"].form
    assert form["weekday"].value() in (None, "")
    html = str(form["weekday"])
    assert '<option value="" selected>' in html
    # Submitting the untouched form keeps every weekday.
    response = client.get("/", {"weekday": "", "kind": "", "age": ""})
    assert names(response) == {"Dzieci", "Pełna", "Seniorzy"}
