"""Venues: the list and one venue's papers by year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shortscience.services import papers
from shortscience.services.text import parse_year


def listing(request: HttpRequest) -> HttpResponse:
    return render(request, "venues/list.html", {"venues": papers.venues()})


def detail(request: HttpRequest, key: str) -> HttpResponse:
    year = parse_year(request.GET.get("year", ""))
    return render(request, "venues/detail.html", {"page": papers.venue_page(key, year)})
