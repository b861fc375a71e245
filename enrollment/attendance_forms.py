"""Forms of the register pages."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import Room

from .models import AttendanceStatus


class MarkForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=AttendanceStatus.choices)


class MeetingNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note on this meeting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the families)"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingMoveForm(forms.Form):
    day = forms.DateField(label=_("new date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    room = forms.ModelChoiceField(
        label=_("room"),
        queryset=Room.objects.select_related("venue").order_by("venue__name", "name"),
        required=False,
        empty_label=_("the same room"),
    )
    reason = forms.CharField(
        label=_("Reason (sent to the families)"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        tz = timezone.get_current_timezone()
        data["starts_at"] = dt.datetime.combine(data["day"], data["starts"], tzinfo=tz)
        data["ends_at"] = dt.datetime.combine(data["day"], data["ends"], tzinfo=tz)
        if data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError(_("The meeting must end after it starts."))
        if data["starts_at"] <= timezone.now():
            raise forms.ValidationError(_("A meeting can only be moved to a time still to come."))
        return data


class AbsenceForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
