"""services/text.py: what people submit, normalised."""

from __future__ import annotations

import pytest

from shortscience.services.errors import InvalidInput
from shortscience.services.text import clean_text, mail_subject, one_line, parse_year, squeezed_line


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


@pytest.mark.parametrize(
    "raw",
    [
        "Ada\nLovelace",
        "Ada\rLovelace",
        "Ada\tLovelace",
        "Ada\x00",
        "Ada\x1b[31m",
        "Ada\x85Lovelace",  # NEXT LINE, a C1 control
        "Ada\u2028Lovelace",  # LINE SEPARATOR
        "Ada \u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
        "\u2066Ada\u2069",  # an isolate
    ],
)
def test_a_one_line_field_refuses_line_breaks_tabs_and_control_characters(raw):
    with pytest.raises(InvalidInput) as refused:
        one_line(raw, field="display_name", label="display name")
    assert "one line" in refused.value.message
    assert refused.value.field_errors["display_name"]


def test_a_one_line_field_keeps_letters_of_every_script_and_joiners():
    persian = "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"  # with a ZWNJ
    for name in ("  Ada Lovelace  ", "Émilie du Châtelet", persian, "👩\u200d🔬 Ada"):
        assert one_line(name, field="f", label="f") == name.strip()


def test_a_mail_subject_is_one_bounded_line_whatever_the_text():
    assert mail_subject("Ada\nLovelace\r\n\tcommented") == "Ada Lovelace commented"
    assert mail_subject("a\x00b\u2028c \u202eevil\u202c") == "ab c evil"
    long = mail_subject("word " * 100, 50)
    assert len(long) == 50 and long.endswith("…") and "\n" not in long


def test_text_from_elsewhere_is_squeezed_to_one_line_not_refused():
    # What an ORCID record's name becomes as a display name.
    assert squeezed_line(" Ada\n\tLovelace\u202e ", 100) == "Ada Lovelace"
    assert len(squeezed_line("x" * 300, 100)) == 100
