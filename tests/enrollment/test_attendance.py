import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clubs.models import Meeting, MeetingStatus
from clubs.services import meetings_generate
from enrollment import services as enrollment_services
from enrollment.attendance import can_take_attendance, register_rows
from enrollment.exceptions import (
    MeetingCancelledError,
    MeetingChangeError,
    MeetingStartedError,
    MeetingTooFarAheadError,
    NotInGroupError,
)
from enrollment.models import AbsenceNotice, AttendanceMark, AttendanceStatus, ConsentKind
from enrollment.services import attendance as services
from notifications.models import Notification, NotificationStatus
from tests.enrollment.factories import ParticipantFactory, family
from tests.factories import (
    WARSAW,
    GroupFactory,
    InstructorFactory,
    RoomFactory,
    UserFactory,
    WeeklySlotFactory,
)

pytestmark = pytest.mark.django_db


def _meeting(group, *, starts_at=None, slot=None) -> Meeting:
    starts_at = starts_at or timezone.now().astimezone(WARSAW).replace(
        minute=0, second=0, microsecond=0
    )
    return Meeting.objects.create(
        group=group,
        slot=slot,
        date=starts_at.astimezone(WARSAW).date(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        room=group.room,
    )


def _enroll(group, children=1, **kwargs):
    guardian, kids = family(children=children, **kwargs)
    enrollment_services.enrollment_request(participants=kids, group=group, requested_by=guardian)
    return guardian, kids


@pytest.fixture
def setup():
    """A group with its instructor and coordinator, a meeting now, and two enrolled children."""
    group = GroupFactory(capacity=30)
    instructor = UserFactory(roles=[Role.INSTRUCTOR])
    group.instructors.add(InstructorFactory(user=instructor))
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    group.activity.coordinators.add(coordinator)
    guardian, kids = _enroll(group, children=2)
    meeting = _meeting(group)
    return {
        "group": group,
        "instructor": instructor,
        "coordinator": coordinator,
        "guardian": guardian,
        "kids": kids,
        "meeting": meeting,
    }


def _current(meeting, participant):
    return (
        AttendanceMark.objects.filter(meeting=meeting, participant=participant)
        .order_by("-marked_at", "-pk")
        .first()
    )


# --- services ----------------------------------------------------------------------------------


def test_a_correction_is_a_new_row_and_the_latest_wins(setup):
    meeting, child, instructor = setup["meeting"], setup["kids"][0], setup["instructor"]

    first = services.attendance_mark(
        meeting=meeting, participant=child, status="absent", marked_by=instructor
    )
    second = services.attendance_mark(
        meeting=meeting, participant=child, status="late", marked_by=instructor
    )

    assert AttendanceMark.objects.filter(meeting=meeting, participant=child).count() == 2
    assert AttendanceMark.objects.get(pk=first.pk).status == AttendanceStatus.ABSENT
    assert _current(meeting, child) == second
    [row] = [r for r in register_rows(meeting=meeting) if r.participant == child]
    assert row.status == AttendanceStatus.LATE


def test_all_present_marks_only_the_unmarked(setup):
    meeting, (marked, other), instructor = setup["meeting"], setup["kids"], setup["instructor"]
    services.attendance_mark(
        meeting=meeting, participant=marked, status="absent", marked_by=instructor
    )

    created = services.attendance_mark_all_present(meeting=meeting, marked_by=instructor)
    again = services.attendance_mark_all_present(meeting=meeting, marked_by=instructor)

    assert [m.participant_id for m in created] == [other.pk]
    assert again == []
    assert _current(meeting, marked).status == AttendanceStatus.ABSENT
    assert _current(meeting, other).status == AttendanceStatus.PRESENT


def test_all_present_marks_a_reported_absence_excused(setup):
    group, (child, other) = setup["group"], setup["kids"]
    future = _meeting(group, starts_at=timezone.now() + dt.timedelta(hours=2))
    services.absence_report(meeting=future, participant=child, reported_by=setup["guardian"])

    services.attendance_mark_all_present(meeting=future, marked_by=setup["instructor"])

    assert _current(future, child).status == AttendanceStatus.EXCUSED
    assert _current(future, other).status == AttendanceStatus.PRESENT


def test_marking_a_cancelled_meeting_is_refused(setup):
    meeting = setup["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    with pytest.raises(MeetingCancelledError):
        services.attendance_mark(
            meeting=meeting,
            participant=setup["kids"][0],
            status="present",
            marked_by=setup["instructor"],
        )
    with pytest.raises(MeetingCancelledError):
        services.attendance_mark_all_present(meeting=meeting, marked_by=setup["instructor"])
    assert not AttendanceMark.objects.exists()


def test_marking_someone_outside_the_group_is_refused(setup):
    stranger = ParticipantFactory()

    with pytest.raises(NotInGroupError):
        services.attendance_mark(
            meeting=setup["meeting"],
            participant=stranger,
            status="present",
            marked_by=setup["instructor"],
        )
    assert not AttendanceMark.objects.exists()


def test_a_trial_participant_of_the_meeting_can_be_marked(setup):
    group = setup["group"]
    group.trial_allowed = True
    group.save()
    meeting = _meeting(group, starts_at=timezone.now() + dt.timedelta(hours=3))
    guardian, [guest] = family()
    enrollment_services.trial_book(participant=guest, meeting=meeting, by=guardian)

    services.attendance_mark(
        meeting=meeting, participant=guest, status="present", marked_by=setup["instructor"]
    )

    [row] = [r for r in register_rows(meeting=meeting) if r.participant == guest]
    assert row.is_trial and row.status == AttendanceStatus.PRESENT


def test_marking_a_meeting_weeks_ahead_is_refused(setup):
    later = _meeting(setup["group"], starts_at=timezone.now() + dt.timedelta(days=10))

    with pytest.raises(MeetingTooFarAheadError):
        services.attendance_mark(
            meeting=later,
            participant=setup["kids"][0],
            status="present",
            marked_by=setup["instructor"],
        )
    assert not AttendanceMark.objects.exists()


def test_an_absence_shows_as_excused_and_is_reported_once(setup):
    future = _meeting(setup["group"], starts_at=timezone.now() + dt.timedelta(days=2))
    child = setup["kids"][0]

    first = services.absence_report(
        meeting=future, participant=child, reported_by=setup["guardian"], reason="angina"
    )
    second = services.absence_report(
        meeting=future, participant=child, reported_by=setup["guardian"]
    )

    assert first == second
    assert AbsenceNotice.objects.count() == 1
    [row] = [r for r in register_rows(meeting=future) if r.participant == child]
    assert row.status == AttendanceStatus.EXCUSED and not row.is_saved


def test_an_absence_after_the_start_is_refused(setup):
    with pytest.raises(MeetingStartedError):
        services.absence_report(
            meeting=setup["meeting"],
            participant=setup["kids"][0],
            reported_by=setup["guardian"],
        )
    assert not AbsenceNotice.objects.exists()


# --- cancelling and moving ---------------------------------------------------------------------


def _scheduled_setup(setup):
    """A future meeting made from the group's weekly slot, so regeneration knows it."""
    group = setup["group"]
    day = timezone.localdate() + dt.timedelta(days=3)
    slot = WeeklySlotFactory(
        group=group, weekday=day.isoweekday(), starts_at=dt.time(17, 0), ends_at=dt.time(18, 0)
    )
    starts = dt.datetime.combine(day, dt.time(17, 0), tzinfo=WARSAW)
    return slot, _meeting(group, starts_at=starts, slot=slot)


def test_cancel_notifies_households_withdraws_reminders_and_survives_regeneration(setup):
    slot, meeting = _scheduled_setup(setup)
    adult = ParticipantFactory(birth_date=dt.date(1950, 1, 1))
    adult.user = UserFactory()
    adult.save()
    group = setup["group"]
    group.age_max = 120
    group.save()
    enrollment_services.enrollment_request(
        participants=[adult], group=group, requested_by=adult.user
    )
    from notifications.services import preference_set

    preference_set(user=setup["guardian"], kind="meeting_reminder", channel="email", enabled=True)
    enrollment_services.meeting_reminders_queue(day=timezone.localtime(meeting.starts_at).date())
    [reminder] = Notification.objects.filter(kind="meeting_reminder")

    services.meeting_cancel(meeting=meeting, by=setup["instructor"], reason="choroba")
    with pytest.raises(MeetingChangeError):
        services.meeting_cancel(meeting=meeting, by=setup["instructor"], reason="again")

    cancelled = Notification.objects.filter(kind="meeting_cancelled")
    assert {n.user_id for n in cancelled} >= {setup["guardian"].pk, adult.user_id}
    assert all(f"meeting-cancelled:{meeting.pk}:" in n.dedupe_key for n in cancelled)
    assert cancelled.first().context["reason"] == "choroba"
    reminder.refresh_from_db()
    assert reminder.status == NotificationStatus.CANCELLED

    slot.weekday = slot.weekday % 7 + 1
    slot.save()
    result = meetings_generate(group=group)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.changed_by == setup["instructor"]
    assert meeting in result.kept


def test_move_notifies_with_old_and_new_time_and_survives_regeneration(setup):
    _slot, meeting = _scheduled_setup(setup)
    old = meeting.starts_at
    new_start = old + dt.timedelta(days=1, hours=1)
    room = RoomFactory()

    services.meeting_move(
        meeting=meeting,
        by=setup["coordinator"],
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
        room=room,
        reason="koncert",
    )

    [moved] = Notification.objects.filter(kind="meeting_moved", user=setup["guardian"])
    assert moved.context["old_starts_at"] == timezone.localtime(old).isoformat()
    assert moved.context["starts_at"] == timezone.localtime(new_start).isoformat()
    stamp = f"{timezone.localtime(new_start):%Y%m%d%H%M}"
    assert moved.dedupe_key.startswith(f"meeting-moved:{meeting.pk}:") and stamp in moved.dedupe_key

    meetings_generate(group=setup["group"])

    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.room) == (new_start, room)


def test_moving_to_the_past_or_backwards_is_refused(setup):
    _slot, meeting = _scheduled_setup(setup)
    before = (meeting.starts_at, meeting.ends_at)

    with pytest.raises(MeetingChangeError):
        services.meeting_move(
            meeting=meeting,
            by=setup["instructor"],
            reason="x",
            starts_at=timezone.now() - dt.timedelta(hours=2),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
    with pytest.raises(MeetingChangeError):
        services.meeting_move(
            meeting=meeting,
            by=setup["instructor"],
            reason="x",
            starts_at=meeting.ends_at,
            ends_at=meeting.starts_at,
        )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at) == before
    assert not Notification.objects.filter(kind="meeting_moved").exists()


def test_a_meeting_with_attendance_is_protected_from_regeneration(setup):
    group = setup["group"]
    day = timezone.localdate() + dt.timedelta(days=1)
    slot = WeeklySlotFactory(
        group=group, weekday=day.isoweekday(), starts_at=dt.time(17, 0), ends_at=dt.time(18, 0)
    )
    meeting = _meeting(
        group, starts_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=WARSAW), slot=slot
    )
    services.attendance_mark(
        meeting=meeting,
        participant=setup["kids"][0],
        status="present",
        marked_by=setup["instructor"],
    )
    slot.weekday = slot.weekday % 7 + 1
    slot.save()

    meetings_generate(group=group)

    assert Meeting.objects.filter(pk=meeting.pk).exists()


# --- permissions and pages ---------------------------------------------------------------------


def _register_url(meeting):
    return reverse("attendance:register", args=[meeting.pk])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("instructor", 200),
        ("other_instructor", 404),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("director", 200),
        ("guardian", 404),
    ],
)
def test_register_permission_matrix(client, setup, who, expected):
    other_group = GroupFactory()
    other_instructor = UserFactory(roles=[Role.INSTRUCTOR])
    other_group.instructors.add(InstructorFactory(user=other_instructor))
    other_coordinator = UserFactory(roles=[Role.COORDINATOR])
    other_group.activity.coordinators.add(other_coordinator)
    users = {
        **setup,
        "other_instructor": other_instructor,
        "other_coordinator": other_coordinator,
        "director": UserFactory(roles=[Role.DIRECTOR]),
    }
    client.force_login(users[who])
    meeting = setup["meeting"]

    page = client.get(_register_url(meeting))
    tap = client.post(
        reverse("attendance:mark", args=[meeting.pk, setup["kids"][0].pk]), {"status": "present"}
    )

    assert page.status_code == expected
    assert tap.status_code == (302 if expected == 200 else 404)
    assert AttendanceMark.objects.exists() == (expected == 200)
    assert bool(can_take_attendance(users[who], meeting)) == (expected == 200)


def test_anonymous_is_sent_to_log_in(client, setup):
    response = client.get(_register_url(setup["meeting"]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_register_shows_markers_and_works_without_js(client, setup):
    meeting, child = setup["meeting"], setup["kids"][0]
    child.health_notes = "astma"
    child.save()
    client.force_login(setup["instructor"])

    page = client.get(_register_url(meeting))
    response = client.post(
        reverse("attendance:mark", args=[meeting.pk, child.pk]), {"status": "late"}
    )

    html = page.content.decode()
    assert "astma" in html
    assert html.count("data-register-row>") == 2
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p-{child.pk}")
    assert _current(meeting, child).status == AttendanceStatus.LATE


def test_photo_consent_removes_the_no_photos_marker(client, setup):
    _guardian, [child] = _enroll(
        setup["group"], consents=[ConsentKind.ENROLLMENT_DATA, ConsentKind.IMAGE]
    )
    client.force_login(setup["instructor"])

    rows = {r.participant: r for r in register_rows(meeting=setup["meeting"])}

    assert rows[child].photo_allowed is True
    assert rows[setup["kids"][0]].photo_allowed is False


def test_htmx_tap_returns_only_the_saved_row(client, setup):
    meeting, child = setup["meeting"], setup["kids"][0]
    client.force_login(setup["instructor"])

    response = client.post(
        reverse("attendance:mark", args=[meeting.pk, child.pk]),
        {"status": "absent"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<li")
    assert html.count("data-register-row>") == 1
    assert "<html" not in html
    assert f'id="p-{child.pk}"' in html
    mark = _current(meeting, child)
    assert f"{timezone.localtime(mark.marked_at):%H:%M}" in html
    assert 'value="absent" aria-pressed="true"' in html


def test_htmx_tap_on_a_cancelled_meeting_answers_an_error(client, setup):
    meeting, child = setup["meeting"], setup["kids"][0]
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    client.force_login(setup["instructor"])

    response = client.post(
        reverse("attendance:mark", args=[meeting.pk, child.pk]),
        {"status": "absent"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    assert not AttendanceMark.objects.exists()


def test_register_query_count_does_not_grow_with_participants(
    client, setup, django_assert_max_num_queries
):
    meeting = setup["meeting"]
    client.force_login(setup["instructor"])
    with django_assert_max_num_queries(40) as small:
        client.get(_register_url(meeting))
    for _ in range(8):
        _guardian, kids = _enroll(setup["group"])
        services.attendance_mark(
            meeting=meeting,
            participant=kids[0],
            status="present",
            marked_by=setup["instructor"],
        )
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(_register_url(meeting))
    assert response.content.decode().count("data-register-row>") == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_all_present_button_and_note(client, setup):
    meeting = setup["meeting"]
    client.force_login(setup["instructor"])

    client.post(reverse("attendance:all-present", args=[meeting.pk]))
    client.post(reverse("attendance:note", args=[meeting.pk]), {"text": "Próba do koncertu"})

    page = client.get(_register_url(meeting)).content.decode()
    assert AttendanceMark.objects.filter(status="present").count() == 2
    assert "Próba do koncertu" in page


def test_today_lists_only_the_instructors_meetings(client, setup):
    other = _meeting(GroupFactory())
    client.force_login(setup["instructor"])

    html = client.get(reverse("attendance:today")).content.decode()

    assert _register_url(setup["meeting"]) in html
    assert _register_url(other) not in html


def test_cancel_and_move_pages(client, setup):
    _slot, meeting = _scheduled_setup(setup)
    client.force_login(setup["instructor"])
    local = timezone.localtime(meeting.starts_at) + dt.timedelta(days=1)

    moved = client.post(
        reverse("attendance:meeting-move", args=[meeting.pk]),
        {"day": local.date().isoformat(), "starts": "16:00", "ends": "17:30", "reason": "sala"},
    )
    cancelled = client.post(
        reverse("attendance:meeting-cancel", args=[meeting.pk]), {"reason": "choroba"}
    )

    assert moved.status_code == 302 and cancelled.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert timezone.localtime(meeting.starts_at).time() == dt.time(16, 0)


def test_another_instructor_cannot_cancel(client, setup):
    _slot, meeting = _scheduled_setup(setup)
    stranger = UserFactory(roles=[Role.INSTRUCTOR])
    client.force_login(stranger)

    response = client.post(reverse("attendance:meeting-cancel", args=[meeting.pk]), {"reason": "x"})

    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_guardian_reports_an_absence_and_sees_only_their_children(client, setup):
    future = _meeting(setup["group"], starts_at=timezone.now() + dt.timedelta(days=2))
    child = setup["kids"][0]
    _other_guardian, [stranger_child] = _enroll(setup["group"])
    client.force_login(setup["guardian"])

    page = client.get(reverse("attendance:family", args=[child.pk]))
    report = client.post(
        reverse("attendance:absence-report", args=[child.pk, future.pk]), {"reason": "wyjazd"}
    )
    foreign_page = client.get(reverse("attendance:family", args=[stranger_child.pk]))
    foreign_report = client.post(
        reverse("attendance:absence-report", args=[stranger_child.pk, future.pk])
    )

    assert page.status_code == 200
    assert reverse("attendance:absence-report", args=[child.pk, future.pk]) in page.content.decode()
    assert report.status_code == 302
    assert AbsenceNotice.objects.get().participant == child
    assert foreign_page.status_code == 404
    assert foreign_report.status_code == 404
    assert AbsenceNotice.objects.count() == 1


def test_guardian_sees_their_childs_marks_only(client, setup):
    meeting, (child, _sibling) = setup["meeting"], setup["kids"]
    services.attendance_mark(
        meeting=meeting, participant=child, status="late", marked_by=setup["instructor"]
    )
    client.force_login(setup["guardian"])

    html = client.get(reverse("attendance:family", args=[child.pk])).content.decode()

    assert f"<strong>{AttendanceStatus.LATE.label}</strong>" in html


def test_guardian_withdraws_an_absence_notice_which_is_kept(client, setup):
    future = _meeting(setup["group"], starts_at=timezone.now() + dt.timedelta(days=2))
    child = setup["kids"][0]
    notice = services.absence_report(
        meeting=future, participant=child, reported_by=setup["guardian"]
    )
    client.force_login(setup["guardian"])

    response = client.post(reverse("attendance:absence-withdraw", args=[child.pk, future.pk]))

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None
    [row] = [r for r in register_rows(meeting=future) if r.participant == child]
    assert row.status == ""
    again = services.absence_report(
        meeting=future, participant=child, reported_by=setup["guardian"]
    )
    assert again.pk != notice.pk
    assert AbsenceNotice.objects.count() == 2


def test_a_view_only_guardian_cannot_report(client, setup):
    from enrollment.models import GuardianRights
    from tests.enrollment.factories import GuardianshipFactory

    future = _meeting(setup["group"], starts_at=timezone.now() + dt.timedelta(days=2))
    child = setup["kids"][0]
    viewer = GuardianshipFactory(household=child.household, rights=GuardianRights.VIEW).user
    client.force_login(viewer)

    page = client.get(reverse("attendance:family", args=[child.pk]))
    report = client.post(reverse("attendance:absence-report", args=[child.pk, future.pk]))

    assert page.status_code == 200
    assert report.status_code == 404
    assert not AbsenceNotice.objects.exists()


def test_the_menu_links_today_for_instructors_only(client, setup):
    client.force_login(setup["instructor"])
    instructor_page = client.get(reverse("clubs:catalogue")).content.decode()
    client.force_login(setup["guardian"])
    guardian_page = client.get(reverse("clubs:catalogue")).content.decode()

    assert reverse("attendance:today") in instructor_page
    assert reverse("attendance:today") not in guardian_page
