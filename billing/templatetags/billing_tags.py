"""Template tags of billing: money in Polish style, the price quote for the enrollment page, and
links to routes that another part of billing may not have mounted yet.

The enrollment app may not import billing (tests/test_architecture.py), so its templates reach the
quote through `{% load billing_tags %}` instead.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch, reverse

from ..services.quotes import Quote
from ..services.quotes import price_quote as quote_for

register = template.Library()

NBSP = "\u00a0"
MINUS = "\u2212"


def pln_format(value) -> str:
    """`Decimal("1234.5")` -> "1 234,50 zł" (non-breaking spaces), negatives with a minus sign."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    if not amount.is_finite():
        return ""
    sign = MINUS if amount < 0 else ""
    whole, _dot, grosze = f"{abs(amount):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{NBSP.join(groups)},{grosze}{NBSP}zł"


@register.filter(name="pln")
def pln(value) -> str:
    return pln_format(value)


@register.filter
def negate(value):
    """A household's negative balance shown as its credit."""
    try:
        return -Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""


@register.simple_tag(name="price_quote")
def price_quote_tag(participant, group) -> Quote | None:
    """`{% price_quote participant group as quote %}`: None when the group is free or unpriced."""
    if participant is None or group is None:
        return None
    return quote_for(participant, group)


def proration_text(group) -> str:
    """The proration rule sentence of the group's fee plan, when the charges module offers one."""
    try:
        from ..services.charges import proration_rule_text
    except ImportError:
        return ""
    plan = getattr(group, "fee_plan", None)
    if plan is None:
        return ""
    return str(proration_rule_text(plan) or "")


@register.inclusion_tag("billing/includes/quote.html")
def quote_table(quote, participant=None, group=None):
    """The lines of a quote: the fee, each discount with its percent, and the total."""
    return {
        "quote": quote,
        "participant": participant,
        "proration": proration_text(group) if quote is not None and group is not None else "",
    }


@register.simple_tag
def url_if_exists(name, *args) -> str:
    """The URL of a named route, or "" while the route does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
