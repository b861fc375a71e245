"""Reads of the billing app: balances and ledgers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from .models import Allocation, Charge, CreditNote, Payment
from .models.fields import ZERO


@dataclass(frozen=True)
class Balance:
    charged: Decimal
    paid: Decimal
    credited: Decimal
    overdue: Decimal

    @property
    def balance(self) -> Decimal:
        """Positive: the household owes; negative: it has credit (an overpayment)."""
        return self.charged - self.paid - self.credited

    @property
    def due(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def credit(self) -> Decimal:
        return max(-self.balance, ZERO)


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or ZERO


def household_balance(household_id: int, today: dt.date | None = None) -> Balance:
    today = today or timezone.localdate()
    overdue_charges = Charge.objects.filter(household_id=household_id, due_on__lt=today)
    overdue = _sum(overdue_charges) - _sum(Allocation.objects.filter(charge__in=overdue_charges))
    return Balance(
        charged=_sum(Charge.objects.filter(household_id=household_id)),
        paid=_sum(Payment.objects.filter(household_id=household_id)),
        credited=_sum(CreditNote.objects.filter(household_id=household_id)),
        overdue=max(overdue, ZERO),
    )


def charge_outstanding(charge: Charge) -> Decimal:
    return charge.amount - _sum(charge.allocations.all())
