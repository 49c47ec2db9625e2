"""The paper and summary pages as Markdown (`/papers/<id>.md`, `/summaries/<id>.md`), for tools
and agents (docs/agents.md). Public only, the same for everyone, and cached like the HTML pages
(services/pagecache.PAGES)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shortscience.services import markdown_pages, papers
from shortscience.services.errors import NotFound

CONTENT_TYPE = "text/markdown; charset=utf-8"


def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    try:
        doc = markdown_pages.paper(paper_id)
    except NotFound:
        kept = papers.moved_to(paper_id)  # a merged paper's old address leads to the kept one
        if kept is None:
            raise
        return redirect("paper-markdown", kept.pk, permanent=True)
    base = request.build_absolute_uri("/")
    return _markdown(markdown_pages.paper_markdown(doc, base=base))


def summary(request: HttpRequest, summary_id: int) -> HttpResponse:
    paper_doc, doc = markdown_pages.summary(summary_id)
    base = request.build_absolute_uri("/")
    return _markdown(markdown_pages.summary_markdown(paper_doc, doc, base=base))


def _markdown(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=CONTENT_TYPE)
