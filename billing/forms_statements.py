"""Forms of the statement pages: the upload, and the two ways to resolve an unmatched line."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from enrollment.models import Household

from .models import StatementFormat

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a month of a busy account is well under 1 MB


def max_statement_bytes() -> int:
    return int(getattr(settings, "BILLING_STATEMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_("CSV or MT940 as exported by the bank; see the list of formats."),
        error_messages={"required": _("Choose the statement file.")},
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=StatementFormat.choices, initial=StatementFormat.CSV_GENERIC
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_statement_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); a statement may have at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class LineAssignForm(forms.Form):
    household = forms.ModelChoiceField(
        label=_("Household"),
        queryset=Household.objects.filter(closed_at__isnull=True),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the household that paid."),
            "invalid_choice": _("Choose one of the households found (open households only)."),
        },
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is not None:
            # The choices shown are the search results; any open household is accepted.
            self.fields["household"].widget.choices = [(h.pk, str(h)) for h in households]


class LineIgnoreForm(forms.Form):
    note = forms.CharField(
        label=_("Why this is not a fee payment"),
        max_length=300,
        help_text=_("For example: a refund from a supplier, a grant, a payment for room rental."),
        error_messages={"required": _("Say why this line is not a fee payment.")},
    )


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the household"),
        help_text=_("Transfer reference (e.g. MOK-K7PX3H) or the household's name."),
        max_length=100,
        required=False,
    )
