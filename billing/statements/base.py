"""What every statement parser returns, and how it says a file is wrong.

Parsers are pure: bytes in, `ParsedStatement` out, no database. A file that cannot be read raises
`StatementLineError` naming the line and the reason; nothing of it is imported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..exceptions import StatementError

# The largest amount a statement line may carry (the model's 10 digits, 2 of them grosze).
MAX_LINE_AMOUNT = Decimal("99999999.99")
GROSZ = Decimal("0.01")


class StatementLineError(StatementError):
    """A malformed statement: `line` is the 1-based line in the file (0: the file as a whole)."""

    def __init__(self, line: int, reason):
        self.line = line
        self.reason = str(reason)
        if line:
            message = _("Line %(line)s: %(reason)s") % {"line": line, "reason": self.reason}
        else:
            message = self.reason
        super().__init__(message)


@dataclass(frozen=True)
class CreditLine:
    """One incoming transfer of a statement."""

    line_no: int
    booked_on: dt.date
    amount: Decimal
    currency: str
    title: str
    counterparty: str = ""
    counterparty_account: str = ""
    bank_reference: str = ""


@dataclass
class ParsedStatement:
    encoding: str
    account: str = ""
    lines: list[CreditLine] = field(default_factory=list)
    skipped: int = 0  # debit (or zero) lines: not payments, counted only


_SPACES = re.compile(r"\s+")


def clean_text(value: str, limit: int) -> str:
    """Quotes, padding and runs of whitespace removed; at most `limit` characters."""
    value = value.strip().strip('"').strip("'").strip()
    return _SPACES.sub(" ", value)[:limit]


def clean_account(value: str) -> str:
    """An account number without spaces, quotes or dashes (IBAN letters kept), at most 40."""
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()[:40]


_AMOUNT = re.compile(r"^([+-]?)(\d[\d.,]*)$")


def parse_amount(raw: str, line: int) -> tuple[Decimal, str]:
    """`"1 234,56"`, `"-1.234,56"`, `"+150.00"`, `"150,00 PLN"` -> (signed Decimal, currency)."""
    text = raw.strip().strip('"').replace("\u00a0", "").replace(" ", "").replace("'", "")
    currency = ""
    match = re.match(r"^(.*?)([A-Za-z]{3})$", text)
    if match:
        text, currency = match.group(1), match.group(2).upper()
    text = text.replace("\u2212", "-")
    match = _AMOUNT.match(text)
    if not match:
        raise StatementLineError(line, _("“%(value)s” is not an amount.") % {"value": raw[:40]})
    sign, digits = match.groups()
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif digits.count(",") == 1:
        decimal_mark = ","
    elif digits.count(".") == 1:
        decimal_mark = "."
    else:
        decimal_mark = ""  # only thousands separators, or none
    thousands = {",": ".", ".": ",", "": ",."}[decimal_mark]
    for mark in thousands:
        digits = digits.replace(mark, "")
    if decimal_mark:
        whole, _sep, frac = digits.partition(decimal_mark)
        if decimal_mark in frac or len(frac) > 2 or not whole:
            raise StatementLineError(line, _("“%(value)s” is not an amount.") % {"value": raw[:40]})
        digits = f"{whole}.{frac or '0'}"
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise StatementLineError(
            line, _("“%(value)s” is not an amount.") % {"value": raw[:40]}
        ) from None
    if amount > MAX_LINE_AMOUNT:
        raise StatementLineError(
            line, _("The amount “%(value)s” is too large.") % {"value": raw[:40]}
        )
    amount = amount.quantize(GROSZ)
    return (-amount if sign == "-" else amount), currency


_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
)


def parse_date(raw: str, line: int) -> dt.date:
    """dd.mm.yyyy or yyyy-mm-dd (and their / and - cousins); a time after the date is ignored."""
    text = raw.strip().strip('"').strip().split(" ")[0].split("T")[0]
    for pattern, order in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise StatementLineError(
        line,
        _("“%(value)s” is not a date (dd.mm.yyyy or yyyy-mm-dd).") % {"value": raw[:40]},
    )
