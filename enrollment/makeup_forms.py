from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.models import Meeting


class MakeupBookForm(forms.Form):
    # Any meeting id; the service decides whether the credit can be booked into it.
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.all(),
        error_messages={"invalid_choice": _("Choose one of the listed meetings.")},
    )
