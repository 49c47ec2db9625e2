"""The home page (ranked summaries), the random-summary link and the about page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shortscience.metadata.fields import FIELDS
from shortscience.services import cards, rankings
from shortscience.views.pages.common import viewer


def home(request: HttpRequest) -> HttpResponse:
    ranking = rankings.parse_tab(
        request.GET.get("tab"), request.GET.get("period"), request.GET.get("field")
    )
    page = rankings.page(
        ranking,
        request.GET.get("page"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(
        request,
        "home/index.html",
        {
            "ranking": ranking,
            "tabs": rankings.TAB_LABELS,
            "periods": rankings.PERIOD_LABELS,
            "fields": FIELDS,
            "extra": urlencode(ranking.params()),
            "popular": ranking.order == "viewed",
            "page": page,
            "cards": cards.build(page.items, viewer(request)),
        },
    )


def random_summary(request: HttpRequest) -> HttpResponse:
    summary_id = rankings.random_public_id()
    return redirect("summary", summary_id) if summary_id else redirect("home")


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "home/about.html")
