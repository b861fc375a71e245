"""Who may open which report page; the people behind a figure only for those who may see them."""

import datetime as dt

import pytest
from django.urls import reverse

from enrollment.models import Enrollment, EnrollmentStatus
from tests.enrollment.factories import ParticipantFactory
from tests.factories import GroupFactory, UserFactory

from .seed import WARSAW, build_centre

STAFF_PAGES = ["reports:dashboard", "reports:annual", "reports:city", "reports:city-xlsx"]
DIRECTOR_PAGES = ["reports:settings", "reports:rollover"]
ALLOWED = {
    "director": STAFF_PAGES + DIRECTOR_PAGES,
    "office": STAFF_PAGES,
    "coordinator": STAFF_PAGES,
    "instructor": [],
    "guardian": [],
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("page", STAFF_PAGES + DIRECTOR_PAGES)
def test_each_role_opens_exactly_its_pages(client, request, role, page):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(page), {"year": "2025"} if "city" in page else {})
    assert response.status_code == (200 if page in ALLOWED[role] else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("page", [*STAFF_PAGES, *DIRECTOR_PAGES, "reports:annual-people"])
def test_anonymous_users_are_sent_to_log_in(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "office", "director"])
def test_the_confirm_of_a_rollover_is_the_directors(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("reports:rollover-confirm"), {"source": "1", "target": "2"})
    assert response.status_code == (400 if role == "director" else 404)


def _member(group, *, staff):
    participant = ParticipantFactory(consents=[], birth_date=dt.date(2015, 5, 5))
    Enrollment.objects.create(
        participant=participant,
        group=group,
        status=EnrollmentStatus.ACTIVE,
        requested_at=dt.datetime(2024, 8, 1, tzinfo=WARSAW),
        requested_by=staff,
    )
    return participant


@pytest.mark.django_db
def test_people_behind_a_figure_are_scoped_by_role(
    client, coordinator, coordinated_activity, office, instructor
):
    centre = build_centre(seed=1, people=0, groups_per_activity=1)
    staff = UserFactory()
    season = centre.seasons[0]
    mine = GroupFactory(activity=coordinated_activity, season=season)
    theirs = next(g for g in centre.groups if g.season == season and g.activity.kind == "section")
    from clubs.models import Meeting

    for group in (mine, theirs):
        starts = dt.datetime(2025, 3, 4, 17, tzinfo=WARSAW)
        Meeting.objects.get_or_create(
            group=group,
            slot=None,
            date=starts.date(),
            defaults={
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=1),
                "room": group.room,
            },
        )
    my_person, their_person = _member(mine, staff=staff), _member(theirs, staff=staff)
    url = reverse("reports:annual-people")
    query = {"year": "2025", "section": "clubs", "measure": "members"}

    client.force_login(office)
    response = client.get(url, query)
    assert response.status_code == 200
    listed = {p["participant_id"] for p in response.context["people"]}
    assert listed == {my_person.pk, their_person.pk}
    assert response.context["hidden"] == 0

    client.force_login(coordinator)
    response = client.get(url, query)
    assert {p["participant_id"] for p in response.context["people"]} == {my_person.pk}
    assert response.context["total"] == 2 and response.context["hidden"] == 1
    assert f'data-person="{their_person.pk}"'.encode() not in response.content
    assert f'data-person="{my_person.pk}"'.encode() in response.content

    client.force_login(instructor)
    assert client.get(url, query).status_code == 404


@pytest.mark.django_db
def test_names_in_the_city_export_only_for_those_who_may_see_people(client, guardian, office):
    client.force_login(office)
    url = reverse("reports:city-xlsx")
    response = client.get(url, {"year": "2025", "names": "1"})
    assert response.status_code == 200
    assert "imiennie" in response["Content-Disposition"]
    client.force_login(guardian)
    assert client.get(url, {"year": "2025", "names": "1"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"section": "bogus", "measure": "members"},
        {"section": "clubs", "measure": "bogus"},
        {"section": "clubs", "measure": "members", "bracket": "x"},
        {"section": "clubs", "measure": "members", "bracket": "999999"},
    ],
)
def test_a_bad_drill_down_answers_404(client, director, query):
    client.force_login(director)
    assert (
        client.get(reverse("reports:annual-people"), {"year": "2025", **query}).status_code == 404
    )
