"""Normalising what people submit: text without NUL bytes or lone surrogates, Unix newlines;
one-line fields (names, labels) without control characters; mail subjects that are always one
safe header line; years that are four plain digits; the folded words that saved searches are
matched by."""

from __future__ import annotations

import re
import unicodedata

from shortscience.services.errors import InvalidInput

# Bidirectional embeddings, overrides and isolates: they make text read in another order than
# it is stored ("Trojan Source"), which in a name or a subject line only ever deceives.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters (newline, tab, NUL, ESC, C1 ...) and the line and paragraph separators.
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The distinct words of `text`, case-folded, in order: what a followed search and a paper
    are compared by (services/notifications.py). No stemming, no operators."""
    return list(dict.fromkeys(_WORD.findall(unicodedata.normalize("NFKC", text).casefold())))


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Lone surrogates cannot be stored in PostgreSQL or encoded as UTF-8.
    return text.encode("utf-8", "replace").decode("utf-8")


def _not_for_one_line(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _LINE_BREAKING


def one_line(text: str, *, field: str, label: str) -> str:
    """A one-line field as given, without surrounding whitespace; InvalidInput naming ``field``
    when a control character, line break or bidirectional override is inside it."""
    value = text.strip()
    if any(_not_for_one_line(char) for char in value):
        raise InvalidInput(
            f"The {label} must be one line: no line breaks, tabs or control characters.",
            field_errors={field: ["One line only: no line breaks, tabs or control characters."]},
        )
    return clean_text(value)


def one_line_problem(text: str) -> str | None:
    """Why ``text`` is not one clean line (for forms that are not services'), else None."""
    try:
        one_line(text, field="value", label="value")
    except InvalidInput as error:
        return error.field_errors["value"][0]
    return None


def mail_subject(text: str, limit: int = 200) -> str:
    """A mail subject made from any text, stored rows included, so the header can always be
    sent: see `squeezed_line`."""
    return squeezed_line(text, limit)


def squeezed_line(text: str, limit: int) -> str:
    """Any text made one line, for what arrives from elsewhere (an ORCID record, an old row):
    every run of whitespace, line breaks and control characters becomes one space,
    bidirectional overrides are dropped, and it is cut to ``limit`` characters."""
    kept = (
        " " if char.isspace() or _not_for_one_line(char) else char
        for char in clean_text(text)
        if char not in _BIDI_CONTROLS
    )
    subject = " ".join("".join(kept).split())
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def parse_year(raw: str) -> int | None:
    """A four-digit year, or None (never an exception, whatever the characters)."""
    raw = raw.strip()
    if len(raw) == 4 and raw.isascii() and raw.isdecimal():
        return int(raw)
    return None
