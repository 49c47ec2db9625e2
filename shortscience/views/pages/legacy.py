"""Old ShortScience.org URLs, quarantined here: each redirects to the same thing today."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from shortscience.services import papers
from shortscience.services.text import parse_year


def paper(request: HttpRequest) -> HttpResponse:
    """`/paper?bibtexKey=<any alias>[&a=<username>]`; `#<username>` anchors exist on the page.

    The old site answered 203 for a paper without a visible summary; tools now read
    `/papers/counts.json?id=<key>` for that (docs/legacy.md).
    """
    key = request.GET.get("bibtexKey", "")
    found = papers.find_by_key(key) if key else None
    if found is None:
        raise Http404("No paper is known here by that key.")
    author = request.GET.get("a", "")
    suffix = "?" + urlencode({"a": author}) if author else ""
    return redirect(found.get_absolute_url() + suffix, permanent=True)


def internalsearch(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    return redirect(reverse("search") + "?" + urlencode({"q": query}), permanent=True)


def user(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "")
    if not name:
        raise Http404("Which user?")
    return redirect(_page("user", name), permanent=True)


def users(request: HttpRequest) -> HttpResponse:
    return redirect("users", permanent=True)


def venue(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("key", "")
    if not key:
        return redirect("venues", permanent=True)
    year = parse_year(request.GET.get("year", ""))
    suffix = "?" + urlencode({"year": year}) if year else ""
    return redirect(_page("venue", key) + suffix, permanent=True)


def random(request: HttpRequest) -> HttpResponse:
    return redirect("random")


def vignette(request: HttpRequest) -> HttpResponse:
    return HttpResponseGone("The old write endpoint is gone; write summaries from a paper's page.")


def _page(name: str, key: str) -> str:
    """The page of a person or venue; a name with a "/" in it names none (no route matches)."""
    try:
        return reverse(name, args=[key])
    except NoReverseMatch as exc:
        raise Http404("No page has that name.") from exc
