"""A summary's revision history: the list, a word-level diff between any two revisions, and
restoring an old revision as the newest one.

Only the author sees any of it, not even staff: an old revision may hold text that was never
published, and an anonymous summary's history would name its author. Every save adds a
revision (services/summaries.py); a restore is such a save, so a published summary stays
published with the restored text rendered again and a draft stays a draft.

The diff compares word tokens (a word or a run of punctuation with the whitespace after it, so
the text reads as written; a space, a line break and a blank line after a word are told apart,
the width of a space is not) with difflib. Work is bounded whatever the texts: the common head
and tail are cut off first; a middle of more than WORD_BUDGET tokens is compared by lines first
(at most LINE_BUDGET of them) and only changed blocks of lines are compared word by word, within
WORD_BUDGET tokens in all; what is left is shown as whole removed and added text, and the page
says there were too many changes to compare word by word. difflib's autojunk stays on, and each
side is compared up to MAX_DIFF_CHARS only (the page says so).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import Max

from shortscience.models import Revision, Summary, User
from shortscience.services import standing, summaries
from shortscience.services.errors import InvalidInput, NotFound

#: Characters of each revision compared; a summary is at most SUMMARY_MAX_CHARS (60,000), so
#: only texts that came in some other way (old imports) are ever cut.
MAX_DIFF_CHARS = 100_000

#: Revisions listed (and offered in the chooser); older ones are still compared and restored
#: by number. Autosaved drafts could make a history long; a page stays bounded.
HISTORY_LIMIT = 300

_TOKEN = re.compile(r"\s+|\w+\s*|[^\w\s]+\s*")
_TRAILING_SPACE = re.compile(r"\s*\Z")


@dataclass(frozen=True)
class Part:
    kind: str  # "same", "added", "removed"; "folded": unchanged, shown on demand
    text: str


@dataclass(frozen=True)
class Diff:
    summary: Summary
    revisions: list[Revision]  # newest first, HISTORY_LIMIT at most (number, date, status only)
    old: Revision | None  # None when there is only one revision
    new: Revision
    parts: list[Part]
    added: int  # words
    removed: int
    cut: bool  # a side was longer than MAX_DIFF_CHARS and only its start was compared
    coarse: bool = False  # some changed lines are shown whole, not word by word

    @property
    def restorable(self) -> list[int]:
        """The compared revisions that are not the latest, older first: what may be restored."""
        latest = self.revisions[0].number
        chosen = {self.new.number} | ({self.old.number} if self.old else set())
        return sorted(n for n in chosen if n != latest)


def history(summary_id: int, user: User) -> tuple[Summary, list[Revision]]:
    """The author's summary and its revisions, newest first (without their text; the newest
    HISTORY_LIMIT)."""
    summary = summaries.get_owned(summary_id, user)
    return summary, _listed(summary)


def _listed(summary: Summary) -> list[Revision]:
    rows = summary.revisions.only("pk", "summary_id", "number", "status", "created_at")
    return list(rows.order_by("-number")[:HISTORY_LIMIT])


def diff(summary_id: int, user: User, old: int | None = None, new: int | None = None) -> Diff:
    """The changes from revision `old` to revision `new` (either order). Left out, `new` is
    the latest and `old` the one before it."""
    summary = summaries.get_owned(summary_id, user)
    listed = _listed(summary)
    if not listed:
        raise NotFound("This summary has no revisions.")
    numbers = [r.number for r in listed]
    new = numbers[0] if new is None else new
    if old is None:
        older = [n for n in numbers if n < new]
        old = older[0] if older else None
    wanted = {n for n in (old, new) if n is not None}
    found = {r.number: r for r in summary.revisions.filter(number__in=wanted)}
    if not wanted <= set(found):
        raise NotFound("One of those revisions does not exist.")
    if old is None:
        return Diff(summary, listed, None, found[new], [], 0, 0, cut=False)
    compared = compare(found[old].markdown, found[new].markdown)
    parts = compared.parts
    added = sum(_words(p.text) for p in parts if p.kind == "added")
    removed = sum(_words(p.text) for p in parts if p.kind == "removed")
    return Diff(
        summary,
        listed,
        found[old],
        found[new],
        fold(parts),
        added,
        removed,
        compared.cut,
        compared.coarse,
    )


#: An unchanged stretch longer than FOLD_OVER characters is folded, keeping about CONTEXT
#: characters (whole lines) beside each change, so a small change in a long text is found.
FOLD_OVER = 1500
CONTEXT = 400


def fold(parts: list[Part]) -> list[Part]:
    """`parts` with the middle of each long unchanged stretch as a "folded" part (the page
    shows it behind a disclosure). Nothing folds when nothing changed."""
    if all(p.kind == "same" for p in parts):
        return parts
    out: list[Part] = []
    for index, part in enumerate(parts):
        if part.kind != "same" or len(part.text) <= FOLD_OVER:
            out.append(part)
            continue
        text = part.text
        start = 0 if index == 0 else _line_end(text, CONTEXT)
        end = len(text) if index == len(parts) - 1 else _line_start(text, len(text) - CONTEXT)
        if end - start < CONTEXT:
            out.append(part)
            continue
        for kind, piece in (("same", text[:start]), ("folded", text[start:end])):
            if piece:
                out.append(Part(kind, piece))
        if end < len(text):
            out.append(Part("same", text[end:]))
    return out


def _line_end(text: str, at: int) -> int:
    """Just after the end of the line holding `at` (the whole text when it has no break)."""
    found = text.find("\n", at)
    return len(text) if found == -1 else found + 1


def _line_start(text: str, at: int) -> int:
    found = text.rfind("\n", 0, max(at, 0))
    return 0 if found == -1 else found + 1


def _words(text: str) -> int:
    return len(text.split())


def word_diff(old: str, new: str) -> tuple[list[Part], bool]:
    """The parts of `new` against `old`: unchanged, removed and added runs of words, in
    reading order (a replacement is its removal, then its addition). True when a side was
    cut at MAX_DIFF_CHARS."""
    compared = compare(old, new)
    return compared.parts, compared.cut


#: Tokens (both sides together) compared word by word in one diff, and lines compared line by
#: line: difflib may take time quadratic in what it compares (unique tokens that match in a
#: different order), so these bound one request's work whatever the two texts are.
WORD_BUDGET = 2000
LINE_BUDGET = 2000


@dataclass(frozen=True)
class Compared:
    parts: list[Part]
    cut: bool  # a side was longer than MAX_DIFF_CHARS and only its start was compared
    coarse: bool  # some changed lines are shown whole: too many changes to compare by word
    compared: int  # tokens and lines handed to difflib (at most WORD_BUDGET + LINE_BUDGET)


def compare(old: str, new: str) -> Compared:
    """word_diff with what it did: after the common head and tail are cut off, a middle of at
    most WORD_BUDGET tokens is compared word by word; a longer one line by line first, then
    each changed block of lines word by word while the budget lasts, and the rest shown as
    whole removed and added lines."""
    cut = len(old) > MAX_DIFF_CHARS or len(new) > MAX_DIFF_CHARS
    a, b = _TOKEN.findall(old[:MAX_DIFF_CHARS]), _TOKEN.findall(new[:MAX_DIFF_CHARS])
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    parts: list[Part] = []
    _add(parts, "same", "".join(a[:head]))
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    coarse, compared = False, 0
    if len(middle_a) + len(middle_b) <= WORD_BUDGET:
        _diff_words(parts, middle_a, middle_b)
        compared = len(middle_a) + len(middle_b)
    else:
        lines_a, lines_b = _lines(middle_a), _lines(middle_b)
        if len(lines_a) + len(lines_b) > LINE_BUDGET:
            blocks = [("replace", middle_a, middle_b)]
        else:
            compared = len(lines_a) + len(lines_b)
            blocks = _diff_lines(lines_a, lines_b)
        budget = WORD_BUDGET
        for tag, block_a, block_b in blocks:
            if tag == "equal":
                _add(parts, "same", "".join(block_b))
            elif len(block_a) + len(block_b) <= budget:
                budget -= len(block_a) + len(block_b)
                compared += len(block_a) + len(block_b)
                _diff_words(parts, block_a, block_b)
            else:
                coarse = True
                _change(parts, "".join(block_a), "".join(block_b))
    _add(parts, "same", "".join(a[len(a) - tail :]) if tail else "")
    return Compared(parts, cut, coarse, compared)


def _lines(tokens: list[str]) -> list[list[str]]:
    """`tokens` grouped into lines, each ending with the token that holds its line break."""
    lines: list[list[str]] = [[]]
    for token in tokens:
        lines[-1].append(token)
        if "\n" in token:
            lines.append([])
    return lines if lines[-1] else lines[:-1]


def _diff_lines(
    lines_a: list[list[str]], lines_b: list[list[str]]
) -> list[tuple[str, list[str], list[str]]]:
    """The blocks of tokens, "equal" or changed, that a line-by-line comparison finds."""
    matcher = difflib.SequenceMatcher(
        None,
        ["".join(map(_key, line)) for line in lines_a],
        ["".join(map(_key, line)) for line in lines_b],
        autojunk=True,
    )
    return [
        (
            "equal" if tag == "equal" else "replace",
            [t for line in lines_a[i1:i2] for t in line],
            [t for line in lines_b[j1:j2] for t in line],
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _diff_words(parts: list[Part], middle_a: list[str], middle_b: list[str]) -> None:
    matcher = difflib.SequenceMatcher(
        None, [_key(t) for t in middle_a], [_key(t) for t in middle_b], autojunk=True
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(middle_a[i1:i2]), "".join(middle_b[j1:j2])
        if tag == "equal":
            _add(parts, "same", added)  # as the newer text spaces it
        else:
            _change(parts, removed, added)


def _change(parts: list[Part], removed: str, added: str) -> None:
    # "cat " -> "dog ": the space after both is not a change.
    space = _common_trailing_space(removed, added) if removed and added else ""
    _add(parts, "removed", removed[: len(removed) - len(space)])
    _add(parts, "added", added[: len(added) - len(space)])
    _add(parts, "same", space)


def _key(token: str) -> str:
    """What a token is compared by: its word, and whether a space, a line break or a blank
    line (a new paragraph in Markdown) follows it; the end of the text counts as a space."""
    word = token.rstrip()
    space = token[len(word) :]
    breaks = space.count("\n")
    return word + (" " if breaks == 0 else "\n" if breaks == 1 else "\n\n")


def _common_trailing_space(first: str, second: str) -> str:
    one = _TRAILING_SPACE.search(first)
    two = _TRAILING_SPACE.search(second)
    a, b = (one.group() if one else ""), (two.group() if two else "")
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size]:
        size += 1
    return a[len(a) - size :] if size else ""


def _add(parts: list[Part], kind: str, text: str) -> None:
    if not text:
        return
    if parts and parts[-1].kind == kind:
        parts[-1] = Part(kind, parts[-1].text + text)
    else:
        parts.append(Part(kind, text))


@dataclass(frozen=True)
class Restored:
    summary: Summary
    restored: int  # the old revision's number
    revision: int | None  # the new revision's number; None when its text was already current


def restore(summary_id: int, user: User, number: int) -> Restored:
    """Make revision `number`'s text the summary's newest revision through the normal save
    (validation, rendering, review holds, events), keeping its status, privacy and anonymity."""
    standing.ensure_can_write(user)
    summary = summaries.get_owned(summary_id, user)
    revision = summary.revisions.filter(number=number).first()
    if revision is None:
        raise NotFound("There is no such revision.")
    if revision.markdown == summary.markdown:
        return Restored(summary, number, None)
    try:
        saved = summaries.save(
            user,
            summary.paper,
            summaries.SaveRequest(
                markdown=revision.markdown,
                publish=summary.status == Summary.Status.PUBLISHED,
                private=summary.visibility == Summary.Visibility.PRIVATE,
                anonymous=summary.is_anonymous,
            ),
        )
    except InvalidInput as error:
        raise InvalidInput(f"Revision {number} cannot be restored: {error.message}") from error
    latest = saved.revisions.aggregate(n=Max("number"))["n"]
    return Restored(saved, number, latest)
