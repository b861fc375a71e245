import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, Kind
from .models import Notification, NotificationStatus


class NotificationFilter(django_filters.FilterSet):
    """The delivery log's search: recipient, address or key; status, channel, kind, dates."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NotificationStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    created_from = django_filters.DateFilter(
        label=_("Queued from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        label=_("Queued until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    broadcast = django_filters.NumberFilter(
        label=_("Broadcast"), field_name="broadcast_id", widget=forms.HiddenInput
    )

    class Meta:
        model = Notification
        fields = ["q", "status", "channel", "kind", "created_from", "created_to", "broadcast"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(address__icontains=value)
            | Q(recipient_name__icontains=value)
            | Q(dedupe_key__icontains=value)
            | Q(user__email__icontains=value)
        )
