"""The folded form of a paper title that two records of one work share: what the add page's
duplicate check and the stored `Paper.title_key` column compare.

Case, accents, punctuation and whitespace are folded ("Attention is all you need." and
"ATTENTION IS ALL YOU NEED" have one key; "Schrödinger" matches "Schrodinger"), and markup
braces from BibTeX (`{BERT}`) vanish with the punctuation. Letters of every script are kept.
"""

from __future__ import annotations

import unicodedata

KEY_MAX_LENGTH = 300


def title_key(title: str) -> str:
    """The folded title: lower case, accents dropped, every run of non-alphanumerics one space."""
    decomposed = unicodedata.normalize("NFKD", title)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in letters).split()
    return " ".join(words)[:KEY_MAX_LENGTH].strip()
