"""Filters of the change history. One bound FilterSet is applied to every source's rows
(`filter_queryset`), since they share the `h_` columns; `kind` chooses the sources."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enrollment.models import EnrollmentEvent, Household, Participant

from .sources import Kind


def _words(value: str) -> list[str]:
    return value.split()[:5]


class HistoryFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label=_("What"),
        choices=Kind.choices,
        method="filter_kind",
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="h_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="h_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    actor = django_filters.CharFilter(
        label=_("Who did it"),
        method="filter_actor",
        help_text=_("Name or e-mail address of a member of staff or a guardian."),
    )
    person = django_filters.CharFilter(
        label=_("Participant or family"),
        method="filter_person",
        help_text=_("First or last name of a participant, or the family's name."),
    )

    def __init__(self, data=None, *, kinds: tuple[str, ...], **kwargs):
        # No queryset of its own: `apply` filters each source's rows.
        kwargs.setdefault("queryset", EnrollmentEvent.objects.none())
        super().__init__(data, **kwargs)
        self.filters["kind"].extra["choices"] = [
            (value, label) for value, label in Kind.choices if value in kinds
        ]

    def selected_kinds(self, visible: tuple[str, ...]) -> tuple[str, ...]:
        chosen = self.form.cleaned_data.get("kind") if self.is_valid() else None
        return tuple(kind for kind in visible if not chosen or kind in chosen)

    def apply(self, queryset: QuerySet) -> QuerySet:
        """The source's rows that pass the valid filters (a filter not understood is left out,
        and the page says so)."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        return self.filter_queryset(queryset)

    def filter_kind(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # chooses the sources (selected_kinds), not rows

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        users = User.objects.all()
        for word in _words(value):
            users = users.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        return queryset.filter(h_actor__in=users.values("pk"))

    def filter_person(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        participants = Participant.objects.all()
        households = Household.objects.all()
        for word in _words(value):
            participants = participants.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
            households = households.filter(
                Q(name__icontains=word)
                | Q(participants__first_name__icontains=word)
                | Q(participants__last_name__icontains=word)
            )
        # A row about one participant matches only that participant, not their siblings.
        return queryset.filter(
            Q(h_participant__in=participants.values("pk"))
            | Q(h_participant__isnull=True, h_household__in=households.values("pk"))
        )
