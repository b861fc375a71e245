"""Statement parsers (pure, no database): each format, encodings, malformed files, references."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st

from billing.exceptions import StatementError
from billing.statements import parse
from billing.statements.base import StatementLineError, parse_amount, parse_date
from billing.statements.encoding import decode
from billing.statements.mt940 import details
from billing.statements.references import ReferenceIndex, reference_find

DATA = Path(__file__).parent / "data"
POLISH = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ"
# Mojibake keeps only what the wrong table can hold: the lower-case letters round-trip.
LOWER = "Zażółć gęślą jaźń, łódź"
GENERIC = (
    "Data;Kwota;Tytuł;Nadawca\n"
    "05.10.2026;150,00;MOK-K7PX3H opłata;" + POLISH + "\n"
    "06.10.2026;-20,00;prowizja;Bank\n"
)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (POLISH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + POLISH.encode("utf-8"), "utf-8-sig"),
        (POLISH.encode("cp1250"), "cp1250"),
        (POLISH.encode("iso-8859-2"), "iso-8859-2"),
    ],
)
def test_polish_letters_come_out_right_in_every_encoding(raw, encoding):
    assert decode(raw) == (POLISH, encoding)


@pytest.mark.parametrize(
    "mojibake",
    [
        # UTF-8 read as Windows-1250 and saved as UTF-8 ("Ĺ‚" for "ł")
        LOWER.encode("utf-8").decode("cp1250").encode("utf-8"),
        # Windows-1250 read as Latin-1 / Windows-1252 and saved as UTF-8 ("¹" for "ą")
        LOWER.encode("cp1250").decode("latin-1").encode("utf-8"),
        LOWER.encode("cp1250").decode("cp1252").encode("utf-8"),
    ],
)
def test_mojibake_is_repaired(mojibake):
    text, encoding = decode(mojibake)
    assert text == LOWER
    assert encoding == "utf-8 (repaired)"


def test_windows_1250_bytes_that_happen_to_be_valid_utf8_still_decode_as_windows_1250():
    raw = "ćłą ęłą".encode("cp1250")  # E6 B3 B9: valid UTF-8 for one CJK character
    raw.decode("utf-8")  # the trap: it does decode
    assert decode(raw) == ("ćłą ęłą", "cp1250")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00\x01\x02PK\x03\x04" * 50,
        bytes(range(256)) * 8,
        b"Data;Kwota;Tytul\r\n" + b"01.11.2026;10,00;MOK-K7PX3H\r\n" * 300 + b"\x00",
    ],
)
def test_empty_or_binary_files_are_refused_with_a_message(raw):
    with pytest.raises(StatementError) as error:
        decode(raw)
    assert str(error.value.message)


def test_an_undecodable_byte_is_refused():
    # 0x98 is undefined in Windows-1250, and 0x81 is a C1 control in ISO-8859-2
    with pytest.raises(StatementError):
        decode(b"Data;Kwota\n" + b"\x98\x81 abc\n")


# --- amounts and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("150,00", "150.00", ""),
        ("1 234,56", "1234.56", ""),
        ("1\u00a0234,56", "1234.56", ""),
        ("1.234,56", "1234.56", ""),
        ("1,234.56", "1234.56", ""),
        ("+150.00", "150.00", ""),
        ("-2,72", "-2.72", ""),
        ("\u221212,5", "-12.50", ""),
        ("14,27 PLN", "14.27", "PLN"),
        ("1.234.567", "1234567.00", ""),
        ("7", "7.00", ""),
    ],
)
def test_amounts_polish_style(raw, amount, currency):
    assert parse_amount(raw, 3) == (Decimal(amount), currency)


@pytest.mark.parametrize("raw", ["", "abc", "12,345", "1,2,3.4.5", "--5", "12,5x", "1e5", "NaN"])
def test_bad_amounts_name_the_line(raw):
    with pytest.raises(StatementLineError) as error:
        parse_amount(raw, 7)
    assert error.value.line == 7


def _polish(amount: Decimal, thousands: str, decimal_mark: str) -> str:
    whole, _dot, grosze = f"{abs(amount):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if amount < 0 else "") + thousands.join(groups) + decimal_mark + grosze


@given(
    amount=st.decimals(min_value=-99999999, max_value=99999999, places=2),
    style=st.sampled_from(
        [(" ", ","), ("\u00a0", ","), (".", ","), ("", ","), (",", "."), ("", ".")]
    ),
)
def test_any_amount_written_polish_or_english_style_reads_back(amount, style):
    text = _polish(amount, *style)
    assert parse_amount(text, 1) == (amount, "")


def test_absurd_amounts_are_refused():
    with pytest.raises(StatementLineError):
        parse_amount("123456789012,00", 2)


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("05.10.2026", dt.date(2026, 10, 5)),
        ("2026-10-05", dt.date(2026, 10, 5)),
        ("5.1.2027", dt.date(2027, 1, 5)),
        ("2026-10-05 12:30:00", dt.date(2026, 10, 5)),
    ],
)
def test_dates(raw, date):
    assert parse_date(raw, 1) == date


@pytest.mark.parametrize("raw", ["31.02.2026", "2026-13-01", "jutro", "10/2026", ""])
def test_bad_dates_name_the_line(raw):
    with pytest.raises(StatementLineError) as error:
        parse_date(raw, 9)
    assert error.value.line == 9


# --- generic CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["generic_utf8.csv", "generic_cp1250.csv"])
def test_generic_csv_sample(name):
    parsed = parse(sample(name), "csv")
    assert parsed.skipped == 1  # the bank's fee (a debit)
    assert [(line.line_no, line.amount) for line in parsed.lines] == [
        (2, Decimal("150.00")),
        (4, Decimal("1234.50")),
        (5, Decimal("80.00")),
    ]
    first = parsed.lines[0]
    assert first.booked_on == dt.date(2026, 10, 5)
    assert first.title == "MOK-K7PX3H opłata za październik"
    assert first.counterparty == "Zażółć Gęślą-Jaźń"
    assert first.counterparty_account == "12109010140000071219812874"
    assert first.bank_reference == "TR-0001"
    assert first.currency == "PLN"
    assert parsed.lines[1].counterparty == "Łucja Źródłowska"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250"])
def test_generic_csv_with_comma_delimiter_iso_dates_and_any_header_case(encoding):
    text = '#DATA,"Kwota",TYTUL,Waluta\n2026-10-05,"1.234,50",Wpłata MOK-K7PX3H,EUR\n'
    [line] = parse(text.encode(encoding), "csv").lines
    assert (line.booked_on, line.amount, line.title, line.currency) == (
        dt.date(2026, 10, 5),
        Decimal("1234.50"),
        "Wpłata MOK-K7PX3H",
        "EUR",
    )


def test_generic_csv_title_may_span_lines_inside_quotes_and_line_numbers_stay_right():
    text = 'Data;Kwota;Tytuł\n01.10.2026;10,00;"dwie\nlinie"\n02.10.2026;xx;zła kwota\n'
    with pytest.raises(StatementLineError) as error:
        parse(text.encode(), "csv")
    assert error.value.line == 4


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Data;Kwota;Tytuł\n05.10.2026;150,00;ok\n31.02.2026;10,00;zła data\n", 3),
        ("Data;Kwota;Tytuł\n05.10.2026;dużo;zła kwota\n", 2),
        ("Data;Kwota;Tytuł\n\n\n05.10.2026;10,00\n", 4),
        ("Data;Kwota\n05.10.2026;10,00\n", 1),  # no title column
        ("Data;Kwota;Tytuł;Waluta\n05.10.2026;10,00;t;złotówki\n", 2),
    ],
)
def test_malformed_generic_csv_names_the_line(text, line):
    with pytest.raises(StatementLineError) as error:
        parse(text.encode("cp1250"), "csv")
    assert error.value.line == line
    assert str(line) in str(error.value.message)


def test_the_error_message_is_translated():
    with pytest.raises(StatementLineError) as error:
        parse("Data;Kwota;Tytuł\n05.10.2026;dużo;x\n".encode(), "csv")
    reason = _("“%(value)s” is not an amount.") % {"value": "dużo"}
    assert error.value.message == _("Line %(line)s: %(reason)s") % {"line": 2, "reason": reason}


def test_a_huge_line_is_refused_with_its_number():
    text = "Data;Kwota;Tytuł\n05.10.2026;10,00;" + "x" * 200_000 + "\n"
    with pytest.raises(StatementLineError) as error:
        parse(text.encode(), "csv")
    assert error.value.line == 2


def test_a_file_without_delimiters_is_refused():
    with pytest.raises(StatementError):
        parse(b"just some text\nand more\n", "csv")


# --- mBank ---------------------------------------------------------------------------------------


def test_mbank_sample_in_windows_1250():
    parsed = parse(sample("mbank_cp1250.csv"), "csv_mbank")
    assert parsed.encoding == "cp1250"
    assert parsed.account == "12114020040000310276543210"
    assert parsed.skipped == 1
    first, second = parsed.lines
    assert (first.line_no, first.booked_on, first.amount) == (
        23,
        dt.date(2026, 10, 5),
        Decimal("150.00"),
    )
    assert first.title == "MOK-K7PX3H opłata październik"
    assert first.counterparty == "JAN KOWALSKI UL. SŁONECZNA 5 64-100 LESZNO"
    assert first.counterparty_account == "61109010140000071219812874"
    # the booking date ("#Data księgowania"), not the operation date
    assert (second.booked_on, second.amount) == (dt.date(2026, 10, 8), Decimal("1200.00"))
    assert second.counterparty == "ŻANETA GRZĘDA"


def test_mbank_newer_layout_with_the_currency_in_the_amount():
    text = (
        "mBank;\n#Waluta;\nPLN;\n\n"
        "#Data operacji;#Opis operacji;#Rachunek;#Kategoria;#Kwota;\n"
        "2026-10-05;MOK-K7PX3H OPŁATA  JAN KOWALSKI;eKonto 1234;Wpływy;150,00 PLN;\n"
        "2026-10-06;BIEDRONKA;eKonto 1234;Jedzenie;-12,50 PLN;\n"
    )
    parsed = parse(text.encode("cp1250"), "csv_mbank")
    [line] = parsed.lines
    assert (line.line_no, line.amount, line.currency) == (6, Decimal("150.00"), "PLN")
    assert line.title == "MOK-K7PX3H OPŁATA JAN KOWALSKI"
    assert parsed.skipped == 1


def test_mbank_without_its_header_is_refused():
    with pytest.raises(StatementError):
        parse(sample("generic_utf8.csv"), "csv_mbank")


# --- PKO BP --------------------------------------------------------------------------------------


def test_pko_sample():
    parsed = parse(sample("pko_cp1250.csv"), "csv_pko")
    assert parsed.skipped == 1
    first, second = parsed.lines
    assert (first.line_no, first.booked_on, first.amount) == (
        2,
        dt.date(2026, 10, 5),
        Decimal("150.00"),
    )
    assert first.title == "MOK-K7PX3H opłata za październik"
    assert first.counterparty == "Józef Pięta"
    assert first.counterparty_account == "61109010140000071219812874"
    assert (second.title, second.counterparty) == ("acde34 wpłata", "Małgorzata Żółć")


def test_pko_with_the_wrong_file_says_so():
    with pytest.raises(StatementError):
        parse(sample("generic_utf8.csv"), "csv_pko")


# --- MT940 ---------------------------------------------------------------------------------------


def test_mt940_sample():
    parsed = parse(sample("statement_cp1250.mt940"), "mt940")
    assert parsed.encoding == "cp1250"
    assert parsed.account == "PL12114020040000310276543210"
    assert parsed.skipped == 1
    tilde, caret, plain = parsed.lines
    assert (tilde.line_no, tilde.booked_on, tilde.amount, tilde.currency) == (
        5,
        dt.date(2026, 10, 5),
        Decimal("150.00"),
        "PLN",
    )
    assert tilde.title == "MOK-K7PX3H opłata za październik"
    assert tilde.counterparty == "JÓZEF PIĘTA"
    assert tilde.counterparty_account == "PL61109010140000071219812874"
    assert tilde.bank_reference == "2610051234567"
    # the entry date (MMDD) is the booking date
    assert (caret.booked_on, caret.title) == (dt.date(2026, 10, 8), "M0K HJKL79 zajęcia plastyczne")
    assert caret.counterparty == "ŻANETA GRZĘDA"
    assert plain.title == "darowizna na festyn Stowarzyszenie Ślężanie"
    assert plain.bank_reference == "REF-77"


def test_mt940_entry_date_across_new_year():
    text = ":20:X\n:60F:C261231PLN0,00\n:61:2612310102C10,00NTRFNONREF\n:86:MOK-K7PX3H\n"
    [line] = parse(text.encode(), "mt940").lines
    assert line.booked_on == dt.date(2027, 1, 2)


def test_mt940_reversals_and_debits_are_skipped():
    text = (
        ":20:X\n:60F:C261001EUR0,00\n"
        ":61:261001RC10,00NTRFNONREF\n:86:zwrot\n"
        ":61:261001RD10,00NTRFNONREF\n:86:zwrot\n"
        ":61:261001C10,00NTRFNONREF\n:86:MOK-K7PX3H\n"
    )
    parsed = parse(text.encode(), "mt940")
    assert parsed.skipped == 2
    assert [line.currency for line in parsed.lines] == ["EUR"]


def test_mt940_details_wrapped_over_lines():
    assert details("020~00VE02~20MOK-K7P\nX3H~21 opłata~32JAN~33 KOWALSKI") == {
        "title": "MOK-K7PX3H opłata",
        "counterparty": "JAN KOWALSKI",
        "account": "",
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (":20:X\n:60F:C261001PLN0,00\n:61:261001C10,00NTRFNONREF\n:61:26100XC1,00NTRF\n", 4),
        (":20:X\n:61:261341C10,00NTRFNONREF\n", 2),
        (":20:X\n:60F:XYZ\n", 2),
        ("hello\n:20:X\n", 1),
    ],
)
def test_malformed_mt940_names_the_line(text, line):
    with pytest.raises(StatementLineError) as error:
        parse(text.encode(), "mt940")
    assert error.value.line == line


def test_a_csv_given_as_mt940_is_refused():
    with pytest.raises(StatementError):
        parse(sample("generic_utf8.csv"), "mt940")


def test_unknown_format():
    with pytest.raises(StatementError):
        parse(b"x", "ofx")


# --- references ----------------------------------------------------------------------------------

INDEX = ReferenceIndex(["MOK-K7PX3H", "MOK-ACDE34", "MOK-HJKL79", "MOK-AAAAAA", "MOK-AAAAAC"])


@pytest.mark.parametrize(
    "title",
    [
        "MOK-K7PX3H",
        "mok-k7px3h",
        "MOK K7PX3H",
        "MOK  -  K7PX3H",
        "mokk7px3h",
        "MOK_K7PX3H",
        "MOK-K7PX3H/opłata za październik",
        "opłata MOK-K7PX3H Zosia",
        "K7PX3H",
        "wpłata k7px3h październik",
        "M0K-K7PX3H",  # zero for O in the prefix
        "MOK-K7PX8H",  # 8 looks like 3
        "MOK-K7PX3J",  # one wrong character
        "MOK-K7PXX3H",  # one extra
        "MOK-K7PX3",  # one missing
        "MOK-7KPX3H",  # two swapped
        "MOK-K7P X3H",  # a space inside
        "MOK-K7PX3H opłata, MOK-K7PX3H",  # the same reference twice
    ],
)
def test_reference_found_as_people_type_it(title):
    assert reference_find(title, INDEX) == "MOK-K7PX3H"


ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"


@given(
    code=st.text(alphabet=ALPHABET, min_size=6, max_size=6),
    separator=st.sampled_from(["-", " ", "", "_", " - ", "/", "."]),
    lower=st.booleans(),
    before=st.sampled_from(["", "opłata ", "Wpłata za zajęcia: "]),
    after=st.sampled_from(["", " październik", "/opłata", ", Zosia"]),
)
def test_any_reference_is_found_whatever_its_case_and_separator(
    code, separator, lower, before, after
):
    reference = f"MOK-{code}"
    index = ReferenceIndex([reference, "MOK-K7PX3H", "MOK-ACDE34"])
    written = f"MOK{separator}{code}"
    title = before + (written.lower() if lower else written) + after
    assert reference_find(title, index) == reference


@pytest.mark.parametrize(
    "title",
    [
        "",
        "opłata za zajęcia",
        "MOKOTOWSKA 5",
        "MOK-K7PX3H i MOK-ACDE34",  # two households: a person decides
        "MOK-AAAAAD",  # one edit from two references: ambiguous
        "MOK-XXXXXX",
        "faktura 202610",  # a bare number is not a reference
    ],
)
def test_no_reference_or_an_ambiguous_one(title):
    assert reference_find(title, INDEX) is None
