import datetime as dt
import uuid

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ConsentKind, GuardianRights, Participant
from .pesel import pesel_birth_date


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class HouseholdForm(forms.Form):
    name = forms.CharField(
        label=_("Family name"),
        max_length=120,
        help_text=_("How the office will see your family, e.g. “Kowalscy”."),
    )


class ParticipantForm(forms.ModelForm):
    is_self = forms.BooleanField(label=_("This is me: I join as an adult member"), required=False)

    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "pesel",
            "school_class",
            "emergency_contact",
            "health_notes",
        ]
        widgets = {
            "birth_date": DateInput(),
            "pesel": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "health_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"pesel": _("Optional.")}

    def __init__(self, *args, allow_self: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_self:
            del self.fields["is_self"]

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if birth_date < dt.date(today.year - 120, 1, 1):
            raise forms.ValidationError(_("Check the year of birth."))
        return birth_date

    def clean_pesel(self):
        pesel = self.cleaned_data.get("pesel", "").strip()
        if pesel and pesel_birth_date(pesel) is None:
            raise forms.ValidationError(_("This is not a valid PESEL number."))
        return pesel

    def clean(self):
        cleaned = super().clean()
        pesel, birth_date = cleaned.get("pesel"), cleaned.get("birth_date")
        if pesel and birth_date and pesel_birth_date(pesel) != birth_date:
            self.add_error("pesel", _("The PESEL number does not match the date of birth."))
        return cleaned


class ConsentsForm(forms.Form):
    enrollment_data = forms.BooleanField(required=False, label=ConsentKind.ENROLLMENT_DATA.label)
    image = forms.BooleanField(required=False, label=ConsentKind.IMAGE.label)
    health = forms.BooleanField(required=False, label=ConsentKind.HEALTH.label)

    def __init__(self, *args, texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, text in (texts or {}).items():
            if kind in self.fields:
                self.fields[kind].help_text = text.text


class EnrollForm(forms.Form):
    participants = forms.ModelMultipleChoiceField(
        label=_("Who do you enroll?"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )
    together = forms.BooleanField(
        label=_("Siblings together: places for all of them or for none (all wait together)"),
        required=False,
    )
    request_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"^[0-9a-f-]{8,64}$")],
    )

    def __init__(self, *args, participants=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if participants is not None:
            self.fields["participants"].queryset = participants


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the second guardian"))
    rights = forms.ChoiceField(
        label=_("Rights"), choices=GuardianRights.choices, initial=GuardianRights.FULL
    )


class TrialForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Participant"), queryset=Participant.objects.none()
    )
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)

    def __init__(self, *args, participants=None, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: timezone.localtime(
            m.starts_at
        ).strftime("%d.%m.%Y %H:%M")
