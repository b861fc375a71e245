"""The household ledger: billing runs, charges, credit notes, payments and allocations.

Nothing here is edited or deleted once written: a wrong charge is answered by a credit note, a
payment by a new row. Positive amounts only; a credit note is a credit by its kind, not by sign.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Enrollment, Household

from .fields import ZERO, money_field
from .plans import FeePlanKind


class BillingRun(models.Model):
    """One run per billing period (a calendar month), enforced by the database."""

    period = models.DateField(_("period"), unique=True, help_text=_("The first day of the month."))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the schedule started it."),
    )
    charges_created = models.PositiveIntegerField(_("charges created"), default=0)
    total = money_field(_("total charged"), max_digits=14, default=ZERO)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="billing_run_period_first_day"),
        ]

    def __str__(self) -> str:
        return self.period.strftime("%Y-%m")


class Charge(models.Model):
    """What a household owes for one enrollment in one period, with its discount lines."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="charges"
    )
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
    )
    run = models.ForeignKey(
        BillingRun,
        verbose_name=_("billing run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month."))
    kind = models.CharField(_("fee plan"), max_length=20, choices=FeePlanKind.choices)
    description = models.CharField(_("description"), max_length=200)
    base_amount = money_field(_("amount before discounts"))
    amount = money_field(_("amount"))
    # [{"label": "...", "amount": "-12.50"}, ...]: the quote's lines, frozen when charged.
    lines = models.JSONField(_("calculation"), default=list, blank=True)
    due_on = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "period"],
                condition=Q(enrollment__isnull=False),
                name="charge_one_per_enrollment_and_period",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(base_amount__gte=0), name="charge_base_amount_not_negative"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="charge_period_first_day"),
        ]
        indexes = [models.Index(fields=["household", "period"]), models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"{self.description} ({self.period:%m.%Y}): {self.amount} zł"


class CreditReason(models.TextChoices):
    CORRECTION = "correction", _("correction")
    CANCELLED_MEETING = "cancelled_meeting", _("meeting cancelled by the centre")
    WITHDRAWAL = "withdrawal", _("withdrawal")
    MOVE = "move", _("move to another group")
    GOODWILL = "goodwill", _("goodwill")


class CreditNote(models.Model):
    """A correction in the household's favour; past charges are never edited."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    charge = models.ForeignKey(
        Charge,
        verbose_name=_("charge corrected"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    amount = money_field(_("amount"))
    reason = models.CharField(_("reason"), max_length=20, choices=CreditReason.choices)
    note = models.CharField(_("note"), max_length=300)
    # Makes a credit note written by code idempotent: "meeting:<id>:charge:<id>" for a cancelled
    # meeting, "unused:charge:<id>" for the unused part of a charged period.
    key = models.CharField(_("key"), max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.amount} zł"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash at the desk")
    CARD = "card", _("card at the desk")
    TRANSFER = "transfer", _("bank transfer")
    ONLINE = "online", _("online payment")


class Payment(models.Model):
    """Money received from a household. Never deleted."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = money_field(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    received_on = models.DateField(_("received on"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    # Idempotency for payments written by code: "stmt:<fingerprint>", "online:<session>".
    key = models.CharField(_("key"), max_length=100, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} zł ({self.get_method_display()}, {self.received_on:%d.%m.%Y})"


class Allocation(models.Model):
    """Which charge a payment or a credit note paid, and how much of it."""

    charge = models.ForeignKey(
        Charge, verbose_name=_("charge"), on_delete=models.PROTECT, related_name="allocations"
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    credit_note = models.ForeignKey(
        CreditNote,
        verbose_name=_("credit note"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    amount = money_field(_("amount"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} zł → {self.charge_id}"


class OverdueStage(models.IntegerChoices):
    REMINDER = 1, _("reminder")
    SECOND_REMINDER = 2, _("second reminder")
    COORDINATOR_ALERT = 3, _("coordinator alert")


class OverdueNotice(models.Model):
    """One follow-up stage queued for one charge: the database keeps it to once."""

    charge = models.ForeignKey(
        Charge, verbose_name=_("charge"), on_delete=models.PROTECT, related_name="overdue_notices"
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=OverdueStage.choices)
    outstanding = money_field(_("outstanding then"))
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        constraints = [
            models.UniqueConstraint(
                fields=["charge", "stage"], name="overdue_notice_once_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.get_stage_display()}"
