import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import ActivityKind, Category, Group, Season, Venue, Weekday, WeeklySlot

TRUE_VALUES = frozenset({"1", "true", "on", "yes", "tak"})
FALSE_VALUES = frozenset({"0", "false", "off", "no", "nie"})


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox that hands the raw value to its field, so `free=maybe` is an error, not True."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda v: str(v).lower() in TRUE_VALUES)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class FlagField(forms.Field):
    widget = FlagCheckbox

    def to_python(self, value):
        if value in (None, "", False):
            return None
        if value is True:
            return True
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(_("Use “true” or “false”."), code="invalid")


class FlagFilter(django_filters.Filter):
    field_class = FlagField


class GroupFilter(django_filters.FilterSet):
    """Catalogue filters, shared by the public page and the JSON API."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    age = django_filters.NumberFilter(
        label=_("Age"),
        method="filter_age",
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 120}),
    )
    weekday = django_filters.ChoiceFilter(
        label=_("Weekday"), choices=Weekday.choices, method="filter_weekday"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="activity__kind", choices=ActivityKind.choices
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), field_name="activity__category", choices=Category.choices
    )
    venue = django_filters.ModelChoiceFilter(
        label=_("Venue"), field_name="room__venue", queryset=Venue.objects.all()
    )
    season = django_filters.ModelChoiceFilter(
        label=_("Season"), queryset=Season.objects.published(), method="filter_season"
    )
    free = FlagFilter(label=_("Only groups with free places"), method="filter_free")

    class Meta:
        model = Group
        fields = ["q", "age", "weekday", "kind", "category", "venue", "season", "free"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(activity__name__icontains=value)
            | Q(activity__description__icontains=value)
        )

    def filter_age(self, queryset, name, value):
        return queryset.for_age(int(value)) if value is not None else queryset

    def filter_weekday(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(WeeklySlot.objects.filter(group=OuterRef("pk"), weekday=int(value)))
        )

    def filter_season(self, queryset, name, value):
        # The season is resolved by the view (default: the current one); see `selected_season`.
        return queryset

    def filter_free(self, queryset, name, value):
        return queryset.with_free_places() if value else queryset

    def selected_season(self) -> Season | None:
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("season"):
            return self.form.cleaned_data["season"]
        return Season.objects.current()
