"""Enrollment changes after a month was charged: the unused part is credited, a late activation
is charged its share, each once (billing/services/unused_credits.py, late_charges.py).

The calendar is fixed: November 2026 has four Wednesday meetings (4, 11, 18, 25); the clock is
set by `at()` so that runs, moves and withdrawals happen in the order a month sees them.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from billing import tasks
from billing.models import (
    Charge,
    CreditNote,
    CreditReason,
    DiscountKind,
    DiscountRule,
    FeePlanKind,
)
from billing.services.charges import billing_run, cancelled_meetings_credit
from billing.services.late_charges import enrollment_changes_settle, late_activations_charge
from billing.services.ledger import credit_note_issue
from billing.services.unused_credits import unused_periods_credit
from clubs.models import MeetingStatus
from enrollment.models import Enrollment, EnrollmentStatus
from enrollment.services import (
    enrollment_approve,
    enrollment_move,
    enrollment_withdraw,
    offer_decline,
    withdrawals_complete_due,
)
from notifications.models import Notification
from tests.billing.factories import ChargeFactory, enrollment_activate, meetings_make
from tests.enrollment.factories import ParticipantFactory, family
from tests.factories import FeePlanFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)
SEPT_1 = dt.date(2026, 9, 1)
NOV_WEDNESDAYS = [dt.date(2026, 11, d) for d in (4, 11, 18, 25)]
NOV_THURSDAYS = [dt.date(2026, 11, d) for d in (5, 12, 19, 26)]
S = EnrollmentStatus


@contextmanager
def at(day: dt.date, hour: int = 12):
    """The clock (Warsaw) at `day`, `hour`: for the services, `auto_now` and `localdate()`."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=WARSAW)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def plan_group(amount="120.00", kind=FeePlanKind.MONTHLY, *, places_taken=1, **group):
    group = GroupFactory(places_taken=places_taken, **group)
    FeePlanFactory(group=group, kind=kind, amount=Decimal(amount))
    return group


def child():
    _user, [kid] = family()
    return kid


def active(group, *, on=SEPT_1, kid=None):
    with at(on):
        return enrollment_activate(kid or child(), group, on)


def run(period):
    with at(period, hour=3):
        return billing_run(period)


def settle(day, hour=23):
    with at(day, hour):
        return enrollment_changes_settle()


def credits_on(charge):
    return charge.credit_notes.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


# --- a move in the middle of a charged month ---------------------------------------------------


@pytest.fixture
def moved():
    """Charged for November in a Wednesday group (120 zł), moved on 16 November to a Thursday
    group of the same activity (200 zł) by a coordinator."""
    old = plan_group()
    new = plan_group(amount="200.00", activity=old.activity, places_taken=0)
    meetings_make(old, NOV_WEDNESDAYS)
    meetings_make(new, [*NOV_THURSDAYS, dt.date(2026, 12, 3)])
    enrollment = active(old)
    run(NOV)
    coordinator = UserFactory()
    with at(dt.date(2026, 11, 16), hour=10):
        target = enrollment_move(
            enrollment=enrollment, to_group=new, by=coordinator, reason="Better time"
        )
    return enrollment, target, coordinator


def test_a_move_credits_the_old_groups_meetings_after_the_last_day(moved):
    enrollment, _target, coordinator = moved
    charge = Charge.objects.get(enrollment=enrollment)

    assert unused_periods_credit(today=dt.date(2026, 11, 16)) == 1

    note = CreditNote.objects.get()
    # 120 zł × 2/4: the meetings of 18 and 25 November fall after the last day (15 November).
    assert (note.charge, note.amount, note.reason) == (charge, Decimal("60.00"), CreditReason.MOVE)
    assert note.created_by == coordinator
    assert note.key == f"unused:charge:{charge.pk}"
    assert f"nr {enrollment.pk}" in note.note or f"no. {enrollment.pk}" in note.note
    assert "listopad 2026" in note.note.lower() and "15.11.2026" in note.note


def test_a_move_charges_the_new_group_its_share_of_the_month_once(moved):
    _enrollment, target, coordinator = moved

    settled = settle(dt.date(2026, 11, 16))
    again = settle(dt.date(2026, 11, 17))

    charge = Charge.objects.get(enrollment=target)
    # 200 zł × 2/4: the Thursdays of 19 and 26 November, from the move on.
    assert (charge.period, charge.amount, charge.run) == (NOV, Decimal("100.00"), None)
    assert charge.created_by == coordinator
    assert (settled.charges, settled.credits) == (1, 1)
    assert (again.charges, again.credits) == (0, 0)


def test_a_move_is_settled_once_whatever_runs_after_it(moved):
    enrollment, target, _coordinator = moved
    settle(dt.date(2026, 11, 16))
    with at(dt.date(2026, 11, 17)):
        tasks.enrollment_changes_settle_task.apply().get()
        tasks.enrollment_changes_settle_task.apply().get()  # a retried task
    run(DEC)
    settle(dt.date(2026, 12, 2))

    assert CreditNote.objects.count() == 1
    assert sorted(Charge.objects.values_list("enrollment_id", "period")) == [
        (enrollment.pk, NOV),
        (target.pk, NOV),
        (target.pk, DEC),
    ]
    household = enrollment.participant.household
    charged = Charge.objects.filter(household=household).aggregate(t=Sum("amount"))["t"]
    credited = CreditNote.objects.filter(household=household).aggregate(t=Sum("amount"))["t"]
    assert (charged, credited) == (Decimal("420.00"), Decimal("60.00"))


def test_a_move_before_the_run_needs_no_credit_and_no_late_charge():
    old = plan_group()
    new = plan_group(amount="200.00", activity=old.activity, places_taken=0)
    meetings_make(old, NOV_WEDNESDAYS)
    meetings_make(new, NOV_THURSDAYS)
    enrollment = active(old)
    with at(dt.date(2026, 10, 20)):
        enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")
    run(NOV)

    settled = settle(dt.date(2026, 11, 2))

    assert (settled.charges, settled.credits) == (0, 0)
    assert not CreditNote.objects.exists()
    assert list(Charge.objects.values_list("amount", flat=True)) == [Decimal("200.00")]


def test_nothing_is_credited_when_the_month_was_not_charged():
    old = plan_group()
    new = plan_group(activity=old.activity, places_taken=0)
    meetings_make(old, NOV_WEDNESDAYS)
    enrollment = active(old)
    with at(dt.date(2026, 11, 16)):
        enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")

    assert settle(dt.date(2026, 11, 16)).credits == 0
    assert not CreditNote.objects.exists() and not Charge.objects.exists()


# --- what is already credited is never credited again ----------------------------------------


def test_cancelled_meeting_credits_and_an_early_end_never_exceed_the_charge():
    old = plan_group(amount="30.00", kind=FeePlanKind.PER_MEETING)
    new = plan_group(amount="30.00", activity=old.activity, places_taken=0)
    meetings = meetings_make(old, NOV_WEDNESDAYS)
    enrollment = active(old)
    run(NOV)
    charge = Charge.objects.get()
    assert charge.amount == Decimal("120.00")
    with at(dt.date(2026, 11, 10)):  # the centre cancels the 25th: credited 30 zł
        meetings[3].status = MeetingStatus.CANCELLED
        meetings[3].save()
    assert cancelled_meetings_credit(today=dt.date(2026, 11, 10)) == 1
    with at(dt.date(2026, 11, 16)):
        enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")

    assert unused_periods_credit(today=dt.date(2026, 11, 16)) == 1
    # Only the 18th is left to credit: the 25th was repaid as cancelled.
    assert CreditNote.objects.get(key=f"unused:charge:{charge.pk}").amount == Decimal("30.00")
    with at(dt.date(2026, 11, 17)):  # cancelling the 18th now credits nothing more
        meetings[2].status = MeetingStatus.CANCELLED
        meetings[2].save()
    assert cancelled_meetings_credit(today=dt.date(2026, 11, 17)) == 0
    assert unused_periods_credit(today=dt.date(2026, 11, 18)) == 0
    assert credits_on(charge) == Decimal("60.00")


def test_a_charge_already_credited_in_full_gets_nothing_more():
    old = plan_group()
    new = plan_group(activity=old.activity, places_taken=0)
    meetings_make(old, NOV_WEDNESDAYS)
    enrollment = active(old)
    run(NOV)
    charge = Charge.objects.get()
    with at(dt.date(2026, 11, 5)):
        credit_note_issue(
            household=charge.household,
            amount="100.00",
            reason=CreditReason.GOODWILL,
            note="Zwrot",
            charge=charge,
        )
        with at(dt.date(2026, 11, 16)):
            enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")

    assert unused_periods_credit(today=dt.date(2026, 11, 16)) == 1
    # 60 zł unused, but only 20 zł of the charge was left to credit.
    assert credits_on(charge) == charge.amount == Decimal("120.00")
    assert unused_periods_credit(today=dt.date(2026, 11, 17)) == 0


# --- withdrawals ------------------------------------------------------------------------------


def test_a_withdrawal_keeps_its_month_so_a_monthly_fee_is_not_credited():
    group = plan_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment = active(group)
    run(NOV)
    with at(dt.date(2026, 11, 10)) as now:
        enrollment_withdraw(enrollment=enrollment, by=UserFactory(), now=now)
    with at(dt.date(2026, 12, 1), hour=1):
        withdrawals_complete_due()

    assert settle(dt.date(2026, 12, 1)).credits == 0
    assert not CreditNote.objects.exists()


SEMESTER_MEETINGS = [
    dt.date(2026, 9, 2),
    dt.date(2026, 9, 9),
    dt.date(2026, 9, 16),
    dt.date(2026, 10, 7),
    dt.date(2026, 10, 14),
    dt.date(2026, 11, 4),
    dt.date(2026, 11, 18),
    dt.date(2026, 12, 2),
    dt.date(2026, 12, 9),
    dt.date(2027, 1, 13),
]


def test_a_withdrawal_credits_the_semesters_meetings_after_its_last_day_by_who_withdrew():
    group = plan_group(amount="333.33", kind=FeePlanKind.SEMESTER)
    meetings_make(group, SEMESTER_MEETINGS)
    enrollment = active(group)
    run(dt.date(2026, 9, 1))
    charge = Charge.objects.get()
    guardian = UserFactory()
    with at(dt.date(2026, 10, 10)) as now:
        enrollment_withdraw(enrollment=enrollment, by=guardian, now=now)

    assert settle(dt.date(2026, 10, 10)).credits == 1

    note = CreditNote.objects.get()
    # 5 of the semester's 10 meetings fall after 31 October: 333.33 × 1/2 = 166.665 -> 166.67.
    assert (note.amount, note.reason, note.created_by) == (
        Decimal("166.67"),
        CreditReason.WITHDRAWAL,
        guardian,
    )
    assert "01.09.2026–31.01.2027" in note.note
    # The nightly task ending the enrollment and the later runs credit nothing more.
    for month in (11, 12):
        run(dt.date(2026, month, 1))
        with at(dt.date(2026, month, 1), hour=4):
            withdrawals_complete_due()
        settle(dt.date(2026, month, 2))
    assert CreditNote.objects.count() == 1 and credits_on(charge) == Decimal("166.67")
    assert Charge.objects.count() == 1


def test_a_withdrawal_credits_annual_dues_by_whole_months_left():
    group = plan_group(amount="120.00", kind=FeePlanKind.ANNUAL_DUES)
    meetings_make(group, [dt.date(2027, 1, 13), dt.date(2027, 3, 10)])
    enrollment = active(group)
    run(dt.date(2027, 1, 1))
    assert Charge.objects.get().amount == Decimal("120.00")
    with at(dt.date(2027, 3, 10)) as now:
        enrollment_withdraw(enrollment=enrollment, by=None, now=now)

    settle(dt.date(2027, 3, 10))

    # Last day 31 March: April to December, 9 of 12 months.
    assert CreditNote.objects.get().amount == Decimal("90.00")
    assert CreditNote.objects.get().created_by is None


def test_a_move_within_a_club_keeps_the_dues_paid():
    old = plan_group(amount="120.00", kind=FeePlanKind.ANNUAL_DUES)
    new = plan_group(
        amount="120.00", kind=FeePlanKind.ANNUAL_DUES, activity=old.activity, places_taken=0
    )
    meetings_make(old, [dt.date(2027, 1, 13)])
    meetings_make(new, [dt.date(2027, 1, 21), dt.date(2027, 1, 28)])
    enrollment = active(old)
    run(dt.date(2027, 1, 1))
    with at(dt.date(2027, 1, 15)):
        enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")

    settled = settle(dt.date(2027, 1, 15))

    assert (settled.charges, settled.credits) == (0, 0)
    assert Charge.objects.count() == 1 and not CreditNote.objects.exists()


# --- activations after the month's run --------------------------------------------------------


def test_an_approval_after_the_run_charges_the_share_left_of_the_month():
    group = plan_group(places_taken=0)
    meetings_make(group, NOV_WEDNESDAYS)
    kid = child()
    with at(dt.date(2026, 10, 20)):
        pending = Enrollment.objects.create(
            participant=kid,
            group=group,
            status=S.PENDING,
            requested_at=dt.datetime(2026, 10, 20, 12, tzinfo=WARSAW),
            requested_by=UserFactory(),
        )
    run(NOV)
    coordinator = UserFactory()
    with at(dt.date(2026, 11, 12)):
        enrollment_approve(enrollment=pending, by=coordinator)

    # Without the late charge, the next run charges December only: November is never charged.
    assert settle(dt.date(2026, 11, 12)).charges == 1
    charge = Charge.objects.get()
    # 120 zł × 2/4 (the 18th and the 25th), due 14 days after it appears.
    assert (charge.period, charge.amount) == (NOV, Decimal("60.00"))
    assert charge.due_on == dt.date(2026, 11, 26)
    assert charge.created_by == coordinator
    # The family is told what it owes now, apart from the run's message for November.
    [message] = Notification.objects.filter(
        kind="fee_due", user__guardianships__household=kid.household
    )
    assert message.context["amount"] == "60.00" and message.context["due_on"] == "2026-11-26"
    assert ":late" in message.dedupe_key
    assert late_activations_charge(now=dt.datetime(2026, 11, 13, tzinfo=WARSAW)) == 0
    assert settle(dt.date(2026, 11, 13)).charges == 0
    assert Notification.objects.filter(kind="fee_due").count() == 1


def test_a_late_joiner_is_charged_the_rest_of_the_month_only_through_the_settlement():
    group = plan_group(places_taken=0)
    meetings_make(group, [*NOV_WEDNESDAYS, dt.date(2026, 12, 2)])
    run(NOV)
    enrollment = active(group, on=dt.date(2026, 11, 12))
    run(DEC)
    assert list(Charge.objects.values_list("period", flat=True)) == [DEC]  # the gap

    settle(dt.date(2026, 12, 2))

    assert sorted(enrollment.charges.values_list("period", "amount")) == [
        (NOV, Decimal("60.00")),
        (DEC, Decimal("120.00")),
    ]


def test_a_late_younger_sibling_gets_the_sibling_discount_as_in_the_run():
    DiscountRule.objects.update_or_create(
        kind=DiscountKind.SIBLING, defaults={"percent": Decimal("50"), "from_child": 2}
    )
    group = plan_group(amount="100.00")
    meetings_make(group, NOV_WEDNESDAYS)
    _user, [older] = family()
    younger = ParticipantFactory(household=older.household, birth_date=dt.date(2018, 6, 1))
    older.birth_date = dt.date(2017, 1, 1)
    older.save()
    active(group, kid=older)
    run(NOV)
    active(group, on=dt.date(2026, 11, 12), kid=younger)

    settle(dt.date(2026, 11, 12))

    late = Charge.objects.get(enrollment__participant=younger)
    # 100 zł × 2/4 = 50 zł, then −50% as the second child billed in November.
    assert (late.base_amount, late.amount) == (Decimal("50.00"), Decimal("25.00"))


def test_a_declined_offer_was_never_charged_and_gets_nothing():
    group = plan_group(places_taken=1)
    meetings_make(group, NOV_WEDNESDAYS)
    with at(dt.date(2026, 10, 20)):
        offered = Enrollment.objects.create(
            participant=child(),
            group=group,
            status=S.OFFERED,
            requested_at=dt.datetime(2026, 10, 20, 12, tzinfo=WARSAW),
            requested_by=UserFactory(),
            offer_expires_at=dt.datetime(2026, 11, 20, 12, tzinfo=WARSAW),
        )
    run(NOV)
    with at(dt.date(2026, 11, 10)):
        offer_decline(enrollment=offered, by=UserFactory())

    settled = settle(dt.date(2026, 11, 10))

    assert (settled.charges, settled.credits) == (0, 0)
    assert not Charge.objects.exists() and not CreditNote.objects.exists()


# --- the parent's ledger ----------------------------------------------------------------------


def test_the_parent_sees_the_credit_in_the_ledger_and_the_balance(client, moved):
    enrollment, _target, _coordinator = moved
    settle(dt.date(2026, 11, 16))
    household = enrollment.participant.household
    guardian = household.guardians.first().user
    client.force_login(guardian)

    with at(dt.date(2026, 11, 17)):
        response = client.get(reverse("billing:my-fees"))

    [ledger] = response.context["ledgers"]
    note = CreditNote.objects.get()
    assert note.note in response.content.decode()
    assert ledger.credit_notes == [note]
    # 120 (old group) + 100 (new group, from the move) charged, 60 credited, nothing paid.
    assert ledger.balance.balance == Decimal("160.00")


# --- property: credits on a charge never exceed it ---------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cancelled=st.sets(st.integers(min_value=0, max_value=3), max_size=4),
    cancel_first=st.booleans(),
    move_day=st.integers(min_value=2, max_value=28),
    goodwill=st.sampled_from(["0", "10.00", "95.00"]),
)
@example(cancelled={3}, cancel_first=False, move_day=16, goodwill="0")  # cancelled after the move
@example(cancelled={2, 3}, cancel_first=True, move_day=16, goodwill="95.00")
def test_credits_on_a_charge_never_exceed_its_amount(cancelled, cancel_first, move_day, goodwill):
    # The database is not rolled back between examples: every example has its own rows.
    old = plan_group(amount="25.00", kind=FeePlanKind.PER_MEETING)
    new = plan_group(amount="25.00", activity=old.activity, places_taken=0)
    meetings = meetings_make(old, NOV_WEDNESDAYS)
    enrollment = active(old)
    with at(NOV, hour=3):  # what the November run writes for a per-meeting group
        charge = ChargeFactory(
            household=enrollment.participant.household,
            enrollment=enrollment,
            period=NOV,
            kind=FeePlanKind.PER_MEETING,
            amount=Decimal("100.00"),
            lines=[{"label": "x", "amount": "100.00", "meetings": [m.pk for m in meetings]}],
        )
    if goodwill != "0":
        with at(NOV, hour=5):
            credit_note_issue(
                household=charge.household,
                amount=goodwill,
                reason=CreditReason.GOODWILL,
                note="x",
                charge=charge,
            )

    def cancel(day):
        with at(day):
            for index in sorted(cancelled):
                meetings[index].status = MeetingStatus.CANCELLED
                meetings[index].save()
        cancelled_meetings_credit(today=day)

    if cancel_first:
        cancel(NOV)
    with at(dt.date(2026, 11, move_day)):
        enrollment_move(enrollment=enrollment, to_group=new, by=UserFactory(), reason="x")
    settle(dt.date(2026, 11, move_day))
    if not cancel_first:
        cancel(dt.date(2026, 11, move_day))
    settle(dt.date(2026, 11, 28))

    assert credits_on(charge) <= charge.amount
    # Each meeting is repaid once, by its cancellation or as unused, up to what was left.
    last_day = dt.date(2026, 11, move_day - 1)
    repaid = cancelled | {i for i, day in enumerate(NOV_WEDNESDAYS) if day > last_day}
    left = charge.amount - (Decimal(goodwill) if goodwill != "0" else 0)
    automatic = charge.credit_notes.exclude(reason=CreditReason.GOODWILL)
    assert sum((n.amount for n in automatic), Decimal("0")) == min(25 * len(repaid), left)
