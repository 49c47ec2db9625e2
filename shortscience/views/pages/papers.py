"""The paper page and the citation redirect."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shortscience.services import papers
from shortscience.views.pages.common import viewer


def detail(request: HttpRequest, paper_id: int) -> HttpResponse:
    return render(request, "papers/detail.html", {"page": papers.page(paper_id, viewer(request))})


def cite(request: HttpRequest, key: str) -> HttpResponse:
    paper = papers.find_by_key(key)
    if paper is None:
        raise Http404(f"No paper is known here by the key {key!r}.")
    return redirect(paper.get_absolute_url())
