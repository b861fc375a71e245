"""Online payment gateways behind one interface (`base.Gateway`): Przelewy24 and a local
simulator for the demo. `gateway_get()` returns the one configured in BILLING_GATEWAY."""

from django.conf import settings

from .base import Gateway, NotificationError, VerifiedNotification


def gateway_get(name: str | None = None) -> Gateway:
    name = name or settings.BILLING_GATEWAY
    if name == "przelewy24":
        from .przelewy24 import Przelewy24Gateway

        return Przelewy24Gateway.from_settings()
    if name == "simulator":
        from .simulator import SimulatorGateway

        return SimulatorGateway()
    raise ValueError(f"unknown payment gateway {name!r}")


__all__ = ["Gateway", "NotificationError", "VerifiedNotification", "gateway_get"]
