"""Every page that shows health notes records who saw whose, when and where: never the notes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from enrollment.models import Enrollment, HealthNotePage, HealthNoteRead, Participant
from tests.enrollment.test_attendance import _enroll, _meeting
from tests.factories import GroupFactory, InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db
HEALTH = "Astma: inhalator w plecaku"


@pytest.fixture
def group_with_notes():
    group = GroupFactory(capacity=30)
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    group.activity.coordinators.add(coordinator)
    instructor = UserFactory(roles=[Role.INSTRUCTOR])
    group.instructors.add(InstructorFactory(user=instructor))
    _guardian, kids = _enroll(group, children=3)
    Enrollment.objects.filter(group=group).update(status="active")
    Participant.objects.filter(pk__in=[kids[0].pk, kids[1].pk]).update(health_notes=HEALTH)
    return group, coordinator, instructor, kids


def _reads():
    return list(
        HealthNoteRead.objects.order_by("participant_id").values_list(
            "reader_id", "participant_id", "page", "path"
        )
    )


def test_the_roster_records_one_read_per_participant_with_notes(client, group_with_notes):
    group, coordinator, _instructor, kids = group_with_notes
    client.force_login(coordinator)
    url = reverse("roster:group-detail", args=[group.pk])

    response = client.get(url)

    assert HEALTH in response.content.decode()
    assert _reads() == [
        (coordinator.pk, kids[0].pk, HealthNotePage.ROSTER, url),
        (coordinator.pk, kids[1].pk, HealthNotePage.ROSTER, url),
    ]


def test_the_roster_writes_the_reads_in_one_insert(client, group_with_notes):
    group, coordinator, _instructor, _kids = group_with_notes
    client.force_login(coordinator)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("roster:group-detail", args=[group.pk]))

    table = HealthNoteRead._meta.db_table
    inserts = [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(inserts) == 1
    assert HealthNoteRead.objects.count() == 2


def test_the_read_record_holds_no_content(client, group_with_notes):
    group, coordinator, _instructor, _kids = group_with_notes
    client.force_login(coordinator)
    client.get(reverse("roster:group-detail", args=[group.pk]))

    for row in HealthNoteRead.objects.values():
        assert not any("Astma" in str(value) for value in row.values())


def test_the_office_sees_no_notes_and_nothing_is_recorded(client, group_with_notes):
    group, _coordinator, _instructor, _kids = group_with_notes
    client.force_login(UserFactory(roles=[Role.OFFICE]))

    response = client.get(reverse("roster:group-detail", args=[group.pk]))

    assert response.status_code == 200
    assert HEALTH not in response.content.decode()
    assert _reads() == []


def test_the_enrollment_page_records_its_participant(client, group_with_notes):
    group, coordinator, _instructor, kids = group_with_notes
    enrollment = Enrollment.objects.get(participant=kids[1])
    client.force_login(coordinator)

    client.get(reverse("roster:enrollment-detail", args=[group.pk, enrollment.pk]))
    # A participant without notes: nothing to record.
    other = Enrollment.objects.get(participant=kids[2])
    client.get(reverse("roster:enrollment-detail", args=[group.pk, other.pk]))

    assert [(r[1], r[2]) for r in _reads()] == [(kids[1].pk, HealthNotePage.ENROLLMENT)]


def test_the_register_records_what_the_instructor_saw(client, group_with_notes):
    group, _coordinator, instructor, kids = group_with_notes
    meeting = _meeting(group)
    client.force_login(instructor)

    response = client.get(reverse("attendance:register", args=[meeting.pk]))

    assert HEALTH in response.content.decode()
    assert [(r[0], r[1], r[2]) for r in _reads()] == [
        (instructor.pk, kids[0].pk, HealthNotePage.REGISTER),
        (instructor.pk, kids[1].pk, HealthNotePage.REGISTER),
    ]


def test_the_admin_change_form_records_a_read(client, group_with_notes):
    _group, _coordinator, _instructor, kids = group_with_notes
    director = UserFactory(roles=[Role.DIRECTOR], is_staff=True, is_superuser=True)
    client.force_login(director)

    response = client.get(reverse("admin:enrollment_participant_change", args=[kids[0].pk]))

    assert response.status_code == 200
    assert [(r[0], r[1], r[2]) for r in _reads()] == [
        (director.pk, kids[0].pk, HealthNotePage.ADMIN)
    ]
