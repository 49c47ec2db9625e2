"""services/text.py: what people submit, normalised."""

from __future__ import annotations

import pytest

from shortscience.services.text import clean_text, parse_year


def test_clean_text_keeps_unix_newlines_and_drops_nul_and_lone_surrogates():
    assert clean_text("a\r\nb\rc\x00d") == "a\nb\ncd"
    cleaned = clean_text("x\ud800y")
    assert cleaned.encode("utf-8") and cleaned.startswith("x") and cleaned.endswith("y")


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("2017", 2017),
        (" 1999 ", 1999),
        ("17", None),
        ("\uff12\uff10\uff11\uff17", None),  # full-width digits
        ("20a7", None),
        ("", None),
    ],
)
def test_a_year_is_four_plain_digits_or_nothing(raw, year):
    assert parse_year(raw) == year
