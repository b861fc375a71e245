"""SMS length: GSM-7 vs UCS-2 segments, Polish letters, cutting to two segments."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.smstext import GSM7, UCS2, sms_measure, sms_prepare

POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("€" * 80, GSM7, 160, 1),  # extension characters take two septets
        ("€" * 81, GSM7, 162, 2),
        ("ł" * 70, UCS2, 70, 1),
        ("ł" * 71, UCS2, 71, 2),
        ("ł" * 134, UCS2, 134, 2),
        ("ł" * 135, UCS2, 135, 3),
        ("a" * 69 + "😀", UCS2, 71, 2),  # a surrogate pair is two units
    ],
)
def test_measure(text, encoding, units, segments):
    measured = sms_measure(text)
    assert (measured.encoding, measured.units, measured.segments) == (encoding, units, segments)


def test_polish_letters_and_typography_become_gsm7():
    prepared = sms_prepare("Zażółć gęślą jaźń – „cudzysłów” …")
    assert prepared.text == 'Zazolc gesla jazn - "cudzyslow" ...'
    assert prepared.encoding == GSM7


def test_without_transliteration_polish_letters_make_ucs2():
    prepared = sms_prepare("Zajęcia odwołane", transliterate=False)
    assert (prepared.text, prepared.encoding) == ("Zajęcia odwołane", UCS2)


def test_whitespace_is_one_line():
    assert sms_prepare("  Zajęcia\n\nodwołane \t dziś ").text == "Zajecia odwolane dzis"


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis():
    prepared = sms_prepare("słowo " * 100, max_segments=2)
    assert prepared.segments == 2
    assert prepared.text.endswith("slowo...")
    assert len(prepared.text) <= 306


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=1200), transliterate=st.booleans(), limit=st.integers(1, 3))
def test_any_text_fits_the_segment_limit(text, transliterate, limit):
    prepared = sms_prepare(text, transliterate=transliterate, max_segments=limit)
    assert prepared.segments <= limit
    assert "\n" not in prepared.text


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(POLISH + "abcxyz ABC.,:-0123456789"), max_size=600))
def test_polish_text_is_always_gsm7_once_transliterated(text):
    prepared = sms_prepare(text)
    assert prepared.encoding == GSM7
    assert not set(prepared.text) & set(POLISH)
