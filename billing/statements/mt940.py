"""MT940 statements (SWIFT), as Polish banks export them.

Tags: `:20:` reference, `:25:` account, `:28C:` number, `:60F:`/`:60M:` opening balance (its
currency is the statement's), `:61:` one transaction, `:86:` its details, `:62F:` closing balance.
`:61:` is `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount(type)(customer ref)[//bank ref]`, the amount
with a decimal comma. `:86:` is free text, or structured subfields as Polish banks write them:
`~20`..`~25` (or `^20`..) the title, `~32`/`~33` the payer's name, `~38` the payer's IBAN.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .base import (
    CreditLine,
    ParsedStatement,
    StatementLineError,
    clean_account,
    clean_text,
    parse_amount,
)
from .csv_formats import NAME_LIMIT, REFERENCE_LIMIT, TITLE_LIMIT

TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
LINE_61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d{1,15},\d{0,2})(?P<type>[A-Z][A-Z0-9]{3})(?P<customer>[^/]*?)"
    r"(?://(?P<bank>.*))?$"
)
BALANCE = re.compile(r"^[CD]\d{6}(?P<currency>[A-Z]{3})\d")
SUBFIELD = re.compile(r"[~^](\d{2})")
TITLE_CODES = ("20", "21", "22", "23", "24", "25", "26")
NAME_CODES = ("32", "33")
MAX_LINE = 2_000  # characters; MT940 lines are at most 65


def _date(yymmdd: str, line_no: int) -> dt.date:
    try:
        return dt.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        raise StatementLineError(
            line_no, _("“%(value)s” is not a date (YYMMDD).") % {"value": yymmdd}
        ) from None


def _entry_date(value_date: dt.date, mmdd: str, line_no: int) -> dt.date:
    """The booking date MMDD takes the value date's year, or the next/previous one at New Year."""
    month, day = int(mmdd[:2]), int(mmdd[2:])
    year = value_date.year
    if month == 1 and value_date.month == 12:
        year += 1
    elif month == 12 and value_date.month == 1:
        year -= 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise StatementLineError(
            line_no, _("“%(value)s” is not a date (MMDD).") % {"value": mmdd}
        ) from None


def details(text: str) -> dict[str, str]:
    """`:86:` as title, counterparty and account, from subfields where there are any."""
    joined = "".join(text.split("\n"))
    marks = list(SUBFIELD.finditer(joined))
    if not marks:
        return {"title": " ".join(part.strip() for part in text.split("\n"))}
    fields: dict[str, list[str]] = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(joined)
        fields.setdefault(mark.group(1), []).append(joined[mark.end() : end])
    title = "".join("".join(fields.get(code, [])) for code in TITLE_CODES)
    name = "".join("".join(fields.get(code, [])) for code in NAME_CODES).strip()
    account = "".join(fields.get("38", [])) or "".join(fields.get("31", []))
    return {"title": title, "counterparty": name, "account": account}


def _tags(text: str) -> list[tuple[int, str, str]]:
    """(line number, tag, value with continuation lines joined by newlines)."""
    tags: list[tuple[int, str, str]] = []
    started = False
    for index, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if len(line) > MAX_LINE:
            raise StatementLineError(index, _("The line is too long for MT940."))
        if not line.strip() or line.startswith("{") or line.strip() in ("-", "-}"):
            continue  # blank lines and the SWIFT envelope ({1:...}{2:...}{4: ... -})
        match = TAG.match(line)
        if match:
            started = True
            tags.append((index, match.group(1), match.group(2)))
        elif started:
            number, tag, value = tags[-1]
            tags[-1] = (number, tag, value + "\n" + line)
        else:
            raise StatementLineError(
                index, _("MT940 lines start with a tag such as “:20:”; this one does not.")
            )
    if not any(tag == "61" for _number, tag, _value in tags) and not any(
        tag == "20" for _number, tag, _value in tags
    ):
        raise StatementLineError(0, _("No MT940 statement found (no “:20:” or “:61:” tag)."))
    return tags


def parse_mt940(text: str, encoding: str) -> ParsedStatement:
    parsed = ParsedStatement(encoding=encoding)
    currency = "PLN"
    pending: tuple[int, dict] | None = None

    def flush(detail: dict[str, str] | None = None) -> None:
        nonlocal pending
        if pending is None:
            return
        line_no, entry = pending
        pending = None
        if entry is None:
            return  # a debit: counted already
        detail = detail or {}
        parsed.lines.append(
            CreditLine(
                line_no=line_no,
                booked_on=entry["booked_on"],
                amount=entry["amount"],
                currency=entry["currency"],
                title=clean_text(detail.get("title", "") or entry["supplementary"], TITLE_LIMIT),
                counterparty=clean_text(detail.get("counterparty", ""), NAME_LIMIT),
                counterparty_account=clean_account(detail.get("account", "")),
                bank_reference=clean_text(entry["bank_reference"], REFERENCE_LIMIT),
            )
        )

    for line_no, tag, value in _tags(text):
        if tag == "86":
            if pending is not None:
                flush(details(value))
            continue
        flush()
        if tag == "25" and not parsed.account:
            parsed.account = clean_account(value)
        elif tag in ("60F", "60M"):
            match = BALANCE.match(value.strip())
            if not match:
                raise StatementLineError(
                    line_no, _("The opening balance (“:60F:”) cannot be read.")
                )
            currency = match.group("currency")
        elif tag == "61":
            first, _sep, supplementary = value.partition("\n")
            match = LINE_61.match(first.strip())
            if not match:
                raise StatementLineError(
                    line_no,
                    _("The transaction (“:61:”) cannot be read: expected date, C or D, amount."),
                )
            value_date = _date(match.group("value"), line_no)
            booked_on = (
                _entry_date(value_date, match.group("entry"), line_no)
                if match.group("entry")
                else value_date
            )
            amount, _code = parse_amount(match.group("amount"), line_no)
            if match.group("mark") != "C" or amount <= 0:
                parsed.skipped += 1
                pending = (line_no, None)
                continue
            bank_reference = (match.group("bank") or "").strip()
            customer = match.group("customer").strip()
            if not bank_reference and customer.upper() != "NONREF":
                bank_reference = customer
            pending = (
                line_no,
                {
                    "booked_on": booked_on,
                    "amount": amount,
                    "currency": currency,
                    "bank_reference": bank_reference,
                    "supplementary": supplementary,
                },
            )
    flush()
    return parsed
