"""Every kind has Polish and English templates that render with a realistic context."""

import json
import re
import uuid
from types import SimpleNamespace

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from notifications.channels.email import BOUNDARY_DIGITS, NotificationEmail, email_message
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


def _without_boundary_and_date(data: bytes) -> bytes:
    data = re.sub(rb"={15}\d+==", b"BOUNDARY", data)
    return re.sub(rb"Date: [^\r\n]*", b"Date: -", data)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("unsubscribe", [True, False])
def test_the_notification_email_is_byte_for_byte_djangos(kind, language, unsubscribe):
    """NotificationEmail builds the message for less (cached header encoding, no per-message
    folding or boundary regex); what it writes must be what Django's own class writes."""
    context = json.loads(json.dumps(CONTEXTS[kind], cls=DjangoJSONEncoder)) | SYSTEM
    rendered = render_email(kind=kind, language=language, context=context)
    notification = SimpleNamespace(
        public_id=uuid.uuid4(),
        dedupe_key=f"test:{kind}:{'x' * 70}",
        address="Łucja Żak <lucja.zak@example.pl>",
    )
    link = "https://zapisy.example.pl/notifications/unsubscribe/" + "a" * 90 + "/"
    ours = email_message(
        notification=notification,
        rendered=rendered,
        unsubscribe_url=link if unsubscribe else None,
        connection=None,
    )
    django = EmailMultiAlternatives(
        subject=ours.subject,
        body=ours.body,
        from_email=ours.from_email,
        to=ours.to,
        headers=ours.extra_headers,
    )
    django.attach_alternative(rendered.html, "text/html")

    assert isinstance(ours, NotificationEmail)
    for _ in range(2):  # the second time from the caches
        for linesep in ("\r\n", "\n"):
            assert _without_boundary_and_date(
                ours.message().as_bytes(linesep=linesep)
            ) == _without_boundary_and_date(django.message().as_bytes(linesep=linesep))


def test_a_boundary_found_in_a_part_is_left_to_the_generator(monkeypatch):
    monkeypatch.setattr("notifications.channels.email.secrets.randbelow", lambda _n: 7)
    clash = "=" * 15 + f"{7:0{BOUNDARY_DIGITS}d}" + "=="
    message = NotificationEmail(subject="S", body=f"--{clash}\n", to=["a@example.pl"])
    message.attach_alternative("<p>x</p>", "text/html")

    data = message.message().as_bytes()

    assert f'boundary="{clash}"'.encode() not in data
    assert data.count(clash.encode()) == 1  # only in the body
