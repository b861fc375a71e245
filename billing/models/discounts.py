"""Discounts as data: the rules the centre applies, and what the office granted to whom."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household, Participant


class DiscountKind(models.TextChoices):
    LARGE_FAMILY_CARD = "kdr", _("Large Family Card (Karta Dużej Rodziny)")
    CITY_CARD = "city_card", _("city large-family card")
    SIBLING = "sibling", _("sibling discount")
    SENIOR = "senior", _("senior discount")
    INDIVIDUAL = "individual", _("individual discount")


PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class DiscountRule(models.Model):
    """How much one kind of discount takes off, and when it applies.

    How the kinds stack is one rule in `billing.services.quotes`: at most one large-family card
    (the better one), then sibling, then senior, then individual, each on what is left.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DiscountKind.choices, unique=True)
    percent = models.DecimalField(
        _("percent off"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    from_child = models.PositiveSmallIntegerField(
        _("from which child"),
        default=2,
        validators=[MinValueValidator(2)],
        help_text=_("Sibling discount: applies to the second and further child by default."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        default=60,
        help_text=_("Senior discount: age on the first day of the period."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="discount_rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.percent}%"


class DiscountGrant(models.Model):
    """A discount granted by the office: a family card (number, expiry) or an individual one."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="discount_grants",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discount_grants",
        help_text=_("Empty: the whole household."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DiscountKind.choices)
    card_number = models.CharField(_("card number"), max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    percent = models.DecimalField(
        _("percent off"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Individual discounts only; cards use the centre's rule."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("discount granted")
        verbose_name_plural = _("discounts granted")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gte=0) & Q(percent__lte=100)),
                name="discount_grant_percent_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="individual") | (Q(percent__isnull=False) & ~Q(reason="")),
                name="discount_grant_individual_has_percent_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.household.name}"
