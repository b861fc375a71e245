import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from billing.models import DiscountKind, FeePlanKind
from billing.services.charges import proration_rule_text
from billing.templatetags.billing_tags import pln_format
from tests.billing.factories import DiscountGrantFactory
from tests.enrollment.factories import family
from tests.factories import FeePlanFactory, GroupFactory

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), f"1{NBSP}234,50{NBSP}zł"),
        (Decimal("0"), f"0,00{NBSP}zł"),
        ("-12.50", f"\u221212,50{NBSP}zł"),
        (Decimal("1234567.891"), f"1{NBSP}234{NBSP}567,89{NBSP}zł"),
        (80, f"80,00{NBSP}zł"),
        (None, ""),
        ("abc", ""),
        ("NaN", ""),
    ],
)
def test_pln_formats_money_the_polish_way(value, shown):
    assert pln_format(value) == shown
    assert Template("{% load billing_tags %}{{ v|pln }}").render(Context({"v": value})) == shown


@pytest.mark.django_db
def test_quote_tag_lists_the_fee_each_discount_and_the_total():
    _user, [kid] = family()
    group = GroupFactory()
    plan = FeePlanFactory(group=group, kind=FeePlanKind.MONTHLY, amount=Decimal("120.00"))
    DiscountGrantFactory(household=kid.household, kind=DiscountKind.LARGE_FAMILY_CARD)

    html = Template(
        "{% load billing_tags %}{% price_quote p g as quote %}{% quote_table quote p g %}"
    ).render(Context({"p": kid, "g": group}))

    # The Large Family Card rule of the data migration: 25% of 120,00 zł.
    assert f"120,00{NBSP}zł" in html
    assert f"\u221230,00{NBSP}zł" in html
    assert f"90,00{NBSP}zł" in html
    assert str(DiscountKind.LARGE_FAMILY_CARD.label) in html
    assert escape(proration_rule_text(plan)) in html


@pytest.mark.django_db
def test_quote_tag_says_nothing_for_a_group_without_a_price():
    _user, [kid] = family()
    group = GroupFactory()
    html = Template(
        "{% load billing_tags %}{% price_quote p g as quote %}[{% quote_table quote p g %}]"
    ).render(Context({"p": kid, "g": group}))
    assert "".join(html.split()) == "[]"


@pytest.mark.django_db
def test_enrollment_page_shows_the_price_with_the_discount_before_confirming(client):
    user, [older, younger] = family(children=2)
    younger.birth_date = dt.date(2019, 5, 1)
    younger.save()
    group = GroupFactory()
    FeePlanFactory(group=group, kind=FeePlanKind.MONTHLY, amount=Decimal("100.00"))
    DiscountGrantFactory(
        household=older.household,
        kind=DiscountKind.INDIVIDUAL,
        participant=younger,
        percent=Decimal("10"),
        reason="Decyzja dyrektora",
        card_number="",
        valid_until=None,
    )
    client.force_login(user)

    response = client.get(reverse("enrollment:enroll", args=[group.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert gettext("Fee and discounts") in html
    assert "Decyzja dyrektora" in html
    assert f"\u221210,00{NBSP}zł" in html  # the younger child's individual discount
    assert f"90,00{NBSP}zł" in html and f"100,00{NBSP}zł" in html
