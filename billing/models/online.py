"""Online payments through a gateway, and every notification the gateway sent us."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household

from .fields import money_field
from .ledger import Payment


class OnlinePaymentStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the gateway")
    PAID = "paid", _("paid")
    FAILED = "failed", _("failed")


class OnlinePayment(models.Model):
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="online_payments",
    )
    gateway = models.CharField(_("gateway"), max_length=20)
    session_id = models.CharField(_("session"), max_length=100, unique=True)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OnlinePaymentStatus.choices,
        default=OnlinePaymentStatus.PENDING,
    )
    gateway_order_id = models.CharField(_("gateway order"), max_length=100, blank=True)
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_payment",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="online_payment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.amount} {self.currency}"


class GatewayNotification(models.Model):
    """A webhook call as received, kept whatever its outcome, for the office and the audit."""

    gateway = models.CharField(_("gateway"), max_length=20)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    body = models.TextField(_("body"))
    signature_valid = models.BooleanField(_("signature valid"))
    outcome = models.CharField(_("outcome"), max_length=200)
    online_payment = models.ForeignKey(
        OnlinePayment,
        verbose_name=_("online payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("gateway notification")
        verbose_name_plural = _("gateway notifications")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.gateway} {self.received_at:%Y-%m-%d %H:%M}: {self.outcome}"
