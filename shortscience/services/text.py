"""Normalising what people submit: text without NUL bytes or lone surrogates, Unix newlines;
years that are four plain digits."""

from __future__ import annotations


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Lone surrogates cannot be stored in PostgreSQL or encoded as UTF-8.
    return text.encode("utf-8", "replace").decode("utf-8")


def parse_year(raw: str) -> int | None:
    """A four-digit year, or None (never an exception, whatever the characters)."""
    raw = raw.strip()
    if len(raw) == 4 and raw.isascii() and raw.isdecimal():
        return int(raw)
    return None
