"""Normalising text people submit: no NUL bytes, no lone surrogates, Unix newlines."""

from __future__ import annotations


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Lone surrogates cannot be stored in PostgreSQL or encoded as UTF-8.
    return text.encode("utf-8", "replace").decode("utf-8")
