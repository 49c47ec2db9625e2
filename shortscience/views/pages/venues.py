"""Venues: the list and one venue's papers by year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shortscience.services import venues
from shortscience.services.text import parse_year


def listing(request: HttpRequest) -> HttpResponse:
    found = venues.venue_listing(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "venues/list.html", {"venues": found})


def detail(request: HttpRequest, key: str) -> HttpResponse:
    year = parse_year(request.GET.get("year", ""))
    found = venues.venue_page(
        key,
        year,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        number=request.GET.get("page"),
    )
    return render(request, "venues/detail.html", {"page": found})
