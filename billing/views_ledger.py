"""The household ledger as families read it ("My fees") and as the office reads it.

A ledger is read in a fixed number of queries whatever the number of charges: the charges with
their allocations, the payments with theirs, and the credit notes; the balance is summed from
those rows (the same figures as `selectors.household_balance`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from enrollment.models import Household
from enrollment.permissions import households_of

from .models import Allocation, Charge, CreditNote, Payment
from .models.fields import ZERO
from .selectors import Balance


@dataclass
class Month:
    period: dt.date
    charges: list[Charge] = field(default_factory=list)

    @property
    def charged(self) -> Decimal:
        return sum((charge.amount for charge in self.charges), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((charge.outstanding for charge in self.charges), ZERO)


@dataclass
class Ledger:
    household: Household
    months: list[Month]
    payments: list[Payment]
    credit_notes: list[CreditNote]
    balance: Balance


def ledger_for(household: Household, today: dt.date | None = None) -> Ledger:
    """Everything the household's ledger page shows, newest month first (five queries)."""
    today = today or timezone.localdate()
    allocations = Allocation.objects.select_related("payment", "credit_note").order_by("pk")
    charges = list(
        Charge.objects.filter(household=household)
        .prefetch_related(Prefetch("allocations", queryset=allocations))
        .order_by("-period", "due_on", "pk")
    )
    payments = list(
        Payment.objects.filter(household=household)
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.order_by("pk")))
        .order_by("-received_on", "-pk")
    )
    credit_notes = list(
        CreditNote.objects.filter(household=household)
        .select_related("charge")
        .order_by("-created_at", "-pk")
    )
    months: dict[dt.date, Month] = {}
    overdue = ZERO
    for charge in charges:
        allocated = sum((a.amount for a in charge.allocations.all()), ZERO)
        charge.allocated = allocated
        charge.outstanding = charge.amount - allocated
        charge.is_overdue = charge.due_on < today and charge.outstanding > 0
        if charge.due_on < today:
            overdue += charge.outstanding
        months.setdefault(charge.period, Month(charge.period)).charges.append(charge)
    for payment in payments:
        payment.unallocated = payment.amount - sum(
            (a.amount for a in payment.allocations.all()), ZERO
        )
    balance = Balance(
        charged=sum((c.amount for c in charges), ZERO),
        paid=sum((p.amount for p in payments), ZERO),
        credited=sum((n.amount for n in credit_notes), ZERO),
        overdue=max(overdue, ZERO),
    )
    return Ledger(
        household=household,
        months=list(months.values()),
        payments=payments,
        credit_notes=credit_notes,
        balance=balance,
    )


@never_cache
@login_required
@require_safe
def my_fees(request: HttpRequest) -> HttpResponse:
    """The guardian's ledger of each household they look after (usually one)."""
    # Their own households even for office staff: the office reads others' from its own pages.
    ledgers = [ledger_for(household) for household in households_of(request.user).order_by("pk")]
    return render(request, "billing/ledger/my_fees.html", {"ledgers": ledgers})
