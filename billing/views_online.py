"""Online payment: start (guardian), return page with the status, the gateway's webhook, and the
local simulator's pay / fail pages (only while BILLING_GATEWAY is "simulator")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .exceptions import BillingError, GatewayError
from .gateways import gateway_get
from .models import OnlinePayment, OnlinePaymentStatus
from .permissions import households_visible_to
from .services.online import (
    online_notification_handle,
    online_payment_fail,
    online_payment_start,
)
from .views_payments import household_for, payment_request_context

MAX_WEBHOOK_BODY = 64 * 1024


def _online_payment_for(request: HttpRequest, session_id: str) -> OnlinePayment:
    return get_object_or_404(
        OnlinePayment.objects.filter(
            household__in=households_visible_to(request.user)
        ).select_related("household", "payment"),
        session_id=session_id,
    )


@never_cache
@login_required
@require_POST
def online_start(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_for(request, pk)
    back = reverse("billing:payment-request", args=[household.pk])
    if request.GET.get("charge"):
        back += f"?charge={request.GET['charge']}"
    context = payment_request_context(request, household)
    if not context["can_pay_online"]:
        messages.info(request, _("There is nothing to pay online now."))
        return redirect(back)
    gateway = gateway_get()
    try:
        online_payment = online_payment_start(
            household=household,
            amount=context["online_amount"],
            actor=request.user,
            gateway=gateway,
        )
    except BillingError as error:
        messages.error(request, error.message)
        return redirect(back)
    return_url = request.build_absolute_uri(
        reverse("billing:online-return", args=[online_payment.session_id])
    )
    notify_url = request.build_absolute_uri(reverse("billing:online-webhook"))
    try:
        target = gateway.start(online_payment, return_url=return_url, notify_url=notify_url)
    except GatewayError as error:
        online_payment_fail(online_payment=online_payment)
        messages.error(request, error.message)
        return redirect(back)
    return redirect(target)


@never_cache
@login_required
@require_safe
def online_return(request: HttpRequest, session_id: str) -> HttpResponse:
    online_payment = _online_payment_for(request, session_id)
    context = {
        "online_payment": online_payment,
        "household": online_payment.household,
        "pending": online_payment.status == OnlinePaymentStatus.PENDING,
    }
    if request.htmx:
        return render(request, "billing/online/_status.html", context)
    return render(request, "billing/online/return.html", context)


@csrf_exempt
@require_POST
def online_webhook(request: HttpRequest) -> HttpResponse:
    """Przelewy24 (or the simulator) posts here. 200 once booked (or already booked), 400 when
    rejected; every call is kept as a GatewayNotification."""
    body = request.body[:MAX_WEBHOOK_BODY]
    result = online_notification_handle(
        gateway=gateway_get(), body=body, headers=dict(request.headers)
    )
    if result.accepted:
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "rejected"}, status=502 if result.retry else 400)


def _simulated(request: HttpRequest, session_id: str) -> OnlinePayment:
    if settings.BILLING_GATEWAY != "simulator":
        raise Http404
    online_payment = _online_payment_for(request, session_id)
    if online_payment.gateway != "simulator":
        raise Http404
    return online_payment


@never_cache
@login_required
@require_safe
def simulator_page(request: HttpRequest, session_id: str) -> HttpResponse:
    online_payment = _simulated(request, session_id)
    return render(request, "billing/online/simulator.html", {"online_payment": online_payment})


@never_cache
@login_required
@require_POST
def simulator_pay(request: HttpRequest, session_id: str) -> HttpResponse:
    """The simulator's "pay": a correctly signed notification through the webhook's service."""
    online_payment = _simulated(request, session_id)
    gateway = gateway_get("simulator")
    if request.POST.get("outcome") == "fail":
        online_payment_fail(online_payment=online_payment)
    elif online_payment.status == OnlinePaymentStatus.PENDING:
        body = gateway.notification_body(online_payment, order_id=100_000 + online_payment.pk)
        online_notification_handle(gateway=gateway, body=body, headers={})
    return redirect("billing:online-return", online_payment.session_id)
