"""The ZBP 2D transfer QR payload (`billing.qr`), the amount in words and the settings check."""

from decimal import Decimal

import pytest
from django.core.checks import run_checks
from hypothesis import given
from hypothesis import strategies as st

from billing import qr
from billing.amount_words import amount_in_words, number_in_words
from billing.checks import billing_settings_check

ACCOUNT = "79102035550000123456789012"  # the demo default: checksum holds


def test_account_checksum():
    assert qr.account_is_valid(ACCOUNT)
    assert qr.account_is_valid("PL79 1020 3555 0000 1234 5678 9012")
    assert qr.account_is_valid("61 1090 1014 0000 0712 1981 2874")  # a published example
    assert not qr.account_is_valid("78102035550000123456789012")  # check digits off by one
    assert not qr.account_is_valid("79102035550000123456789013")  # one digit changed
    assert not qr.account_is_valid("7910203555000012345678901")  # 25 digits
    assert not qr.account_is_valid("")


def test_account_is_printed_in_groups_of_four():
    assert qr.account_format(ACCOUNT) == "79 1020 3555 0000 1234 5678 9012"


def test_nip_checksum():
    assert qr.nip_is_valid("5260250274")  # a published example (Ministry of Finance)
    assert not qr.nip_is_valid("5260250275")
    assert not qr.nip_is_valid("526025027")


def test_payload_has_the_nine_fields_of_the_standard():
    fields = qr.transfer_qr(
        account=ACCOUNT,
        amount=Decimal("120.50"),
        recipient="MOK Leszno",
        title="MOK-K7PX3H opłata 10.2026",
    )
    payload = qr.payload_build(fields)
    assert (
        payload == "|PL|79102035550000123456789012|012050|MOK Leszno|MOK-K7PX3H opłata 10.2026|||"
    )
    assert payload.split("|")[3] == "012050"


def test_long_name_and_title_are_fitted_at_a_word_boundary():
    fields = qr.transfer_qr(
        account=ACCOUNT,
        amount=Decimal("1"),
        recipient="Miejski Ośrodek Kultury w Lesznie",
        title="MOK-K7PX3H opłaty za zajęcia taneczne i plastyczne | x",
    )
    assert fields.recipient == "Miejski Ośrodek"
    assert len(fields.title) <= 32 and "|" not in fields.title
    assert qr.payload_parse(qr.payload_build(fields)) == fields


@pytest.mark.parametrize(
    ("amount", "grosze"),
    [(Decimal("0.01"), "000001"), (Decimal("9999.99"), "999999"), (Decimal("100"), "010000")],
)
def test_amount_limits(amount, grosze):
    fields = qr.transfer_qr(account=ACCOUNT, amount=amount, recipient="MOK", title="T")
    assert qr.payload_build(fields).split("|")[3] == grosze


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("10000.00")])
def test_amount_out_of_range_is_refused(amount):
    with pytest.raises(qr.QrAmountError):
        qr.payload_build(qr.transfer_qr(account=ACCOUNT, amount=amount, recipient="M", title="T"))


def test_fraction_of_a_grosz_is_refused():
    with pytest.raises(qr.QrAmountError):
        qr.transfer_qr(account=ACCOUNT, amount=Decimal("1.005"), recipient="M", title="T")


@pytest.mark.parametrize(
    "changes",
    [
        {"account": "79102035550000123456789013"},
        {"nip": "12345"},
        {"recipient": ""},
        {"recipient": "x" * 21},
        {"title": "y" * 33},
        {"title": "a|b"},
        {"country": "pl"},
    ],
)
def test_invalid_fields_are_refused(changes):
    fields = qr.TransferQr(
        **{
            "account": ACCOUNT,
            "amount_grosze": 100,
            "recipient": "MOK",
            "title": "T",
            **changes,
        }
    )
    with pytest.raises(qr.QrError):
        qr.payload_build(fields)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "|PL|79102035550000123456789012|012050|MOK|T||",  # eight fields
        "|PL|79102035550000123456789012|12050|MOK|T|||",  # five-digit amount
        "|PL|79102035550000123456789012|000000|MOK|T|||",  # zero
        "|PL|79102035550000123456789012|012050|MOK|T|||" + "x" * 200,
    ],
)
def test_parser_refuses_malformed_payloads(payload):
    with pytest.raises(qr.QrError):
        qr.payload_parse(payload)


_safe_text = st.text(
    alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cc", "Cs")),
    min_size=1,
)


@given(
    grosze=st.integers(min_value=1, max_value=999_999),
    recipient=_safe_text.map(lambda s: s[:20]).filter(lambda s: s.strip() == s and s),
    title=_safe_text.map(lambda s: s[:32]).filter(lambda s: s.strip() == s and s),
    nip=st.sampled_from(["", "5260250274"]),
)
def test_payload_round_trips(grosze, recipient, title, nip):
    fields = qr.TransferQr(
        account=ACCOUNT, amount_grosze=grosze, recipient=recipient, title=title, nip=nip
    )
    payload = qr.payload_build(fields)
    assert len(payload) <= qr.MAX_PAYLOAD
    assert qr.payload_parse(payload) == fields
    assert qr.payload_parse(payload).amount == Decimal(grosze) / 100


@given(st.text(max_size=80))
def test_text_fit_always_fits(text):
    fitted = qr.text_fit(text, 20)
    assert len(fitted) <= 20 and "|" not in fitted and "\n" not in fitted


def test_svg_and_png_are_rendered():
    payload = qr.payload_build(
        qr.transfer_qr(account=ACCOUNT, amount=Decimal("5"), recipient="MOK", title="MOK-AAAAAA")
    )
    svg = qr.qr_svg(payload, label="Kod QR przelewu")
    assert svg.startswith('<svg role="img" ') and "<title>Kod QR przelewu</title>" in svg
    assert qr.qr_png_data_uri(payload).startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("120.50", "sto dwadzieścia złotych 50/100"),
        ("1", "jeden złoty 00/100"),
        ("2", "dwa złote 00/100"),
        ("5", "pięć złotych 00/100"),
        ("12", "dwanaście złotych 00/100"),
        ("22.05", "dwadzieścia dwa złote 05/100"),
        ("0.99", "zero złotych 99/100"),
        ("1000", "tysiąc złotych 00/100"),
        ("1001", "tysiąc jeden złotych 00/100"),
        ("2345.67", "dwa tysiące trzysta czterdzieści pięć złotych 67/100"),
        ("15000", "piętnaście tysięcy złotych 00/100"),
        ("22000", "dwadzieścia dwa tysiące złotych 00/100"),
        (
            "99999.99",
            "dziewięćdziesiąt dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć"
            " złotych 99/100",
        ),
        ("1000000", "milion złotych 00/100"),
        ("2000000", "dwa miliony złotych 00/100"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_number_in_words_refuses_negatives():
    with pytest.raises(ValueError):
        number_in_words(-1)


def test_system_check_fails_on_a_bad_account(settings):
    assert billing_settings_check() == []
    settings.BILLING_ACCOUNT_NUMBER = "79102035550000123456789013"
    assert [e.id for e in billing_settings_check()] == ["billing.E001"]
    assert "billing.E001" in [e.id for e in run_checks()]


def test_system_check_wants_p24_credentials(settings):
    settings.BILLING_GATEWAY = "przelewy24"
    settings.P24_MERCHANT_ID = ""
    assert [e.id for e in billing_settings_check()] == ["billing.E005"]
    settings.BILLING_GATEWAY = "paypal"
    assert [e.id for e in billing_settings_check()] == ["billing.E004"]
