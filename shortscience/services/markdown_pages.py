"""The paper and summary pages as Markdown, for tools and agents: `/papers/<id>.md` and
`/summaries/<id>.md`, and the MCP server's tools (shortscience/mcp/).

What they hold is public content only, read through the public rule (`Summary.objects.public()`):
never a draft, a private summary or one a moderator hid, whoever asks, so each is the same for
everyone and is cached like the HTML page. A summary appears with its Markdown source as its
author wrote it; an anonymous one says "Anonymous" and nothing else of its author, and its
author's comments under it say "the author (anonymous)", as the pages do (models/comments.py).

`paper()` and `summary()` read at most four queries whatever the number of summaries and
comments; `paper_markdown()` and `summary_markdown()` write the documents (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from shortscience.models import Comment, Paper, Summary
from shortscience.services import accounts, comments, exports, papers
from shortscience.services.errors import NotFound
from shortscience.services.links import absolute_url

ANONYMOUS = "Anonymous"
ANONYMOUS_AUTHOR = "the author (anonymous)"


@dataclass(frozen=True)
class CommentDoc:
    id: int
    author: str  # a name, ANONYMOUS_AUTHOR, or accounts.DELETED_NAME
    username: str | None  # None when no name may be shown
    created_at: datetime
    markdown: str  # "" for a deleted or hidden comment, which keeps its place for its replies
    deleted: bool
    replies: tuple[CommentDoc, ...] = ()


@dataclass(frozen=True)
class SummaryDoc:
    id: int
    paper_id: int
    author: str  # the author's shown name, or ANONYMOUS
    username: str | None  # None for an anonymous summary
    score: int
    comment_count: int
    published_at: datetime | None
    edited_at: datetime | None
    markdown: str
    path: str
    comments: tuple[CommentDoc, ...] = ()


@dataclass(frozen=True)
class PaperDoc:
    id: int
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int | None
    url: str
    abstract: str
    identifiers: tuple[tuple[str, str, str], ...]  # (scheme, value, link)
    path: str
    summaries: tuple[SummaryDoc, ...] = ()


def paper(paper_id: int, *, with_comments: bool = False) -> PaperDoc:
    """The paper with its public summaries, best first (the paper page's order)."""
    found = papers.get(paper_id)
    rows = list(
        Summary.objects.public()
        .filter(paper=found)
        .select_related("author")
        .order_by("-score", "published_at", "pk")
    )
    threads = comments.threads([s.pk for s in rows]) if with_comments else {}
    return _paper_doc(found, tuple(_summary_doc(s, threads.get(s.pk, [])) for s in rows))


def summary(summary_id: int) -> tuple[PaperDoc, SummaryDoc]:
    """A public summary with its discussion, and its paper (without its other summaries)."""
    found = (
        Summary.objects.public()
        .select_related("paper", "paper__venue", "author")
        .filter(pk=summary_id)
        .first()
    )
    if found is None:
        raise NotFound("There is no such summary, or it is not public.")
    threads = comments.threads([found.pk])
    return _paper_doc(found.paper, ()), _summary_doc(found, threads.get(found.pk, []))


def _paper_doc(found: Paper, summaries: tuple[SummaryDoc, ...]) -> PaperDoc:
    return PaperDoc(
        id=found.pk,
        title=found.title,
        authors=tuple(str(name) for name in found.authors or ()),
        venue=found.venue.name if found.venue is not None else "",
        year=found.year,
        url=found.url,
        abstract=found.abstract,
        identifiers=tuple((i.scheme, i.value, i.link) for i in found.identifiers.all()),
        path=found.get_absolute_url(),
        summaries=summaries,
    )


def _summary_doc(found: Summary, threads: list[Comment]) -> SummaryDoc:
    anonymous = found.is_anonymous
    return SummaryDoc(
        id=found.pk,
        paper_id=found.paper_id,
        author=ANONYMOUS if anonymous else found.author.shown_name,
        username=None if anonymous else found.author.username,
        score=found.score,
        comment_count=found.comment_count,
        published_at=found.published_at,
        edited_at=found.edited_at,
        markdown=found.markdown,
        path=found.get_absolute_url(),
        comments=tuple(_comment_doc(c, getattr(c, "thread_replies", [])) for c in threads),
    )


def _comment_doc(found: Comment, replies: list[Comment]) -> CommentDoc:
    deleted = found.is_deleted
    if deleted:
        author, username = accounts.DELETED_NAME, None
    elif found.by_anonymous_author:
        author, username = ANONYMOUS_AUTHOR, None
    elif accounts.is_placeholder(found.author.username):
        author, username = found.author.shown_name, None
    else:
        author, username = found.author.shown_name, found.author.username
    return CommentDoc(
        id=found.pk,
        author=author,
        username=username,
        created_at=found.created_at,
        markdown="" if deleted else found.markdown,
        deleted=deleted,
        replies=tuple(_comment_doc(r, []) for r in replies),
    )


# --- the documents -----------------------------------------------------------------------------


def paper_markdown(doc: PaperDoc, *, base: str) -> str:
    """The paper's front matter, then each public summary under its own heading."""
    parts = [
        exports.front_matter(_paper_fields(doc, base)),
        f"\n# {_line(doc.title)}\n",
        _byline(doc),
    ]
    if not doc.summaries:
        parts.append("\nNo public summary of this paper yet.\n")
    for item in doc.summaries:
        parts.append(f"\n## Summary by {_line(item.author)}\n\n")
        parts.append(_summary_facts(item, base))
        parts.append("\n" + item.markdown.strip("\n") + "\n")
    return "".join(parts)


def summary_markdown(paper_doc: PaperDoc, doc: SummaryDoc, *, base: str) -> str:
    """The summary's front matter, its Markdown, then its comments and their replies."""
    fields: dict[str, Any] = {
        "summary": absolute_url(doc.path, base=base),
        "markdown": absolute_url(reverse("summary-markdown", args=[doc.id]), base=base),
        "author": doc.author,
        "score": doc.score,
        "published": _iso(doc.published_at),
        "edited": _iso(doc.edited_at),
        "comments": doc.comment_count,
        # Its paper's other summaries are not read here: no count of them either.
        "paper": {k: v for k, v in _paper_fields(paper_doc, base).items() if k != "summaries"},
    }
    parts = [
        exports.front_matter(fields),
        f"\n# Summary of {_line(paper_doc.title)}\n\n",
        _summary_facts(doc, base),
        "\n" + doc.markdown.strip("\n") + "\n",
    ]
    if doc.comments:
        parts.append("\n## Comments\n")
        for comment in doc.comments:
            parts.append(_comment(comment, doc, base, level=3))
            parts.extend(_comment(reply, doc, base, level=4) for reply in comment.replies)
    return "".join(parts)


def _paper_fields(doc: PaperDoc, base: str) -> dict[str, Any]:
    return {
        "title": doc.title,
        "authors": list(doc.authors),
        "venue": doc.venue or None,
        "year": doc.year,
        "url": doc.url or None,
        "identifiers": {scheme: value for scheme, value, _link in doc.identifiers},
        "links": [link for _scheme, _value, link in doc.identifiers if link],
        "page": absolute_url(doc.path, base=base),
        "markdown": absolute_url(reverse("paper-markdown", args=[doc.id]), base=base),
        "summaries": len(doc.summaries),
    }


def _byline(doc: PaperDoc) -> str:
    held = [", ".join(doc.authors), " ".join(str(p) for p in (doc.venue, doc.year) if p)]
    kept = [_line(p) for p in held if p]
    return "\n" + " · ".join(kept) + "\n" if kept else ""


def _summary_facts(doc: SummaryDoc, base: str) -> str:
    published = _iso(doc.published_at) or "unpublished"
    return f"Score {doc.score} · published {published} · <{absolute_url(doc.path, base=base)}>\n"


def _comment(comment: CommentDoc, on: SummaryDoc, base: str, *, level: int) -> str:
    link = absolute_url(f"{on.path}#comment-{comment.id}", base=base)
    heading = "#" * level + f" {_line(comment.author)} · {_iso(comment.created_at)}"
    body = "[deleted]" if comment.deleted else comment.markdown.strip("\n")
    return f"\n{heading}\n\n<{link}>\n\n{body}\n"


def _line(text: str) -> str:
    """One line of heading text: a title's line breaks would end the heading early."""
    return " ".join(text.split())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None
