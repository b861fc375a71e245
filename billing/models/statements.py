"""Imported bank statements and their lines; unmatched lines wait for a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household

from .fields import money_field
from .ledger import Payment


class StatementFormat(models.TextChoices):
    CSV_GENERIC = "csv", _("CSV (documented column mapping)")
    CSV_PKO = "csv_pko", _("CSV: PKO BP")
    CSV_MBANK = "csv_mbank", _("CSV: mBank")
    MT940 = "mt940", _("MT940")


class BankStatement(models.Model):
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    format = models.CharField(_("format"), max_length=12, choices=StatementFormat.choices)
    encoding = models.CharField(_("encoding"), max_length=20)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    lines_total = models.PositiveIntegerField(_("lines in the file"), default=0)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    lines_matched = models.PositiveIntegerField(_("lines matched"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class StatementLineStatus(models.TextChoices):
    MATCHED = "matched", _("matched by reference")
    UNMATCHED = "unmatched", _("waiting for assignment")
    ASSIGNED = "assigned", _("assigned by hand")
    IGNORED = "ignored", _("not a fee payment")


class StatementLine(models.Model):
    """One credit line of a statement. Its fingerprint makes a second import a no-op."""

    statement = models.ForeignKey(
        BankStatement, verbose_name=_("statement"), on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveIntegerField(_("line in the file"))
    booked_on = models.DateField(_("booked on"))
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    title = models.CharField(_("title"), max_length=500, blank=True)
    counterparty = models.CharField(_("payer"), max_length=300, blank=True)
    counterparty_account = models.CharField(_("payer's account"), max_length=40, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=StatementLineStatus.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_line",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booked_on", "pk"]
        indexes = [models.Index(fields=["status", "booked_on"])]

    def __str__(self) -> str:
        return f"{self.booked_on:%d.%m.%Y} {self.amount} zł {self.title[:40]}"
