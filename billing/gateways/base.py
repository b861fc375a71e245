"""One interface for online payment gateways; the webhook and the views know nothing else.

A gateway registers a transaction and tells where to send the payer (`start`), checks the
signature of a notification it sent (`parse_and_verify_notification`) and confirms it with the
gateway (`verify_with_gateway`) before the money is booked. The amount and currency are checked
by the caller against our own OnlinePayment, never taken from the notification.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..exceptions import GatewayError


class NotificationError(GatewayError):
    """A notification we do not believe: malformed or with a bad signature."""

    default_message = _("The payment notification was rejected.")

    def __init__(self, message=None, *, signature_valid: bool = False, session_id: str = ""):
        super().__init__(message)
        self.signature_valid = signature_valid
        self.session_id = session_id


@dataclass(frozen=True)
class VerifiedNotification:
    """What a correctly signed notification says (amounts in grosze)."""

    session_id: str
    amount_grosze: int
    currency: str
    order_id: str
    data: Mapping = field(default_factory=dict)


class Gateway(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def start(self, online_payment, *, return_url: str, notify_url: str) -> str:
        """Register the transaction; the URL to send the payer to. GatewayError if refused."""

    @abc.abstractmethod
    def parse_and_verify_notification(
        self, body: bytes, headers: Mapping[str, str]
    ) -> VerifiedNotification:
        """The notification's data if its signature holds, else NotificationError."""

    @abc.abstractmethod
    def verify_with_gateway(self, online_payment, notification: VerifiedNotification) -> None:
        """Confirm the payment with the gateway (our amount and currency); GatewayError if not."""


def amount_grosze(amount) -> int:
    return int((amount * 100).to_integral_value())
