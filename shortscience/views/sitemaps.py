"""The sitemap: an index at `/sitemap.xml` pointing at `/sitemap-<section>.xml?p=N` pages.

Each section pages itself at `limit` URLs (Django's default, 50,000: the sitemaps.org maximum),
so the index grows a page per 50,000 papers, summaries or people. Public content only; the
querysets live in services/sitemaps.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from shortscience.models import Paper, Summary, User
from shortscience.services import sitemaps


class PaperSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Paper]:
        return sitemaps.papers_with_public_summaries()

    def lastmod(self, item: Paper) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        # Django's default calls lastmod() on every item: one aggregate instead.
        return sitemaps.papers_last_changed()


class SummarySitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[Summary]:
        return sitemaps.public_summaries()

    def lastmod(self, item: Summary) -> datetime | None:
        return item.edited_at or item.published_at

    def get_latest_lastmod(self) -> datetime | None:
        return sitemaps.summaries_last_changed()


class UserSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[User]:
        return sitemaps.people_with_public_summaries()


SITEMAPS: dict[str, Any] = {
    "papers": PaperSitemap,
    "summaries": SummarySitemap,
    "users": UserSitemap,
}
