"""The search page: the box, its syntax, highlighted hits, sorting and paging.

An identifier typed in the box (arXiv id, DOI, URL of a known paper) goes straight to the paper.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from shortscience import search as engine
from shortscience.services.follows import normalised_query
from shortscience.services.text import clean_text
from shortscience.views.pages.common import viewer

PER_PAGE = 20
MAX_QUERY_CHARS = 1000


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


def search(request: HttpRequest) -> HttpResponse:
    query = clean_text(request.GET.get("q", ""))[:MAX_QUERY_CHARS].strip()
    sort = request.GET.get("sort", "relevance")
    page = _page_number(request.GET.get("page", "1"))
    results = engine.search(query, viewer=viewer(request), sort=sort, page=page, per_page=PER_PAGE)
    if results.redirect_url:
        return redirect(results.redirect_url)
    context = {
        "query": query,
        "results": results,
        "sorts": [(name, urlencode({"q": query, "sort": name})) for name in engine.SORTS],
        "base": urlencode({"q": query, "sort": results.sort}),
        # The search as "Follow this search" stores it, to tell whether it is followed.
        "follow_query": normalised_query(query),
    }
    return render(request, "search/results.html", context)
