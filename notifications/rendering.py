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
    name = template_name(kind, language, part)
    try:
        with translation.override(language):
            if html:
                return get_template(name).render(context)
            return text_engine().get_template(name).render(Context(context, autoescape=False))
    except Exception as exc:
        raise RenderError(_render_error(name, f"{exc.__class__.__name__}: {exc}")) from exc


def _render_error(name: str, detail: str) -> str:
    return gettext("Template %(name)s: %(error)s") % {"name": name, "error": detail}


def render_email(*, kind: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    subject = _render(kind, language, "subject.txt", context, html=False)
    subject = " ".join(subject.split())
    if not subject:
        raise RenderError(
            _render_error(
                template_name(kind, language, "subject.txt"), gettext("the text is empty")
            )
        )
    return RenderedEmail(
        subject=subject,
        text=_tidy(_render(kind, language, "body.txt", context, html=False)),
        html=_render(kind, language, "body.html", context, html=True).strip(),
    )


def render_sms(*, kind: str, language: str, context: dict[str, Any]) -> SmsText:
    raw = _render(kind, language, "sms.txt", context, html=False)
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
