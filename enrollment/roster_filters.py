"""Filters of the coordinator's pages: the groups they manage and one group's roster."""

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clubs.filters import FlagFilter
from clubs.models import Activity, ActivityKind, Season

from .models import EnrollmentStatus, PriorityTier

S = EnrollmentStatus

# The roster's tabs: which statuses each shows, and in which order.
TABS: dict[str, tuple[str, ...]] = {
    "active": (S.ACTIVE,),
    "pending": (S.PENDING,),
    "waitlisted": (S.WAITLISTED,),
    "offered": (S.OFFERED,),
    "history": (S.WITHDRAWN, S.REJECTED, S.DECLINED, S.EXPIRED, S.MOVED),
}
TAB_ORDER: dict[str, tuple[str, ...]] = {
    "active": ("participant__last_name", "participant__first_name", "pk"),
    "pending": ("requested_at", "pk"),
    "waitlisted": ("priority_tier", "waitlist_rank", "pk"),  # the queue, as the services see it
    "offered": ("offer_expires_at", "pk"),
    "history": ("-updated_at", "-pk"),
}
TAB_CHOICES = [
    ("active", pgettext_lazy("roster tab", "Active")),
    ("pending", pgettext_lazy("roster tab", "Awaiting approval")),
    ("waitlisted", pgettext_lazy("roster tab", "Waiting list")),
    ("offered", pgettext_lazy("roster tab", "Offered")),
    ("history", pgettext_lazy("roster tab", "History")),
]
DEFAULT_TAB = "active"


class ManagedGroupFilter(django_filters.FilterSet):
    """The groups a coordinator or the office runs. The season is resolved by the view."""

    season = django_filters.ModelChoiceFilter(
        label=_("Season"),
        queryset=Season.objects.order_by("-starts_on"),
        method="filter_season",
        empty_label=_("Current season"),
    )
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=Activity.objects.none()
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="activity__kind", choices=ActivityKind.choices
    )
    waiting = FlagFilter(label=_("Only groups with a waiting list"), method="filter_waiting")
    full = FlagFilter(label=_("Only full groups"), method="filter_full")
    pending = FlagFilter(
        label=_("Only groups with requests awaiting approval"), method="filter_pending"
    )

    def __init__(self, data=None, queryset=None, *, activities: QuerySet[Activity], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["activity"].queryset = activities

    def filter_season(self, queryset, name, value):
        return queryset  # see `selected_season`

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(waitlist_length__gt=0) if value else queryset

    def filter_full(self, queryset, name, value):
        return queryset.filter(places_taken__gte=F("capacity")) if value else queryset

    def filter_pending(self, queryset, name, value):
        # `pending` is the view's annotation (one COUNT over the group's enrollments).
        return queryset.filter(pending__gt=0) if value else queryset

    def selected_season(self) -> Season | None:
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("season"):
            return self.form.cleaned_data["season"]
        # Staff prepare next season before it is published: fall back to the newest one.
        return Season.objects.current() or Season.objects.order_by("-starts_on").first()


class RosterFilter(django_filters.FilterSet):
    """One group's enrollments: a tab (status), a name search and the priority tier."""

    status = django_filters.ChoiceFilter(
        label=_("List"), choices=TAB_CHOICES, method="filter_status", empty_label=None
    )
    q = django_filters.CharFilter(
        label=_("First or last name"), method="filter_name", max_length=100
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"),
        field_name="priority_tier",
        choices=PriorityTier.choices,
        empty_label=_("any"),
    )

    def filter_status(self, queryset, name, value):
        tab = value if value in TABS else DEFAULT_TAB
        return queryset.filter(status__in=TABS[tab]).order_by(*TAB_ORDER[tab])

    def filter_name(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(participant__first_name__icontains=word)
                | Q(participant__last_name__icontains=word)
            )
        return queryset
