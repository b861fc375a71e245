"""The office's money pages: households by balance, one household's ledger with the desk
payment, credit note and discount forms, the billing runs, and the activities' totals.

Households are fetched only for users with `billing.handle_money`; anyone else gets 404, exactly
like a missing household. Coordinators see totals of their own activities and nothing per
household.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from enrollment.models import Household

from .exceptions import BillingError
from .filters import ActivityTotalsFilter, HouseholdBalanceFilter
from .forms import BillingRunForm, CreditNoteForm, DeskPaymentForm, DiscountGrantForm
from .models import Allocation, BillingRun, Charge, CreditNote, DiscountGrant, Payment
from .models.fields import ZERO
from .permissions import activities_with_totals_for, households_visible_to
from .services.grants import discount_grant_add, discount_grant_revoke
from .services.ledger import credit_note_issue, payment_record
from .views_ledger import ledger_for

HOUSEHOLD_PAGE_SIZE = 50
RUN_PAGE_SIZE = 24
TOTALS_PAGE_SIZE = 60
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _money_sum(queryset: QuerySet, field: str = "amount") -> Coalesce:
    """A correlated SUM per household (no join fan-out between charges and payments)."""
    total = queryset.order_by().values("household_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def households_with_balances(today: dt.date) -> QuerySet[Household]:
    """Every household with `charged`, `paid`, `credited`, `balance` and `overdue` (one query)."""
    mine = OuterRef("pk")
    overdue_charges = Charge.objects.filter(household_id=mine, due_on__lt=today)
    overdue_allocated = (
        Allocation.objects.filter(charge__household_id=mine, charge__due_on__lt=today)
        .order_by()
        .values("charge__household_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Household.objects.annotate(
        charged=_money_sum(Charge.objects.filter(household_id=mine)),
        paid=_money_sum(Payment.objects.filter(household_id=mine)),
        credited=_money_sum(CreditNote.objects.filter(household_id=mine)),
        overdue=_money_sum(overdue_charges)
        - Coalesce(
            Subquery(overdue_allocated, output_field=MONEY), Value(ZERO), output_field=MONEY
        ),
    ).annotate(balance=F("charged") - F("paid") - F("credited"))


def _require_money(request: HttpRequest) -> None:
    if not request.user.has_perm("billing.handle_money"):
        raise Http404


def _household(request: HttpRequest, pk: int) -> Household:
    _require_money(request)
    return get_object_or_404(households_visible_to(request.user), pk=pk)


# --- Households -------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def household_list(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    filterset = HouseholdBalanceFilter(
        request.GET or None, queryset=households_with_balances(timezone.localdate())
    )
    households = filterset.qs
    # The chosen sort first (if any), then by name: equal balances list in a stable order.
    households = households.order_by(*households.query.order_by, "name", "pk")
    page = Paginator(households, HOUSEHOLD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "billing/office/household_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "households": page.object_list,
            "query": query.urlencode(),
        },
    )


def _render_ledger(
    request: HttpRequest, household: Household, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    page_forms = {
        "payment": DeskPaymentForm(household=household, prefix="payment"),
        "credit": CreditNoteForm(household=household, prefix="credit"),
        "grant": DiscountGrantForm(household=household, prefix="grant"),
    }
    page_forms.update(bound or {})
    grants = (
        DiscountGrant.objects.filter(household=household)
        .select_related("participant", "granted_by", "revoked_by")
        .order_by("revoked_at", "-granted_at", "-pk")
    )
    return render(
        request,
        "billing/office/household_ledger.html",
        {
            "ledger": ledger_for(household),
            "household": household,
            "forms": page_forms,
            "grants": grants,
        },
    )


@never_cache
@login_required
@require_safe
def household_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_ledger(request, _household(request, pk))


@login_required
@require_POST
def desk_payment(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = DeskPaymentForm(request.POST, household=household, prefix="payment")
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_record(
                household=household,
                amount=data["amount"],
                method=data["method"],
                received_on=data["received_on"],
                actor=request.user,
                title=data["note"],
                payer=data["payer"],
                key=f"desk:{household.pk}:{data['key']}",
            )
        except BillingError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Payment of %(amount)s zł recorded.")
                % {"amount": f"{payment.amount:.2f}".replace(".", ",")},
            )
            return redirect("billing:household-ledger", pk=household.pk)
    return _render_ledger(request, household, {"payment": form})


@login_required
@require_POST
def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = CreditNoteForm(request.POST, household=household, prefix="credit")
    if form.is_valid():
        data = form.cleaned_data
        try:
            credit_note_issue(
                household=household,
                amount=data["amount"],
                reason=data["reason"],
                note=data["note"],
                actor=request.user,
                charge=data["charge"],
                key=f"desk-credit:{household.pk}:{data['key']}",
            )
        except BillingError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Credit note issued."))
            return redirect("billing:household-ledger", pk=household.pk)
    return _render_ledger(request, household, {"credit": form})


@login_required
@require_POST
def discount_grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = DiscountGrantForm(request.POST, household=household, prefix="grant")
    if form.is_valid():
        try:
            discount_grant_add(household=household, actor=request.user, **form.cleaned_data)
        except BillingError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Discount granted."))
            return redirect("billing:household-ledger", pk=household.pk)
    return _render_ledger(request, household, {"grant": form})


@login_required
@require_POST
def discount_grant_revoke_view(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    household = _household(request, pk)
    grant = get_object_or_404(DiscountGrant.objects.filter(household=household), pk=grant_id)
    discount_grant_revoke(grant=grant, actor=request.user)
    messages.success(request, _("Discount revoked. Charges already made keep their amounts."))
    return redirect("billing:household-ledger", pk=household.pk)


# --- Billing runs -----------------------------------------------------------------------------


def _render_runs(request: HttpRequest, form: BillingRunForm, status: int = 200) -> HttpResponse:
    runs = BillingRun.objects.select_related("started_by").order_by("-period")
    page = Paginator(runs, RUN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/office/runs.html",
        {"form": form, "page_obj": page, "runs": page.object_list},
        status=status,
    )


@never_cache
@login_required
@require_safe
def run_list(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    return _render_runs(request, BillingRunForm())


@login_required
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    form = BillingRunForm(request.POST)
    if not form.is_valid():
        return _render_runs(request, form, status=400)
    from .services.charges import billing_run  # written alongside; imported when used

    period = form.cleaned_data["period"]
    try:
        run = billing_run(period, actor=request.user)
    except BillingError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Charges for %(month)s created: %(count)s.")
            % {"month": period.strftime("%m.%Y"), "count": run.charges_created},
        )
    return redirect("billing:runs")


# --- Totals per activity ----------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def activity_totals(request: HttpRequest) -> HttpResponse:
    """Per activity and month: charges, charged, paid, credited, outstanding. No households."""
    if not request.user.has_perm("billing.view_activity_totals"):
        raise Http404
    activities = activities_with_totals_for(request.user)
    charges = Charge.objects.filter(
        enrollment__isnull=False, enrollment__group__activity__in=activities
    )
    filterset = ActivityTotalsFilter(request.GET or None, queryset=charges, activities=activities)
    rows = (
        filterset.qs.order_by()
        .values("enrollment__group__activity_id", "enrollment__group__activity__name", "period")
        .annotate(count=Count("pk"), charged=Sum("amount"))
        .order_by("-period", "enrollment__group__activity__name", "enrollment__group__activity_id")
    )
    page = Paginator(rows, TOTALS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    allocated = {}
    if rows:
        keys = {(row["enrollment__group__activity_id"], row["period"]) for row in rows}
        sums = (
            Allocation.objects.filter(
                charge__in=filterset.qs,
                charge__enrollment__group__activity_id__in={key[0] for key in keys},
                charge__period__in={key[1] for key in keys},
            )
            .order_by()
            .values("charge__enrollment__group__activity_id", "charge__period")
            .annotate(
                paid=Sum("amount", filter=Q(payment__isnull=False)),
                credited=Sum("amount", filter=Q(credit_note__isnull=False)),
            )
        )
        allocated = {
            (row["charge__enrollment__group__activity_id"], row["charge__period"]): row
            for row in sums
        }
    totals = []
    for row in rows:
        sums = allocated.get((row["enrollment__group__activity_id"], row["period"]), {})
        paid = sums.get("paid") or ZERO
        credited = sums.get("credited") or ZERO
        totals.append(
            {
                "activity": row["enrollment__group__activity__name"],
                "period": row["period"],
                "count": row["count"],
                "charged": row["charged"] or ZERO,
                "paid": paid,
                "credited": credited,
                "outstanding": (row["charged"] or ZERO) - paid - credited,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "billing/office/activity_totals.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": totals,
            "grand": {
                key: sum((row[key] for row in totals), Decimal("0"))
                for key in ("charged", "paid", "credited", "outstanding")
            },
            "query": query.urlencode(),
        },
    )
