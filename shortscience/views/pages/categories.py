"""arXiv categories: the index of them and one category's new papers, newest day first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shortscience.services import categories


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "categories/index.html", {"categories": categories.category_index()})


def detail(request: HttpRequest, category: str) -> HttpResponse:
    found = categories.category_page(
        category,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        number=request.GET.get("page"),
    )
    return render(request, "categories/detail.html", {"page": found})
