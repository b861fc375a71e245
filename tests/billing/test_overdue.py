"""Overdue follow-up (each stage once per charge, in order) and the family-card reminder."""

import contextlib
import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group as AuthGroup

from accounts.models import Role
from billing import tasks
from billing.models import DiscountGrant, DiscountKind, OverdueNotice, OverdueStage
from billing.services.ledger import payment_record
from billing.services.overdue import family_cards_remind, overdue_follow_up, overdue_stages
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.rendering import render_email
from tests.billing.factories import ChargeFactory, DiscountGrantFactory, enrollment_activate
from tests.enrollment.factories import GuardianshipFactory, family
from tests.factories import FeePlanFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")
DUE = dt.date(2026, 11, 10)


@contextlib.contextmanager
def clock(day: dt.date):
    """The service's "now" (and the notices' timestamps) on `day` at 09:00 in Warsaw."""
    moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=WARSAW)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def sweep(day: dt.date) -> int:
    with clock(day):
        return overdue_follow_up()


def unpaid_charge(amount="100.00", coordinators=1):
    user, [kid] = family()
    group = GroupFactory()
    FeePlanFactory(group=group)
    staff = [UserFactory() for _ in range(coordinators)]
    group.activity.coordinators.add(*staff)
    enrollment = enrollment_activate(kid, group, dt.date(2026, 9, 1))
    charge = ChargeFactory(
        household=kid.household,
        enrollment=enrollment,
        period=dt.date(2026, 11, 1),
        amount=Decimal(amount),
        due_on=DUE,
    )
    return charge, user, staff


def kinds_to(user):
    return sorted((n.kind, n.context.get("stage")) for n in Notification.objects.filter(user=user))


def test_the_stages_come_once_each_on_their_days():
    charge, guardian, [coordinator] = unpaid_charge()

    assert sweep(DUE + dt.timedelta(days=6)) == 0
    assert sweep(DUE + dt.timedelta(days=7)) == 1
    assert sweep(DUE + dt.timedelta(days=7)) == 0  # a second sweep the same day
    assert sweep(DUE + dt.timedelta(days=20)) == 0
    assert sweep(DUE + dt.timedelta(days=21)) == 1
    assert sweep(DUE + dt.timedelta(days=35)) == 1
    assert sweep(DUE + dt.timedelta(days=90)) == 0

    stages = list(charge.overdue_notices.order_by("stage").values_list("stage", "outstanding"))
    assert stages == [(1, Decimal("100.00")), (2, Decimal("100.00")), (3, Decimal("100.00"))]
    assert kinds_to(guardian) == [(Kind.FEE_OVERDUE, 1), (Kind.FEE_OVERDUE, 2)]
    assert kinds_to(coordinator) == [(Kind.FEE_OVERDUE_ALERT, None)]
    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert keys == {
        f"overdue:{charge.pk}:1:user:{guardian.pk}",
        f"overdue:{charge.pk}:2:user:{guardian.pk}",
        f"overdue:{charge.pk}:3:user:{coordinator.pk}",
    }


def test_a_late_charge_climbs_one_stage_at_a_time_with_the_spacing():
    charge, _guardian, _staff = unpaid_charge()
    late = DUE + dt.timedelta(days=60)

    assert sweep(late) == 1
    assert sweep(late + dt.timedelta(days=13)) == 0  # 21 - 7 days after the reminder
    assert sweep(late + dt.timedelta(days=14)) == 1
    assert sweep(late + dt.timedelta(days=28)) == 1
    assert list(charge.overdue_notices.values_list("stage", flat=True).order_by("stage")) == [
        1,
        2,
        3,
    ]


def test_a_charge_paid_meanwhile_gets_nothing_and_a_partly_paid_one_says_what_is_left():
    paid, _guardian, _staff = unpaid_charge()
    part, _other, _staff2 = unpaid_charge()
    payment_record(
        household=paid.household, amount="100", method="cash", received_on=dt.date(2026, 11, 12)
    )
    payment_record(
        household=part.household, amount="30", method="cash", received_on=dt.date(2026, 11, 12)
    )

    assert sweep(DUE + dt.timedelta(days=8)) == 1

    assert not paid.overdue_notices.exists()
    notice = part.overdue_notices.get()
    assert notice.outstanding == Decimal("70.00")
    message = Notification.objects.get(kind=Kind.FEE_OVERDUE)
    assert Decimal(message.context["amount"]) == Decimal("70.00")


def test_messages_are_queued_in_the_notices_transaction_and_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    charge, guardian, _staff = unpaid_charge()
    GuardianshipFactory(household=charge.household)

    with django_capture_on_commit_callbacks() as callbacks:
        sweep(DUE + dt.timedelta(days=7))

    assert Notification.objects.filter(kind=Kind.FEE_OVERDUE).count() == 2
    assert callbacks
    context = Notification.objects.filter(user=guardian).get().context
    for language in ("pl", "en"):
        email = render_email(kind=Kind.FEE_OVERDUE, language=language, context=context)
        assert charge.household.transfer_reference in email.text


def test_the_alert_goes_to_the_office_when_the_activity_has_no_coordinator():
    charge, _guardian, _staff = unpaid_charge(coordinators=0)
    office = UserFactory(roles=[Role.OFFICE])
    OverdueNotice.objects.create(charge=charge, stage=1, outstanding=charge.amount)
    OverdueNotice.objects.create(charge=charge, stage=2, outstanding=charge.amount)

    assert sweep(DUE + dt.timedelta(days=100)) == 1

    alert = Notification.objects.get(kind=Kind.FEE_OVERDUE_ALERT)
    assert alert.user == office
    for language in ("pl", "en"):
        email = render_email(kind=Kind.FEE_OVERDUE_ALERT, language=language, context=alert.context)
        assert charge.household.name in email.text
    assert AuthGroup.objects.filter(name=Role.OFFICE).exists()


def test_the_task_is_the_sweep_and_runs_twice_safely():
    charge, _guardian, _staff = unpaid_charge()
    with clock(DUE + dt.timedelta(days=7)):
        assert tasks.overdue_follow_up_task.apply().get() == 1
        assert tasks.overdue_follow_up_task.apply().get() == 0
    assert charge.overdue_notices.get().stage == OverdueStage.REMINDER


@pytest.mark.parametrize("value", ["7,21", "21,7,35", "a,b,c", "-1,5,9"])
def test_bad_stage_settings_are_refused(settings, value):
    settings.BILLING_OVERDUE_STAGES = value
    with pytest.raises(ValueError):
        overdue_stages()


def test_stage_settings_are_read(settings):
    settings.BILLING_OVERDUE_STAGES = "3, 10,30"
    assert overdue_stages() == {1: 3, 2: 10, 3: 30}


# --- family cards -----------------------------------------------------------------------------


TODAY = dt.date(2026, 11, 20)


def test_an_expiring_family_card_is_reminded_once():
    guardian, [kid] = family()
    expiring = DiscountGrantFactory(
        household=kid.household,
        kind=DiscountKind.CITY_CARD,
        valid_until=TODAY + dt.timedelta(days=30),
    )
    DiscountGrantFactory(household=kid.household, valid_until=TODAY + dt.timedelta(days=31))
    DiscountGrantFactory(
        household=kid.household,
        valid_until=TODAY + dt.timedelta(days=3),
        revoked_at=dt.datetime(2026, 11, 1, tzinfo=WARSAW),
    )
    DiscountGrantFactory(household=kid.household, valid_until=TODAY - dt.timedelta(days=1))
    DiscountGrantFactory(
        household=kid.household,
        kind=DiscountKind.INDIVIDUAL,
        percent=Decimal("10"),
        reason="Trudna sytuacja",
        valid_until=TODAY + dt.timedelta(days=3),
    )

    with clock(TODAY):
        assert family_cards_remind() == 1
        assert family_cards_remind() == 0

    expiring.refresh_from_db()
    assert expiring.expiry_reminded_at is not None
    assert DiscountGrant.objects.filter(expiry_reminded_at__isnull=False).count() == 1
    message = Notification.objects.get(kind=Kind.FAMILY_CARD_EXPIRING)
    assert message.user == guardian
    assert message.dedupe_key == (
        f"card-expiring:{expiring.pk}:{expiring.valid_until.isoformat()}:user:{guardian.pk}"
    )
    for language in ("pl", "en"):
        email = render_email(
            kind=Kind.FAMILY_CARD_EXPIRING, language=language, context=message.context
        )
        assert email.text
