"""Filters of the queue of unmatched statement lines: dates, amount and a text search."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import StatementLine

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnmatchedLineFilter(django_filters.FilterSet):
    booked_from = django_filters.DateFilter(
        label=_("Booked from"), field_name="booked_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    booked_to = django_filters.DateFilter(
        label=_("Booked until"), field_name="booked_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    amount_min = django_filters.NumberFilter(
        label=_("Amount from (zł)"), field_name="amount", lookup_expr="gte", min_value=0
    )
    amount_max = django_filters.NumberFilter(
        label=_("Amount up to (zł)"), field_name="amount", lookup_expr="lte", min_value=0
    )
    q = django_filters.CharFilter(
        label=_("Title or payer contains"), method="filter_text", max_length=100
    )

    class Meta:
        model = StatementLine
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        for word in value.split()[:4]:
            # SQLite folds the case of ASCII letters only: "łąka" must also find "Łąka", "ŁĄKA".
            condition = Q()
            for variant in {word, word.lower(), word.upper(), word.capitalize()}:
                condition |= (
                    Q(title__icontains=variant)
                    | Q(counterparty__icontains=variant)
                    | Q(counterparty_account__icontains=variant)
                )
            queryset = queryset.filter(condition)
        return queryset
