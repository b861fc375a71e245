"""CSV statements: a generic layout with a documented column mapping, and bank presets.

Generic (docs/bank-statements.md): the first non-empty line is the header; columns are found by
name (case, diacritics, `#` and spaces ignored); the delimiter (`;`, `,` or tab) is the one the
header uses most. Presets know a bank's export: its preamble, its column names and how it packs
the title and the payer into the description.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from .base import (
    CreditLine,
    ParsedStatement,
    StatementLineError,
    clean_account,
    clean_text,
    parse_amount,
    parse_date,
)

TITLE_LIMIT = 500
NAME_LIMIT = 300
REFERENCE_LIMIT = 100
MAX_FIELD = 10_000  # characters in one cell; a longer one is not a bank export

# field -> header names (normalized: lower case, no diacritics, no `#`, single spaces).
GENERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "booked_on": (
        "data ksiegowania",
        "data operacji",
        "data",
        "booking date",
        "date",
    ),
    "amount": ("kwota", "kwota operacji", "amount"),
    "currency": ("waluta", "currency"),
    "title": ("tytul", "tytul operacji", "tytul przelewu", "opis", "opis operacji", "title"),
    "counterparty": (
        "nadawca",
        "nazwa nadawcy",
        "kontrahent",
        "nadawca/odbiorca",
        "platnik",
        "payer",
        "counterparty",
    ),
    "counterparty_account": (
        "rachunek nadawcy",
        "numer rachunku nadawcy",
        "numer konta",
        "rachunek kontrahenta",
        "account",
        "payer account",
    ),
    "bank_reference": (
        "numer referencyjny",
        "id transakcji",
        "identyfikator transakcji",
        "reference",
        "bank reference",
    ),
}
REQUIRED = ("booked_on", "amount", "title")


def header_key(name: str) -> str:
    """`"#Data księgowania "` -> `"data ksiegowania"`."""
    name = name.strip().strip('"').lstrip("#").strip().lower().replace("ł", "l")
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", name)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise StatementLineError(
            0, _("No columns found: the header must separate them with “;” or “,”.")
        )
    return best


def _rows(lines: list[str], start: int, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number in the file, cells) from `lines[start:]`; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter)
    line_no = start
    while True:
        first = reader.line_num + 1 + start
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise StatementLineError(
                first, _("The line cannot be read as CSV (%(error)s).") % {"error": error}
            ) from None
        line_no = first
        if any(len(cell) > MAX_FIELD for cell in cells):
            raise StatementLineError(line_no, _("A column is too long for a bank statement."))
        yield line_no, cells


def _columns(header: list[str], mapping: dict[str, tuple[str, ...]], line_no: int):
    keys = [header_key(cell) for cell in header]
    columns: dict[str, int] = {}
    for field, names in mapping.items():
        for name in names:  # the first listed name present wins
            if name in keys:
                columns[field] = keys.index(name)
                break
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        expected = ", ".join(f"“{mapping[field][0]}”" for field in missing)
        raise StatementLineError(
            line_no, _("The header has no column for: %(columns)s.") % {"columns": expected}
        )
    return columns


def _cell(cells: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _credit(
    parsed: ParsedStatement,
    *,
    line_no: int,
    date: str,
    amount: str,
    currency: str,
    title: str,
    counterparty: str = "",
    account: str = "",
    reference: str = "",
) -> None:
    booked_on = parse_date(date, line_no)
    value, amount_currency = parse_amount(amount, line_no)
    if value <= 0:
        parsed.skipped += 1
        return
    code = clean_text(currency, 3).upper() or amount_currency or "PLN"
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise StatementLineError(
            line_no, _("“%(value)s” is not a currency code.") % {"value": currency[:10]}
        )
    parsed.lines.append(
        CreditLine(
            line_no=line_no,
            booked_on=booked_on,
            amount=value,
            currency=code,
            title=clean_text(title, TITLE_LIMIT),
            counterparty=clean_text(counterparty, NAME_LIMIT),
            counterparty_account=clean_account(account),
            bank_reference=clean_text(reference, REFERENCE_LIMIT),
        )
    )


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _first_content_line(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip():
            return index
    raise StatementLineError(0, _("The file is empty."))


def _header_too_short(line_no: int):
    return StatementLineError(line_no, _("The line has fewer columns than the header."))


def parse_generic(text: str, encoding: str) -> ParsedStatement:
    lines = text.splitlines()
    start = _first_content_line(lines)
    delimiter = _delimiter(lines[start])
    rows = _rows(lines, start, delimiter)
    header_no, header = next(rows)
    columns = _columns(header, GENERIC_COLUMNS, header_no)
    parsed = ParsedStatement(encoding=encoding)
    needed = max(columns.values())
    for line_no, cells in rows:
        if _blank(cells):
            continue
        if len(cells) <= needed:
            raise _header_too_short(line_no)
        _credit(
            parsed,
            line_no=line_no,
            date=_cell(cells, columns, "booked_on"),
            amount=_cell(cells, columns, "amount"),
            currency=_cell(cells, columns, "currency"),
            title=_cell(cells, columns, "title"),
            counterparty=_cell(cells, columns, "counterparty"),
            account=_cell(cells, columns, "counterparty_account"),
            reference=_cell(cells, columns, "bank_reference"),
        )
    return parsed


# --- mBank: preamble, a `#Data operacji;...` header, rows, then a `#...` footer ------------------

MBANK_COLUMNS: dict[str, tuple[str, ...]] = {
    "booked_on": ("data ksiegowania", "data operacji"),
    "amount": ("kwota",),
    "currency": ("waluta",),
    "title": ("tytul", "opis operacji"),
    "counterparty": ("nadawca/odbiorca", "nadawca / odbiorca"),
    "counterparty_account": ("numer konta", "rachunek nadawcy"),
    "bank_reference": (),
}


def parse_mbank(text: str, encoding: str) -> ParsedStatement:
    lines = text.splitlines()
    header_index = next(
        (
            i
            for i, line in enumerate(lines)
            if header_key(line).startswith("data operacji") and "kwota" in header_key(line)
        ),
        None,
    )
    if header_index is None:
        raise StatementLineError(
            0, _("No mBank header (“#Data operacji;…”) found: is this an mBank CSV export?")
        )
    rows = _rows(lines, header_index, ";")
    header_no, header = next(rows)
    columns = _columns(header, MBANK_COLUMNS, header_no)
    parsed = ParsedStatement(encoding=encoding)
    account = re.search(r"#?Numer rachunku;?\s*\n?([\d ]{26,32})", text)
    parsed.account = clean_account(account.group(1)) if account else ""
    needed = max(columns.values())
    for line_no, cells in rows:
        if _blank(cells) or cells[0].lstrip().startswith("#"):
            break  # the footer: balances and totals
        if len(cells) <= needed:
            raise _header_too_short(line_no)
        _credit(
            parsed,
            line_no=line_no,
            date=_cell(cells, columns, "booked_on"),
            amount=_cell(cells, columns, "amount"),
            currency=_cell(cells, columns, "currency"),
            title=_cell(cells, columns, "title"),
            counterparty=_cell(cells, columns, "counterparty"),
            account=_cell(cells, columns, "counterparty_account"),
        )
    return parsed


# --- PKO BP: a quoted, comma-separated export; the description is spread over the last columns,
# each cell "Label: value" ("Tytuł: ...", "Nazwa nadawcy: ...", "Rachunek nadawcy: ...") ---------

PKO_COLUMNS: dict[str, tuple[str, ...]] = {
    "booked_on": ("data operacji", "data waluty"),
    "amount": ("kwota",),
    "currency": ("waluta",),
    "title": ("opis transakcji",),
}
PKO_LABELS = {
    "tytul": "title",
    "nazwa nadawcy": "counterparty",
    "rachunek nadawcy": "account",
    "numer referencyjny": "reference",
}


def _pko_description(cells: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    loose: list[str] = []
    for cell in cells:
        label, sep, value = cell.partition(":")
        field = PKO_LABELS.get(header_key(label)) if sep else None
        if field:
            found.setdefault(field, value.strip())
        elif cell.strip():
            loose.append(cell.strip())
    if "title" not in found:
        found["title"] = " ".join(loose)
    return found


def parse_pko(text: str, encoding: str) -> ParsedStatement:
    lines = text.splitlines()
    start = _first_content_line(lines)
    rows = _rows(lines, start, _delimiter(lines[start]))
    header_no, header = next(rows)
    keys = [header_key(cell) for cell in header]
    if "typ transakcji" not in keys:
        raise StatementLineError(
            header_no,
            _("No PKO BP header (“Data operacji”, “Data waluty”, “Typ transakcji”…) found."),
        )
    columns = _columns(header, PKO_COLUMNS, header_no)
    parsed = ParsedStatement(encoding=encoding)
    first_description = columns["title"]
    for line_no, cells in rows:
        if _blank(cells):
            continue
        if len(cells) <= max(columns["amount"], columns["booked_on"]):
            raise _header_too_short(line_no)
        description = _pko_description(cells[first_description:])
        _credit(
            parsed,
            line_no=line_no,
            date=_cell(cells, columns, "booked_on"),
            amount=_cell(cells, columns, "amount"),
            currency=_cell(cells, columns, "currency"),
            title=description.get("title", ""),
            counterparty=description.get("counterparty", ""),
            account=description.get("account", ""),
            reference=description.get("reference", ""),
        )
    return parsed


PARSERS: dict[str, Callable[[str, str], ParsedStatement]] = {
    "csv": parse_generic,
    "csv_mbank": parse_mbank,
    "csv_pko": parse_pko,
}
