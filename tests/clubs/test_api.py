import pytest

from clubs.models import Group
from tests.factories import FeePlanFactory, GroupFactory, InstructorFactory, WeeklySlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    group = GroupFactory(name="Dzieci 7–9", capacity=15, age_min=7, age_max=9)
    WeeklySlotFactory(group=group, weekday=2)
    group.instructors.add(InstructorFactory(first_name="Ewa", last_name="Nowak"))
    Group.objects.filter(pk=group.pk).update(places_taken=5, waitlist_length=0)
    return group


def test_group_list(client, group):
    response = client.get("/api/v1/groups/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == group.pk
    assert item["name"] == "Dzieci 7–9"
    assert item["activity"]["kind"] == "section"
    assert item["activity"]["category"] == "dance"
    assert item["venue"]["name"] == group.room.venue.name
    assert item["slots"] == [
        {
            "weekday": 2,
            "weekday_label": "Wtorek",
            "starts_at": "17:00",
            "ends_at": "18:00",
            "room": group.room.name,
        }
    ]
    assert (item["age_min"], item["age_max"]) == (7, 9)
    assert (item["capacity"], item["free_places"], item["waiting_list_length"]) == (15, 10, 0)
    assert item["season"]["name"] == "2026/2027"
    assert item["instructors"] == ["Ewa Nowak"]


def test_group_list_filters(client, group):
    assert client.get("/api/v1/groups/", {"age": 8, "weekday": 2}).json()["count"] == 1
    assert client.get("/api/v1/groups/", {"age": 10}).json()["count"] == 0
    assert client.get("/api/v1/groups/", {"kind": "club"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [({"age": "x"}, "age"), ({"weekday": "8"}, "weekday"), ({"free": "perhaps"}, "free")],
)
def test_bad_filters_answer_400_with_the_field(client, group, query, field):
    response = client.get("/api/v1/groups/", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_group_detail(client, group):
    response = client.get(f"/api/v1/groups/{group.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == group.pk


@pytest.mark.parametrize("path", ["/api/v1/groups/0/", "/api/v1/groups/9999999999999999999999/"])
def test_group_detail_not_found_is_json(client, group, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "error" in response.json()


def test_api_query_count_does_not_grow(client, group, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:
        client.get("/api/v1/groups/")
    for _ in range(10):
        extra = GroupFactory(season=group.season)
        WeeklySlotFactory(group=extra)
        FeePlanFactory(group=extra)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/groups/").json()["count"] == 11


def test_api_is_read_only(client, group):
    assert client.post("/api/v1/groups/").status_code == 405
