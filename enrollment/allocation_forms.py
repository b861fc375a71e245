"""Forms of the fair allocation: a family's application and the coordinator's publication."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clubs.models import Group

from .models import AllocationOutcome, Participant

CHOICE_FIELDS = ("choice_1", "choice_2", "choice_3")


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, group: Group) -> str:
        return _("%(activity)s: %(group)s (ages %(min)d–%(max)d, %(places)d places)") % {
            "activity": group.activity.name,
            "group": group.name,
            "min": group.age_min,
            "max": group.age_max,
            "places": group.capacity,
        }


class PreferencesForm(forms.Form):
    """Up to three groups in order of preference; each group once."""

    choice_1 = GroupChoiceField(
        label=_("First choice"),
        queryset=Group.objects.none(),
        empty_label=_("— choose a group —"),
        error_messages={"required": _("Choose at least your first choice.")},
    )
    choice_2 = GroupChoiceField(
        label=_("Second choice (optional)"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    choice_3 = GroupChoiceField(
        label=_("Third choice (optional)"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args, groups: QuerySet[Group], **kwargs):
        super().__init__(*args, **kwargs)
        for name in CHOICE_FIELDS:
            self.fields[name].queryset = groups

    def clean(self):
        cleaned = super().clean()
        seen = set()
        for name in CHOICE_FIELDS:
            group = cleaned.get(name)
            if group is None:
                continue
            if group.pk in seen:
                self.add_error(name, _("Each group can be chosen only once."))
            seen.add(group.pk)
        return cleaned

    def preferences(self) -> list[Group]:
        return [self.cleaned_data[n] for n in CHOICE_FIELDS if self.cleaned_data.get(n)]


class ApplicationForm(PreferencesForm):
    participants = forms.ModelMultipleChoiceField(
        label=_("Who is applying?"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )
    together = forms.BooleanField(
        label=_("Siblings together or not at all: places in the same group for all or for none"),
        required=False,
    )
    field_order = ["participants", *CHOICE_FIELDS, "together"]

    def __init__(self, *args, participants: QuerySet[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participants


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I have reviewed the dry run. Publish it: enroll everyone as shown and send one "
            "message to each family."
        ),
        error_messages={"required": _("Tick the box to confirm the publication.")},
    )


class DecisionFilter(django_filters.FilterSet):
    """The decisions log of a run."""

    group = django_filters.ModelChoiceFilter(label=_("Group"), queryset=Group.objects.none())
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=AllocationOutcome.choices, empty_label=_("any")
    )
    tier = django_filters.NumberFilter(label=_("Tier"), field_name="tier_position")
    q = django_filters.CharFilter(
        label=_("First or last name"), method="filter_name", max_length=100
    )

    def __init__(self, data=None, queryset=None, *, groups: QuerySet[Group], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["group"].queryset = groups

    def filter_name(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(application__participant__first_name__icontains=word)
                | Q(application__participant__last_name__icontains=word)
            )
        return queryset
