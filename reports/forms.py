"""Forms of the reports pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.models import Category, Season

from .annual import MAX_YEAR, MIN_YEAR
from .config import BracketSpec, RowSpec
from .models import Section


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AgeBracketForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60)
    age_min = forms.IntegerField(label=_("From (years)"), min_value=0, max_value=150)
    age_max = forms.IntegerField(
        label=_("To (years, inclusive)"),
        min_value=0,
        max_value=150,
        required=False,
        help_text=_("Empty means no limit."),
    )

    def spec(self) -> BracketSpec:
        data = self.cleaned_data
        return BracketSpec(data["label"], data["age_min"], data.get("age_max"))


class ReportRowForm(forms.Form):
    section = forms.ChoiceField(label=_("Table"), choices=Section.choices)
    label = forms.CharField(label=_("Row of the form"), max_length=120)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    categories = forms.MultipleChoiceField(
        label=_("Activity categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def spec(self) -> RowSpec:
        data = self.cleaned_data
        return RowSpec(data["section"], data["label"], data["position"], tuple(data["categories"]))


AgeBracketFormSet = forms.formset_factory(AgeBracketForm, extra=1, can_delete=True)
ReportRowFormSet = forms.formset_factory(ReportRowForm, extra=1, can_delete=True)


def specs_of(formset) -> list:
    """The specs of the filled, not deleted forms of a valid formset."""
    return [
        form.spec()
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class RolloverForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Copy from season"), queryset=Season.objects.order_by("-starts_on")
    )
    target = forms.ModelChoiceField(
        label=_("To season"), queryset=Season.objects.order_by("-starts_on")
    )
