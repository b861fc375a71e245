"""Forms of the office's money pages: desk payments, credit notes, discount grants, billing runs.

Amounts go through `services.ledger.amount_clean`, the one place that decides what an amount is,
so a form refuses exactly what the services would refuse, with the same message.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household

from .exceptions import HouseholdClosedError, InvalidAmountError
from .models import Charge, CreditReason, DiscountGrant, DiscountKind, PaymentMethod
from .services.ledger import amount_clean

DESK_METHODS = [
    (PaymentMethod.CASH, PaymentMethod.CASH.label),
    (PaymentMethod.CARD, PaymentMethod.CARD.label),
]
CARD_KINDS = (DiscountKind.LARGE_FAMILY_CARD, DiscountKind.CITY_CARD)
GRANT_KINDS = [
    (kind, kind.label)
    for kind in DiscountKind
    if kind != DiscountKind.SIBLING  # the sibling discount follows from the family, not a grant
]
# Card numbers as printed: letters and digits, optionally split by spaces, "-" or "/".
CARD_NUMBER = re.compile(r"^[A-Z0-9](?:[A-Z0-9/-]){3,39}$")
OLDEST_DESK_PAYMENT_DAYS = 366


class AmountField(forms.CharField):
    """An amount in PLN as people type it ("1 234,50", "80"), cleaned to a Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return amount_clean(value)
        except InvalidAmountError as error:
            raise forms.ValidationError(str(error.message), code="invalid") from None


class MonthField(forms.DateField):
    """A month ("2026-10", as `<input type="month">` sends it, or "10.2026"): its first day."""

    input_formats = ["%Y-%m", "%m.%Y", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": _("Enter a month, e.g. 2026-10.")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class IdempotentForm(forms.Form):
    """A hidden key made when the form is shown: the same form submitted twice records once."""

    key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=32,
        validators=[RegexValidator(r"^[0-9a-f]{32}$")],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


def _household_open(household: Household) -> None:
    if household.closed_at is not None:
        raise forms.ValidationError(str(HouseholdClosedError.default_message), code="closed")


class DeskPaymentForm(IdempotentForm):
    amount = AmountField(label=_("Amount (zł)"))
    method = forms.ChoiceField(label=_("Method"), choices=DESK_METHODS, initial=PaymentMethod.CASH)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    payer = forms.CharField(label=_("Payer"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    field_order = ["amount", "method", "received_on", "payer", "note", "key"]

    def __init__(self, *args, household: Household, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.household = household

    def clean_received_on(self) -> dt.date:
        day = self.cleaned_data["received_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        if day < today - dt.timedelta(days=OLDEST_DESK_PAYMENT_DAYS):
            raise forms.ValidationError(_("This date is more than a year ago. Check it."))
        return day

    def clean(self):
        _household_open(self.household)
        return super().clean()


class CreditNoteForm(IdempotentForm):
    amount = AmountField(label=_("Amount (zł)"))
    reason = forms.ChoiceField(label=_("Reason"), choices=CreditReason.choices)
    note = forms.CharField(label=_("Note (why)"), max_length=300)
    charge = forms.ModelChoiceField(
        label=_("Charge corrected (optional)"),
        queryset=Charge.objects.none(),
        required=False,
        empty_label=_("none: a credit for the household"),
    )

    field_order = ["amount", "reason", "note", "charge", "key"]

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["charge"].queryset = Charge.objects.filter(household=household).order_by(
            "-period", "pk"
        )
        self.fields["charge"].label_from_instance = lambda charge: (
            f"{charge.period:%m.%Y} · {charge.description} · {charge.amount} zł"
        )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Say why the credit note is issued."))
        return note


def grant_clean(cleaned: dict, *, add_error, today: dt.date) -> dict:
    """The rules of a discount grant, shared by the office's form and the admin."""
    kind = cleaned.get("kind")
    if kind in CARD_KINDS:
        number = re.sub(r"\s+", "", (cleaned.get("card_number") or "")).upper()
        if not number:
            add_error("card_number", _("Enter the card number."))
        elif not CARD_NUMBER.match(number):
            add_error(
                "card_number",
                _("A card number has 4 to 40 letters or digits (and may contain “-” or “/”)."),
            )
        cleaned["card_number"] = number
        if not cleaned.get("valid_until"):
            add_error("valid_until", _("Enter the date until which the card is valid."))
        elif cleaned["valid_until"] < today:
            add_error("valid_until", _("This card has already expired."))
    else:
        cleaned["card_number"] = ""
    if kind == DiscountKind.INDIVIDUAL:
        if "percent" in cleaned and cleaned["percent"] is None:  # else its own error is shown
            add_error("percent", _("Enter the percent off (0–100)."))
        if not (cleaned.get("reason") or "").strip():
            add_error("reason", _("Say why the discount is granted."))
    else:
        cleaned["percent"] = None  # cards and the senior discount use the centre's rule
    start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
    if start and end and start > end:
        add_error("valid_until", _("The end date is before the start date."))
    return cleaned


class DiscountGrantForm(forms.ModelForm):
    class Meta:
        model = DiscountGrant
        fields = [
            "kind",
            "participant",
            "card_number",
            "valid_from",
            "valid_until",
            "percent",
            "reason",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
        }

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["kind"].choices = GRANT_KINDS
        self.fields["participant"].queryset = household.participants.order_by("birth_date", "pk")
        self.fields["participant"].empty_label = _("the whole household")
        self.fields["card_number"].help_text = _(
            "Large Family Card or the city's card: the number printed on the card."
        )
        self.fields["valid_until"].help_text = _("Required for cards: their expiry date.")
        self.fields["percent"].help_text = _("Individual discounts only.")

    def clean(self):
        cleaned = super().clean()
        _household_open(self.household)
        return grant_clean(cleaned, add_error=self.add_error, today=timezone.localdate())


class BillingRunForm(forms.Form):
    period = MonthField(label=_("Month"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("period", timezone.localdate().replace(day=1))
        super().__init__(*args, **kwargs)

    def clean_period(self) -> dt.date:
        period = self.cleaned_data["period"]
        this_month = timezone.localdate().replace(day=1)
        next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
        if period > next_month:
            raise forms.ValidationError(_("Charges can be created at most for next month."))
        if period.year < this_month.year - 1:
            raise forms.ValidationError(_("This month is too long ago."))
        return period
