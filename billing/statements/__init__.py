"""Bank statement parsers: bytes of a file in, credit lines out. Pure: no database.

`parse(data, format)` decodes the file (`encoding.decode`) and hands the text to the parser of
the format (`StatementFormat` values). A file that cannot be read raises `StatementLineError`
(a `billing.exceptions.StatementError`) naming the line and the reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .base import CreditLine, ParsedStatement, StatementLineError
from .csv_formats import PARSERS as CSV_PARSERS
from .encoding import decode
from .mt940 import parse_mt940

PARSERS = {**CSV_PARSERS, "mt940": parse_mt940}

__all__ = ["PARSERS", "CreditLine", "ParsedStatement", "StatementLineError", "decode", "parse"]


def parse(data: bytes, format: str) -> ParsedStatement:
    parser = PARSERS.get(format)
    if parser is None:
        raise StatementLineError(0, _("Unknown statement format."))
    text, encoding = decode(data)
    return parser(text, encoding)
