from django import forms
from django.utils.translation import gettext_lazy as _

from . import conf
from .kinds import Channel
from .recipients import recipient_sources
from .selectors import PreferenceChoice
from .smstext import sms_prepare

AUDIENCE_SEPARATOR = "|"
# The SMS template adds "MOK, <audience>: " before the author's text.
SMS_PREFIX_ALLOWANCE = 40


def audience_choices(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """The audiences each recipient source lets this user write to, grouped by source."""
    groups = []
    for source in recipient_sources():
        options = [
            (f"{source.key}{AUDIENCE_SEPARATOR}{audience.key}", audience.label)
            for audience in source.audiences(user=user)
        ]
        if options:
            groups.append((str(source.label), options))
    return groups


class BroadcastForm(forms.Form):
    audience = forms.ChoiceField(label=_("Recipients"))
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    send_email = forms.BooleanField(label=_("Send by e-mail"), required=False, initial=True)
    send_sms = forms.BooleanField(label=_("Send by SMS"), required=False)
    sms_text = forms.CharField(
        label=_("SMS text"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Short: one or two SMS. Polish letters are sent without diacritics. "
            "Empty means the subject and the start of the message."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = audience_choices(user)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("send_email") or cleaned.get("send_sms")):
            raise forms.ValidationError(_("Choose e-mail, SMS or both."), code="no_channel")
        sms_text = cleaned.get("sms_text") or ""
        if cleaned.get("send_sms") and sms_text:
            limit = conf.get("NOTIFICATIONS_SMS_MAX_SEGMENTS")
            padded = "x" * SMS_PREFIX_ALLOWANCE + sms_text
            if sms_prepare(padded, max_segments=99).segments > limit:
                self.add_error("sms_text", _("The SMS text is too long; shorten it."))
        return cleaned

    def source_and_audience(self) -> tuple[str, str]:
        source, _sep, audience = self.cleaned_data["audience"].partition(AUDIENCE_SEPARATOR)
        return source, audience


class BroadcastSendForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel; those of essential kinds are shown ticked and fixed."""

    def __init__(self, *args, choices: list[PreferenceChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        for choice in choices:
            self.fields[choice.field_name] = forms.BooleanField(
                label=Channel(choice.channel).label,
                required=False,
                initial=choice.enabled,
                disabled=choice.locked,
            )

    def rows(self):
        """(kind spec, [(choice, bound field)]) in the order of the kinds."""
        rows: dict[str, tuple] = {}
        for choice in self.choices:
            spec_row = rows.setdefault(choice.spec.kind, (choice.spec, []))
            spec_row[1].append((choice, self[choice.field_name]))
        return list(rows.values())

    def chosen(self) -> dict[tuple[str, str], bool]:
        return {
            (choice.spec.kind, choice.channel): bool(self.cleaned_data.get(choice.field_name))
            for choice in self.choices
            if not choice.locked
        }
