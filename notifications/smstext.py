"""SMS length: GSM 03.38 (160 characters, 153 per part) or UCS-2 (70, 67 per part).

One Polish letter outside GSM-7 (ą ć ę ł ń ó ś ź ż) turns the whole message into UCS-2 and
halves its length, so by default Polish letters are written without diacritics, as Polish SMS
usually are; the text is then cut to the allowed number of segments at a word boundary.
"""

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each of these takes two septets (an escape and the character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

POLISH_TO_ASCII = str.maketrans(
    {
        **dict(zip("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ", strict=True)),
        "„": '"',
        "”": '"',
        "“": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)

GSM7 = "GSM-7"
UCS2 = "UCS-2"
ELLIPSIS = "..."


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str
    units: int
    segments: int


def _is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _segments(widths: list[int], single: int, part: int) -> int:
    total = sum(widths)
    if total <= single:
        return 1 if total else 0
    # A character never straddles two parts (an escape pair or a surrogate pair).
    segments, used = 1, 0
    for width in widths:
        if used + width > part:
            segments += 1
            used = 0
        used += width
    return segments


def sms_measure(text: str) -> SmsText:
    if _is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        return SmsText(text, GSM7, sum(widths), _segments(widths, 160, 153))
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsText(text, UCS2, sum(widths), _segments(widths, 70, 67))


def sms_prepare(text: str, *, transliterate: bool = True, max_segments: int = 2) -> SmsText:
    """One line of text that fits `max_segments` segments."""
    text = " ".join(text.split())
    if transliterate:
        text = text.translate(POLISH_TO_ASCII)
    measured = sms_measure(text)
    if measured.segments <= max_segments:
        return measured
    return sms_measure(_truncate(text, max_segments))


def _truncate(text: str, max_segments: int) -> str:
    # The longest prefix that fits with the ellipsis (segments grow with length: bisect).
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if sms_measure(text[:middle].rstrip() + ELLIPSIS).segments <= max_segments:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    # Prefer a word boundary when one is near (a cut word or link is worse than a shorter text).
    space = cut.rfind(" ")
    if space >= max(1, math.floor(low * 0.8)):
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS
