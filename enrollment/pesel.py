"""PESEL, the Polish national identification number: checksum and the birth date it encodes."""

import datetime as dt

WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# Month offsets by century.
CENTURIES = {0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800}


def pesel_birth_date(pesel: str) -> dt.date | None:
    """The birth date a valid PESEL encodes, or None when the number is not a valid PESEL."""
    if len(pesel) != 11 or not pesel.isascii() or not pesel.isdigit():
        return None
    digits = [int(c) for c in pesel]
    if (10 - sum(w * d for w, d in zip(WEIGHTS, digits, strict=False)) % 10) % 10 != digits[10]:
        return None
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    offset = (month // 20) * 20
    century = CENTURIES.get(offset)
    if century is None:
        return None
    try:
        return dt.date(century + year, month - offset, day)
    except ValueError:
        return None
