"""services/splice.py: a page of fixed parts and holes, gzipped from parts compressed once,
decodes to exactly the page with its holes filled, however the holes fall."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shortscience.services import splice

HEADER, TOKEN = "<!--header-->", "csrfPLACEHOLDER"
PLACEHOLDERS = (HEADER, TOKEN)


def _prepare(body: str) -> splice.Spliced:
    return splice.prepare(body, PLACEHOLDERS, first_only=frozenset({0}), lengths={1: 64})


def _filled(body: str, header: str, token: str) -> bytes:
    return body.replace(HEADER, header, 1).replace(TOKEN, token).encode()


text = st.text(alphabet='ab <>="é∑\nfv', max_size=400)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.tuples(text, st.sampled_from(["", HEADER, TOKEN, TOKEN])), max_size=40),
    header=st.text(max_size=300),
    token=st.text(alphabet="abcdefXYZ0189", min_size=64, max_size=64),
)
def test_the_gzipped_page_is_the_page_with_its_holes_filled(pieces, header, token):
    body = "".join(piece + hole for piece, hole in pieces)
    page = _prepare(body)
    fillings = (header.encode(), token.encode())
    assert splice.plain(page, fillings) == _filled(body, header, token)
    assert gzip.decompress(splice.gzipped(page, fillings)) == _filled(body, header, token)


def test_only_the_first_header_placeholder_is_a_hole():
    page = _prepare(f"a{HEADER}b{HEADER}c")
    assert splice.plain(page, (b"H", b"t" * 64)) == f"aHb{HEADER}c".encode()


def test_a_token_of_another_length_is_still_put_in_right():
    body = f"x{TOKEN}y" * 50
    page = _prepare(body)
    assert gzip.decompress(splice.gzipped(page, (b"", b"short"))) == _filled(body, "", "short")


def test_repeated_tokens_far_apart_are_stored_again_and_near_ones_refer_back():
    # (zlib never refers back to the first byte of its stream: the page starts with text.)
    near, far = f"{TOKEN}{'n' * 100}", f"{TOKEN}{'f' * 40_000}"
    page = _prepare("<p>" + near + near + far + far)
    assert page.repeats == (None, page.repeats[1], page.repeats[2], None)
    assert page.repeats[1] is not None and page.repeats[2] is not None
    token = "Q" * 64
    decoded = zlib.decompress(splice.gzipped(page, (b"", token.encode())), 31)
    assert decoded == _filled("<p>" + near + near + far + far, "", token)


def test_the_token_is_never_compressed_with_the_page_and_the_page_compresses_well():
    # A shared page with a form on every card: the token goes in once as a stored block (no
    # compression oracle on it), and the rest costs little more than gzipping the whole page.
    words = random.Random(7).choices(
        ["model", "loss", "gradient", "layer", "attention", "data", "we", "show", "the"], k=6000
    )
    card = (
        '<article class="card"><h2>Summary {}</h2><p>{}</p><form method="post">'
        '<input name="csrfmiddlewaretoken" value="{}"><button>▲</button></form></article>'
    )
    body = (
        "<html><head></head><body>"
        + HEADER
        + "".join(
            card.format(n, " ".join(words[n * 300 : n * 300 + 300]), TOKEN) for n in range(20)
        )
    )
    page = _prepare(body)
    token = "T0kEn" * 12 + "abcd"
    sent = splice.gzipped(page, (b"<nav>reader</nav>", token.encode()))
    assert token.encode() in sent
    whole = gzip.compress(_filled(body, "<nav>reader</nav>", token), compresslevel=6)
    assert len(sent) <= len(whole) * 1.25


def test_two_holes_of_fixed_length_are_refused():
    with pytest.raises(ValueError, match="at most one"):
        splice.prepare("a", PLACEHOLDERS, lengths={0: 3, 1: 64})


def test_a_stand_in_is_not_utf8_and_repeats_no_three_bytes():
    stand_in = splice.stand_in(64)
    assert len(stand_in) == 64
    with pytest.raises(UnicodeDecodeError):
        stand_in.decode()
    triples = [stand_in[i : i + 3] for i in range(62)]
    assert len(set(triples)) == len(triples)
