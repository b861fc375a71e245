"""Payments, credit notes and their allocation to charges, oldest first.

Allocation is recomputed for the household's open amounts whenever money comes in or a charge is
added; it only ever adds allocation rows (an allocation, like a payment, is never deleted). The
household's row is locked for the duration, so two payments at once cannot spend the same grosz.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from enrollment.models import Household

from ..exceptions import HouseholdClosedError, InvalidAmountError
from ..models import Allocation, Charge, CreditNote, Payment
from ..models.fields import GROSZ, ZERO

MAX_AMOUNT = Decimal("99999.99")


def amount_clean(value) -> Decimal:
    """A positive amount in PLN with at most two decimal places, or InvalidAmountError."""
    try:
        amount = Decimal(
            str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        )
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmountError() from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidAmountError()
    if amount != amount.quantize(GROSZ):
        raise InvalidAmountError()
    return amount.quantize(GROSZ)


def household_lock(household_id: int) -> Household:
    return Household.objects.select_for_update().get(pk=household_id)


def _open_household(household_id: int) -> Household:
    household = household_lock(household_id)
    if household.closed_at is not None:
        raise HouseholdClosedError()
    return household


@transaction.atomic
def payment_record(
    *,
    household: Household,
    amount,
    method: str,
    received_on: dt.date,
    actor=None,
    title: str = "",
    payer: str = "",
    key: str | None = None,
) -> Payment:
    """Record money received and allocate it. With a `key`, recording it again returns the first."""
    amount = amount_clean(amount)
    if key:
        existing = Payment.objects.filter(key=key).first()
        if existing is not None:
            return existing
    _open_household(household.pk)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                household_id=household.pk,
                amount=amount,
                method=method,
                received_on=received_on,
                title=title[:300],
                payer=payer[:200],
                key=key or None,
                recorded_by=actor,
            )
    except IntegrityError:
        if key:
            return Payment.objects.get(key=key)
        raise
    household_allocate(household.pk)
    from ..messages import payment_received_queue_on_commit

    payment_received_queue_on_commit(payment)  # new payments only: a repeated key returned above
    return payment


@dataclass(frozen=True)
class PaymentIn:
    """One payment for `payments_record_bulk`."""

    household_id: int
    amount: Decimal
    method: str
    received_on: dt.date
    key: str
    title: str = ""
    payer: str = ""


@transaction.atomic
def payments_record_bulk(items: list[PaymentIn], *, actor=None) -> dict[str, Payment]:
    """`payment_record` for many payments at once (a bank statement), in a fixed number of
    queries: the same validation, idempotency by key and oldest-first allocation.

    Returns the payment for every key: the new ones and those recorded before.
    """
    from ..messages import payment_received_queue_on_commit

    cleaned = [(item, amount_clean(item.amount)) for item in items]
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys) or not all(keys):
        raise ValueError("every payment of a bulk record needs its own key")
    found = {p.key: p for p in Payment.objects.filter(key__in=keys)}
    todo = [(item, amount) for item, amount in cleaned if item.key not in found]
    household_ids = sorted({item.household_id for item, _amount in todo})
    # Locked in one order, so two bulk records cannot deadlock on each other.
    closed = [
        h.pk
        for h in Household.objects.select_for_update().filter(pk__in=household_ids).order_by("pk")
        if h.closed_at is not None
    ]
    if closed:
        raise HouseholdClosedError()
    new = Payment.objects.bulk_create(
        [
            Payment(
                household_id=item.household_id,
                amount=amount,
                method=item.method,
                received_on=item.received_on,
                title=item.title[:300],
                payer=item.payer[:200],
                key=item.key,
                recorded_by=actor,
            )
            for item, amount in todo
        ],
        batch_size=500,
    )
    if new and any(payment.pk is None for payment in new):  # backends without RETURNING
        new = list(Payment.objects.filter(key__in=[item.key for item, _a in todo]))
    households_allocate(household_ids)
    for payment in new:
        payment_received_queue_on_commit(payment)
        found[payment.key] = payment
    return found


@transaction.atomic
def credit_note_issue(
    *,
    household: Household,
    amount,
    reason: str,
    note: str,
    actor=None,
    charge: Charge | None = None,
    key: str | None = None,
) -> CreditNote:
    """A correction in the household's favour (never an edit of the charge)."""
    amount = amount_clean(amount)
    if not note.strip():
        raise InvalidAmountError(_("Say why the credit note is issued."))
    if key:
        existing = CreditNote.objects.filter(key=key).first()
        if existing is not None:
            return existing
    household_lock(household.pk)
    if charge is not None:
        if charge.household_id != household.pk:
            raise InvalidAmountError(_("This charge belongs to another household."))
        credited = charge.credit_notes.aggregate(total=Sum("amount"))["total"] or ZERO
        if credited + amount > charge.amount:
            raise InvalidAmountError(
                _("A credit note cannot exceed what is left of the charge (%(left)s zł).")
                % {"left": charge.amount - credited}
            )
    note_row = CreditNote.objects.create(
        household_id=household.pk,
        charge=charge,
        amount=amount,
        reason=reason,
        note=note[:300],
        key=key or None,
        created_by=actor,
    )
    household_allocate(household.pk)
    return note_row


def household_allocate(household_id: int) -> list[Allocation]:
    """Spend the household's unallocated money on its open charges, oldest due first.

    A credit note tied to a charge goes to that charge first. Call inside a transaction with the
    household locked (the services above do).
    """
    return households_allocate([household_id])


def households_allocate(household_ids: list[int]) -> list[Allocation]:
    """The allocation rule for many households in a fixed number of queries: credit notes first
    (to their own charge first), then payments, each in order, to the oldest open charge first.
    Call with the households locked. The only implementation of the rule."""
    if not household_ids:
        return []
    charges_of: dict[int, list[Charge]] = defaultdict(list)
    for charge in Charge.objects.filter(household_id__in=household_ids).order_by(
        "due_on", "period", "pk"
    ):
        charges_of[charge.household_id].append(charge)
    allocated = dict(
        Allocation.objects.filter(charge__household_id__in=household_ids)
        .values_list("charge_id")
        .annotate(total=Sum("amount"))
        .values_list("charge_id", "total")
    )
    payment_used = dict(
        Allocation.objects.filter(payment__household_id__in=household_ids)
        .values_list("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    note_used = dict(
        Allocation.objects.filter(credit_note__household_id__in=household_ids)
        .values_list("credit_note_id")
        .annotate(total=Sum("amount"))
        .values_list("credit_note_id", "total")
    )
    sources: dict[int, list[tuple[str, object, Decimal]]] = defaultdict(list)
    for note in CreditNote.objects.filter(household_id__in=household_ids).order_by(
        "created_at", "pk"
    ):
        left = note.amount - note_used.get(note.pk, ZERO)
        if left > 0:
            sources[note.household_id].append(("credit_note", note, left))
    for payment in Payment.objects.filter(household_id__in=household_ids).order_by(
        "received_on", "pk"
    ):
        left = payment.amount - payment_used.get(payment.pk, ZERO)
        if left > 0:
            sources[payment.household_id].append(("payment", payment, left))

    new: list[Allocation] = []
    open_amounts = {
        charge.pk: charge.amount - allocated.get(charge.pk, ZERO)
        for items in charges_of.values()
        for charge in items
    }

    def spend(field_name: str, source, left: Decimal, targets: list[Charge]) -> Decimal:
        for charge in targets:
            if left <= 0:
                break
            need = open_amounts[charge.pk]
            if need <= 0:
                continue
            part = min(need, left)
            new.append(Allocation(charge=charge, amount=part, **{field_name: source}))
            open_amounts[charge.pk] -= part
            left -= part
        return left

    for household_id in household_ids:
        targets = charges_of.get(household_id, [])
        for field_name, source, left in sources.get(household_id, []):
            if field_name == "credit_note" and source.charge_id:
                own = [c for c in targets if c.pk == source.charge_id]
                left = spend(field_name, source, left, own)
            spend(field_name, source, left, targets)
    Allocation.objects.bulk_create(new, batch_size=500)
    return new
