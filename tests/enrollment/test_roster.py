"""The coordinator roster: who may see it, what it shows, its actions, its exports, its queries."""

import csv
import datetime as dt
import io
from types import SimpleNamespace
from urllib.parse import quote

import openpyxl
import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from accounts.models import Role
from clubs.models import ActivityKind, Group, age_on
from enrollment import services
from enrollment.models import (
    ConsentKind,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Participant,
)
from enrollment.roster_views import photo_allowed_among
from tests.enrollment.factories import ParticipantFactory, family
from tests.factories import (
    WARSAW,
    ActivityFactory,
    GroupFactory,
    InstructorFactory,
    SeasonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = EnrollmentStatus
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WARSAW)
HEALTH = "Uczulenie na orzechy laskowe"
WITH_PHOTOS = [ConsentKind.ENROLLMENT_DATA, ConsentKind.IMAGE]
ACTIONS = ["approve", "reject", "promote", "reorder", "move"]
DENIED = ["guardian", "instructor", "other_coordinator"]
ALLOWED = ["coordinator", "office", "director"]


@pytest.fixture
def client(client):
    """Pages in English: the assertions compare the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- helpers -------------------------------------------------------------------------------------


def enroll(group, *, now=NOW, phone="", **participant) -> Enrollment:
    """A new family asks for a place for one child."""
    guardian, [child] = family(**participant)
    if phone:
        guardian.phone = phone
        guardian.save(update_fields=["phone"])
    [enrollment] = services.enrollment_request(
        participants=[child], group=group, requested_by=guardian, now=now
    )
    return enrollment


def assert_counters(*groups):
    for group in groups:
        group.refresh_from_db()
        assert (group.places_taken, group.waitlist_length) == services.group_counters_recount(
            group=group
        )


def state():
    """Everything an action could change: enrollments, their history, the group counters."""
    return (
        list(
            Enrollment.objects.order_by("pk").values_list(
                "pk", "group_id", "status", "priority_tier", "waitlist_rank", "offer_expires_at"
            )
        ),
        list(EnrollmentEvent.objects.order_by("pk").values_list("pk", "to_status", "reason")),
        list(Group.objects.order_by("pk").values_list("pk", "places_taken", "waitlist_length")),
    )


def flash(response) -> list[str]:
    with translation.override("en"):
        return [str(message) for message in get_messages(response.wsgi_request)]


def action_url(action: str, enrollment: Enrollment, group: Group | None = None) -> str:
    return reverse(
        f"roster:{action}",
        kwargs={"group_id": (group or enrollment.group).pk, "pk": enrollment.pk},
    )


def fresh(enrollment: Enrollment) -> Enrollment:
    enrollment.refresh_from_db()
    return enrollment


def waitlist(group) -> list[str]:
    return [e.participant.first_name for e in Enrollment.objects.filter(group=group).waitlist()]


@pytest.fixture
def dance():
    """One activity, two groups of one season, and the activity's coordinator.

    `younger` holds auditions and has one place; `older` has two free places.
    """
    activity = ActivityFactory(name="Taniec nowoczesny")
    season = SeasonFactory()
    coordinator = UserFactory(
        roles=[Role.COORDINATOR], first_name="Anna", last_name="Koordynatorka"
    )
    activity.coordinators.add(coordinator)
    younger = GroupFactory(
        activity=activity, season=season, name="Grupa młodsza", capacity=1, requires_approval=True
    )
    older = GroupFactory(activity=activity, season=season, name="Grupa starsza", capacity=2)
    return SimpleNamespace(
        activity=activity, season=season, coordinator=coordinator, younger=younger, older=older
    )


@pytest.fixture
def busy(dance):
    """In `younger`: Ala has the place, Bartek then Celina wait, Daria awaits approval."""
    made = {
        name: enroll(dance.younger, first_name=name, now=NOW + dt.timedelta(minutes=i))
        for i, name in enumerate(["Ala", "Bartek", "Celina", "Daria"])
    }
    for name in ["Ala", "Bartek", "Celina"]:
        services.enrollment_approve(enrollment=made[name], by=dance.coordinator)
    for enrollment in made.values():
        enrollment.refresh_from_db()
    assert [e.status for e in made.values()] == [S.ACTIVE, S.WAITLISTED, S.WAITLISTED, S.PENDING]
    assert_counters(dance.younger)
    return SimpleNamespace(**{name.lower(): e for name, e in made.items()})


def make_user(kind: str, dance, busy):
    if kind == "anonymous":
        return None
    if kind == "guardian":  # Ala's own parent: still not a roster of theirs
        guardian = busy.ala.participant.household.guardians.get().user
        guardian.groups.add(AuthGroup.objects.get_or_create(name=Role.GUARDIAN)[0])
        return guardian
    if kind == "instructor":
        user = UserFactory(roles=[Role.INSTRUCTOR])
        dance.younger.instructors.add(InstructorFactory(user=user))
        return user
    if kind == "coordinator":
        return dance.coordinator
    if kind == "other_coordinator":
        user = UserFactory(roles=[Role.COORDINATOR])
        ActivityFactory().coordinators.add(user)
        GroupFactory(activity=user.coordinated_activities.get(), season=dance.season)
        return user
    return UserFactory(roles=[{"office": Role.OFFICE, "director": Role.DIRECTOR}[kind]])


def action_data(action: str, dance) -> dict:
    return {
        "approve": {"approve-reason": "Przesłuchanie zaliczone"},
        "reject": {"reject-reason": "Nie przyszła na przesłuchanie"},
        "promote": {"promote-reason": "Rodzeństwo w grupie"},
        "reorder": {"reorder-reason": "Błąd przy zapisie", "reorder-direction": "up"},
        "move": {"move-to_group": dance.older.pk, "move-reason": "Lepiej pasuje poziomem"},
    }[action]


def action_target(action: str, busy) -> Enrollment:
    return {
        "approve": busy.daria,
        "reject": busy.daria,
        "promote": busy.celina,
        "reorder": busy.celina,
        "move": busy.ala,
    }[action]


# --- permissions ---------------------------------------------------------------------------------


def page_urls(dance, busy) -> list[str]:
    group = dance.younger.pk
    return [
        reverse("roster:group-detail", kwargs={"pk": group}),
        reverse("roster:group-detail", kwargs={"pk": group}) + "?status=history",
        reverse("roster:export-csv", kwargs={"pk": group}),
        reverse("roster:export-xlsx", kwargs={"pk": group}) + "?status=waitlisted",
        action_url("enrollment-detail", busy.ala),
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("anonymous", 302),
        ("guardian", 404),
        ("instructor", 404),
        ("other_coordinator", 404),
        ("coordinator", 200),
        ("office", 200),
        ("director", 200),
    ],
)
def test_roster_pages_answer_only_to_staff_who_manage_the_group(
    client, dance, busy, kind, expected
):
    user = make_user(kind, dance, busy)
    if user:
        client.force_login(user)

    for url in page_urls(dance, busy):
        response = client.get(url)

        assert response.status_code == expected, url
        if kind == "anonymous":
            assert response.url == f"{reverse('accounts:login')}?next={quote(url)}"


@pytest.mark.parametrize(
    ("kind", "expected", "sees_group"),
    [
        ("anonymous", 302, False),
        ("guardian", 404, False),
        ("instructor", 404, False),
        ("other_coordinator", 200, False),
        ("coordinator", 200, True),
        ("office", 200, True),
        ("director", 200, True),
    ],
)
def test_group_list_shows_only_the_groups_the_user_manages(
    client, dance, busy, kind, expected, sees_group
):
    user = make_user(kind, dance, busy)
    if user:
        client.force_login(user)

    response = client.get(reverse("roster:group-list"))

    assert response.status_code == expected
    if expected == 200:
        listed = {group.pk for group in response.context["groups"]}
        assert (dance.younger.pk in listed) is sees_group
        assert (dance.older.pk in listed) is sees_group
        if kind == "other_coordinator":
            assert listed == {user.coordinated_activities.get().groups.get().pk}


@pytest.mark.parametrize("kind", ["anonymous", *DENIED])
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_by_someone_who_does_not_manage_the_group_change_nothing(
    client, dance, busy, kind, action
):
    user = make_user(kind, dance, busy)
    if user:
        client.force_login(user)
    url = action_url(action, action_target(action, busy))
    before = state()

    response = client.post(url, action_data(action, dance))

    assert response.status_code == (302 if kind == "anonymous" else 404)
    if kind == "anonymous":
        assert response.url == f"{reverse('accounts:login')}?next={quote(url)}"
    assert state() == before


@pytest.mark.parametrize("kind", ALLOWED)
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_by_staff_who_manage_the_group_are_done_and_recorded(
    client, dance, busy, kind, action
):
    user = make_user(kind, dance, busy)
    client.force_login(user)
    target = action_target(action, busy)
    before = state()

    response = client.post(action_url(action, target), action_data(action, dance))

    assert response.status_code == 302
    assert response.url == action_url("enrollment-detail", target)
    assert state() != before
    event = EnrollmentEvent.objects.filter(enrollment=target).latest("pk")
    assert event.actor == user
    assert_counters(dance.younger, dance.older)


def test_an_enrollment_of_another_group_in_the_url_is_not_found(client, dance, busy):
    elsewhere = enroll(dance.older, first_name="Ewa")
    client.force_login(dance.coordinator)  # manages both groups
    before = state()

    assert client.get(action_url("enrollment-detail", elsewhere, dance.younger)).status_code == 404
    response = client.post(action_url("approve", busy.daria, dance.older), {})
    assert response.status_code == 404
    assert state() == before


def test_actions_take_only_post(client, dance, busy):
    client.force_login(dance.coordinator)
    assert client.get(action_url("approve", busy.daria)).status_code == 405
    assert fresh(busy.daria).status == S.PENDING


# --- approve and reject --------------------------------------------------------------------------


def test_approve_gives_the_free_place_and_returns_to_the_roster(client, dance):
    group = GroupFactory(activity=dance.activity, season=dance.season, requires_approval=True)
    pending = enroll(group, first_name="Daria")
    client.force_login(dance.coordinator)
    roster = reverse("roster:group-detail", kwargs={"pk": group.pk}) + "?status=pending"

    response = client.post(action_url("approve", pending), {"next": roster})

    assert response.status_code == 302
    assert response.url == roster
    assert fresh(pending).status == S.ACTIVE
    event = pending.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        S.PENDING,
        S.ACTIVE,
        dance.coordinator,
        "",
    )
    assert flash(response) == ["Approved: Daria Kowalska has a place in the group."]
    assert_counters(group)


def test_approve_in_a_full_group_puts_the_request_on_the_waiting_list(client, dance, busy):
    client.force_login(dance.coordinator)

    response = client.post(
        action_url("approve", busy.daria), {"approve-reason": "Dobre przesłuchanie"}
    )

    assert fresh(busy.daria).status == S.WAITLISTED
    assert busy.daria.events.latest("pk").reason == "Dobre przesłuchanie"
    assert waitlist(dance.younger) == ["Bartek", "Celina", "Daria"]
    assert flash(response) == [
        "Approved, but the group is full: Daria Kowalska is on the waiting list."
    ]
    assert_counters(dance.younger)


def test_approve_refuses_what_is_not_pending_and_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("approve", busy.ala), {})

    assert response.status_code == 302
    assert flash(response) == ["Only requests awaiting approval can be approved."]
    assert state() == before


def test_an_unsafe_next_address_is_ignored(client, dance, busy):
    client.force_login(dance.coordinator)

    response = client.post(action_url("approve", busy.daria), {"next": "https://evil.example/"})

    assert response.url == action_url("enrollment-detail", busy.daria)


@pytest.mark.parametrize("who", ["daria", "celina"])
def test_reject_a_request_or_a_waiting_place_with_the_reason(client, dance, busy, who):
    target = getattr(busy, who)
    was = target.status
    client.force_login(dance.coordinator)

    response = client.post(action_url("reject", target), {"reject-reason": "Brak miejsc w sali"})

    assert fresh(target).status == S.REJECTED
    event = target.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        was,
        S.REJECTED,
        dance.coordinator,
        "Brak miejsc w sali",
    )
    assert flash(response) == [f"Rejected: {target.participant}."]
    assert_counters(dance.younger)


def test_reject_without_a_reason_shows_the_form_again_and_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("reject", busy.daria), {"reject-reason": "   "})

    assert response.status_code == 200
    assert response.context["forms"]["reject"].errors == {
        "reason": ["Give a reason: it is saved in the history."]
    }
    assert "Give a reason: it is saved in the history." in response.content.decode()
    assert state() == before


def test_reject_refuses_an_active_place_and_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("reject", busy.ala), {"reject-reason": "Koniec"})

    assert flash(response) == ["Only requests and waiting-list places can be rejected."]
    assert state() == before


# --- the waiting list: promote and reorder -------------------------------------------------------


def test_promote_with_a_free_place_gives_it_and_records_who_and_why(client, dance, busy):
    Group.objects.filter(pk=dance.younger.pk).update(capacity=2)  # the hall got bigger
    client.force_login(dance.coordinator)

    response = client.post(
        action_url("promote", busy.celina), {"promote-reason": "Siostra jest w grupie"}
    )

    assert fresh(busy.celina).status == S.ACTIVE
    event = busy.celina.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        S.WAITLISTED,
        S.ACTIVE,
        dance.coordinator,
        "Siostra jest w grupie",
    )
    assert waitlist(dance.younger) == ["Bartek"]
    assert flash(response) == ["Promoted: Celina Kowalska has a place in the group."]
    assert_counters(dance.younger)


def test_promote_in_a_full_group_moves_to_the_head_of_the_list(client, dance, busy):
    client.force_login(dance.coordinator)

    response = client.post(
        action_url("promote", busy.celina), {"promote-reason": "Siostra jest w grupie"}
    )

    assert fresh(busy.celina).status == S.WAITLISTED
    assert waitlist(dance.younger) == ["Celina", "Bartek"]
    event = busy.celina.events.latest("pk")
    assert (event.to_status, event.actor, event.reason) == (
        S.WAITLISTED,
        dance.coordinator,
        "Moved to the head of the waiting list: Siostra jest w grupie",
    )
    assert flash(response) == [
        "There is no free place: Celina Kowalska is now first on the waiting list."
    ]
    assert_counters(dance.younger)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Give a reason: it is saved in the history."),
        (
            {"promote-reason": "x" * 301},
            "Ensure this value has at most 300 characters (it has 301).",
        ),
    ],
)
def test_promote_needs_a_short_reason(client, dance, busy, data, error):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("promote", busy.celina), data)

    assert response.status_code == 200
    assert response.context["forms"]["promote"].errors == {"reason": [error]}
    assert state() == before


def test_promote_refuses_someone_not_waiting_and_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("promote", busy.daria), {"promote-reason": "Pilne"})

    assert flash(response) == ["Only people on the waiting list can be promoted."]
    assert state() == before


@pytest.mark.parametrize(
    ("who", "direction", "expected", "reason"),
    [
        ("celina", "up", ["Celina", "Bartek"], "Moved up the waiting list: Pomyłka w zapisie"),
        ("bartek", "down", ["Celina", "Bartek"], "Moved down the waiting list: Pomyłka w zapisie"),
    ],
)
def test_reorder_swaps_neighbours_and_records_who_and_why(
    client, dance, busy, who, direction, expected, reason
):
    target = getattr(busy, who)
    client.force_login(dance.coordinator)

    response = client.post(
        action_url("reorder", target),
        {"reorder-reason": "Pomyłka w zapisie", "reorder-direction": direction},
    )

    assert waitlist(dance.younger) == expected
    event = target.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        S.WAITLISTED,
        S.WAITLISTED,
        dance.coordinator,
        reason,
    )
    assert flash(response) == [f"{target.participant} has moved {direction} the waiting list."]
    assert_counters(dance.younger)


def test_reorder_at_the_head_of_the_list_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(
        action_url("reorder", busy.bartek),
        {"reorder-reason": "Pomyłka", "reorder-direction": "up"},
    )

    assert flash(response) == ["There is nobody to swap places with."]
    assert state() == before


def test_reorder_without_a_direction_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(action_url("reorder", busy.celina), {"reorder-reason": "Pomyłka"})

    assert response.status_code == 200
    assert response.context["forms"]["reorder"].errors == {"direction": ["This field is required."]}
    assert state() == before


# --- move ----------------------------------------------------------------------------------------


def test_move_keeps_the_history_and_passes_the_place_on(client, dance, busy):
    client.force_login(dance.coordinator)

    response = client.post(
        action_url("move", busy.ala),
        {"move-to_group": dance.older.pk, "move-reason": "Lepiej pasuje poziomem"},
    )

    old = fresh(busy.ala)
    new = Enrollment.objects.get(group=dance.older, participant=old.participant)
    assert (old.status, new.status) == (S.MOVED, S.ACTIVE)
    assert [(e.from_status, e.to_status, e.actor, e.reason) for e in old.events.order_by("pk")] == [
        ("", S.PENDING, old.requested_by, ""),
        (S.PENDING, S.ACTIVE, dance.coordinator, ""),
        (S.ACTIVE, S.MOVED, dance.coordinator, "Lepiej pasuje poziomem"),
    ]
    assert [(e.from_status, e.to_status, e.actor, e.reason) for e in new.events.all()] == [
        (
            "",
            S.ACTIVE,
            dance.coordinator,
            "Moved from Taniec nowoczesny: Grupa młodsza: Lepiej pasuje poziomem",
        ),
    ]
    assert fresh(busy.bartek).status == S.OFFERED  # the freed place went to the next in line
    assert flash(response) == ["Ala Kowalska has moved to Grupa starsza."]
    assert response.url == action_url("enrollment-detail", old)
    assert_counters(dance.younger, dance.older)


def test_move_to_a_full_group_is_refused_and_changes_nothing(client, dance, busy):
    Group.objects.filter(pk=dance.older.pk).update(capacity=0)
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(
        action_url("move", busy.ala), {"move-to_group": dance.older.pk, "move-reason": "Poziom"}
    )

    assert flash(response) == ["The group has no free place."]
    assert state() == before


def test_move_offers_only_groups_of_the_same_activity_and_season(client, dance, busy):
    other_activity = GroupFactory(season=dance.season)
    next_season = GroupFactory(
        activity=dance.activity,
        season=SeasonFactory(
            name="2027/2028", starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2028, 6, 30)
        ),
    )
    client.force_login(UserFactory(roles=[Role.DIRECTOR]))  # manages every group
    before = state()

    page = client.get(action_url("enrollment-detail", busy.ala))
    choices = list(page.context["forms"]["move"].fields["to_group"].queryset)
    responses = [
        client.post(
            action_url("move", busy.ala), {"move-to_group": group.pk, "move-reason": "Poziom"}
        )
        for group in (other_activity, next_season, dance.younger)
    ]

    assert choices == [dance.older]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert {
        error for r in responses for error in r.context["forms"]["move"].errors["to_group"]
    } == {"Select a valid choice. That choice is not one of the available choices."}
    assert state() == before


def test_move_refuses_someone_not_active_and_changes_nothing(client, dance, busy):
    client.force_login(dance.coordinator)
    before = state()

    response = client.post(
        action_url("move", busy.bartek), {"move-to_group": dance.older.pk, "move-reason": "Poziom"}
    )

    assert flash(response) == ["Only active participants can be moved."]
    assert state() == before


# --- what the roster shows -----------------------------------------------------------------------


def roster(client, group, **query):
    response = client.get(reverse("roster:group-detail", kwargs={"pk": group.pk}), query)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [row.enrollment.participant.first_name for row in response.context["rows"]]


def test_tabs_list_each_status_in_its_order(client, dance, busy):
    client.force_login(dance.coordinator)
    services.enrollment_move(
        enrollment=busy.ala, to_group=dance.older, by=dance.coordinator, reason="Poziom"
    )  # Ala's place is offered to Bartek
    ewa = enroll(dance.younger, first_name="Ewa")
    services.enrollment_reject(enrollment=ewa, by=dance.coordinator, reason="Za późno")

    tabs = {key: count for key, _label, count in roster(client, dance.younger).context["tabs"]}
    assert tabs == {"active": 0, "pending": 1, "waitlisted": 1, "offered": 1, "history": 2}
    assert names(roster(client, dance.younger)) == []
    assert names(roster(client, dance.younger, status="pending")) == ["Daria"]
    waiting = roster(client, dance.younger, status="waitlisted")
    assert [
        (r.enrollment.participant.first_name, r.enrollment.position)
        for r in waiting.context["rows"]
    ] == [("Celina", 1)]
    offered = roster(client, dance.younger, status="offered")
    assert names(offered) == ["Bartek"]
    with translation.override("en"):
        deadline = date_format(
            timezone.localtime(fresh(busy.bartek).offer_expires_at), "j E Y, H:i"
        )
    assert deadline in offered.content.decode()
    history = roster(client, dance.younger, status="history")
    assert [
        (r.enrollment.participant.first_name, r.enrollment.status) for r in history.context["rows"]
    ] == [
        ("Ewa", S.REJECTED),
        ("Ala", S.MOVED),
    ]
    assert names(roster(client, dance.younger, status="nonsense")) == []  # the default tab


def test_waiting_list_tab_shows_the_queue_with_positions(client, dance):
    group = GroupFactory(activity=dance.activity, season=dance.season, capacity=1)
    for i, name in enumerate(["Ala", "Bartek", "Celina", "Daria"]):
        enroll(group, first_name=name, now=NOW + dt.timedelta(minutes=i))
    daria = Enrollment.objects.get(group=group, participant__first_name="Daria")
    services.waitlist_promote(enrollment=daria, by=dance.coordinator, reason="Rodzeństwo")
    client.force_login(dance.coordinator)

    response = roster(client, group, status="waitlisted")

    assert [
        (r.enrollment.participant.first_name, r.enrollment.position)
        for r in response.context["rows"]
    ] == [("Daria", 1), ("Bartek", 2), ("Celina", 3)]


def test_roster_filters_by_name_and_priority(client, dance, busy):
    client.force_login(dance.coordinator)

    assert names(roster(client, dance.younger, status="waitlisted", q="cel")) == ["Celina"]
    assert names(roster(client, dance.younger, status="waitlisted", priority=0)) == []
    assert names(roster(client, dance.younger, status="waitlisted", priority=1)) == [
        "Bartek",
        "Celina",
    ]
    # a filter it does not understand is ignored; the tab still holds
    assert names(roster(client, dance.younger, status="waitlisted", priority="x")) == [
        "Bartek",
        "Celina",
    ]


def test_roster_row_shows_age_guardian_contact_priority_and_the_no_photos_mark(client, dance):
    group = GroupFactory(activity=dance.activity, season=dance.season)
    with_photos = enroll(group, first_name="Zofia", consents=WITH_PHOTOS, phone="+48 600 100 200")
    without = enroll(group, first_name="Jerzy")
    client.force_login(dance.coordinator)

    response = roster(client, group)
    html = response.content.decode()

    rows = {r.enrollment.participant.first_name: r for r in response.context["rows"]}
    assert {name: row.photo_allowed for name, row in rows.items()} == {
        "Zofia": True,
        "Jerzy": False,
    }
    assert rows["Zofia"].age == age_on(dt.date(2018, 3, 15), timezone.localdate())
    assert html.count("no photos") == 1
    guardian = with_photos.participant.household.guardians.get().user
    assert f'href="mailto:{guardian.email}"' in html
    assert 'href="tel:+48600100200">+48 600 100 200</a>' in html
    assert without.participant.household.guardians.get().user.email in html
    assert "general" in html


@pytest.mark.parametrize(
    ("kind", "sees"), [("coordinator", True), ("director", True), ("office", False)]
)
def test_health_notes_only_for_who_runs_the_activity(client, dance, busy, kind, sees):
    Participant.objects.filter(pk=busy.ala.participant_id).update(health_notes=HEALTH)
    client.force_login(make_user(kind, dance, busy))

    pages = [
        roster(client, dance.younger),
        client.get(action_url("enrollment-detail", busy.ala)),
    ]

    for page in pages:
        assert (HEALTH in page.content.decode()) is sees
        assert ("Health notes" in page.content.decode()) is sees


def test_a_photo_consent_revoked_later_counts_as_no_photos():
    granted = ParticipantFactory(consents=WITH_PHOTOS)
    revoked = ParticipantFactory(consents=WITH_PHOTOS)
    services.consent_decide(
        participant=revoked, kind=ConsentKind.IMAGE, granted=False, decided_by=UserFactory()
    )
    never = ParticipantFactory()

    assert photo_allowed_among(participant_ids=[granted.pk, revoked.pk, never.pk]) == {granted.pk}


def test_photo_consents_of_a_whole_roster_take_one_query(django_assert_num_queries):
    participants = [ParticipantFactory(consents=WITH_PHOTOS) for _ in range(5)]

    with django_assert_num_queries(1):
        allowed = photo_allowed_among(participant_ids=[p.pk for p in participants])

    assert allowed == {p.pk for p in participants}


def test_enrollment_page_shows_the_history_with_who_when_and_why(client, dance, busy):
    # The reason is stored in the language of the person who acted.
    with translation.override("en"):
        services.waitlist_reorder(
            enrollment=busy.celina, by=dance.coordinator, up=True, reason="Pomyłka w zapisie"
        )
    client.force_login(dance.coordinator)

    response = client.get(action_url("enrollment-detail", busy.celina))

    assert [(e.to_status, e.actor, e.reason) for e in response.context["events"]] == [
        (S.PENDING, busy.celina.requested_by, ""),
        (S.WAITLISTED, dance.coordinator, ""),
        (S.WAITLISTED, dance.coordinator, "Moved up the waiting list: Pomyłka w zapisie"),
    ]
    html = response.content.decode()
    assert "Moved up the waiting list: Pomyłka w zapisie" in html
    assert "Anna Koordynatorka" in html
    assert "position 1 of 2" in html
    assert set(response.context["forms"]) == {"promote", "reorder", "reject"}


# --- the group list ------------------------------------------------------------------------------


def test_group_list_shows_the_counters_and_the_pending_count(client, dance, busy):
    client.force_login(dance.coordinator)

    response = client.get(reverse("roster:group-list"))

    assert [
        (g.name, g.capacity, g.places_taken, g.waitlist_length, g.pending)
        for g in response.context["groups"]
    ] == [("Grupa młodsza", 1, 1, 2, 1), ("Grupa starsza", 2, 0, 0, 0)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Grupa młodsza", "Grupa starsza", "Klub"}),
        ({"waiting": "on"}, {"Grupa młodsza"}),
        ({"full": "true"}, {"Grupa młodsza"}),
        ({"pending": "on"}, {"Grupa młodsza"}),
        ({"kind": ActivityKind.CLUB}, {"Klub"}),
        ({"season": "last"}, {"Zeszłoroczna"}),
    ],
)
def test_group_list_filters_and_defaults_to_the_current_season(
    client, dance, busy, query, expected
):
    office = UserFactory(roles=[Role.OFFICE])
    GroupFactory(activity=ActivityFactory(kind=ActivityKind.CLUB), season=dance.season, name="Klub")
    last = SeasonFactory(
        name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30)
    )
    GroupFactory(activity=dance.activity, season=last, name="Zeszłoroczna")
    if query.get("season") == "last":
        query = {"season": last.pk}
    client.force_login(office)

    response = client.get(reverse("roster:group-list"), query)

    assert {group.name for group in response.context["groups"]} == expected


def test_group_list_filters_by_activity(client, dance, busy):
    client.force_login(UserFactory(roles=[Role.DIRECTOR]))
    GroupFactory(season=dance.season, name="Inna")

    response = client.get(reverse("roster:group-list"), {"activity": dance.activity.pk})

    assert {group.name for group in response.context["groups"]} == {
        "Grupa młodsza",
        "Grupa starsza",
    }


# --- exports -------------------------------------------------------------------------------------


@pytest.fixture
def exported(dance):
    """An open group: Zażółć (photos allowed, a phone) and Jerzy (no photos, health notes)."""
    group = GroupFactory(activity=dance.activity, season=dance.season, name="Grupa łączona")
    zazolc = enroll(
        group,
        first_name="Zażółć",
        last_name="Gęślą",
        consents=WITH_PHOTOS,
        phone="+48 600 100 200",
        health_notes=HEALTH,
    )
    jerzy = enroll(
        group,
        first_name="Jerzy",
        last_name="Bąk",
        birth_date=dt.date(2017, 12, 1),
        health_notes=HEALTH,
        now=NOW + dt.timedelta(minutes=5),
    )
    return SimpleNamespace(group=group, zazolc=zazolc, jerzy=jerzy)


HEADER = [
    "No.",
    "First name",
    "Last name",
    "Date of birth",
    "Age",
    "Guardians",
    "Guardians' e-mail addresses",
    "Guardians' phones",
    "Photo consent",
    "Priority",
    "Requested at",
]


def guardian(enrollment):
    return enrollment.participant.household.guardians.get().user


def test_csv_export_for_a_polish_excel(client, dance, exported):
    client.force_login(dance.coordinator)
    today = timezone.localdate()

    response = client.get(reverse("roster:export-csv", kwargs={"pk": exported.group.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="taniec-nowoczesny-grupa-laczona-2026-2027.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert HEALTH.encode() not in response.content
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    zazolc, jerzy = guardian(exported.zazolc), guardian(exported.jerzy)
    assert rows == [
        HEADER,
        [
            "1",
            "Jerzy",
            "Bąk",
            "2017-12-01",
            str(age_on(dt.date(2017, 12, 1), today)),
            jerzy.get_full_name(),
            jerzy.email,
            "",
            "no",
            "general",
            "2026-11-25 12:05",
        ],
        [
            "2",
            "Zażółć",
            "Gęślą",
            "2018-03-15",
            str(age_on(dt.date(2018, 3, 15), today)),
            zazolc.get_full_name(),
            zazolc.email,
            "+48 600 100 200",
            "yes",
            "general",
            "2026-11-25 12:00",
        ],
    ]


def test_xlsx_export_has_a_bold_header_widths_and_real_dates(client, dance, exported):
    client.force_login(dance.coordinator)

    response = client.get(reverse("roster:export-xlsx", kwargs={"pk": exported.group.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="taniec-nowoczesny-grupa-laczona-2026-2027.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Grupa łączona"
    assert values[0] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["G"].width == 34
    assert [row[:4] for row in values[1:]] == [
        [1, "Jerzy", "Bąk", dt.datetime(2017, 12, 1)],
        [2, "Zażółć", "Gęślą", dt.datetime(2018, 3, 15)],
    ]
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["K3"].value == dt.datetime(2026, 11, 25, 12, 0)
    assert sheet["K3"].number_format == "yyyy-mm-dd hh:mm"
    assert values[2][7:10] == ["+48 600 100 200", "yes", "general"]
    assert not any(HEALTH in str(value) for row in values for value in row)


def test_waiting_list_export_is_in_queue_order(client, dance, busy):
    services.waitlist_reorder(enrollment=busy.celina, by=dance.coordinator, up=True, reason="x")
    client.force_login(dance.coordinator)

    response = client.get(
        reverse("roster:export-csv", kwargs={"pk": dance.younger.pk}), {"status": "waitlisted"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[:2] for row in rows[1:]] == [["1", "Celina"], ["2", "Bartek"]]
    assert response["Content-Disposition"] == (
        'attachment; filename="taniec-nowoczesny-grupa-mlodsza-2026-2027-waiting-list.csv"'
    )


def test_export_of_an_unknown_list_is_not_found(client, dance, busy):
    client.force_login(dance.coordinator)
    url = reverse("roster:export-csv", kwargs={"pk": dance.younger.pk})

    assert client.get(url, {"status": "history"}).status_code == 404


def test_exports_do_not_run_what_a_family_typed_as_a_formula(client, dance):
    group = GroupFactory(activity=dance.activity, season=dance.season)
    enroll(group, first_name='=HYPERLINK("http://evil.example","x")', last_name="-2+3")
    client.force_login(dance.coordinator)

    csv_response = client.get(reverse("roster:export-csv", kwargs={"pk": group.pk}))
    xlsx_response = client.get(reverse("roster:export-xlsx", kwargs={"pk": group.pk}))

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:3] == ['\'=HYPERLINK("http://evil.example","x")', "-2+3"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    assert (sheet["B2"].value, sheet["B2"].data_type) == (
        '=HYPERLINK("http://evil.example","x")',
        "s",
    )


# --- query counts --------------------------------------------------------------------------------


def count_queries(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("roster:group-detail", {}),
        ("roster:group-detail", {"status": "waitlisted"}),
        ("roster:export-csv", {}),
        ("roster:export-xlsx", {"status": "waitlisted"}),
    ],
)
def test_roster_and_exports_queries_do_not_grow_with_enrollments(
    client, dance, django_assert_max_num_queries, name, query
):
    group = GroupFactory(activity=dance.activity, season=dance.season, capacity=1)
    enroll(group, consents=WITH_PHOTOS)  # a place
    enroll(group, consents=WITH_PHOTOS)  # the waiting list
    url = reverse(name, kwargs={"pk": group.pk})
    client.force_login(dance.coordinator)
    few = count_queries(client, url, query)
    Group.objects.filter(pk=group.pk).update(capacity=7)
    for i in range(12):  # 6 more places, then 6 more waiting
        enroll(group, consents=WITH_PHOTOS, phone=f"+48 600 000 00{i % 10}")

    with django_assert_max_num_queries(few):
        response = client.get(url, query)

    assert response.status_code == 200


def test_enrollment_page_queries_do_not_grow_with_its_history(
    client, dance, busy, django_assert_max_num_queries
):
    client.force_login(dance.coordinator)
    url = action_url("enrollment-detail", busy.celina)
    few = count_queries(client, url)
    for _ in range(5):
        services.waitlist_reorder(enrollment=busy.celina, by=dance.coordinator, up=True, reason="x")
        services.waitlist_reorder(
            enrollment=busy.celina, by=dance.coordinator, up=False, reason="y"
        )

    with django_assert_max_num_queries(few):
        client.get(url)


def test_group_list_queries_do_not_grow_with_groups(
    client, dance, busy, django_assert_max_num_queries
):
    client.force_login(dance.coordinator)
    few = count_queries(client, reverse("roster:group-list"))
    for _ in range(10):
        group = GroupFactory(activity=dance.activity, season=dance.season, requires_approval=True)
        enroll(group)

    with django_assert_max_num_queries(few):
        response = client.get(reverse("roster:group-list"))

    assert len(response.context["groups"]) == 12
