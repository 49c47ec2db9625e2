"""'Add summary': paste anything, pick the paper, write. Creating a paper needs a signed-in user."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shortscience.metadata.types import PaperMetadata
from shortscience.services import lookup
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import rate_limited


@login_required
@rate_limited("paper_lookup", when=lambda r: r.method == "POST" or bool(r.GET.get("q")))
def add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            paper = lookup.create(_chosen(request))
        except InvalidInput as error:
            messages.error(request, error.message)
            return _page(request, request.POST.get("q", ""), status=400)
        return redirect("summary-write", paper.pk)
    return _page(request, request.GET.get("q", ""))


def _chosen(request: HttpRequest) -> PaperMetadata:
    action = request.POST.get("action", "")
    if action == "pick":
        return lookup.fetch_candidate(request.POST.get("token", ""))
    if action == "bibtex":
        return lookup.from_bibtex(request.POST.get("bibtex", ""))
    if action == "manual":
        post = request.POST
        return lookup.manual(
            post.get("title", ""),
            post.get("authors", ""),
            post.get("year", ""),
            post.get("url", ""),
        )
    raise InvalidInput("Choose a paper, paste BibTeX or enter the details.")


def _page(request: HttpRequest, query: str, status: int = 200) -> HttpResponse:
    found = lookup.find(query) if query.strip() and not lookup.looks_like_bibtex(query) else None
    context = {"query": query, "found": found, "post": request.POST}
    return render(request, "add/index.html", context, status=status)
