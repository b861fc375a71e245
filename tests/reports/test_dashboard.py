"""Dashboards: the figures per group, filters and sorting, scope per role, fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Allocation, Charge, FeePlanKind, Payment, PaymentMethod
from clubs.models import Meeting
from enrollment.models import AttendanceMark, AttendanceStatus, Enrollment, EnrollmentStatus
from reports.dashboard import attendance_by_month, groups_with_figures, summary
from tests.enrollment.factories import ParticipantFactory
from tests.factories import GroupFactory, SeasonFactory, UserFactory

S = EnrollmentStatus


def _enroll(group, status, *, staff):
    participant = ParticipantFactory(consents=[])
    return Enrollment.objects.create(
        participant=participant,
        group=group,
        status=status,
        requested_at=timezone.now() - dt.timedelta(days=90),
        requested_by=staff,
    )


def _meeting(group, days_ago: int) -> Meeting:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        group=group,
        date=timezone.localtime(starts).date(),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        room=group.room,
    )


def _mark(meeting, participant, status, *, staff, minutes=0):
    AttendanceMark.objects.create(
        meeting=meeting,
        participant=participant,
        status=status,
        marked_by=staff,
        marked_at=meeting.starts_at + dt.timedelta(minutes=minutes),
    )


def _charge(enrollment, amount, *, due_days_ago):
    today = timezone.localdate()
    return Charge.objects.create(
        household=enrollment.participant.household,
        enrollment=enrollment,
        period=(today - dt.timedelta(days=due_days_ago)).replace(day=1),
        kind=FeePlanKind.MONTHLY,
        description="Opłata",
        base_amount=amount,
        amount=amount,
        due_on=today - dt.timedelta(days=due_days_ago),
    )


@pytest.fixture
def centre(db, coordinated_activity):
    staff = UserFactory()
    season = SeasonFactory()
    mine = GroupFactory(activity=coordinated_activity, season=season, capacity=4, places_taken=4)
    other = GroupFactory(season=season, capacity=10, places_taken=2, waitlist_length=3)
    a = _enroll(mine, S.ACTIVE, staff=staff)
    b = _enroll(mine, S.ACTIVE, staff=staff)
    _enroll(mine, S.OFFERED, staff=staff)
    _enroll(other, S.OFFERED, staff=staff)
    _enroll(other, S.OFFERED, staff=staff)
    recent, earlier = _meeting(mine, 3), _meeting(mine, 40)
    _mark(recent, a.participant, AttendanceStatus.ABSENT, staff=staff)
    _mark(recent, a.participant, AttendanceStatus.PRESENT, staff=staff, minutes=10)  # corrected
    _mark(recent, b.participant, AttendanceStatus.ABSENT, staff=staff)
    _mark(earlier, a.participant, AttendanceStatus.PRESENT, staff=staff)
    _mark(earlier, b.participant, AttendanceStatus.LATE, staff=staff)
    paid = _charge(a, Decimal("100.00"), due_days_ago=10)
    _charge(b, Decimal("80.00"), due_days_ago=10)
    _charge(b, Decimal("50.00"), due_days_ago=-10)  # not due yet
    payment = Payment.objects.create(
        household=a.participant.household,
        amount=Decimal("60.00"),
        method=PaymentMethod.CASH,
        received_on=timezone.localdate(),
    )
    Allocation.objects.create(charge=paid, payment=payment, amount=Decimal("60.00"))
    return {"season": season, "mine": mine, "other": other}


def test_each_group_gets_its_figures(centre):
    from clubs.models import Group

    rows = {g.pk: g for g in groups_with_figures(Group.objects.all())}
    mine, other = rows[centre["mine"].pk], rows[centre["other"].pk]
    assert mine.fill == 1.0 and other.fill == 0.2
    assert (mine.offers, other.offers) == (1, 2)
    assert (mine.recent_attended, mine.recent_marked) == (1, 2)
    assert (mine.earlier_attended, mine.earlier_marked) == (2, 2)
    assert mine.attendance == 0.5 and mine.attendance_before == 1.0
    assert other.attendance is None
    assert mine.overdue == Decimal("120.00")  # 100 - 60 + 80; the charge not yet due is left out
    assert other.overdue == Decimal("0.00")
    totals = summary(groups_with_figures(Group.objects.all()))
    assert (totals.groups, totals.capacity, totals.taken, totals.waiting, totals.offers) == (
        2,
        14,
        6,
        3,
        3,
    )
    assert totals.overdue == Decimal("120.00")
    months = attendance_by_month(Group.objects.all(), season=centre["season"])
    assert sum(m.marked for m in months) == 4 and sum(m.attended for m in months) == 3


def _page_groups(response) -> list[int]:
    return [g.pk for g in response.context["groups"]]


def test_the_director_sees_every_group_and_the_coordinator_only_theirs(
    client, centre, director, office, coordinator
):
    url = reverse("reports:dashboard")
    for user in (director, office):
        client.force_login(user)
        assert sorted(_page_groups(client.get(url))) == sorted(
            [centre["mine"].pk, centre["other"].pk]
        )
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert _page_groups(response) == [centre["mine"].pk]
    assert response.context["totals"].offers == 1


def test_filters_and_sorting(client, centre, director):
    client.force_login(director)
    url = reverse("reports:dashboard")
    assert _page_groups(client.get(url, {"full": "true"})) == [centre["mine"].pk]
    assert _page_groups(client.get(url, {"waiting": "true"})) == [centre["other"].pk]
    assert _page_groups(client.get(url, {"overdue": "true"})) == [centre["mine"].pk]
    assert _page_groups(client.get(url, {"sort": "offers"})) == [
        centre["mine"].pk,
        centre["other"].pk,
    ]
    assert _page_groups(client.get(url, {"sort": "-offers"})) == [
        centre["other"].pk,
        centre["mine"].pk,
    ]
    assert _page_groups(client.get(url, {"sort": "-fill"}))[0] == centre["mine"].pk


def test_the_charts_have_their_numbers_in_a_table(client, centre, director):
    client.force_login(director)
    content = client.get(reverse("reports:dashboard")).content.decode()
    assert content.count('role="img"') == 2
    assert '<title id="fill-chart-title">' in content and '<desc id="trend-chart-desc">' in content
    assert "100%" in content  # the full group's fill rate, written out


def test_the_dashboard_query_count_does_not_grow_with_groups(client, centre, director):
    client.force_login(director)
    url = reverse("reports:dashboard")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    staff = UserFactory()
    for _ in range(8):
        group = GroupFactory(season=centre["season"], capacity=5)
        enrollment = _enroll(group, S.ACTIVE, staff=staff)
        _mark(_meeting(group, 2), enrollment.participant, AttendanceStatus.PRESENT, staff=staff)
        _charge(enrollment, Decimal("10.00"), due_days_ago=5)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
