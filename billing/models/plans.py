from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Group


class FeePlanKind(models.TextChoices):
    MONTHLY = "monthly", _("monthly, flat")
    PER_MEETING = "per_meeting", _("monthly, by meetings held")
    SEMESTER = "semester", _("per semester")
    PASS = "pass", _("pass of entries")
    ANNUAL_DUES = "annual_dues", _("annual club dues")
    FREE = "free", _("free of charge")


class FeePlan(models.Model):
    """How a group is paid for. Amounts are PLN with two decimal places."""

    group = models.OneToOneField(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="fee_plan"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FeePlanKind.choices)
    amount = models.DecimalField(
        _("amount (PLN)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Per month, per meeting, per semester, per pass or per year, by kind."),
    )
    entries = models.PositiveSmallIntegerField(
        _("entries in a pass"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("fee plan")
        verbose_name_plural = _("fee plans")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_plan_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} zł"

    @property
    def unit_label(self) -> str:
        return {
            FeePlanKind.MONTHLY: _("per month"),
            FeePlanKind.PER_MEETING: _("per meeting"),
            FeePlanKind.SEMESTER: _("per semester"),
            FeePlanKind.PASS: _("per pass"),
            FeePlanKind.ANNUAL_DUES: _("per year"),
            FeePlanKind.FREE: "",
        }[self.kind]
