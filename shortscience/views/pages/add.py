"""'Add summary': paste anything, pick the paper, write. Creating a paper needs a signed-in user.

Without JavaScript the lookup answers in one request within the deadline. With htmx the search
form asks for the plan only (local papers, the sources to ask), and each source is then asked
in its own request (`source`), so the page shows each one's outcome as it arrives.

A paper here that lacks what its source knows (a placeholder titled with its key) is shown on
the GET with the source's title and authors and a button; only its POST (`action=fill`) fills
the paper in, then opens the editor.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from shortscience.metadata.types import PaperMetadata
from shortscience.services import lookup
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import rate_limited, signed_in


def _progressive(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _asks_sources(request: HttpRequest) -> bool:
    return request.method == "POST" or (bool(request.GET.get("q")) and not _progressive(request))


@login_required
@rate_limited("paper_lookup", when=_asks_sources)
def add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("action") == "fill":
                return _filled(request)
            meta = _chosen(request)
            offers = [] if request.POST.get("confirm") else _offers(request, meta)
            if offers:
                return _page(request, request.POST.get("q", ""), offers=offers)
            paper = lookup.create(meta, signed_in(request))
        except InvalidInput as error:
            messages.error(request, error.message)
            return _page(request, request.POST.get("q", ""), status=400)
        return redirect("summary-write", paper.pk)
    return _page(request, request.GET.get("q", ""))


def _filled(request: HttpRequest) -> HttpResponse:
    """Fill in the paper here from its source and write about it (as it was, if the source
    does not answer: it says so)."""
    done = lookup.complete(request.POST.get("token", ""), signed_in(request))
    if done.problem:
        messages.warning(request, done.problem)
    return redirect("summary-write", done.paper.pk)


@login_required
@require_GET
@rate_limited("paper_lookup", when=lambda r: bool(r.GET.get("q")))
def source(request: HttpRequest) -> HttpResponse:
    """One source's answer to a lookup, as the add page's progress list item (htmx)."""
    found = lookup.find(request.GET.get("q", ""), only=request.GET.get("source", ""))
    return render(request, "add/_source.html", {"found": found, "query": found.query})


def _offers(request: HttpRequest, meta: PaperMetadata) -> list[object]:
    """Papers already here that typed or pasted metadata may be (asked before creating)."""
    if request.POST.get("action") not in ("manual", "bibtex"):
        return []
    return list(lookup.already_here(meta))


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


def _page(
    request: HttpRequest, query: str, status: int = 200, offers: list[object] | None = None
) -> HttpResponse:
    asked = query.strip() and not lookup.looks_like_bibtex(query) and not offers
    progressive = bool(asked) and _progressive(request)
    if not asked:
        found = None
    elif progressive:
        found = lookup.plan(query)
    else:
        found = lookup.find(query)
    context = {
        "query": query,
        "found": found,
        "progressive": progressive,
        "post": request.POST,
        "offers": offers or [],
        "seconds": lookup.deadline_seconds(),
    }
    return render(request, "add/index.html", context, status=status)
