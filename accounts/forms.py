from urllib.parse import urlencode

import phonenumbers
from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from .models import User
from .services import user_awaits_verification, user_by_email

# The login form leaves the address here so that the resend page can fill it in.
RESEND_EMAIL_SESSION_KEY = "accounts:resend-email"


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneNumberField(forms.CharField):
    """A Polish or international phone number, cleaned to E.164 (`+48601234567`)."""

    widget = TelInput
    default_error_messages = {
        "invalid": _("Enter a valid phone number, e.g. 601 234 567 or +48 601 234 567."),
    }

    def __init__(self, *, region: str = "PL", **kwargs):
        self.region = region
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "tel", "inputmode": "tel"}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            number = phonenumbers.parse(value, self.region)
        except phonenumbers.NumberParseException:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PersonFieldsMixin:
    """Names, phone and language, as the sign-up and the profile ask for them."""

    def _set_up_person_fields(self) -> None:
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].required = True
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].help_text = _("Optional. For urgent news about classes.")
        self.fields["language"].label = _("Preferred language")
        self.fields["language"].help_text = _("Of this site and of the e-mails we send you.")


PERSON_FIELDS = ["first_name", "last_name", "phone", "language"]
PERSON_WIDGETS = {"language": forms.RadioSelect}


class SignupForm(PersonFieldsMixin, BaseUserCreationForm):
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice (how the centre processes personal data)."),
        error_messages={"required": _("Confirm that you have read the privacy notice.")},
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "language"]
        field_classes = {"phone": PhoneNumberField}
        widgets = PERSON_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_up_person_fields()
        email = self.fields["email"]
        # Moving focus into the middle of a form disorients screen-reader users.
        email.widget.attrs.pop("autofocus", None)
        email.widget.attrs.update({"autocomplete": "email", "autocapitalize": "none"})
        email.help_text = _("We will send a link to it to confirm the account.")
        self.fields["privacy"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("accounts:privacy"),
            _("Read the privacy notice (opens in a new tab)"),
        )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self) -> None:
        # "This address is taken" would tell anyone which addresses have accounts; the
        # sign-up service e-mails the owner of a taken address instead.
        pass


class ProfileForm(PersonFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = PERSON_FIELDS
        field_classes = {"phone": PhoneNumberField}
        widgets = PERSON_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_up_person_fields()


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label=capfirst(User._meta.get_field("email").verbose_name),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class LoginForm(AuthenticationForm):
    """Tells the owner of an account that still awaits confirmation what to do.

    Django's ModelBackend refuses inactive users exactly like a wrong password. Only someone who
    gives the right password learns that the account waits for confirmation; anyone else gets
    the usual error, whether or not the address has an account.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "unverified": _(
            "Confirm your e-mail address first: open the link in the message we sent you "
            "when you created the account."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        if self._awaits_verification():
            return ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    self.error_messages["unverified"],
                    self._resend_url(),
                    _("Send me a new link"),
                ),
                code="unverified",
            )
        return super().get_invalid_login_error()

    @sensitive_variables("password")
    def _awaits_verification(self) -> bool:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = user_by_email(email=email)
        if user is None:
            # Hash anyway, so the time taken does not tell that the address has no account.
            User().set_password(password)
            return False
        # hashers.check_password, not user.check_password: no hash upgrade is saved, which
        # would change the password hash and void the confirmation link.
        if not (check_password(password, user.password) and user_awaits_verification(user)):
            return False
        if self.request is not None:
            self.request.session[RESEND_EMAIL_SESSION_KEY] = user.email
        return True

    def _resend_url(self) -> str:
        url = reverse("accounts:verify-resend")
        next_url = self.request.POST.get("next", "") if self.request is not None else ""
        if next_url and url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            url = f"{url}?{urlencode({'next': next_url})}"
        return url


class OneTimeCodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or, where allowed, a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, allow_backup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if allow_backup:
            field.help_text = _(
                "Six digits from the authenticator app, or one of your backup codes."
            )
            # Backup codes have letters: let the phone show the full keyboard.
            field.widget.attrs["inputmode"] = "text"
        else:
            field.help_text = _("Six digits from the authenticator app.")
            field.widget.attrs["pattern"] = "[0-9 ]*"
