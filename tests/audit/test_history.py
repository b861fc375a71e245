"""The change history page: who sees what, filters, pagination and constant queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from billing.models import Charge, CreditNote, CreditReason, FeePlanKind, Payment, PaymentMethod
from enrollment.models import (
    AttendanceMark,
    ConsentDecision,
    EnrollmentEvent,
    HealthNotePage,
    HealthNoteRead,
)
from tests.enrollment.test_attendance import _enroll, _meeting
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("audit:history")


@pytest.fixture
def world():
    """Two groups of different activities, each with a coordinator, one family in each; one of
    everything the history shows, by named people."""
    office = UserFactory(roles=[Role.OFFICE], first_name="Olga", last_name="Biurowa")
    director = UserFactory(roles=[Role.DIRECTOR], first_name="Dorota", last_name="Dyrektorka")
    instructor = UserFactory(roles=[Role.INSTRUCTOR], first_name="Igor", last_name="Instruktor")
    dance, music = GroupFactory(capacity=10), GroupFactory(capacity=10)
    dance_coordinator = UserFactory(roles=[Role.COORDINATOR], last_name="Taneczna")
    dance.activity.coordinators.add(dance_coordinator)
    music_coordinator = UserFactory(roles=[Role.COORDINATOR], last_name="Muzyczna")
    music.activity.coordinators.add(music_coordinator)
    dance_parent, [ala] = _enroll(dance, first_name="Ala", last_name="Nowak")
    music_parent, [bolek] = _enroll(music, first_name="Bolek", last_name="Wiśniewski")
    meeting = _meeting(dance)
    AttendanceMark.objects.create(
        meeting=meeting,
        participant=ala,
        status="present",
        marked_by=instructor,
        marked_at=timezone.now(),
    )
    household = ala.household
    enrollment = ala.enrollments.get()
    Charge.objects.create(
        household=household,
        enrollment=enrollment,
        period=dt.date(2026, 11, 1),
        kind=FeePlanKind.MONTHLY,
        description="Taniec — listopad",
        base_amount=Decimal("120.00"),
        amount=Decimal("120.00"),
        due_on=dt.date(2026, 11, 10),
        created_by=office,
    )
    Payment.objects.create(
        household=household,
        amount=Decimal("100.00"),
        method=PaymentMethod.CASH,
        received_on=dt.date(2026, 11, 5),
        recorded_by=office,
    )
    CreditNote.objects.create(
        household=household,
        amount=Decimal("20.00"),
        reason=CreditReason.GOODWILL,
        note="Gest dobrej woli",
        created_by=director,
    )
    HealthNoteRead.objects.create(
        reader=dance_coordinator, participant=ala, page=HealthNotePage.ROSTER, path="/staff/"
    )
    return locals()


def kinds_shown(response) -> list[str]:
    return [row.kind for row in response.context["rows"]]


def test_the_office_sees_every_change_but_health_note_reads(client, world):
    client.force_login(world["office"])

    response = client.get(URL)

    assert response.status_code == 200
    assert sorted(set(kinds_shown(response))) == sorted(
        ["enrollment", "attendance", "consent", "charge", "payment", "credit_note"]
    )
    expected = (
        EnrollmentEvent.objects.count()
        + AttendanceMark.objects.count()
        + ConsentDecision.objects.count()
        + 3
    )
    assert response.context["page_obj"].paginator.count == expected
    rows = {row.kind: row for row in response.context["rows"]}
    assert rows["payment"].actor == world["office"]
    assert rows["payment"].amount == Decimal("100.00")
    assert rows["attendance"].actor == world["instructor"]
    assert rows["attendance"].participant == world["ala"]
    assert rows["attendance"].group == world["dance"]
    assert rows["credit_note"].actor == world["director"]
    assert rows["enrollment"].actor in (world["dance_parent"], world["music_parent"])


def test_the_director_also_sees_who_read_health_notes(client, world):
    client.force_login(world["director"])

    response = client.get(URL, {"kind": "health_read"})

    [row] = response.context["rows"]
    assert (row.kind, row.actor, row.participant) == (
        "health_read",
        world["dance_coordinator"],
        world["ala"],
    )


def test_a_coordinator_sees_only_enrollments_and_attendance_of_their_groups(client, world):
    client.force_login(world["dance_coordinator"])

    response = client.get(URL)

    rows = response.context["rows"]
    assert {row.kind for row in rows} == {"enrollment", "attendance"}
    assert {row.group for row in rows} == {world["dance"]}
    # Asking for more changes nothing.
    more = client.get(URL, {"kind": ["payment", "health_read"]})
    assert {row.kind for row in more.context["rows"]} == {"enrollment", "attendance"}


@pytest.mark.parametrize("who", ["instructor", "dance_parent"])
def test_others_have_no_history_page(client, world, who):
    client.force_login(world[who])

    assert client.get(URL).status_code == 404


def test_filter_by_kind(client, world):
    client.force_login(world["office"])

    response = client.get(URL, {"kind": ["payment", "charge"]})

    assert sorted(kinds_shown(response)) == ["charge", "payment"]


def test_filter_by_who_did_it(client, world):
    client.force_login(world["office"])

    response = client.get(URL, {"actor": "igor instruktor"})

    assert kinds_shown(response) == ["attendance"]


def test_filter_by_person_matches_the_participant_and_their_family_money(client, world):
    client.force_login(world["office"])

    response = client.get(URL, {"person": "Ala"})

    rows = response.context["rows"]
    assert {row.participant for row in rows if row.participant} == {world["ala"]}
    assert {"payment", "credit_note", "charge", "attendance", "enrollment"} <= set(
        kinds_shown(response)
    )
    assert not any(row.participant == world["bolek"] for row in rows)


def test_filter_by_date_range(client, world):
    client.force_login(world["office"])
    EnrollmentEvent.objects.update(at=timezone.now() - dt.timedelta(days=40))
    today = timezone.localdate()

    recent = client.get(URL, {"kind": "enrollment", "date_from": today - dt.timedelta(days=7)})
    old = client.get(
        URL,
        {"kind": "enrollment", "date_to": today - dt.timedelta(days=30)},
    )

    assert kinds_shown(recent) == []
    assert set(kinds_shown(old)) == {"enrollment"}


def test_a_bad_filter_is_reported_and_ignored(client, world):
    client.force_login(world["office"])

    response = client.get(URL, {"date_from": "wczoraj"})

    assert response.status_code == 200
    assert "date_from" in response.context["filter"].errors
    assert response.context["page_obj"].paginator.count > 0


def _more_marks(world, count: int) -> None:
    meeting = world["meeting"]
    AttendanceMark.objects.bulk_create(
        AttendanceMark(
            meeting=meeting,
            participant=world["ala"],
            status="late",
            marked_by=world["instructor"],
            marked_at=timezone.now(),
        )
        for _ in range(count)
    )


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params or {}).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world["director"])
    few = _queries(client)

    _more_marks(world, 40)
    many = _queries(client)

    assert many == few
    # Session, user, roles, the count, the page, then users, participants, households, groups.
    assert few <= 10


def test_pages_of_fifty_newest_first(client, world):
    client.force_login(world["office"])
    _more_marks(world, 60)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    total = first.context["page_obj"].paginator.count
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == total - 50
    times = [row.at for row in first.context["rows"]] + [row.at for row in second.context["rows"]]
    assert times == sorted(times, reverse=True)
