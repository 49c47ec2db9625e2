"""The home page's tabs: Popular (recent activity), Recent (newest published) and Best (score)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from shortscience.models import Summary
from shortscience.services.summaries import public_summaries

TABS = {
    "popular": ("-last_activity_at", "-pk"),
    "recent": ("-published_at", "-pk"),
    "best": ("-score", "-published_at", "-pk"),
}
DEFAULT_TAB = "popular"


def ranked(tab: str) -> QuerySet[Summary]:
    order = TABS.get(tab, TABS[DEFAULT_TAB])
    return public_summaries().select_related("paper", "paper__venue", "author").order_by(*order)


def page(tab: str, number: str | int | None) -> Page[Summary]:
    return Paginator(ranked(tab), settings.PAGE_SIZE).get_page(number)


def random_public_id() -> int | None:
    return public_summaries().order_by("?").values_list("pk", flat=True).first()
