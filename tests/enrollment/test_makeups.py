import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from enrollment import services as enrollment_services
from enrollment.exceptions import (
    AgeNotAllowedError,
    EnrollmentError,
    MakeupCancelTooLateError,
    MakeupCreditExpiredError,
    MakeupCreditUsedError,
    MakeupMeetingFullError,
    MakeupMeetingNotAllowedError,
)
from enrollment.makeups import (
    credit_rows_of,
    makeup_meetings_for,
    makeup_participants_for_meeting,
)
from enrollment.models import AbsenceNotice, MakeupBooking, MakeupCredit, MakeupRule
from enrollment.services import attendance as attendance_services
from enrollment.services.makeups import makeup_book, makeup_cancel, makeup_credit_grant
from tests.enrollment.factories import family
from tests.factories import WARSAW, GroupFactory

pytestmark = pytest.mark.django_db


def _meeting(group, *, days: float = 3):
    from clubs.models import Meeting

    starts_at = (timezone.now() + dt.timedelta(days=days)).astimezone(WARSAW)
    starts_at = starts_at.replace(second=0, microsecond=0)
    return Meeting.objects.create(
        group=group,
        date=starts_at.date(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        room=group.room,
    )


def _enroll(group, guardian=None, kids=None):
    if guardian is None:
        guardian, kids = family()
    enrollment_services.enrollment_request(participants=kids, group=group, requested_by=guardian)
    return guardian, kids


@pytest.fixture
def setup():
    """Two groups of one activity with a make-up rule (24 h, 4 weeks, 2 a month); a child in
    the first group, a meeting of it in three days and one of the second group in five."""
    home = GroupFactory(capacity=10)
    other = GroupFactory(capacity=10, activity=home.activity, season=home.season)
    rule = MakeupRule.objects.create(
        activity=home.activity, notice_hours=24, valid_weeks=4, max_per_month=2
    )
    guardian, [child] = _enroll(home)
    missed = _meeting(home, days=3)
    target = _meeting(other, days=5)
    return {
        "home": home,
        "other": other,
        "rule": rule,
        "guardian": guardian,
        "child": child,
        "missed": missed,
        "target": target,
    }


def _notice(setup, meeting=None, *, hours_before=None):
    meeting = meeting or setup["missed"]
    notice = attendance_services.absence_report(
        meeting=meeting, participant=setup["child"], reported_by=setup["guardian"]
    )
    if hours_before is not None:
        AbsenceNotice.objects.filter(pk=notice.pk).update(
            reported_at=meeting.starts_at - dt.timedelta(hours=hours_before)
        )
        notice.refresh_from_db()
    return notice


def _credit(setup):
    credit = makeup_credit_grant(notice=_notice(setup))
    assert credit is not None
    return credit


# --- earning -----------------------------------------------------------------------------------


def test_an_absence_reported_exactly_n_hours_ahead_earns_a_credit(setup):
    notice = _notice(setup, hours_before=24)

    credit = makeup_credit_grant(notice=notice)

    assert credit.participant == setup["child"]
    assert credit.activity == setup["home"].activity
    assert credit.expires_on == setup["missed"].date + dt.timedelta(weeks=4)


def test_an_absence_reported_less_than_n_hours_ahead_earns_nothing(setup):
    soon = _meeting(setup["home"], days=0.5)  # 12 hours ahead; the rule asks for 24

    notice = _notice(setup, soon)

    assert makeup_credit_grant(notice=notice) is None
    assert MakeupCredit.objects.count() == 0


def test_reporting_an_absence_early_enough_earns_the_credit_at_once(setup):
    notice = _notice(setup)

    assert MakeupCredit.objects.get().notice == notice


def test_granting_twice_returns_the_same_credit(setup):
    notice = _notice(setup)

    first = makeup_credit_grant(notice=notice)
    second = makeup_credit_grant(notice=notice)

    assert first.pk == second.pk
    assert MakeupCredit.objects.count() == 1


def test_no_rule_or_an_inactive_rule_earns_nothing(setup):
    setup["rule"].active = False
    setup["rule"].save()

    assert makeup_credit_grant(notice=_notice(setup)) is None
    MakeupRule.objects.all().delete()
    assert makeup_credit_grant(notice=_notice(setup)) is None


def test_at_most_k_credits_a_month(setup):
    meetings = [setup["missed"], _meeting(setup["home"], days=4), _meeting(setup["home"], days=6)]
    notices = [_notice(setup, meeting) for meeting in meetings]

    credits = [makeup_credit_grant(notice=notice) for notice in notices]

    assert [c is not None for c in credits] == [True, True, False]
    assert MakeupCredit.objects.count() == 2


def test_a_withdrawn_absence_cannot_be_made_up(setup):
    notice = _notice(setup)
    credit = MakeupCredit.objects.get(notice=notice)
    attendance_services.absence_withdraw(notice=notice, by=setup["guardian"])

    with pytest.raises(EnrollmentError):
        makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    assert list(makeup_participants_for_meeting(setup["target"])) == []


def test_a_make_up_guest_is_on_the_register_of_that_meeting(setup):
    from enrollment.attendance import meeting_participant_ids, register_rows

    makeup_book(credit=_credit(setup), meeting=setup["target"], by=setup["guardian"])

    assert setup["child"].pk in meeting_participant_ids(meeting=setup["target"])
    [row] = [r for r in register_rows(meeting=setup["target"]) if r.participant == setup["child"]]
    assert row.is_trial


# --- booking -----------------------------------------------------------------------------------


def test_booking_takes_a_place_at_that_meeting_only(setup):
    credit = _credit(setup)

    booking = makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])

    assert booking.credit == credit
    assert list(makeup_participants_for_meeting(setup["target"])) == [setup["child"]]
    later = _meeting(setup["other"], days=12)
    assert list(makeup_participants_for_meeting(later)) == []
    assert [r.state for r in credit_rows_of(participant=setup["child"])] == ["used"]


def test_a_full_meeting_is_refused_and_nothing_changes(setup):
    other = setup["other"]
    other.capacity = 1
    other.save()
    _enroll(other)
    credit = _credit(setup)

    with pytest.raises(MakeupMeetingFullError):
        makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])

    assert MakeupBooking.objects.count() == 0
    assert makeup_meetings_for(credit=credit) == []


def test_live_trials_and_makeups_count_against_the_capacity(setup):
    other = setup["other"]
    other.capacity = 1
    other.save()
    first = _credit(setup)
    makeup_book(credit=first, meeting=setup["target"], by=setup["guardian"])
    guardian2, [child2] = _enroll(setup["home"])
    notice2 = attendance_services.absence_report(
        meeting=setup["missed"], participant=child2, reported_by=guardian2
    )
    second = makeup_credit_grant(notice=notice2)

    with pytest.raises(MakeupMeetingFullError):
        makeup_book(credit=second, meeting=setup["target"], by=guardian2)
    assert MakeupBooking.objects.filter(credit=second).count() == 0


def test_another_activity_or_the_own_group_is_refused(setup):
    credit = _credit(setup)
    foreign = _meeting(GroupFactory(capacity=10, season=setup["home"].season), days=5)
    own = _meeting(setup["home"], days=5)

    for meeting in (foreign, own):
        with pytest.raises(MakeupMeetingNotAllowedError):
            makeup_book(credit=credit, meeting=meeting, by=setup["guardian"])
    assert MakeupBooking.objects.count() == 0


def test_a_meeting_after_the_expiry_is_refused(setup):
    credit = _credit(setup)
    too_late = _meeting(setup["other"], days=40)

    with pytest.raises(MakeupCreditExpiredError):
        makeup_book(credit=credit, meeting=too_late, by=setup["guardian"])
    assert too_late not in makeup_meetings_for(credit=credit)
    assert MakeupBooking.objects.count() == 0


def test_an_expired_credit_is_refused_and_shown_expired(setup):
    credit = _credit(setup)
    MakeupCredit.objects.filter(pk=credit.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    credit.refresh_from_db()

    with pytest.raises(MakeupCreditExpiredError):
        makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    assert [r.state for r in credit_rows_of(participant=setup["child"])] == ["expired"]


def test_an_age_outside_the_group_is_refused(setup):
    other = setup["other"]
    other.age_min, other.age_max = 12, 14
    other.save()
    credit = _credit(setup)

    with pytest.raises(AgeNotAllowedError):
        makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    assert makeup_meetings_for(credit=credit) == []


def test_one_credit_books_one_meeting(setup):
    credit = _credit(setup)
    makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    another = _meeting(setup["other"], days=12)

    with pytest.raises(MakeupCreditUsedError):
        makeup_book(credit=credit, meeting=another, by=setup["guardian"])
    assert MakeupBooking.objects.filter(credit=credit).count() == 1


def test_cancel_returns_the_credit(setup):
    credit = _credit(setup)
    booking = makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])

    makeup_cancel(booking=booking, by=setup["guardian"])

    assert [r.state for r in credit_rows_of(participant=setup["child"])] == ["valid"]
    assert list(makeup_participants_for_meeting(setup["target"])) == []
    again = makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    assert again.pk != booking.pk
    assert MakeupBooking.objects.filter(credit=credit).count() == 2


def test_cancel_after_the_start_is_refused(setup):
    credit = _credit(setup)
    booking = makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    from clubs.models import Meeting

    Meeting.objects.filter(pk=setup["target"].pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )

    with pytest.raises(MakeupCancelTooLateError):
        makeup_cancel(booking=booking, by=setup["guardian"])
    booking.refresh_from_db()
    assert booking.cancelled_at is None


# --- pages -------------------------------------------------------------------------------------


def test_guardian_sees_credits_books_and_cancels(client, setup):
    credit = _credit(setup)
    client.force_login(setup["guardian"])
    url = reverse("makeups:family", args=[setup["child"].pk])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["rows"][0].meetings == [setup["target"]]

    response = client.post(
        reverse("makeups:book", args=[setup["child"].pk, credit.pk]),
        {"meeting": setup["target"].pk},
    )
    assert response.status_code == 302
    booking = MakeupBooking.objects.get(credit=credit)

    response = client.post(reverse("makeups:cancel", args=[setup["child"].pk, booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_a_refused_booking_shows_the_error(client, setup):
    credit = _credit(setup)
    client.force_login(setup["guardian"])
    foreign = _meeting(GroupFactory(capacity=10, season=setup["home"].season), days=5)

    response = client.post(
        reverse("makeups:book", args=[setup["child"].pk, credit.pk]),
        {"meeting": foreign.pk},
        follow=True,
    )

    assert response.status_code == 200
    assert MakeupBooking.objects.count() == 0


def test_another_family_gets_404(client, setup):
    credit = _credit(setup)
    booking = makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
    stranger, [own_child] = family()
    client.force_login(stranger)
    child = setup["child"]

    assert client.get(reverse("makeups:family", args=[child.pk])).status_code == 404
    assert (
        client.post(
            reverse("makeups:book", args=[child.pk, credit.pk]), {"meeting": setup["target"].pk}
        ).status_code
        == 404
    )
    assert client.post(reverse("makeups:cancel", args=[child.pk, booking.pk])).status_code == 404
    # Their own child's page with someone else's credit or booking: still not found.
    assert (
        client.post(
            reverse("makeups:book", args=[own_child.pk, credit.pk]),
            {"meeting": setup["target"].pk},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("makeups:cancel", args=[own_child.pk, booking.pk])).status_code == 404
    )
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_reporting_an_absence_on_the_family_page_earns_the_credit(client, setup):
    client.force_login(setup["guardian"])

    response = client.post(
        reverse("attendance:absence-report", args=[setup["child"].pk, setup["missed"].pk]),
        {"reason": "choroba"},
    )

    assert response.status_code == 302
    assert MakeupCredit.objects.get().notice.meeting == setup["missed"]


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_credit_booked_twice_at_once_is_spent_once(setup, settings):
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.3
    credit = _credit(setup)
    meetings = [setup["target"], _meeting(setup["other"], days=12)]
    outcomes = []

    def book(meeting):
        close_old_connections()
        try:
            makeup_book(credit=credit, meeting=meeting, by=setup["guardian"])
            outcomes.append("booked")
        except MakeupCreditUsedError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(m,)) for m in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "refused"]
    assert MakeupBooking.objects.filter(credit=credit, cancelled_at__isnull=True).count() == 1


def _race_for_the_last_place(setup):
    """Two children of the home group, each with a credit, book the other group's last place
    at once: (outcomes, live bookings at the meeting)."""
    other = setup["other"]
    other.capacity = 1
    other.save()
    credits = [_credit(setup)]
    guardian2, [child2] = _enroll(setup["home"])
    notice2 = attendance_services.absence_report(
        meeting=setup["missed"], participant=child2, reported_by=guardian2
    )
    credits.append(makeup_credit_grant(notice=notice2))
    outcomes = []

    def book(credit):
        close_old_connections()
        try:
            makeup_book(credit=credit, meeting=setup["target"], by=setup["guardian"])
            outcomes.append("booked")
        except MakeupMeetingFullError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in credits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    live = MakeupBooking.objects.filter(meeting=setup["target"], cancelled_at__isnull=True)
    return sorted(outcomes), live.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_place_at_a_meeting_goes_to_one_makeup(setup, settings):
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.3

    assert _race_for_the_last_place(setup) == (["booked", "full"], 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_group_lock_the_last_place_is_oversold(setup, settings):
    """Negative control: the race is real, so the lock above is what prevents it."""
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.3
    settings.ENROLLMENT_TEST_DISABLE_LOCK = True

    assert _race_for_the_last_place(setup) == (["booked", "booked"], 2)
