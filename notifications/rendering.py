"""Message templates, rendered in the recipient's language inside the task.

Each kind has `notifications/messages/<kind>/<language>/` with `subject.txt`, `body.txt`,
`body.html` and `sms.txt`. Plain-text parts go through an engine without HTML autoescaping.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext

from . import conf
from .exceptions import RenderError
from .smstext import SmsText, sms_prepare

TEMPLATE_ROOT = "notifications/messages"


@functools.cache
def text_engine() -> Engine:
    return Engine(
        app_dirs=True,
        autoescape=False,
        libraries=get_installed_libraries(),
        builtins=["django.templatetags.i18n", "django.templatetags.l10n"],
    )


def template_name(kind: str, language: str, part: str) -> str:
    return f"{TEMPLATE_ROOT}/{kind}/{language}/{part}"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _render(kind: str, language: str, part: str, context: dict[str, Any], *, html: bool) -> str:
    """One part, rendered in the active language (the callers switch to `language` once)."""
    name = template_name(kind, language, part)
    try:
        if html:
            return get_template(name).render(context)
        return text_engine().get_template(name).render(Context(context, autoescape=False))
    except Exception as exc:
        raise _PartError(name, f"{exc.__class__.__name__}: {exc}") from exc


class _PartError(Exception):
    """A part failed to render; turned into a RenderError once the recipient's language is
    left, so the reason is written in the language active outside (the centre's)."""

    def __init__(self, name: str, detail: str):
        super().__init__(name, detail)
        self.name, self.detail = name, detail

    def render_error(self) -> RenderError:
        return RenderError(_render_error(self.name, self.detail))


def _render_error(name: str, detail: str) -> str:
    return gettext("Template %(name)s: %(error)s") % {"name": name, "error": detail}


def render_email(*, kind: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    try:
        with translation.override(language):
            subject = " ".join(_render(kind, language, "subject.txt", context, html=False).split())
            text = _render(kind, language, "body.txt", context, html=False)
            html = _render(kind, language, "body.html", context, html=True)
    except _PartError as error:
        raise error.render_error() from error.__cause__
    if not subject:
        raise RenderError(
            _render_error(
                template_name(kind, language, "subject.txt"), gettext("the text is empty")
            )
        )
    return RenderedEmail(subject=subject, text=_tidy(text), html=html.strip())


def render_sms(*, kind: str, language: str, context: dict[str, Any]) -> SmsText:
    try:
        with translation.override(language):
            raw = _render(kind, language, "sms.txt", context, html=False)
    except _PartError as error:
        raise error.render_error() from error.__cause__
    prepared = sms_prepare(
        raw,
        transliterate=conf.get("NOTIFICATIONS_SMS_TRANSLITERATE"),
        max_segments=conf.get("NOTIFICATIONS_SMS_MAX_SEGMENTS"),
    )
    if not prepared.text:
        raise RenderError(
            _render_error(template_name(kind, language, "sms.txt"), gettext("the text is empty"))
        )
    return prepared


def _tidy(text: str) -> str:
    """Template tags leave blank lines behind: keep at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
