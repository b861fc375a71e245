import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clubs.models import Group
from clubs.services import meetings_generate
from enrollment import services
from enrollment.exceptions import (
    AgeNotAllowedError,
    AlreadyEnrolledError,
    ConsentMissingError,
    EnrollmentClosedError,
    GroupFullError,
    InvalidTransitionError,
    OfferExpiredError,
    TrialNotAllowedError,
)
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus, PriorityTier
from notifications.models import Notification
from tests.enrollment.factories import family
from tests.factories import (
    WARSAW,
    GroupFactory,
    SeasonFactory,
    UserFactory,
    WeeklySlotFactory,
)

pytestmark = pytest.mark.django_db
S = EnrollmentStatus
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WARSAW)


def assert_counters(group):
    group.refresh_from_db()
    assert (group.places_taken, group.waitlist_length) == services.group_counters_recount(
        group=group
    )
    assert group.places_taken <= group.capacity


def enroll(group, n=1, **kwargs):
    user, kids = family(n)
    result = services.enrollment_request(
        participants=kids, group=group, requested_by=user, now=kwargs.pop("now", NOW), **kwargs
    )
    return user, result


def test_free_place_makes_the_enrollment_active_and_tells_the_family():
    group = GroupFactory(capacity=2)
    user, [enrollment] = enroll(group)

    assert enrollment.status == S.ACTIVE
    assert_counters(group)
    assert group.places_taken == 1
    event = enrollment.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.ACTIVE, user)
    message = Notification.objects.get(kind="enrollment_accepted")
    assert message.user_id == user.pk
    assert message.dedupe_key == f"enrollment-event:{event.pk}:user:{user.pk}"


def test_full_group_puts_people_on_the_waiting_list_in_arrival_order():
    group = GroupFactory(capacity=1)
    enroll(group)
    _, [second] = enroll(group, now=NOW + dt.timedelta(seconds=1))
    _, [third] = enroll(group, now=NOW + dt.timedelta(seconds=2))

    assert (second.status, third.status) == (S.WAITLISTED, S.WAITLISTED)
    assert list(Enrollment.objects.filter(group=group).waitlist()) == [second, third]
    assert_counters(group)
    assert group.waitlist_length == 2
    assert Notification.objects.filter(kind="enrollment_waitlisted").count() == 2


def test_audition_group_waits_for_approval_then_takes_a_place_or_waits():
    group = GroupFactory(capacity=1, requires_approval=True)
    _, [first] = enroll(group)
    _, [second] = enroll(group)
    coordinator = UserFactory()
    assert first.status == S.PENDING
    assert_counters(group)

    services.enrollment_approve(enrollment=first, by=coordinator)
    services.enrollment_approve(enrollment=second, by=coordinator)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.ACTIVE, S.WAITLISTED)
    assert_counters(group)
    with pytest.raises(InvalidTransitionError):
        services.enrollment_approve(enrollment=first, by=coordinator)


@pytest.mark.parametrize(
    ("birth_date", "error"),
    [(dt.date(2020, 1, 1), AgeNotAllowedError), (dt.date(2010, 1, 1), AgeNotAllowedError)],
)
def test_age_outside_the_range_is_refused_and_changes_nothing(birth_date, error):
    group = GroupFactory(age_min=7, age_max=9)
    user, [child] = family(birth_date=birth_date)
    with pytest.raises(error):
        services.enrollment_request(participants=[child], group=group, requested_by=user, now=NOW)
    assert not Enrollment.objects.exists()
    assert_counters(group)


def test_missing_required_consent_is_refused():
    group = GroupFactory()
    user, [child] = family(consents=[])
    with pytest.raises(ConsentMissingError):
        services.enrollment_request(participants=[child], group=group, requested_by=user, now=NOW)
    assert not Enrollment.objects.exists()


def test_closed_windows_and_the_priority_window_for_continuing_participants():
    last = SeasonFactory(
        name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30)
    )
    season = SeasonFactory(
        name="2026/2027",
        enrollment_opens_at=NOW + dt.timedelta(days=2),
        priority_opens_at=NOW - dt.timedelta(days=1),
    )
    old_group = GroupFactory(season=last)
    group = GroupFactory(season=season, activity=old_group.activity)
    user, [child] = family()
    old = Enrollment.objects.create(
        participant=child, group=old_group, status=S.ACTIVE, requested_at=NOW, requested_by=user
    )
    newcomer_parent, [newcomer] = family()

    with pytest.raises(EnrollmentClosedError, match="Zapisy rozpoczną się"):
        services.enrollment_request(
            participants=[newcomer], group=group, requested_by=newcomer_parent, now=NOW
        )
    [enrollment] = services.enrollment_request(
        participants=[child], group=group, requested_by=user, now=NOW
    )
    assert enrollment.priority_tier == PriorityTier.CONTINUING
    assert old.status == S.ACTIVE

    season.enrollment_closes_at = NOW - dt.timedelta(hours=1)
    season.enrollment_opens_at = NOW - dt.timedelta(days=3)
    season.priority_opens_at = None
    season.save()
    with pytest.raises(EnrollmentClosedError):
        services.enrollment_request(
            participants=[newcomer], group=group, requested_by=newcomer_parent, now=NOW
        )


def test_duplicate_request_is_refused_but_a_repeated_form_answers_the_same():
    group = GroupFactory()
    user, [child] = family()
    first = services.enrollment_request(
        participants=[child], group=group, requested_by=user, request_key="abc123abc", now=NOW
    )
    again = services.enrollment_request(
        participants=[child], group=group, requested_by=user, request_key="abc123abc", now=NOW
    )
    assert again == first
    with pytest.raises(AlreadyEnrolledError):
        services.enrollment_request(participants=[child], group=group, requested_by=user, now=NOW)
    assert Enrollment.objects.count() == 1
    assert_counters(group)


@pytest.mark.parametrize(
    ("together", "statuses"), [(True, [S.WAITLISTED] * 2), (False, [S.ACTIVE, S.WAITLISTED])]
)
def test_siblings_together_or_not(together, statuses):
    group = GroupFactory(capacity=1)
    user, kids = family(2)
    result = services.enrollment_request(
        participants=kids, group=group, requested_by=user, together=together, now=NOW
    )
    assert [e.status for e in result] == statuses
    assert_counters(group)


def test_withdrawal_keeps_the_place_to_the_end_of_the_month_then_offers_it():
    group = GroupFactory(capacity=1)
    user, [active] = enroll(group)
    _, [waiting] = enroll(group, now=NOW + dt.timedelta(seconds=1))

    services.enrollment_withdraw(enrollment=active, by=user, now=NOW)
    active.refresh_from_db()
    assert (active.status, active.ends_on) == (S.ACTIVE, dt.date(2026, 11, 30))
    assert services.withdrawals_complete_due(today=dt.date(2026, 11, 30)) == 0
    with pytest.raises(InvalidTransitionError):
        services.enrollment_withdraw(enrollment=active, by=user, now=NOW)

    assert services.withdrawals_complete_due(today=dt.date(2026, 12, 1)) == 1

    active.refresh_from_db()
    waiting.refresh_from_db()
    assert active.status == S.WITHDRAWN
    assert waiting.status == S.OFFERED
    assert waiting.offer_expires_at is not None
    assert_counters(group)
    assert Notification.objects.filter(kind="waitlist_offer").exists()


def test_offer_accept_decline_and_expiry_pass_the_place_along_the_line():
    group = GroupFactory(capacity=1)
    holder_parent, [holder] = enroll(group)
    parents, line = [], []
    for i in range(3):
        parent, [enrollment] = enroll(group, now=NOW + dt.timedelta(seconds=i + 1))
        parents.append(parent)
        line.append(enrollment)
    services.enrollment_withdraw(enrollment=holder, by=holder_parent, now=NOW)
    services.withdrawals_complete_due(today=dt.date(2026, 12, 1))
    first, second, third = line
    first.refresh_from_db()
    assert first.status == S.OFFERED

    services.offer_decline(enrollment=first, by=parents[0])
    second.refresh_from_db()
    assert second.status == S.OFFERED

    later = second.offer_expires_at + dt.timedelta(minutes=1)
    with pytest.raises(OfferExpiredError):
        services.offer_accept(enrollment=second, by=parents[1], now=later)
    assert services.offers_expire_due(now=later) == 1
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (S.EXPIRED, S.OFFERED)

    services.offer_accept(enrollment=third, by=parents[2], now=later)
    third.refresh_from_db()
    assert third.status == S.ACTIVE
    assert_counters(group)
    assert services.offers_expire_due(now=later + dt.timedelta(days=5)) == 0
    assert list(third.events.values_list("to_status", flat=True)) == [
        S.WAITLISTED,
        S.OFFERED,
        S.ACTIVE,
    ]


def test_offer_expiring_reminder_is_sent_once():
    group = GroupFactory(capacity=1)
    parent, [holder] = enroll(group)
    enroll(group, now=NOW + dt.timedelta(seconds=1))
    services.enrollment_withdraw(enrollment=holder, by=parent, now=NOW)
    services.withdrawals_complete_due(today=dt.date(2026, 12, 1))
    offered = Enrollment.objects.get(status=S.OFFERED)
    soon = offered.offer_expires_at - dt.timedelta(hours=3)

    assert services.offers_remind_expiring(now=soon) == 1
    services.offers_remind_expiring(now=soon + dt.timedelta(minutes=30))

    assert Notification.objects.filter(kind="offer_expiring").count() == 1


def test_withdrawing_from_the_waiting_list_or_an_offer_is_immediate():
    group = GroupFactory(capacity=1)
    enroll(group)
    parent, [waiting] = enroll(group, now=NOW + dt.timedelta(seconds=1))
    services.enrollment_withdraw(enrollment=waiting, by=parent, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == S.WITHDRAWN
    assert_counters(group)
    with pytest.raises(InvalidTransitionError):
        services.enrollment_withdraw(enrollment=waiting, by=parent, now=NOW)


def test_continuing_participants_wait_ahead_of_newcomers():
    group = GroupFactory(capacity=1)
    enroll(group)
    _, [newcomer] = enroll(group, now=NOW + dt.timedelta(seconds=1))
    _, [continuing] = enroll(group, now=NOW + dt.timedelta(seconds=2))
    Enrollment.objects.filter(pk=continuing.pk).update(priority_tier=PriorityTier.CONTINUING)
    assert list(Enrollment.objects.filter(group=group).waitlist()) == [continuing, newcomer]


def test_promote_and_reorder_record_who_and_why():
    group = GroupFactory(capacity=1)
    enroll(group)
    waiting = [enroll(group, now=NOW + dt.timedelta(seconds=i + 1))[1][0] for i in range(3)]
    coordinator = UserFactory()

    services.waitlist_promote(enrollment=waiting[2], by=coordinator, reason="rodzeństwo w grupie")
    assert list(Enrollment.objects.filter(group=group).waitlist()) == [
        waiting[2],
        waiting[0],
        waiting[1],
    ]
    services.waitlist_reorder(enrollment=waiting[1], by=coordinator, up=True, reason="zamiana")
    assert list(Enrollment.objects.filter(group=group).waitlist()) == [
        waiting[2],
        waiting[1],
        waiting[0],
    ]
    with pytest.raises(InvalidTransitionError):
        services.waitlist_reorder(enrollment=waiting[2], by=coordinator, up=True, reason="x")
    event = EnrollmentEvent.objects.filter(enrollment=waiting[2]).last()
    assert event.actor == coordinator
    assert "rodzeństwo w grupie" in event.reason
    assert_counters(group)


def test_promote_with_a_free_place_gives_it_at_once():
    group = GroupFactory(capacity=1, requires_approval=False)
    _, [waiting] = enroll(group)
    Enrollment.objects.filter(pk=waiting.pk).update(status=S.WAITLISTED)
    Group.objects.filter(pk=group.pk).update(places_taken=0, waitlist_length=1)
    services.waitlist_promote(enrollment=waiting, by=UserFactory(), reason="wolne miejsce")
    waiting.refresh_from_db()
    assert waiting.status == S.ACTIVE
    assert_counters(group)


def test_move_keeps_history_and_frees_the_old_place():
    group = GroupFactory(capacity=1)
    target = GroupFactory(activity=group.activity, season=group.season, capacity=1)
    full_target = GroupFactory(activity=group.activity, season=group.season, capacity=0)
    _, [moving] = enroll(group)
    _, [waiting] = enroll(group, now=NOW + dt.timedelta(seconds=1))
    coordinator = UserFactory()

    with pytest.raises(GroupFullError):
        services.enrollment_move(
            enrollment=moving, to_group=full_target, by=coordinator, reason="x"
        )
    moved = services.enrollment_move(
        enrollment=moving, to_group=target, by=coordinator, reason="lepszy termin"
    )

    moving.refresh_from_db()
    waiting.refresh_from_db()
    assert moving.status == S.MOVED
    assert (moved.group, moved.status, moved.participant) == (target, S.ACTIVE, moving.participant)
    assert waiting.status == S.OFFERED
    assert "lepszy termin" in moved.events.get().reason
    for g in (group, target, full_target):
        assert_counters(g)


def test_trial_meeting_uses_a_place_for_that_meeting_only():
    group = GroupFactory(capacity=2, trial_allowed=True)
    WeeklySlotFactory(group=group, weekday=3)
    meetings_generate(group=group)
    meeting = group.meetings.filter(starts_at__gt=dt.datetime.now(tz=WARSAW)).first()
    enroll(group)
    user, [child] = family()

    services.trial_book(participant=child, meeting=meeting, by=user)

    with pytest.raises(TrialNotAllowedError):
        services.trial_book(participant=child, meeting=meeting, by=user)
    other_parent, [other] = family()
    with pytest.raises(GroupFullError):
        services.trial_book(participant=other, meeting=meeting, by=other_parent)
    assert_counters(group)
    no_trials = GroupFactory(trial_allowed=False)
    with pytest.raises(TrialNotAllowedError):
        services.trial_book(
            participant=other, meeting=meeting.__class__(group=no_trials), by=other_parent
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacity=st.integers(min_value=0, max_value=3),
    operations=st.lists(
        st.sampled_from(["request", "withdraw", "decline", "accept", "expire", "complete"]),
        max_size=14,
    ),
)
def test_counters_always_match_the_rows(capacity, operations):
    group = GroupFactory(capacity=capacity)
    moment = NOW
    for operation in operations:
        moment += dt.timedelta(hours=30)
        if operation == "request":
            enroll(group, now=moment)
            continue
        live = Enrollment.objects.filter(group=group)
        if operation == "withdraw" and (e := live.live().filter(ends_on=None).first()):
            services.enrollment_withdraw(enrollment=e, by=e.requested_by, now=moment)
        elif operation in ("decline", "accept") and (e := live.filter(status=S.OFFERED).first()):
            service = services.offer_decline if operation == "decline" else services.offer_accept
            with contextlib.suppress(OfferExpiredError):
                service(enrollment=e, by=e.requested_by, now=moment)
        elif operation == "expire":
            services.offers_expire_due(now=moment)
        elif operation == "complete":
            services.withdrawals_complete_due(today=moment.date() + dt.timedelta(days=40))
        assert_counters(group)
    assert Enrollment.objects.filter(group=group).holding_places().count() <= capacity


@pytest.mark.parametrize(
    ("pesel", "birth_date"),
    [
        ("18252412342", dt.date(2018, 5, 24)),
        ("02070803628", dt.date(1902, 7, 8)),
        ("44051401359", dt.date(1944, 5, 14)),
        ("18252412341", None),
        ("1825241234", None),
        ("1825241234x", None),
        ("18253212342", None),
    ],
)
def test_pesel_checksum_and_birth_date(pesel, birth_date):
    from enrollment.pesel import pesel_birth_date

    assert pesel_birth_date(pesel) == birth_date
