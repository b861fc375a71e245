"""Decoding a statement file: UTF-8 (with or without BOM), else Windows-1250.

Polish bank exports are mostly Windows-1250; files that went through a program which guessed the
encoding wrong arrive as mojibake ("Ä…" for "ą", "¹" for "ą"). The candidates are scored by the
Polish letters they show against the tell-tale characters of mojibake, and the best one wins.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .base import StatementLineError

POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# What Polish text looks like when decoded with the wrong table: UTF-8 read as Windows-1250
# ("Ä…", "Ĺ‚", "Ăł"), Windows-1250 read as Latin-1/1252 ("¹", "³", "¿", "œ"), ISO-8859-2 read
# as Windows-1250 ("±", "¶", "Ľ").
MOJIBAKE = frozenset("ÂÃÄÅĂĹĽ¹³¿¥œŸ±¶¼\ufffd")
UTF8_BOM = b"\xef\xbb\xbf"


_POLISH_RE = re.compile("[" + "".join(sorted(POLISH)) + "]")
_BAD_RE = re.compile(
    "[" + "".join(sorted(MOJIBAKE)) + "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2e80-\ud7ff]"
)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def _score(text: str) -> int:
    """Polish letters count for, characters typical of a wrong decode (CJK: Windows-1250 bytes
    read as UTF-8) count against, three times."""
    return len(_POLISH_RE.findall(text)) - 3 * len(_BAD_RE.findall(text))


def _repairs(text: str):
    """The text as it was before a wrong decode-then-encode, where that round-trips."""
    for wrong, right in (("cp1250", "utf-8"), ("cp1252", "cp1250"), ("latin-1", "cp1250")):
        try:
            yield text.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue


def _refuse_binary(data: bytes) -> None:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    # A NUL anywhere (not only in the sample): PostgreSQL text cannot hold one.
    if b"\x00" in data or controls > max(2, len(sample) // 100):
        raise StatementLineError(
            0, _("This is not a text file: choose the statement exported by the bank.")
        )


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a statement file, or StatementLineError when it is not text."""
    if not data.strip():
        raise StatementLineError(0, _("The file is empty."))
    _refuse_binary(data)
    if data.startswith(UTF8_BOM):
        data, encoding = data[len(UTF8_BOM) :], "utf-8-sig"
    else:
        encoding = "utf-8"
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append((data.decode("utf-8"), encoding))
    except UnicodeDecodeError:
        if encoding == "utf-8-sig":
            raise StatementLineError(
                0, _("The file says it is UTF-8 but is not: export it again from the bank.")
            ) from None
    if candidates:
        text = candidates[0][0]
        candidates += [(repaired, "utf-8 (repaired)") for repaired in _repairs(text)]
    if encoding == "utf-8":
        for name in ("cp1250", "iso-8859-2"):
            try:
                candidates.append((data.decode(name), name))
            except UnicodeDecodeError:
                continue
    if not candidates:
        raise StatementLineError(
            0, _("The file's encoding is not recognised: export it as UTF-8 or Windows-1250.")
        )
    # Stable: on a tie the earlier candidate (plain UTF-8, then Windows-1250) wins.
    best_text, best_encoding = max(candidates, key=lambda c: _score(c[0]))
    if _CONTROL_RE.search(best_text):
        raise StatementLineError(
            0, _("The file's encoding is not recognised: export it as UTF-8 or Windows-1250.")
        )
    return best_text, best_encoding
