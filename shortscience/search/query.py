"""The search box's query language, parsed into a plain value (pure: no Django, no database).

Syntax: words (all must match), "exact phrases", -exclusions (a word or a phrase), and fields:
``title:`` and ``author:`` (paper authors) restrict a word or phrase to that part of a paper;
``venue:NeurIPS``, ``year:2017`` / ``year:2017..2019`` / ``year:..2015`` / ``year:2020..``,
``user:<username>`` (who wrote a summary or comment) and ``has:summary`` filter.

Nothing here raises on any input: unbalanced quotes, unknown fields, and the characters that
mean something to FTS5 or tsquery (``* ^ : ( ) NEAR AND OR``) degrade to plain words. Words are
reduced to letter/digit tokens, so what reaches a database dialect is always safe to quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500  # longer input is cut: a search box is not a document
MAX_TERMS = 16  # more terms only slow both databases down without narrowing usefully
MAX_TOKENS_PER_TERM = 8
MIN_YEAR, MAX_YEAR = 1000, 2999

# Letters and digits only: underscore splits words in FTS5's unicode61 tokenizer, so it does here.
_TOKEN = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'(-?)(?:([A-Za-z]+):)?("[^"]*"|\S+)')
_JOINED = re.compile(r"[^\W_]+(?:[-./][^\W_]+)+")
_YEAR = re.compile(r"^(\d{4})?(\.\.)?(\d{4})?$")
# Bare operators of the engines' own languages: all words are ANDed anyway, so they are dropped.
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
TEXT_FIELDS = frozenset({"title", "author"})


@dataclass(frozen=True)
class Term:
    """A word or a phrase (several tokens in a row), perhaps restricted to a field, perhaps
    excluded."""

    tokens: tuple[str, ...]
    field: str | None = None  # None (anywhere), "title" or "author"
    negated: bool = False

    def __str__(self) -> str:
        text = " ".join(self.tokens)
        if len(self.tokens) > 1:
            text = f'"{text}"'
        if self.field:
            text = f"{self.field}:{text}"
        return f"-{text}" if self.negated else text


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()
    venues: tuple[str, ...] = ()  # lower-cased venue keys; any of them matches
    users: tuple[str, ...] = ()  # lower-cased usernames; any of them matches
    year_from: int | None = None
    year_to: int | None = None
    has_summary: bool = False
    notes: tuple[str, ...] = field(default=())  # what was ignored, to show under the box

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.venues
            or self.users
            or self.year_from is not None
            or self.year_to is not None
            or self.has_summary
        )

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.has_filters

    @property
    def highlight_tokens(self) -> tuple[str, ...]:
        """Lower-cased tokens worth marking in a snippet (the positive ones)."""
        return tuple(dict.fromkeys(tok for term in self.positive for tok in term.tokens))

    def __str__(self) -> str:
        parts = [str(t) for t in self.terms]
        parts += [f"venue:{v}" for v in self.venues]
        if self.year_from is not None or self.year_to is not None:
            lo, hi = self.year_from, self.year_to
            parts.append(f"year:{lo}" if lo == hi else f"year:{lo or ''}..{hi or ''}")
        parts += [f"user:{u}" for u in self.users]
        if self.has_summary:
            parts.append("has:summary")
        return " ".join(parts)


def tokens(text: str) -> list[str]:
    """Lower-cased letter/digit runs: the unit both databases index."""
    return [tok.lower() for tok in _TOKEN.findall(text)]


def parse(text: str) -> ParsedQuery:
    """The query in `text`; never raises, whatever the input."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        # An unbalanced quote: the last one opens nothing, so it is only a character.
        cut = text.rfind('"')
        text = text[:cut] + " " + text[cut + 1 :]
    state = _State()
    for match in _CHUNK.finditer(text):
        negated, name, value = match.group(1) == "-", (match.group(2) or "").lower(), match.group(3)
        state.add(negated, name, value)
    return state.result()


class _State:
    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.venues: list[str] = []
        self.users: list[str] = []
        self.year_from: int | None = None
        self.year_to: int | None = None
        self.has_summary = False
        self.notes: list[str] = []

    def add(self, negated: bool, name: str, value: str) -> None:
        quoted = value.startswith('"') and value.endswith('"') and len(value) >= 2
        raw = value[1:-1] if quoted else value
        if name == "venue" and not negated and raw.strip():
            self.venues.append(raw.strip().lower())
        elif name == "user" and not negated and raw.strip():
            self.users.append(raw.strip().lower().lstrip("@"))
        elif name == "year" and not negated and self._year(raw):
            pass
        elif name == "has" and not negated and raw.lower() == "summary":
            self.has_summary = True
        elif name in TEXT_FIELDS:
            self._term(raw, name, negated, quoted)
        else:
            # An unknown field (or a malformed known one) is only more words.
            self._term(f"{name} {raw}" if name else raw, None, negated, quoted)

    def _year(self, raw: str) -> bool:
        found = _YEAR.match(raw.strip())
        if not found or not (found.group(1) or found.group(3)):
            self.notes.append(f"year:{raw} is not a year or a range like 2017..2019")
            return True
        lo = int(found.group(1)) if found.group(1) else None
        hi = int(found.group(3)) if found.group(3) else None
        if not found.group(2):
            hi = lo
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        self.year_from = max(lo, MIN_YEAR) if lo is not None else None
        self.year_to = min(hi, MAX_YEAR) if hi is not None else None
        return True

    def _term(self, raw: str, name: str | None, negated: bool, quoted: bool) -> None:
        if len(self.terms) >= MAX_TERMS:
            return
        if not quoted and raw.strip() in _OPERATORS:
            return
        found = tokens(raw)[:MAX_TOKENS_PER_TERM]
        if not found:
            return
        if quoted or len(found) == 1:
            self.terms.append(Term(tuple(found), name, negated))
        elif _JOINED.fullmatch(raw):
            # r-cnn, 1706.03762, cs/0101001: one thing written with joiners is a phrase of its
            # parts, which is how both databases index it.
            self.terms.append(Term(tuple(found), name, negated))
        else:
            # Punctuation glued words together (foo*bar, (a) ): each part is its own word.
            for tok in found:
                if len(self.terms) < MAX_TERMS:
                    self.terms.append(Term((tok,), name, negated))

    def result(self) -> ParsedQuery:
        return ParsedQuery(
            terms=tuple(dict.fromkeys(self.terms)),
            venues=tuple(dict.fromkeys(self.venues)),
            users=tuple(dict.fromkeys(self.users)),
            year_from=self.year_from,
            year_to=self.year_to,
            has_summary=self.has_summary,
            notes=tuple(self.notes),
        )
