"""Writes of the billing app. Every function changes state inside one transaction."""

from .charges import billing_run, cancelled_meetings_credit, proration_rule_text
from .late_charges import enrollment_changes_settle, late_activations_charge
from .ledger import amount_clean, credit_note_issue, household_allocate, payment_record
from .overdue import family_cards_remind, overdue_follow_up
from .quotes import DiscountContext, Quote, discounts_apply, price_quote
from .unused_credits import unused_periods_credit

__all__ = [
    "DiscountContext",
    "Quote",
    "amount_clean",
    "billing_run",
    "cancelled_meetings_credit",
    "credit_note_issue",
    "discounts_apply",
    "enrollment_changes_settle",
    "family_cards_remind",
    "household_allocate",
    "late_activations_charge",
    "overdue_follow_up",
    "payment_record",
    "price_quote",
    "proration_rule_text",
    "unused_periods_credit",
]
