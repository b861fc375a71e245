"""Online payments: starting one, and handling the gateway's notification exactly once.

Every notification is kept as a GatewayNotification whatever happens to it (written outside
the booking transaction, so a rejection still leaves its trace). The amount and currency come
from our OnlinePayment, never from the notification; the payment is booked through
`payment_record` with the key "online:<session>", so a repeated or concurrent notification
finds the first payment instead of booking a second one.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from enrollment.models import Household

from ..exceptions import BillingError, GatewayError, HouseholdClosedError
from ..gateways.base import Gateway, NotificationError, amount_grosze
from ..models import (
    GatewayNotification,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentMethod,
)
from .ledger import amount_clean, payment_record

logger = logging.getLogger(__name__)

MAX_BODY_STORED = 10_000


@dataclass(frozen=True)
class NotificationOutcome:
    accepted: bool
    outcome: str
    online_payment: OnlinePayment | None = None
    retry: bool = False  # the gateway should try again later (it did not answer our verify)


@transaction.atomic
def online_payment_start(*, household: Household, amount, actor, gateway: Gateway) -> OnlinePayment:
    """A pending online payment of `amount` for the household (the gateway is called after)."""
    amount = amount_clean(amount)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.closed_at is not None:
        raise HouseholdClosedError()
    return OnlinePayment.objects.create(
        household=household,
        gateway=gateway.name,
        session_id=f"mok-{household.pk}-{secrets.token_hex(12)}",
        amount=amount,
        currency="PLN",
        created_by=actor,
    )


def online_payment_fail(*, online_payment: OnlinePayment) -> OnlinePayment:
    """The payer gave up (or the gateway refused): only a pending payment becomes failed."""
    OnlinePayment.objects.filter(pk=online_payment.pk, status=OnlinePaymentStatus.PENDING).update(
        status=OnlinePaymentStatus.FAILED
    )
    online_payment.refresh_from_db()
    return online_payment


def _log(
    gateway: Gateway, body: bytes, *, signature_valid: bool, outcome: str, online_payment=None
):
    GatewayNotification.objects.create(
        gateway=gateway.name,
        body=body.decode("utf-8", "replace").replace("\x00", "\ufffd")[:MAX_BODY_STORED],
        signature_valid=signature_valid,
        outcome=outcome[:200],
        online_payment=online_payment,
    )


def online_notification_handle(*, gateway: Gateway, body: bytes, headers) -> NotificationOutcome:
    """Verify a gateway notification and book the payment once. Never raises for bad input."""

    def reject(outcome: str, *, signature_valid: bool, online_payment=None, retry=False):
        _log(
            gateway,
            body,
            signature_valid=signature_valid,
            outcome=outcome,
            online_payment=online_payment,
        )
        logger.warning("online payment notification rejected: %s", outcome)
        return NotificationOutcome(False, outcome, online_payment, retry)

    try:
        notification = gateway.parse_and_verify_notification(body, headers)
    except NotificationError as error:
        return reject(f"rejected: {error.message}", signature_valid=error.signature_valid)

    online_payment = (
        OnlinePayment.objects.select_related("household")
        .filter(session_id=notification.session_id, gateway=gateway.name)
        .first()
    )
    if online_payment is None:
        return reject("rejected: unknown session", signature_valid=True)
    expected = amount_grosze(online_payment.amount)
    if notification.amount_grosze != expected:
        return reject(
            f"rejected: amount {notification.amount_grosze} != {expected}",
            signature_valid=True,
            online_payment=online_payment,
        )
    if notification.currency != online_payment.currency:
        return reject(
            f"rejected: currency {notification.currency[:10]} != {online_payment.currency}",
            signature_valid=True,
            online_payment=online_payment,
        )
    if online_payment.status == OnlinePaymentStatus.PAID:
        _log(
            gateway,
            body,
            signature_valid=True,
            outcome="duplicate: already paid",
            online_payment=online_payment,
        )
        return NotificationOutcome(True, "duplicate", online_payment)

    try:
        gateway.verify_with_gateway(online_payment, notification)
    except GatewayError as error:
        return reject(
            f"rejected: verification failed ({error.message})",
            signature_valid=True,
            online_payment=online_payment,
            retry=True,
        )

    try:
        with transaction.atomic():
            locked = OnlinePayment.objects.select_for_update().get(pk=online_payment.pk)
            if locked.status != OnlinePaymentStatus.PAID:
                payment = payment_record(
                    household=locked.household,
                    amount=locked.amount,
                    method=PaymentMethod.ONLINE,
                    received_on=timezone.localdate(),
                    title=(
                        f"{locked.household.transfer_reference} "
                        f"{gateway.name} {notification.order_id}"
                    ),
                    payer=getattr(locked.created_by, "email", "") or "",
                    key=f"online:{locked.session_id}",
                )
                locked.status = OnlinePaymentStatus.PAID
                locked.payment = payment
                locked.gateway_order_id = notification.order_id[:100]
                locked.paid_at = timezone.now()
                locked.save(update_fields=["status", "payment", "gateway_order_id", "paid_at"])
                outcome = "paid"
            else:
                outcome = "duplicate: already paid"
    except BillingError as error:
        return reject(
            f"rejected: {error.message}", signature_valid=True, online_payment=online_payment
        )
    _log(gateway, body, signature_valid=True, outcome=outcome, online_payment=locked)
    return NotificationOutcome(True, outcome, locked)
