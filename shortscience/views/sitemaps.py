"""The sitemap (`/sitemap.xml`, paged by Django past 50,000 URLs): public content only."""

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


class SummarySitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[Summary]:
        return sitemaps.public_summaries()

    def lastmod(self, item: Summary) -> datetime | None:
        return item.edited_at or item.published_at


class UserSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[User]:
        return sitemaps.people_with_public_summaries()

    def location(self, item: User) -> str:
        return f"/users/{item.username}/"


SITEMAPS: dict[str, Any] = {
    "papers": PaperSitemap,
    "summaries": SummarySitemap,
    "users": UserSitemap,
}
