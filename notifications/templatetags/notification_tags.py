"""Filters for message templates, whose context is JSON: dates and amounts arrive as text."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime

register = template.Library()


@register.filter
def as_datetime(value):
    """An ISO date-time (or datetime) in the centre's time zone; "" when it is not one."""
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, ZoneInfo(settings.TIME_ZONE))
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


@register.filter
def as_date(value):
    """An ISO date (or date); a date-time gives its day in the centre's time zone."""
    if isinstance(value, str):
        text = value.strip()
        value = parse_date(text) if len(text) == 10 else parse_datetime(text)
    if isinstance(value, dt.datetime):
        value = as_datetime(value).date()
    return value if isinstance(value, dt.date) else ""


@register.filter
def pln(value):
    """An amount in złoty for the active language: "1 200,00 zł" / "PLN 1,200.00"."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    if translation.get_language() == "en":
        return f"PLN {number}"
    return f"{number} zł"
