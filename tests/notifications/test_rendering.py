"""Every kind has Polish and English templates that render with a realistic context."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from notifications.kinds import SPECS, Kind
from notifications.rendering import render_email, render_sms
from notifications.templatetags.notification_tags import as_date, as_datetime, pln

from .samples import CONTEXTS

SYSTEM = {
    "recipient_name": "Anna Wiśniewska",
    "unsubscribe_url": "https://zapisy.example.pl/notifications/unsubscribe/x/",
    "preferences_url": "https://zapisy.example.pl/notifications/settings/",
    "site_url": "https://zapisy.example.pl/",
}


def test_every_kind_has_a_sample_context():
    assert set(CONTEXTS) == set(SPECS) == set(Kind.values)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_renders_in_both_languages(kind, language):
    context = json.loads(json.dumps(CONTEXTS[kind], cls=DjangoJSONEncoder)) | SYSTEM

    email = render_email(kind=kind, language=language, context=context)
    sms = render_sms(kind=kind, language=language, context=context)

    for text in (email.subject, email.text, email.html, sms.text):
        assert text.strip()
        assert "{{" not in text and "{%" not in text
    assert "\n" not in email.subject
    assert f'<html lang="{language}">' in email.html
    assert sms.segments <= 2
    assert SYSTEM["unsubscribe_url"] in email.text


@pytest.mark.parametrize("kind", Kind.values)
def test_sms_with_only_the_required_context_fit_in_two_segments(kind):
    spec = SPECS[kind]
    full = json.loads(json.dumps(CONTEXTS[kind], cls=DjangoJSONEncoder))
    minimal = {key: full[key] for key in spec.required_context}
    for language in ("pl", "en"):
        assert render_sms(kind=kind, language=language, context=minimal).segments <= 2


def test_the_overdue_notice_escalates_by_stage():
    context = json.loads(json.dumps(CONTEXTS[Kind.FEE_OVERDUE], cls=DjangoJSONEncoder))
    subjects = [
        render_email(
            kind=Kind.FEE_OVERDUE, language="pl", context=context | {"stage": stage}
        ).subject
        for stage in (1, "2", 3)
    ]
    # A subject is one line of plain spaces.
    assert subjects == [
        "Przypomnienie o zaległej opłacie: 1 240,50 zł",
        "Ponowne przypomnienie o zaległej opłacie: 1 240,50 zł",
        "Ostateczne wezwanie do zapłaty: 1 240,50 zł",
    ]


def test_filters_read_json_values_in_the_centres_time_zone():
    moment = as_datetime("2026-03-14T09:00:00Z")
    assert (moment.hour, str(moment.tzinfo)) == (10, "Europe/Warsaw")
    assert as_date("2026-03-14").isoformat() == "2026-03-14"
    assert as_date("2026-03-14T23:30:00Z").isoformat() == "2026-03-15"
    assert as_datetime("not a date") == ""
    assert as_date(None) == ""


def test_amounts_in_the_active_language():
    with translation.override("pl"):
        assert pln("1240.5") == "1\xa0240,50 zł"
    with translation.override("en"):
        assert pln("1240.5") == "PLN 1,240.50"
    assert pln("abc") == ""
