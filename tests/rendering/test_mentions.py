"""@username mentions: linked when the caller says the name exists, never inside code, links or
e-mail addresses; rendering stays pure (the known names are passed in)."""

from __future__ import annotations

from shortscience.rendering import render_markdown
from shortscience.rendering.mentions import candidates, mentioned_in

KNOWN = {"ada": "/users/ada/", "bob.smith": "/users/bob.smith/"}


def _html(source: str) -> str:
    return render_markdown(source, heading_offset=3, mentions=KNOWN).html


def test_a_known_name_links_to_the_persons_page():
    html = _html("Thanks @ada, see above.")
    assert '<a href="/users/ada/"' in html and 'class="mention"' in html
    assert ">@ada</a>, see above." in html
    assert mentioned_in(html) == ["ada"]


def test_an_unknown_name_stays_text():
    html = _html("Hello @nobody and @ada")
    assert "@nobody" in html and "/users/nobody/" not in html
    assert mentioned_in(html) == ["ada"]


def test_a_sentences_full_stop_is_not_part_of_the_name():
    html = _html("Ask @bob.smith.")
    assert ">@bob.smith</a>." in html


def test_code_links_and_email_addresses_are_never_mentions():
    for source in (
        "`@ada` in code",
        "    @ada in a code block",
        "[see @ada](https://example.org/)",
        "mail ada@ada.org or bob@ada",
        "<https://example.org/@ada>",
        "https://example.org/@ada",
    ):
        assert mentioned_in(_html(source)) == [], source


def test_without_known_names_nothing_changes():
    assert render_markdown("Hi @ada").html == render_markdown("Hi @ada", mentions={}).html
    assert "mention" not in render_markdown("Hi @ada").html


def test_mentions_inside_emphasis_and_lists_link_too():
    html = _html("- *thanks @ada*\n- **@bob.smith**")
    assert mentioned_in(html) == ["ada", "bob.smith"]


def test_candidates_are_the_distinct_names_written_in_order():
    assert candidates("@b @a @b x@c `@d`") == ["b", "a", "d"]
    assert candidates("no mention here") == []
