"""What billing tells families and staff, queued through `notifications` with dedupe keys.

Messages are written in the caller's transaction (the outbox sends them after commit), except the
payment confirmation, which `payment_record` queues once its transaction has committed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import Role
from enrollment.models import Guardianship, Household, Participant
from notifications.kinds import Kind
from notifications.recipients import Recipient, recipients_unique
from notifications.services import QueueRequest, notifications_queue_many

from .models import Allocation, BillingRun, Charge, DiscountGrant, OverdueNotice, Payment
from .models.fields import ZERO


def _path(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


PK_MARK = 987654321


def payment_request_path(household_id: int) -> str:
    return _path(
        "billing:payment-request",
        household_id,
        f"/billing/households/{household_id}/payment-request/",
    )


def payment_request_paths():
    """`payment_request_path` for many households: the route is reversed once."""
    template = payment_request_path(PK_MARK)
    return lambda household_id: template.replace(str(PK_MARK), str(household_id))


def household_ledger_path(household_id: int) -> str:
    return _path(
        "billing:household-ledger", household_id, f"/billing/office/households/{household_id}/"
    )


def my_fees_path() -> str:
    try:
        return reverse("billing:my-fees")
    except NoReverseMatch:
        return "/billing/"


def household_recipients(household_ids: Iterable[int] | object) -> dict[int, list[Recipient]]:
    """Each household's guardians and adult members with an account, each person once.

    `household_ids` is a list or a subquery of ids; two queries whatever the count.
    """
    found: dict[int, list[Recipient]] = defaultdict(list)
    for guardianship in Guardianship.objects.filter(household_id__in=household_ids).select_related(
        "user"
    ):
        found[guardianship.household_id].append(Recipient.for_user(guardianship.user))
    for participant in Participant.objects.filter(
        household_id__in=household_ids, user__isnull=False
    ).select_related("user"):
        found[participant.household_id].append(Recipient.for_user(participant.user))
    return {household_id: recipients_unique(people) for household_id, people in found.items()}


def _period_label(period: dt.date, language: str) -> str:
    from .services.charges import period_label

    with translation.override(language):
        return period_label(period)


def fee_due_queue(*, run: BillingRun) -> int:
    """FEE_DUE once per household of the run: its charges, the total and what is left to pay
    after credit it held. Nothing when credit paid it all. Returns the messages queued."""
    return _fee_due_for(
        Charge.objects.filter(run=run),
        period=run.period,
        key=lambda household_id: f"fee-due:{household_id}:{run.period:%Y-%m}",
    )


def late_charges_fee_due_queue(*, charge_ids: list[int], period: dt.date) -> int:
    """FEE_DUE for charges made after the month's run (a place taken later): once per household
    and batch of charges, apart from the run's message for the same month."""
    if not charge_ids:
        return 0
    first = min(charge_ids)
    return _fee_due_for(
        Charge.objects.filter(pk__in=charge_ids),
        period=period,
        key=lambda household_id: f"fee-due:{household_id}:{period:%Y-%m}:late{first}",
    )


def _fee_due_for(charges_of, *, period: dt.date, key) -> int:
    """FEE_DUE per household of `charges_of` (a queryset of charges of one period); `key(household
    id)` starts each message's dedupe key."""
    charges = defaultdict(list)
    for charge in charges_of.only("household_id", "description", "amount", "due_on"):
        charges[charge.household_id].append(charge)
    paid = dict(
        Allocation.objects.filter(charge__in=charges_of.values("pk"))
        .values_list("charge__household_id")
        .annotate(total=Sum("amount"))
        .values_list("charge__household_id", "total")
    )
    references = dict(
        Household.objects.filter(pk__in=charges_of.values("household_id")).values_list(
            "pk", "transfer_reference"
        )
    )
    people = household_recipients(charges_of.values("household_id"))
    path_of = payment_request_paths()
    labels: dict[str, str] = {}
    requests = []
    for household_id, items in charges.items():
        total = sum((charge.amount for charge in items), ZERO)
        due = total - paid.get(household_id, ZERO)
        if due <= 0:
            continue
        base = {
            "amount": due,
            "total": total,
            "due_on": items[0].due_on,
            "transfer_title": references[household_id],
            "lines": [{"description": c.description, "amount": c.amount} for c in items],
            "path": path_of(household_id),
        }
        if due < total:
            base["credit_used"] = total - due
        for recipient in people.get(household_id, []):
            language = recipient.language_or_default()
            if language not in labels:
                labels[language] = _period_label(period, language)
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.FEE_DUE,
                    context={**base, "period_label": labels[language]},
                    dedupe_key=f"{key(household_id)}:{recipient.key}",
                )
            )
    if requests:
        notifications_queue_many(requests=requests)
    return len(requests)


_received = threading.local()


def payment_received_queue_on_commit(payment: Payment) -> None:
    """Thank the household once the payment's transaction has committed.

    Payments recorded in one transaction (a bank statement of 5,000 lines) are told in one
    batch after the commit; a payment rolled back is simply not found then."""
    pending = getattr(_received, "ids", None)
    if pending is None:
        pending = _received.ids = []
    pending.append(payment.pk)
    transaction.on_commit(_payments_received_flush)


def _payments_received_flush() -> None:
    ids, _received.ids = getattr(_received, "ids", None) or [], []
    if ids:
        payments_received_notify(payment_ids=ids)


def payments_received_notify(*, payment_ids: list[int]) -> int:
    """PAYMENT_RECEIVED for each payment to its household, in a fixed number of queries."""
    with transaction.atomic():
        payments = list(
            Payment.objects.filter(pk__in=payment_ids).select_related("household").order_by("pk")
        )
        people = household_recipients([payment.household_id for payment in payments])
        path = my_fees_path()
        requests = [
            QueueRequest(
                recipient=recipient,
                kind=Kind.PAYMENT_RECEIVED,
                context={
                    "amount": payment.amount,
                    "received_on": payment.received_on,
                    "transfer_title": payment.household.transfer_reference,
                    "path": path,
                },
                dedupe_key=f"payment-received:{payment.pk}:{recipient.key}",
            )
            for payment in payments
            for recipient in people.get(payment.household_id, [])
        ]
        if requests:
            notifications_queue_many(requests=requests)
        return len(requests)


def _charge_context(charge: Charge, outstanding: Decimal, language: str) -> dict:
    enrollment = charge.enrollment
    context = {
        "amount": outstanding,
        "charged": charge.amount,
        "due_on": charge.due_on,
        "transfer_title": charge.household.transfer_reference,
        "period_label": _period_label(charge.period, language),
        "description": charge.description,
        "family_name": charge.household.name,
    }
    if enrollment is not None:
        context.update(
            participant_name=str(enrollment.participant),
            activity_name=enrollment.group.activity.name,
            group_name=enrollment.group.name,
        )
    return context


def overdue_queue(*, notice: OverdueNotice, today: dt.date) -> int:
    """The stage's message: a reminder to the household (stages 1 and 2), an alert to the
    coordinators of the charge's activity (stage 3; the office when it has none)."""
    from .models import OverdueStage

    charge = notice.charge
    requests = []
    if notice.stage == OverdueStage.COORDINATOR_ALERT:
        for recipient in alert_recipients(charge):
            context = _charge_context(charge, notice.outstanding, recipient.language_or_default())
            context.update(
                days_overdue=(today - charge.due_on).days,
                path=household_ledger_path(charge.household_id),
            )
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.FEE_OVERDUE_ALERT,
                    context=context,
                    dedupe_key=f"overdue:{charge.pk}:{notice.stage}:{recipient.key}",
                )
            )
    else:
        people = household_recipients([charge.household_id]).get(charge.household_id, [])
        for recipient in people:
            context = _charge_context(charge, notice.outstanding, recipient.language_or_default())
            context.update(stage=int(notice.stage), path=payment_request_path(charge.household_id))
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.FEE_OVERDUE,
                    context=context,
                    dedupe_key=f"overdue:{charge.pk}:{notice.stage}:{recipient.key}",
                )
            )
    if requests:
        notifications_queue_many(requests=requests)
    return len(requests)


def alert_recipients(charge: Charge) -> list[Recipient]:
    from django.contrib.auth import get_user_model

    users = []
    if charge.enrollment_id is not None:
        users = list(charge.enrollment.group.activity.coordinators.filter(is_active=True))
    if not users:
        users = list(get_user_model().objects.filter(is_active=True, groups__name=Role.OFFICE))
    return recipients_unique(Recipient.for_user(user) for user in users)


def family_card_expiring_queue(*, grant: DiscountGrant) -> int:
    """FAMILY_CARD_EXPIRING to the household's guardians, once per grant and expiry date."""
    requests = []
    holder_name = str(grant.participant) if grant.participant else grant.household.name
    for recipient in household_recipients([grant.household_id]).get(grant.household_id, []):
        with translation.override(recipient.language_or_default()):
            card_name = str(grant.get_kind_display())
        requests.append(
            QueueRequest(
                recipient=recipient,
                kind=Kind.FAMILY_CARD_EXPIRING,
                context={
                    "expires_on": grant.valid_until,
                    "holder_name": holder_name,
                    "card_name": card_name,
                    "card_kind": grant.kind,
                    "card_number": grant.card_number,
                    "path": my_fees_path(),
                },
                dedupe_key=f"card-expiring:{grant.pk}:{grant.valid_until}:{recipient.key}",
            )
        )
    if requests:
        notifications_queue_many(requests=requests)
    return len(requests)
