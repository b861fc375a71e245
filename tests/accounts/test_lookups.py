import pytest
from django import forms

from enrollment.models import Participant
from tests.enrollment.factories import family

pytestmark = pytest.mark.django_db

HUGE = [2**63, 2**70, -(2**63) - 1]


def test_in_with_numbers_a_column_cannot_hold_matches_nothing_instead_of_failing():
    _user, [kid] = family()
    assert list(Participant.objects.filter(pk__in=HUGE)) == []
    assert list(Participant.objects.filter(pk__in=[kid.pk, *HUGE])) == [kid]
    assert list(Participant.objects.exclude(pk__in=HUGE)) == [kid]


def test_a_multiple_choice_field_answers_a_huge_id_with_a_form_error():
    _user, [kid] = family()

    class Form(forms.Form):
        who = forms.ModelMultipleChoiceField(queryset=Participant.objects.all())

    for value in (str(2**63), str(10**30)):
        form = Form({"who": [value]})
        assert not form.is_valid() and "who" in form.errors
    assert Form({"who": [str(kid.pk)]}).is_valid()
