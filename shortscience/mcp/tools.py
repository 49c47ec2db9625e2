"""What each MCP tool does, as plain synchronous functions over the services (server.py runs
them off the event loop and registers them with the SDK).

Reads show public content only, whoever calls, as the Markdown pages do
(services/markdown_pages.py): never a draft, a private or a hidden summary, never the author of
an anonymous one. The one write, `save_draft`, needs an API token with the write scope
(services/tokens.py) and keeps the text as the caller's draft of the paper; it never publishes.
A domain error (not found, read-only token, suspended, too many writes) becomes the tool's
error message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from django.urls import reverse
from mcp.server.mcpserver.exceptions import ToolError

from shortscience import search as engine
from shortscience.models import ApiToken, Paper
from shortscience.services import markdown_pages, papers, ratelimits, summaries, tokens
from shortscience.services.errors import DomainError, NotFound
from shortscience.services.links import absolute_url
from shortscience.services.text import clean_text

MAX_QUERY_CHARS = 1000
SEARCH_RESULTS = 20

T = TypeVar("T")


def domain_errors_as_tool_errors(work: Callable[[], T]) -> T:
    """Run `work`; a domain error's message (written for people) is what the agent reads."""
    try:
        return work()
    except DomainError as error:
        raise ToolError(str(error)) from error


def search_papers(query: str) -> dict[str, Any]:
    text = clean_text(query)[:MAX_QUERY_CHARS].strip()
    if not text:
        raise ToolError("Give some words to search for, or an arXiv id or DOI.")
    found: dict[int, Paper] = {}
    named = papers.find_by_key(text)  # an identifier typed as the query: that paper first
    if named is not None:
        found[named.pk] = named
    results = engine.search(text, viewer=None, per_page=SEARCH_RESULTS)
    for hit in results.hits:
        found.setdefault(hit.paper.pk, hit.paper)
    return {
        "query": text,
        "total": results.total,
        "papers": [_paper_item(p) for p in list(found.values())[:SEARCH_RESULTS]],
    }


def get_paper(paper: str) -> dict[str, Any]:
    doc = markdown_pages.paper(resolve_paper(paper).pk, with_comments=True)
    return {**_paper_fields(doc), "summaries": [_summary_fields(s) for s in doc.summaries]}


def get_summary(summary_id: int) -> dict[str, Any]:
    paper_doc, doc = markdown_pages.summary(summary_id)
    return {**_summary_fields(doc), "paper": _paper_fields(paper_doc)}


def save_draft(plaintext: str | None, paper: str, markdown: str, *, ip: str) -> dict[str, Any]:
    if not plaintext:
        raise ToolError(
            "Saving a draft needs an API token with the write scope: create one on the site "
            "(Settings, API tokens) and give it to the MCP client (docs/agents.md)."
        )
    token = tokens.authenticate(plaintext)
    tokens.ensure_scope(token, ApiToken.Scope.WRITE)
    ratelimits.check("publishing", ip=ip, user_id=token.user.pk)
    target = resolve_paper(paper)
    draft = summaries.autosave(token.user, target, markdown, base_version=None)
    return {
        "summary_id": draft.pk,
        "paper_id": target.pk,
        "status": str(draft.status),
        "draft_saved_at": _iso(draft.draft_saved_at),
        "edit_url": absolute_url(reverse("summary-write", args=[target.pk])),
        "note": "Saved as your draft: nobody else sees it until you publish it on the site.",
    }


def resolve_paper(paper: str | int) -> Paper:
    """A paper by its id here, or by any identifier (arXiv id, DOI, DBLP key, old-site key);
    a merged paper's old id finds the paper it became."""
    key = str(paper).strip()
    if key.isdigit():
        try:
            return papers.get(int(key))
        except NotFound:
            kept = papers.moved_to(int(key))
            if kept is None:
                raise
            return kept
    found = papers.find_by_key(key) if key else None
    if found is None:
        raise NotFound(f"No paper here is known as {key!r}.")
    return found


def _paper_item(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.pk,
        "title": paper.title,
        "authors": list(paper.authors or []),
        "year": paper.year,
        "venue": paper.venue.name if paper.venue is not None else None,
        "summaries": paper.summary_count,
        "url": absolute_url(paper.get_absolute_url()),
        "markdown_url": absolute_url(reverse("paper-markdown", args=[paper.pk])),
    }


def _paper_fields(doc: markdown_pages.PaperDoc) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "authors": list(doc.authors),
        "venue": doc.venue or None,
        "year": doc.year,
        "abstract": doc.abstract,
        "paper_url": doc.url or None,
        "identifiers": [
            {"scheme": scheme, "value": value, "url": link or None}
            for scheme, value, link in doc.identifiers
        ],
        "url": absolute_url(doc.path),
        "markdown_url": absolute_url(reverse("paper-markdown", args=[doc.id])),
    }


def _summary_fields(doc: markdown_pages.SummaryDoc) -> dict[str, Any]:
    return {
        "id": doc.id,
        "paper_id": doc.paper_id,
        "author": doc.author,
        "username": doc.username,
        "score": doc.score,
        "published_at": _iso(doc.published_at),
        "edited_at": _iso(doc.edited_at),
        "markdown": doc.markdown,
        "url": absolute_url(doc.path),
        "comments": [_comment_fields(c) for c in doc.comments],
    }


def _comment_fields(doc: markdown_pages.CommentDoc) -> dict[str, Any]:
    fields = dataclasses.asdict(doc)
    fields["created_at"] = _iso(doc.created_at)
    fields["replies"] = [_comment_fields(r) for r in doc.replies]
    return fields


def _iso(moment: Any) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None
