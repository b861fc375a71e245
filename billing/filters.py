"""Filters of the office's money pages: households by balance, and totals per activity."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clubs.filters import FlagFilter
from clubs.models import Activity, Season
from enrollment.models import Enrollment

from .forms import MonthField


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class HouseholdBalanceFilter(django_filters.FilterSet):
    """Households annotated with `charged`, `paid`, `credited`, `balance` and `overdue`."""

    q = django_filters.CharFilter(
        label=_("Name or transfer reference"), method="filter_search", max_length=100
    )
    overdue = FlagFilter(label=_("Only with an overdue amount"), method="filter_overdue")
    credit = FlagFilter(label=_("Only with credit (overpayment)"), method="filter_credit")
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"),
        queryset=Activity.objects.order_by("name"),
        method="filter_activity",
    )
    order = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("balance", "balance"), ("overdue", "overdue")),
        field_labels={
            "name": _("name"),
            "balance": _("amount to pay"),
            "overdue": _("overdue amount"),
        },
    )

    def filter_search(self, queryset, name, value):
        for word in value.split()[:4]:
            # References are printed "MOK-K7PX3H" but typed any way: compare without the dash.
            compact = word.replace("-", "").replace(" ", "").upper()
            condition = Q(name__icontains=word) | Q(transfer_reference__icontains=word)
            if compact.startswith("MOK") and len(compact) > 3:
                condition |= Q(transfer_reference__icontains=compact[3:])
            queryset = queryset.filter(condition)
        return queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue__gt=0) if value else queryset

    def filter_credit(self, queryset, name, value):
        return queryset.filter(balance__lt=0) if value else queryset

    def filter_activity(self, queryset, name, value):
        households = Enrollment.objects.filter(group__activity=value).values(
            "participant__household_id"
        )
        return queryset.filter(pk__in=households)


class ActivityTotalsFilter(django_filters.FilterSet):
    """Charges by season, activity and month; the activities are the user's own."""

    season = django_filters.ModelChoiceFilter(
        label=_("Season"),
        field_name="enrollment__group__season",
        queryset=Season.objects.order_by("-starts_on"),
    )
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"),
        field_name="enrollment__group__activity",
        queryset=Activity.objects.none(),
    )
    month = MonthFilter(label=_("Month"), field_name="period")

    def __init__(self, data=None, queryset=None, *, activities: QuerySet[Activity], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["activity"].queryset = activities.order_by("name")
