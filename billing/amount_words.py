"""An amount in words, the Polish way on a payment document: "sto dwadzieścia złotych 50/100".

Polish only on purpose: it is the legal wording of a Polish document, whatever the page language.
"""

from decimal import ROUND_HALF_UP, Decimal

UNITS = [
    "",
    "jeden",
    "dwa",
    "trzy",
    "cztery",
    "pięć",
    "sześć",
    "siedem",
    "osiem",
    "dziewięć",
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
]
TENS = [
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
]
HUNDREDS = [
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
]
# (one, two to four, five and more) for 10^0 (złoty), 10^3, 10^6, 10^9.
SCALES = [
    ("złoty", "złote", "złotych"),
    ("tysiąc", "tysiące", "tysięcy"),
    ("milion", "miliony", "milionów"),
    ("miliard", "miliardy", "miliardów"),
]


def plural_form(n: int, forms: tuple[str, str, str]) -> str:
    """1 złoty, 2–4 złote (but 12–14 złotych), 5+ złotych, 22 złote, 25 złotych."""
    if n == 1:
        return forms[0]
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return forms[1]
    return forms[2]


def _below_thousand(n: int) -> list[str]:
    words = [HUNDREDS[n // 100]]
    rest = n % 100
    if rest < 20:
        words.append(UNITS[rest])
    else:
        words += [TENS[rest // 10], UNITS[rest % 10]]
    return [w for w in words if w]


def number_in_words(n: int) -> str:
    if n < 0 or n >= 10**12:
        raise ValueError(n)
    if n == 0:
        return "zero"
    words: list[str] = []
    for power in range(len(SCALES) - 1, 0, -1):
        chunk = (n // 1000**power) % 1000
        if chunk == 0:
            continue
        # "tysiąc", not "jeden tysiąc"; but "dwadzieścia jeden tysięcy".
        if chunk > 1:
            words += _below_thousand(chunk)
        words.append(plural_form(chunk, SCALES[power]))
    words += _below_thousand(n % 1000)
    return " ".join(words)


def amount_in_words(amount: Decimal) -> str:
    """ "sto dwadzieścia złotych 50/100"; "jeden złoty 00/100"; "zero złotych 05/100"."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(amount)
    zloty = int(amount)
    grosze = int((amount - zloty) * 100)
    currency = plural_form(zloty, SCALES[0])
    return f"{number_in_words(zloty)} {currency} {grosze:02d}/100"
