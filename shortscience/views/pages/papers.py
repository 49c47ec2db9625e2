"""The paper page, every alias that leads to it and the counts tools ask for (search is
views/pages/search.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shortscience.services import papers
from shortscience.services.errors import InvalidInput, NotFound
from shortscience.services.links import absolute_url
from shortscience.views.pages.common import viewer

MAX_COUNT_KEYS = 500


def detail(request: HttpRequest, paper_id: int) -> HttpResponse:
    only_author = request.GET.get("a", "")
    by_authors = request.GET.get("discussion") == "authors"
    try:
        found = papers.page(
            paper_id, viewer(request), only_author=only_author, by_authors=by_authors
        )
    except NotFound:
        kept = papers.moved_to(paper_id)
        if kept is None:
            raise
        # A paper merged into another (services/merging.py): its old address leads there.
        suffix = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(kept.get_absolute_url() + suffix, permanent=True)
    return render(request, "papers/detail.html", {"page": found})


def alias(request: HttpRequest, key: str) -> HttpResponse:
    """`/arxiv/<id>`, `/doi/<doi>`, `/dblp/<key>`, `/openreview/<id>`, `/lookup?id=`: 301 to the
    canonical page, keeping `a=` and other query parameters."""
    key = key or request.GET.get("id", "")
    paper = papers.find_by_key(key) if key else None
    if paper is None:
        raise Http404(f"No paper here is known as {key!r} yet. You can add it from /add/.")
    query = request.GET.copy()
    query.pop("id", None)
    suffix = f"?{query.urlencode()}" if query else ""
    return redirect(paper.get_absolute_url() + suffix, permanent=True)


def cite(request: HttpRequest, key: str) -> HttpResponse:
    paper = papers.find_by_key(key)
    if paper is None:
        raise Http404(f"No paper is known here by the key {key!r}.")
    return redirect(paper.get_absolute_url())


def counts(request: HttpRequest) -> JsonResponse:
    """`GET /papers/counts.json?id=1706.03762&id=10.1109/...`: URL and public summary count."""
    keys = [k.strip() for k in request.GET.getlist("id") if k.strip()]
    if len(keys) > MAX_COUNT_KEYS:
        raise InvalidInput(f"Ask for at most {MAX_COUNT_KEYS} identifiers at once.")
    base = request.build_absolute_uri("/")
    return JsonResponse(
        {
            "papers": [
                {
                    "id": item.key,
                    "url": absolute_url(item.url, base=base) if item.url else None,
                    "summaries": item.summaries,
                }
                for item in papers.counts(keys)
            ]
        }
    )
