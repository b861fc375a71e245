"""Payment requests (page and PDF, with the transfer QR code) and payment confirmations (PDF).

Households are fetched through `households_visible_to(user)`: the household's guardians, the
office and the director; anyone else gets 404, exactly like a household that does not exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from enrollment.models import Household

from . import qr
from .amount_words import amount_in_words
from .models import Allocation, Charge, Payment
from .models.fields import ZERO
from .pdf import pdf_response
from .permissions import households_visible_to
from .selectors import charge_outstanding, household_balance
from .services.ledger import MAX_AMOUNT


def household_for(request: HttpRequest, pk: int) -> Household:
    return get_object_or_404(households_visible_to(request.user), pk=pk)


def _chosen_charge(request: HttpRequest, household: Household) -> Charge | None:
    """`?charge=<id>`: one open charge of this household; anything else is 404."""
    value = request.GET.get("charge")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Charge.objects.filter(household=household), pk=int(value))


def transfer_title(household: Household, charge: Charge | None) -> str:
    """The reference first (what the statement import matches), then a short description."""
    if charge is not None:
        description = _("fee %(month)s") % {"month": charge.period.strftime("%m.%Y")}
    else:
        description = _("class fees")
    return qr.text_fit(f"{household.transfer_reference} {description}", qr.MAX_TITLE)


def payment_request_context(request: HttpRequest, household: Household, *, png: bool = False):
    charge = _chosen_charge(request, household)
    balance = household_balance(household.pk)
    amount = charge_outstanding(charge) if charge is not None else balance.due
    amount = max(amount, ZERO)
    title = transfer_title(household, charge)
    context = {
        "household": household,
        "charge": charge,
        "balance": balance,
        "amount": amount,
        "title": title,
        "account": qr.account_format(settings.BILLING_ACCOUNT_NUMBER),
        "recipient_name": settings.BILLING_RECIPIENT_NAME,
        "recipient_address": settings.BILLING_RECIPIENT_ADDRESS,
        "recipient_nip": settings.BILLING_NIP,
        "closed": household.closed_at is not None,
        "today": timezone.localdate(),
        "qr_svg": "",
        "qr_png": "",
        "qr_problem": "",
        "can_pay_online": False,
        "online_amount": min(amount, MAX_AMOUNT),
    }
    if amount <= 0 or context["closed"]:
        return context
    context["can_pay_online"] = True
    if amount > qr.MAX_QR_AMOUNT:
        context["qr_problem"] = qr.QrAmountError.default_message
        return context
    try:
        payload = qr.payload_build(
            qr.transfer_qr(
                account=settings.BILLING_ACCOUNT_NUMBER,
                amount=amount,
                recipient=settings.BILLING_RECIPIENT_NAME,
                title=title,
                nip=settings.BILLING_NIP,
            )
        )
    except qr.QrError as error:
        context["qr_problem"] = error.message
        return context
    context["qr_payload"] = payload
    if png:
        context["qr_png"] = qr.qr_png_data_uri(payload)
    else:
        context["qr_svg"] = qr.qr_svg(payload, label=_("QR code of the bank transfer"))
    return context


@never_cache
@login_required
@require_safe
def payment_request(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(request, pk)
    context = payment_request_context(request, household)
    charges = Charge.objects.filter(household=household).order_by("due_on", "period", "pk")
    outstanding = [
        (c, c.amount - sum((a.amount for a in c.allocations.all()), ZERO))
        for c in charges.prefetch_related("allocations")
    ]
    context["open_charges"] = [(c, left) for c, left in outstanding if left > 0]
    return render(request, "billing/payments/request.html", context)


@never_cache
@login_required
@require_safe
def payment_request_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(request, pk)
    context = payment_request_context(request, household, png=True)
    html = render_to_string("billing/payments/request_pdf.html", context, request=request)
    return pdf_response(html, f"wezwanie-{household.transfer_reference}.pdf")


def confirmation_number(payment: Payment) -> str:
    return f"W/{payment.received_on:%Y}/{payment.pk:06d}"


@never_cache
@login_required
@require_safe
def payment_confirmation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(
        Payment.objects.filter(household__in=households_visible_to(request.user))
        .select_related("household")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("charge").order_by("pk"),
            )
        ),
        pk=pk,
    )
    allocations = list(payment.allocations.all())
    allocated = sum((a.amount for a in allocations), ZERO)
    context = {
        "payment": payment,
        "number": confirmation_number(payment),
        "household": payment.household,
        "allocations": allocations,
        "unallocated": max(payment.amount - allocated, Decimal("0.00")),
        "amount_words": amount_in_words(payment.amount),
        "recipient_name": settings.BILLING_RECIPIENT_NAME,
        "recipient_address": settings.BILLING_RECIPIENT_ADDRESS,
        "recipient_nip": settings.BILLING_NIP,
        "issued_on": timezone.localdate(),
    }
    html = render_to_string("billing/payments/confirmation_pdf.html", context, request=request)
    return pdf_response(html, f"potwierdzenie-{context['number'].replace('/', '-')}.pdf")
