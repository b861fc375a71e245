"""Filters and sorting of the reports' lists (django-filter)."""

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clubs.filters import FlagFilter
from clubs.models import Activity, ActivityKind, Season


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting with a fixed tie-break, so pages of a sorted list neither repeat nor skip rows."""

    def __init__(self, *args, tiebreak: tuple[str, ...] = (), **kwargs):
        self.tiebreak = tiebreak
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, *self.tiebreak)
        return qs


class DashboardFilter(django_filters.FilterSet):
    """The groups on a dashboard. The season is resolved by the view (default: current)."""

    season = django_filters.ModelChoiceFilter(
        label=_("Season"),
        queryset=Season.objects.order_by("-starts_on"),
        method="filter_season",
        empty_label=_("Current season"),
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=Activity.objects.none()
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="activity__kind", choices=ActivityKind.choices
    )
    full = FlagFilter(label=_("Only full groups"), method="filter_full")
    waiting = FlagFilter(label=_("Only groups with a waiting list"), method="filter_waiting")
    overdue = FlagFilter(label=_("Only groups with overdue fees"), method="filter_overdue")
    sort = StableOrderingFilter(
        label=_("Sort by"),
        tiebreak=("activity__name", "name", "pk"),
        fields=(
            ("activity__name", "name"),
            ("fill", "fill"),
            ("waitlist_length", "waiting"),
            ("offers", "offers"),
            ("attendance", "attendance"),
            ("overdue", "overdue"),
        ),
        field_labels={
            "activity__name": _("name"),
            "fill": _("fill rate"),
            "waitlist_length": _("waiting list"),
            "offers": _("open offers"),
            "attendance": _("attendance"),
            "overdue": _("overdue fees"),
        },
    )

    def __init__(self, data=None, queryset=None, *, activities: QuerySet[Activity], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["activity"].queryset = activities

    def filter_season(self, queryset, name, value):
        return queryset  # see `selected_season`

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(activity__name__icontains=value))

    def filter_full(self, queryset, name, value):
        return queryset.filter(places_taken__gte=F("capacity")) if value else queryset

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(waitlist_length__gt=0) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue__gt=0) if value else queryset

    def selected_season(self) -> Season | None:
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("season"):
            return self.form.cleaned_data["season"]
        return Season.objects.current() or Season.objects.order_by("-starts_on").first()


class PeopleFilter(django_filters.FilterSet):
    """The people behind a figure: a name search and the sort order (values rows)."""

    q = django_filters.CharFilter(
        label=_("First or last name"), method="filter_name", max_length=100
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        tiebreak=(
            "participant__last_name",
            "participant__first_name",
            "participant_id",
            "group__activity_id",
        ),
        fields=(
            ("participant__last_name", "name"),
            ("participant__birth_date", "birth"),
            ("group__activity__name", "activity"),
        ),
        field_labels={
            "participant__last_name": _("last name"),
            "participant__birth_date": _("date of birth"),
            "group__activity__name": _("activity"),
        },
    )

    def filter_name(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(participant__first_name__icontains=word)
                | Q(participant__last_name__icontains=word)
            )
        return queryset


class CityFilter(django_filters.FilterSet):
    """The groups counted in the figures for the city: an activity or a kind of activity, and
    the order of the activities' table (sorted in Python: the table is one aggregate)."""

    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=Activity.objects.none()
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="activity__kind", choices=ActivityKind.choices
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("name", _("name")), ("-peak", _("most participants"))],
        method="filter_sort",
        empty_label=None,
    )

    def __init__(self, data=None, queryset=None, *, activities: QuerySet[Activity], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["activity"].queryset = activities

    def filter_sort(self, queryset, name, value):
        return queryset  # applied to the table by the view (`sort_key`)

    def sort_key(self) -> str:
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("sort") or "name"
        return "name"
