"""Old ShortScience.org URLs, quarantined here: each redirects to the same thing today."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from shortscience.services import papers, venues
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
    """`/venue?key=<key>[&year=<year>]`: the key as today's, a DBLP stream (`conf/nips`,
    `conf/nips/2017`) or a DOI prefix (`10.1109/cvpr`); an unknown one gets a page that helps."""
    key = request.GET.get("key", "").strip()[:300]
    if not key:
        return redirect("venues", permanent=True)
    found = venues.old_site_venue(key)
    year = parse_year(request.GET.get("year", "")) or found.year
    if found.venue is None:
        context = {"key": key, "words": found.words, "year": year}
        return render(request, "venues/unknown.html", context, status=404)
    suffix = "?" + urlencode({"year": year}) if year else ""
    return redirect(found.venue.get_absolute_url() + suffix, permanent=True)


def account(request: HttpRequest, page: str) -> HttpResponse:
    """`/login`, `/signup`, `/settings`, `/export`, `/logout`, `/recover`, `/welcome`: their pages
    today (`/logout` asks first: a GET signs nobody out). A `next` is carried when it is a path
    on this site, never another site's address."""
    target = reverse(page)
    after = request.GET.get("next", "")
    if after.startswith("/") and url_has_allowed_host_and_scheme(after, allowed_hosts=None):
        target += "?" + urlencode({"next": after})
    return redirect(target, permanent=True)


def random(request: HttpRequest) -> HttpResponse:
    return redirect("random")


def vignette(request: HttpRequest) -> HttpResponse:
    return HttpResponseGone("The old write endpoint is gone; write summaries from a paper's page.")


def _page(name: str, key: str) -> str:
    """The page of a person; a name with a "/" in it names none (no route matches)."""
    try:
        return reverse(name, args=[key])
    except NoReverseMatch as exc:
        raise Http404("No page has that name.") from exc
