"""Forms of the coordinator roster: one per action, each with the reason the service records."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clubs.models import Group

REASON_MAX_LENGTH = 300  # EnrollmentEvent.reason


class ApproveForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"), max_length=REASON_MAX_LENGTH, required=False
    )


class ReasonForm(forms.Form):
    """An action that must say why: the reason goes into the enrollment's history."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Saved in the history with your name; the family may ask about it."),
        error_messages={"required": _("Give a reason: it is saved in the history.")},
    )


class RejectForm(ReasonForm):
    pass


class PromoteForm(ReasonForm):
    pass


class ReorderForm(ReasonForm):
    UP, DOWN = "up", "down"

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(UP, _("Move up")), (DOWN, _("Move down"))],
        widget=forms.HiddenInput,  # set by the button that was pressed
    )


class MoveForm(ReasonForm):
    to_group = forms.ModelChoiceField(
        label=_("Move to group"),
        queryset=Group.objects.none(),
        empty_label=None,
    )

    field_order = ["to_group", "reason"]

    def __init__(self, *args, groups: QuerySet[Group] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["to_group"].queryset = groups
        self.fields["to_group"].label_from_instance = _group_label

    @property
    def has_choices(self) -> bool:
        return self.fields["to_group"].queryset.exists()


def _group_label(group: Group) -> str:
    return ngettext(
        "%(name)s (ages %(min)d–%(max)d, %(count)d free place)",
        "%(name)s (ages %(min)d–%(max)d, %(count)d free places)",
        group.free_places,
    ) % {"name": group.name, "min": group.age_min, "max": group.age_max, "count": group.free_places}
