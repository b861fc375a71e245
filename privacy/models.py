"""Erasure requests: what a guardian asked for, and what the office did about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the office")
    DONE = "done", _("data erased")
    REFUSED = "refused", _("refused")


class ErasureRequest(models.Model):
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the retention policy made the request."),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("processed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="pending"),
                name="erasure_one_pending_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.get_status_display()}"
