"""The monthly billing run: plan kinds, proration, discounts, idempotency, queries, messages."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing import tasks
from billing.exceptions import BillingError, BillingRunExistsError
from billing.models import (
    Allocation,
    BillingRun,
    Charge,
    CreditNote,
    CreditReason,
    DiscountKind,
    DiscountRule,
    FeePlanKind,
    Payment,
)
from billing.services import charges
from billing.services.charges import (
    billing_run,
    cancelled_meetings_credit,
    due_date,
    proration_rule_text,
)
from billing.services.ledger import payment_record
from clubs.models import MeetingStatus
from enrollment.models import AttendanceMark, EnrollmentEvent, EnrollmentStatus
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.rendering import render_email
from tests.billing.factories import DiscountGrantFactory, enrollment_activate, meetings_make
from tests.enrollment.factories import GuardianshipFactory, ParticipantFactory, family
from tests.factories import FeePlanFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)
NOV_WEDNESDAYS = [dt.date(2026, 11, d) for d in (4, 11, 18, 25)]
SEPT_1 = dt.date(2026, 9, 1)


def monthly_group(amount="120.00", kind=FeePlanKind.MONTHLY, **plan):
    group = GroupFactory()
    FeePlanFactory(group=group, kind=kind, amount=Decimal(amount), **plan)
    return group


def child(household=None, **kwargs):
    if household is None:
        _user, [kid] = family(**kwargs)
        return kid
    return ParticipantFactory(household=household, **kwargs)


# --- the run once per period ------------------------------------------------------------------


def test_the_due_date_is_the_due_day_or_two_weeks_after_a_late_charge(settings):
    settings.BILLING_DUE_DAY = 15
    assert due_date(NOV, today=dt.date(2026, 10, 28)) == dt.date(2026, 11, 15)
    assert due_date(NOV, today=dt.date(2026, 11, 1)) == dt.date(2026, 11, 15)
    assert due_date(NOV, today=dt.date(2026, 11, 25)) == dt.date(2026, 12, 9)


def test_full_month_is_charged_once_with_the_due_date_and_frozen_lines(settings):
    settings.BILLING_DUE_DAY = 15
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    kid = child()
    enrollment = enrollment_activate(kid, group, SEPT_1)
    actor = UserFactory()

    run = billing_run(NOV, actor=actor)

    charge = Charge.objects.get()
    assert (charge.enrollment, charge.run, charge.period) == (enrollment, run, NOV)
    assert charge.household_id == kid.household_id
    assert charge.base_amount == charge.amount == Decimal("120.00")
    assert charge.due_on == due_date(NOV)  # the 15th, or 14 days from today if that is later
    assert charge.kind == FeePlanKind.MONTHLY and charge.created_by == actor
    assert [line["amount"] for line in charge.lines] == ["120.00"]
    assert (run.charges_created, run.total, run.started_by) == (1, Decimal("120.00"), actor)


def test_a_second_run_of_the_month_changes_nothing():
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, SEPT_1)
    billing_run(NOV)
    notifications = Notification.objects.count()

    with pytest.raises(BillingRunExistsError):
        billing_run(NOV)

    assert BillingRun.objects.count() == 1 and Charge.objects.count() == 1
    assert Notification.objects.count() == notifications


def test_the_monthly_task_retried_changes_nothing():
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, SEPT_1)
    with mock.patch("billing.tasks.timezone.localdate", return_value=dt.date(2026, 11, 1)):
        first = tasks.billing_run_monthly_task.apply().get()
        second = tasks.billing_run_monthly_task.apply().get()
    assert first == BillingRun.objects.get(period=NOV).pk
    assert second is None
    assert Charge.objects.count() == 1


@pytest.mark.parametrize("period", [dt.date(2026, 11, 5), dt.datetime(2026, 11, 1, 0, 0)])
def test_a_period_is_a_first_day_of_a_month(period):
    with pytest.raises(BillingError):
        billing_run(period)
    assert not BillingRun.objects.exists()


def test_the_command_runs_once_and_says_so_the_second_time(capsys):
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, SEPT_1)

    call_command("billing_run", "--period", "2026-11")
    call_command("billing_run", "--period", "2026-11")

    out = capsys.readouterr().out
    assert "2026-11" in out
    assert str(BillingRunExistsError.default_message) in out
    assert BillingRun.objects.count() == 1 and Charge.objects.count() == 1


@pytest.mark.parametrize("period", ["2026-13", "listopad", "2026/11", "26-11", ""])
def test_the_command_refuses_a_bad_period_and_changes_nothing(period):
    with pytest.raises(CommandError):
        call_command("billing_run", "--period", period or " ")
    assert not BillingRun.objects.exists()


def test_the_command_defaults_to_the_current_month():
    with mock.patch(
        "billing.management.commands.billing_run.timezone.localdate",
        return_value=dt.date(2026, 11, 20),
    ):
        call_command("billing_run")
    assert BillingRun.objects.get().period == NOV


# --- who is billed ----------------------------------------------------------------------------


def test_free_unpriced_closed_and_not_active_are_not_billed():
    free = monthly_group(amount="0", kind=FeePlanKind.FREE)
    unpriced = GroupFactory()
    priced = monthly_group()
    for group in (free, unpriced, priced):
        meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), free, SEPT_1)
    enrollment_activate(child(), unpriced, SEPT_1)
    closed = child()
    closed.household.closed_at = timezone.now()
    closed.household.save()
    enrollment_activate(closed, priced, SEPT_1)
    waiting = enrollment_activate(child(), priced, SEPT_1, status=EnrollmentStatus.WAITLISTED)
    EnrollmentEvent.objects.filter(enrollment=waiting).delete()
    left = enrollment_activate(
        child(), priced, SEPT_1, status=EnrollmentStatus.WITHDRAWN, ends_on=dt.date(2026, 10, 31)
    )

    run = billing_run(NOV)

    assert run.charges_created == 0 and not Charge.objects.exists()
    assert left.charges.count() == 0


def test_a_month_without_meetings_charges_nothing():
    group = monthly_group()
    enrollment_activate(child(), group, SEPT_1)
    meetings_make(group, [dt.date(2026, 12, 2)])
    meetings_make(group, NOV_WEDNESDAYS, status=MeetingStatus.CANCELLED)

    assert billing_run(NOV).charges_created == 0


# --- proration --------------------------------------------------------------------------------


def test_joining_mid_month_pays_the_share_of_meetings_left():
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, dt.date(2026, 11, 12))

    billing_run(NOV)

    charge = Charge.objects.get()
    assert charge.base_amount == charge.amount == Decimal("60.00")
    assert "2/4" in charge.lines[0]["label"]


def test_proration_rounds_half_up_to_the_grosz():
    group = monthly_group(amount="100.00")
    meetings_make(group, [dt.date(2026, 11, d) for d in (3, 4, 11, 18, 25, 26)])
    enrollment_activate(child(), group, dt.date(2026, 11, 5))  # 4 of 6: 66,666… -> 66,67

    billing_run(NOV)

    assert Charge.objects.get().amount == Decimal("66.67")


def test_a_cancelled_meeting_does_not_count_in_the_share():
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS[:3])
    meetings_make(group, NOV_WEDNESDAYS[3:], status=MeetingStatus.CANCELLED)
    enrollment_activate(child(), group, dt.date(2026, 11, 12))  # 11.11 gone; 18.11 of 4, 11, 18

    billing_run(NOV)

    assert Charge.objects.get().amount == Decimal("40.00")


def test_a_withdrawal_pays_its_last_month_in_full_and_nothing_after():
    group = monthly_group()
    meetings_make(group, [*NOV_WEDNESDAYS, dt.date(2026, 12, 2)])
    kid = child()
    enrollment_activate(kid, group, SEPT_1, ends_on=dt.date(2026, 11, 30))

    billing_run(NOV)
    billing_run(dt.date(2026, 12, 1))

    assert [c.period for c in Charge.objects.all()] == [NOV]
    assert Charge.objects.get().amount == Decimal("120.00")


def test_a_move_splits_the_month_between_the_two_groups():
    old, new = monthly_group(), monthly_group(amount="200.00")
    old.activity = new.activity
    meetings_make(old, NOV_WEDNESDAYS)
    meetings_make(new, [dt.date(2026, 11, d) for d in (5, 12, 19, 26)])
    kid = child()
    moved = enrollment_activate(kid, old, SEPT_1, status=EnrollmentStatus.MOVED)
    event = EnrollmentEvent.objects.create(
        enrollment=moved, from_status="active", to_status="moved"
    )
    move_at = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
    EnrollmentEvent.objects.filter(pk=event.pk).update(at=move_at)
    enrollment_activate(kid, new, dt.date(2026, 11, 16))

    billing_run(NOV)

    amounts = {c.enrollment.group_id: c.amount for c in Charge.objects.all()}
    assert amounts == {old.pk: Decimal("60.00"), new.pk: Decimal("100.00")}


# --- per meeting and cancelled meetings -------------------------------------------------------


def test_per_meeting_charges_meetings_held_and_credits_a_later_cancellation():
    group = monthly_group(amount="30.00", kind=FeePlanKind.PER_MEETING)
    held = meetings_make(group, NOV_WEDNESDAYS[:3])
    meetings_make(group, NOV_WEDNESDAYS[3:], status=MeetingStatus.CANCELLED)
    kid = child()
    enrollment_activate(kid, group, SEPT_1)

    billing_run(NOV)
    charge = Charge.objects.get()
    assert charge.amount == Decimal("90.00")
    assert charge.lines[0]["meetings"] == [m.pk for m in held]
    assert cancelled_meetings_credit(today=dt.date(2026, 11, 20)) == 0

    held[1].status = MeetingStatus.CANCELLED
    held[1].save()
    assert cancelled_meetings_credit(today=dt.date(2026, 11, 20)) == 1
    assert cancelled_meetings_credit(today=dt.date(2026, 11, 21)) == 0

    note = CreditNote.objects.get()
    assert (note.charge, note.amount, note.reason) == (
        charge,
        Decimal("30.00"),
        CreditReason.CANCELLED_MEETING,
    )
    assert note.key == f"meeting:{held[1].pk}:charge:{charge.pk}"
    assert Allocation.objects.get(credit_note=note).charge == charge


def test_the_meeting_credit_follows_the_charges_discounts():
    DiscountRule.objects.update_or_create(
        kind=DiscountKind.LARGE_FAMILY_CARD, defaults={"percent": Decimal("33")}
    )
    group = monthly_group(amount="25.00", kind=FeePlanKind.PER_MEETING)
    held = meetings_make(group, NOV_WEDNESDAYS)
    kid = child()
    DiscountGrantFactory(household=kid.household, kind=DiscountKind.LARGE_FAMILY_CARD)
    enrollment_activate(kid, group, SEPT_1)
    billing_run(NOV)
    charge = Charge.objects.get()
    assert (charge.base_amount, charge.amount) == (Decimal("100.00"), Decimal("67.00"))

    held[0].status = MeetingStatus.CANCELLED
    held[0].save()
    cancelled_meetings_credit(today=dt.date(2026, 11, 20))

    assert CreditNote.objects.get().amount == Decimal("16.75")  # 25 × 67/100


def test_a_meeting_before_joining_is_not_credited():
    group = monthly_group(amount="30.00", kind=FeePlanKind.PER_MEETING)
    meetings = meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, dt.date(2026, 11, 12))
    billing_run(NOV)
    assert Charge.objects.get().amount == Decimal("60.00")

    meetings[0].status = MeetingStatus.CANCELLED
    meetings[0].save()

    assert cancelled_meetings_credit(today=dt.date(2026, 11, 20)) == 0
    assert not CreditNote.objects.exists()


# --- semester, pass, annual dues --------------------------------------------------------------


def semester_dates():
    # Two meetings a month, September to February: 10 in the first semester.
    return [dt.date(2026, m, d) for m in (9, 10, 11, 12) for d in (9, 23)] + [
        dt.date(2027, m, d) for m in (1, 2) for d in (13, 20)
    ]


def test_a_semester_is_charged_once_and_a_late_joiner_pays_the_share_left():
    group = monthly_group(amount="500.00", kind=FeePlanKind.SEMESTER)
    meetings_make(group, semester_dates())
    early = enrollment_activate(child(), group, SEPT_1)
    late = enrollment_activate(child(), group, dt.date(2026, 11, 1))

    for month in (9, 10, 11, 12):
        billing_run(dt.date(2026, month, 1))
    billing_run(dt.date(2027, 1, 1))
    billing_run(dt.date(2027, 2, 1))

    early_charges = [(c.period, c.amount) for c in early.charges.order_by("period")]
    late_charges = [(c.period, c.amount) for c in late.charges.order_by("period")]
    assert early_charges == [(SEPT_1, Decimal("500.00")), (dt.date(2027, 2, 1), Decimal("500.00"))]
    assert late_charges == [(NOV, Decimal("300.00")), (dt.date(2027, 2, 1), Decimal("500.00"))]


def mark(meeting, participant, status, minutes=0):
    return AttendanceMark.objects.create(
        meeting=meeting,
        participant=participant,
        status=status,
        marked_by=UserFactory(),
        marked_at=meeting.starts_at + dt.timedelta(minutes=minutes),
    )


def test_a_pass_is_charged_again_after_its_entries_are_used():
    group = monthly_group(amount="200.00", kind=FeePlanKind.PASS, entries=3)
    october = meetings_make(group, [dt.date(2026, 10, d) for d in (7, 14, 21, 28)])
    meetings_make(group, [*NOV_WEDNESDAYS, dt.date(2026, 12, 2)])
    kid = child()
    enrollment = enrollment_activate(kid, group, dt.date(2026, 10, 1))

    billing_run(dt.date(2026, 10, 1))
    mark(october[0], kid, "present")
    mark(october[1], kid, "late")
    mark(october[2], kid, "present")
    mark(october[2], kid, "absent", minutes=5)  # corrected: the latest mark counts
    mark(october[3], kid, "excused")
    billing_run(NOV)  # 2 entries used of 3
    assert enrollment.charges.count() == 1

    mark(october[3], kid, "present", minutes=10)
    billing_run(dt.date(2026, 12, 1))  # 3 of 3 used

    assert [(c.period, c.amount) for c in enrollment.charges.order_by("period")] == [
        (dt.date(2026, 10, 1), Decimal("200.00")),
        (dt.date(2026, 12, 1), Decimal("200.00")),
    ]


def test_annual_dues_by_months_left_then_in_full_each_january():
    group = monthly_group(amount="120.00", kind=FeePlanKind.ANNUAL_DUES)
    meetings_make(
        group,
        [dt.date(2026, m, 15) for m in (9, 10, 11, 12)] + [dt.date(2027, m, 15) for m in (1, 2)],
    )
    enrollment = enrollment_activate(child(), group, SEPT_1)

    for period in [dt.date(2026, m, 1) for m in (9, 10, 11, 12)] + [
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]:
        billing_run(period)

    assert [(c.period, c.amount) for c in enrollment.charges.order_by("period")] == [
        (SEPT_1, Decimal("40.00")),  # September to December: 4/12
        (dt.date(2027, 1, 1), Decimal("120.00")),
    ]
    assert "4/12" in enrollment.charges.order_by("period").first().lines[0]["label"]


# --- discounts --------------------------------------------------------------------------------


def test_discount_lines_are_frozen_on_the_charge():
    DiscountRule.objects.update_or_create(
        kind=DiscountKind.SIBLING, defaults={"percent": Decimal("50"), "from_child": 2}
    )
    DiscountRule.objects.update_or_create(
        kind=DiscountKind.LARGE_FAMILY_CARD, defaults={"percent": Decimal("20")}
    )
    group = monthly_group(amount="100.00")
    meetings_make(group, NOV_WEDNESDAYS)
    older = child(birth_date=dt.date(2017, 1, 1))
    younger = child(older.household, birth_date=dt.date(2018, 6, 1))
    DiscountGrantFactory(household=older.household, kind=DiscountKind.LARGE_FAMILY_CARD)
    enrollment_activate(older, group, SEPT_1)
    enrollment_activate(younger, group, SEPT_1)

    billing_run(NOV)
    DiscountRule.objects.filter(kind=DiscountKind.SIBLING).update(percent=Decimal("10"))

    by_child = {c.enrollment.participant_id: c for c in Charge.objects.all()}
    first, second = by_child[older.pk], by_child[younger.pk]
    assert first.amount == Decimal("80.00")
    assert [line["amount"] for line in first.lines] == ["100.00", "-20.00"]
    assert second.amount == Decimal("40.00")
    assert [line["amount"] for line in second.lines] == ["100.00", "-20.00", "-40.00"]
    for charge in (first, second):
        total = sum(Decimal(line["amount"]) for line in charge.lines)
        assert total == charge.amount


# --- credit, messages, queries ----------------------------------------------------------------


def test_credit_held_pays_the_new_charge_and_the_message_says_what_is_left(
    django_capture_on_commit_callbacks,
):
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    user, [kid] = family()
    enrollment_activate(kid, group, SEPT_1)
    payment_record(
        household=kid.household, amount="50", method="cash", received_on=dt.date(2026, 10, 20)
    )

    with django_capture_on_commit_callbacks(execute=True):
        billing_run(NOV)

    charge = Charge.objects.get()
    assert Allocation.objects.get(charge=charge).amount == Decimal("50.00")
    message = Notification.objects.get(kind=Kind.FEE_DUE)
    assert message.user == user
    assert message.dedupe_key == f"fee-due:{kid.household_id}:2026-11:user:{user.pk}"
    assert Decimal(message.context["amount"]) == Decimal("70.00")
    assert Decimal(message.context["credit_used"]) == Decimal("50.00")
    assert message.context["transfer_title"] == kid.household.transfer_reference


def test_fee_due_goes_once_per_household_after_commit_and_renders(
    django_capture_on_commit_callbacks,
):
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    _user, [first, second] = family(children=2)
    GuardianshipFactory(household=first.household)
    enrollment_activate(first, group, SEPT_1)
    enrollment_activate(second, group, SEPT_1)
    paid_up = child()
    enrollment_activate(paid_up, group, SEPT_1)
    payment_record(
        household=paid_up.household, amount="500", method="cash", received_on=dt.date(2026, 10, 1)
    )

    with django_capture_on_commit_callbacks() as callbacks:
        run = billing_run(NOV)
    assert not Notification.objects.filter(kind=Kind.FEE_DUE).exists()
    assert run.finished_at is None

    with django_capture_on_commit_callbacks() as sends:
        for callback in callbacks:  # the run's commit: its messages are queued by a task
            callback()

    run.refresh_from_db()
    assert run.finished_at is not None
    messages = Notification.objects.filter(kind=Kind.FEE_DUE)
    assert {m.user.guardianships.get().household_id for m in messages} == {first.household_id}
    assert messages.count() == 2  # two guardians, one message each, both children in it
    assert len(messages[0].context["lines"]) == 2
    assert sends, "the outbox sends after commit"
    for language in ("pl", "en"):
        email = render_email(kind=Kind.FEE_DUE, language=language, context=messages[0].context)
        assert messages[0].context["lines"][0]["description"] in email.text


def test_a_run_is_finished_once_even_when_its_task_never_ran():
    group = monthly_group()
    meetings_make(group, NOV_WEDNESDAYS)
    enrollment_activate(child(), group, SEPT_1)
    run = billing_run(NOV)  # not committed here: the after-commit task did not run
    BillingRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))

    assert charges.billing_runs_finish_pending() == 1
    assert charges.billing_runs_finish_pending() == 0
    assert tasks.billing_run_finish_task.apply(args=[run.pk]).get() == 0

    run.refresh_from_db()
    assert run.finished_at is not None
    assert Notification.objects.filter(kind=Kind.FEE_DUE).count() == 1


@pytest.mark.parametrize("kind", [FeePlanKind.MONTHLY, FeePlanKind.PASS])
def test_the_runs_query_count_does_not_grow_with_enrollments(kind):
    counts = []
    for period, size in ((NOV, 5), (dt.date(2026, 12, 1), 50)):
        Charge.objects.all().delete()
        Notification.objects.all().delete()
        group = monthly_group(kind=kind, entries=4 if kind == FeePlanKind.PASS else None)
        meetings_make(group, [period.replace(day=d) for d in (2, 9, 16)])
        for _ in range(size):
            enrollment_activate(child(), group, SEPT_1)
        with CaptureQueriesContext(connection) as queries:
            run = billing_run(period)
        assert run.charges_created == size
        statements = [query["sql"] for query in queries.captured_queries]
        inserts = sum(sql.startswith("INSERT") for sql in statements)
        counts.append((len(statements) - inserts, inserts))
    assert counts[0][0] == counts[1][0]
    if connection.vendor == "postgresql":
        assert counts[0][1] == counts[1][1]
    else:  # SQLite caps the parameters of one statement: bulk inserts come in more parts
        assert counts[1][1] <= counts[0][1] + 2


def test_payment_received_is_queued_after_commit_once_per_payment(
    django_capture_on_commit_callbacks,
):
    user, [kid] = family()
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            household=kid.household,
            amount="80",
            method="transfer",
            received_on=dt.date(2026, 11, 3),
            key="stmt:abc",
        )
    with django_capture_on_commit_callbacks(execute=True) as repeated:
        payment_record(
            household=kid.household,
            amount="80",
            method="transfer",
            received_on=dt.date(2026, 11, 3),
            key="stmt:abc",
        )

    assert not repeated
    message = Notification.objects.get(kind=Kind.PAYMENT_RECEIVED)
    assert message.user == user
    assert message.dedupe_key == f"payment-received:{Payment.objects.get().pk}:user:{user.pk}"


def test_the_proration_rule_is_stated_for_people_per_plan_kind():
    from django.utils import translation

    with translation.override("en"):
        general = proration_rule_text()
        texts = {
            kind: proration_rule_text(FeePlanFactory.build(kind=kind))
            for kind in FeePlanKind.values
        }
    assert general.startswith("Joining or leaving during a period")
    assert texts.pop(FeePlanKind.FREE) == ""
    assert all(texts.values()) and len(set(texts.values())) == len(texts)
    assert "monthly fee" in texts[FeePlanKind.MONTHLY]


def test_payments_of_one_transaction_are_thanked_in_one_batch_and_a_rolled_back_one_not(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    families = [family() for _ in range(3)]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _user, [kid] in families[:2]:
            payment_record(
                household=kid.household,
                amount="10",
                method="transfer",
                received_on=dt.date(2026, 11, 3),
            )
        try:
            with transaction.atomic():
                payment_record(
                    household=families[2][1][0].household,
                    amount="10",
                    method="transfer",
                    received_on=dt.date(2026, 11, 3),
                )
                raise RuntimeError("the statement line failed")
        except RuntimeError:
            pass
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    done = len(queries)

    assert {n.user for n in Notification.objects.filter(kind=Kind.PAYMENT_RECEIVED)} == {
        families[0][0],
        families[1][0],
    }
    assert done <= 12  # one batch, whatever the number of payments
