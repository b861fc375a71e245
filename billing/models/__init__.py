"""Models of the billing app, one module per concept."""

from .discounts import DiscountGrant, DiscountKind, DiscountRule
from .ledger import (
    Allocation,
    BillingRun,
    Charge,
    CreditNote,
    CreditReason,
    OverdueNotice,
    OverdueStage,
    Payment,
    PaymentMethod,
)
from .online import GatewayNotification, OnlinePayment, OnlinePaymentStatus
from .plans import FeePlan, FeePlanKind
from .statements import BankStatement, StatementFormat, StatementLine, StatementLineStatus

__all__ = [
    "Allocation",
    "BankStatement",
    "BillingRun",
    "Charge",
    "CreditNote",
    "CreditReason",
    "DiscountGrant",
    "DiscountKind",
    "DiscountRule",
    "FeePlan",
    "FeePlanKind",
    "GatewayNotification",
    "OnlinePayment",
    "OnlinePaymentStatus",
    "OverdueNotice",
    "OverdueStage",
    "Payment",
    "PaymentMethod",
    "StatementFormat",
    "StatementLine",
    "StatementLineStatus",
]
