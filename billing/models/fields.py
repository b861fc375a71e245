"""Money fields: PLN as Decimal with two places."""

from decimal import Decimal

from django.db import models

ZERO = Decimal("0.00")
GROSZ = Decimal("0.01")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", 10)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)
