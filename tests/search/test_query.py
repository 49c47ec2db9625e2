"""The query language on its own: what each piece of syntax means, and that no input raises."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shortscience.search.query import MAX_TERMS, Term, parse


def test_words_are_lower_cased_terms_that_must_all_match():
    parsed = parse("Attention Transformer")
    assert parsed.terms == (Term(("attention",)), Term(("transformer",)))


def test_a_quoted_phrase_is_one_term_of_several_tokens():
    assert parse('"object detection" fast').terms == (
        Term(("object", "detection")),
        Term(("fast",)),
    )


def test_a_minus_excludes_a_word_or_a_phrase():
    parsed = parse('cnn -rnn -"long short"')
    assert parsed.positive == (Term(("cnn",)),)
    assert parsed.negative == (
        Term(("rnn",), negated=True),
        Term(("long", "short"), negated=True),
    )


def test_title_and_author_restrict_a_word_or_a_phrase_to_that_field():
    parsed = parse('title:"residual learning" author:hinton')
    assert parsed.terms == (
        Term(("residual", "learning"), "title"),
        Term(("hinton",), "author"),
    )


def test_venue_user_and_has_summary_are_filters_not_words():
    parsed = parse("venue:NeurIPS user:@Ada has:summary")
    assert parsed.terms == ()
    assert parsed.venues == ("neurips",)
    assert parsed.users == ("ada",)
    assert parsed.has_summary


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("year:2017", (2017, 2017)),
        ("year:2017..2019", (2017, 2019)),
        ("year:2019..2017", (2017, 2019)),
        ("year:..2015", (None, 2015)),
        ("year:2020..", (2020, None)),
    ],
)
def test_a_year_is_one_year_or_a_range_open_at_either_end(text, span):
    parsed = parse(text)
    assert (parsed.year_from, parsed.year_to) == span


def test_a_malformed_year_is_ignored_with_a_note():
    parsed = parse("year:soon cats")
    assert parsed.year_from is None and parsed.year_to is None
    assert parsed.terms == (Term(("cats",)),)
    assert parsed.notes


def test_a_hyphenated_word_or_an_identifier_is_a_phrase_of_its_parts():
    assert parse("r-cnn").terms == (Term(("r", "cnn")),)
    assert parse("1706.03762").terms == (Term(("1706", "03762")),)


def test_an_unbalanced_quote_is_only_a_character():
    assert parse('"deep learning').terms == (Term(("deep",)), Term(("learning",)))
    assert parse('a "b c" "d').terms == (Term(("a",)), Term(("b", "c")), Term(("d",)))


def test_engine_syntax_degrades_to_plain_words():
    parsed = parse("NEAR(cats dogs) AND fish* OR ^bird title:(x) foo:bar")
    words = [t.tokens for t in parsed.terms]
    assert words == [
        ("near",),
        ("cats",),
        ("dogs",),
        ("fish",),
        ("bird",),
        ("x",),
        ("foo",),
        ("bar",),
    ]


def test_an_unknown_field_is_more_words():
    assert parse("colour:red").terms == (Term(("colour",)), Term(("red",)))


def test_very_long_input_is_cut_to_a_bounded_number_of_terms():
    parsed = parse(" ".join(f"word{i}" for i in range(5000)))
    assert len(parsed.terms) == MAX_TERMS


def test_the_parsed_query_reads_back_in_the_same_syntax():
    text = (
        'attention "neural machine" -rnn title:transformer venue:nips year:2017..2019 '
        "user:ada has:summary"
    )
    assert str(parse(text)) == text


def test_nothing_searchable_is_an_empty_query():
    assert parse("  *** () -  ").is_empty


@given(st.text(max_size=300))
def test_no_input_makes_the_parser_raise(text):
    parsed = parse(text)
    for term in parsed.terms:
        assert term.tokens and all(tok.isalnum() for tok in term.tokens)
