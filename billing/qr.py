"""The Polish bank transfer QR code: the payload of the ZBP "Rekomendacja 2D" standard.

Source: Związek Banków Polskich, "Rekomendacja dotycząca standardu 2D kodów na fakturach"
(2013-12-03, https://zbp.pl/getmedia/1d7fef90-d193-4a2d-a1c3-ffdf1b0e0649/2013-12-03_-_Rekomendacja_-_Standard_2D),
as implemented by e.g. MarcinOrlowski/bank-qrcode-formatter (src/Builder.php). Nine fields,
separated by "|", at most 160 characters in all:

    1 recipient's NIP     10 digits, or empty (required for companies, optional otherwise)
    2 country code        2 letters ("PL")
    3 account number      26 digits (NRB, no "PL" prefix, no spaces)
    4 amount              6 digits, in grosze, zero-padded (000001 .. 999999 = 9 999,99 zł)
    5 recipient's name    at most 20 characters
    6 transfer title      at most 32 characters
    7 reserved            at most 20 (payment identifier), empty here
    8 reserved            at most 12 (Invobill), empty here
    9 reserved            at most 24, empty here

So a payload reads e.g. "|PL|79102035550000123456789012|012050|MOK Leszno|MOK-K7PX3H opłaty|||".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .exceptions import BillingError

SEPARATOR = "|"
MAX_PAYLOAD = 160
MAX_NAME = 20
MAX_TITLE = 32
RESERVED_LENGTHS = (20, 12, 24)
MAX_GROSZE = 999_999  # six digits: 9 999,99 zł
MAX_QR_AMOUNT = Decimal("9999.99")

_DIGITS_26 = re.compile(r"\d{26}")
_NIP = re.compile(r"\d{10}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_AMOUNT = re.compile(r"\d{6}")
# Characters a bank app would misread: the separator and line breaks / control characters.
_UNSAFE = re.compile(r"[|\x00-\x1f\x7f]")


class QrError(BillingError):
    default_message = _("The transfer QR code cannot be made from these details.")


class QrAmountError(QrError):
    default_message = _(
        "The QR code holds amounts from 0,01 zł to 9 999,99 zł; enter the details by hand."
    )


def account_digits(value: str) -> str:
    """The 26 digits of a Polish account number written with spaces or a "PL" prefix."""
    digits = re.sub(r"[\s-]", "", value or "").upper()
    if digits.startswith("PL"):
        digits = digits[2:]
    return digits


def account_is_valid(value: str) -> bool:
    """26 digits whose IBAN check (PL, mod 97) holds."""
    digits = account_digits(value)
    if not _DIGITS_26.fullmatch(digits):
        return False
    # IBAN: move "PL" + check digits to the end, letters as numbers (P=25, L=21), mod 97 == 1.
    return int(digits[2:] + "2521" + digits[:2]) % 97 == 1


def account_format(value: str) -> str:
    """ "79 1020 3555 0000 1234 5678 9012": the way Polish banks print an account number."""
    digits = account_digits(value)
    return " ".join([digits[:2], *(digits[i : i + 4] for i in range(2, 26, 4))])


def nip_is_valid(value: str) -> bool:
    """A Polish tax number: 10 digits with its weighted checksum."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not _NIP.fullmatch(digits):
        return False
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return check != 10 and check == int(digits[9])


def text_fit(value: str, limit: int) -> str:
    """Text made safe for a field: no separators or line breaks, single spaces, cut at a word
    boundary where there is one."""
    text = " ".join(_UNSAFE.sub(" ", value or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0]
    return (cut if 0 < len(cut) <= limit else text[:limit]).strip()


def amount_to_grosze(amount: Decimal) -> int:
    grosze = Decimal(amount) * 100
    if grosze != grosze.to_integral_value():
        raise QrAmountError()
    return int(grosze)


@dataclass(frozen=True)
class TransferQr:
    account: str
    amount_grosze: int
    recipient: str
    title: str
    nip: str = ""
    country: str = "PL"
    reserved: tuple[str, str, str] = ("", "", "")

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_grosze) / 100).quantize(Decimal("0.01"))


def transfer_qr(
    *, account: str, amount: Decimal, recipient: str, title: str, nip: str = ""
) -> TransferQr:
    """The fields for a payment request: the name and title fitted to their lengths."""
    return TransferQr(
        account=account_digits(account),
        amount_grosze=amount_to_grosze(amount),
        recipient=text_fit(recipient, MAX_NAME),
        title=text_fit(title, MAX_TITLE),
        nip=re.sub(r"[\s-]", "", nip or ""),
    )


def _validate(qr: TransferQr) -> None:
    if qr.nip and not _NIP.fullmatch(qr.nip):
        raise QrError(_("The recipient's NIP must have 10 digits."))
    if not _COUNTRY.fullmatch(qr.country):
        raise QrError(_("The country code must be two capital letters."))
    if not account_is_valid(qr.account) or not _DIGITS_26.fullmatch(qr.account):
        raise QrError(_("The account number is not a valid Polish account number."))
    if not 0 < qr.amount_grosze <= MAX_GROSZE:
        raise QrAmountError()
    if not qr.recipient or len(qr.recipient) > MAX_NAME or _UNSAFE.search(qr.recipient):
        raise QrError(_("The recipient's name must have 1 to 20 characters, without “|”."))
    if not qr.title or len(qr.title) > MAX_TITLE or _UNSAFE.search(qr.title):
        raise QrError(_("The transfer title must have 1 to 32 characters, without “|”."))
    for value, limit in zip(qr.reserved, RESERVED_LENGTHS, strict=True):
        if len(value) > limit or _UNSAFE.search(value):
            raise QrError()


def payload_build(qr: TransferQr) -> str:
    """The payload string, validated field by field and as a whole (at most 160 characters)."""
    _validate(qr)
    payload = SEPARATOR.join(
        [
            qr.nip,
            qr.country,
            qr.account,
            f"{qr.amount_grosze:06d}",
            qr.recipient,
            qr.title,
            *qr.reserved,
        ]
    )
    if len(payload) > MAX_PAYLOAD:
        raise QrError()
    return payload


def payload_parse(payload: str) -> TransferQr:
    """The fields of a payload (what a bank app reads), validated like `payload_build`."""
    if len(payload) > MAX_PAYLOAD:
        raise QrError()
    parts = payload.split(SEPARATOR)
    if len(parts) != 9 or not _AMOUNT.fullmatch(parts[3]):
        raise QrError()
    nip, country, account, amount, recipient, title, *reserved = parts
    qr = TransferQr(
        account=account,
        amount_grosze=int(amount),
        recipient=recipient,
        title=title,
        nip=nip,
        country=country,
        reserved=tuple(reserved),
    )
    _validate(qr)
    return qr


def qr_svg(payload: str, *, label: str = "") -> str:
    """The QR code as inline SVG (an image with a text alternative)."""
    import segno

    svg = segno.make(payload, error="m", micro=False).svg_inline(
        scale=4, border=4, title=label or None, svgclass="transfer-qr"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


def qr_png_data_uri(payload: str) -> str:
    """The QR code as a PNG data URI, for the PDF (WeasyPrint fetches nothing)."""
    import segno

    return segno.make(payload, error="m", micro=False).png_data_uri(scale=6, border=4)
