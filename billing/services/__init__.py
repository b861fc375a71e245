"""Writes of the billing app. Every function changes state inside one transaction."""

from .ledger import amount_clean, credit_note_issue, household_allocate, payment_record
from .quotes import DiscountContext, Quote, discounts_apply, price_quote

__all__ = [
    "DiscountContext",
    "Quote",
    "amount_clean",
    "credit_note_issue",
    "discounts_apply",
    "household_allocate",
    "payment_record",
    "price_quote",
]
