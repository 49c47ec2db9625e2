"""Atom and RSS feeds of public summaries, and the old site's /rss*.xml files (docs/feeds.md).

Thin: each Feed class asks services/feeds.py for its object and its items (already public-only,
with the author's shown name decided there) and maps item fields onto Django's syndication
framework. Bots poll these URLs far more often than people write summaries, so every feed is a
page of the anonymous page cache (services/pagecache.py): kept until a write it shows changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.xmlutils import SimplerXMLGenerator

from shortscience.models import Paper, User, Venue
from shortscience.services import feeds
from shortscience.services.feeds import FeedItem

SHORTSCIENCE_NS = "https://shortscience.org/rss/"


class SummaryFeed(Feed):
    """Item mapping shared by every feed; subclasses say what the feed is about."""

    feed_type: type[SyndicationFeed] = Atom1Feed

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_author_name(self, item: FeedItem) -> str:
        return item.author

    def item_pubdate(self, item: FeedItem) -> datetime | None:
        return item.published

    def item_updateddate(self, item: FeedItem) -> datetime | None:
        return item.updated

    def item_description(self, item: FeedItem) -> str:
        # The opening with its math and a link to the whole summary: a feed of whole summaries
        # was megabytes for every poll.
        return item.excerpt_html

    def item_categories(self, item: FeedItem) -> tuple[str, ...]:
        return item.categories


class RecentFeed(SummaryFeed):
    title = "ShortScience: recent summaries"
    description = "The newest public summaries of research papers on ShortScience."

    def link(self) -> str:
        return reverse("home") + "?tab=recent"

    def items(self) -> list[FeedItem]:
        return feeds.recent()


class PaperFeed(SummaryFeed):
    def get_object(self, request: HttpRequest, paper_id: int) -> tuple[Paper, list[FeedItem]]:
        return feeds.for_paper(paper_id)

    def title(self, obj: tuple[Paper, list[FeedItem]]) -> str:
        return f"ShortScience: summaries of {obj[0].title}"

    def link(self, obj: tuple[Paper, list[FeedItem]]) -> str:
        return obj[0].get_absolute_url()

    def description(self, obj: tuple[Paper, list[FeedItem]]) -> str:
        return f"Public summaries of “{obj[0].title}”."

    def items(self, obj: tuple[Paper, list[FeedItem]]) -> list[FeedItem]:
        return obj[1]


class UserFeed(SummaryFeed):
    def get_object(self, request: HttpRequest, username: str) -> tuple[User, list[FeedItem]]:
        return feeds.for_user(username)

    def title(self, obj: tuple[User, list[FeedItem]]) -> str:
        return f"ShortScience: summaries by {obj[0].shown_name}"

    def link(self, obj: tuple[User, list[FeedItem]]) -> str:
        return obj[0].get_absolute_url()

    def description(self, obj: tuple[User, list[FeedItem]]) -> str:
        return f"Public summaries written by {obj[0].shown_name}."

    def items(self, obj: tuple[User, list[FeedItem]]) -> list[FeedItem]:
        return obj[1]


class VenueFeed(SummaryFeed):
    def get_object(self, request: HttpRequest, key: str) -> tuple[Venue, list[FeedItem]]:
        return feeds.for_venue(key)

    def title(self, obj: tuple[Venue, list[FeedItem]]) -> str:
        return f"ShortScience: summaries of {obj[0].name} papers"

    def link(self, obj: tuple[Venue, list[FeedItem]]) -> str:
        return obj[0].get_absolute_url()

    def description(self, obj: tuple[Venue, list[FeedItem]]) -> str:
        return f"Public summaries of papers from {obj[0].name}."

    def items(self, obj: tuple[Venue, list[FeedItem]]) -> list[FeedItem]:
        return obj[1]


class SearchFeed(SummaryFeed):
    def get_object(self, request: HttpRequest) -> tuple[str, list[FeedItem]]:
        query = request.GET.get("q", "")[:200]
        return query, feeds.for_search(query)

    def title(self, obj: tuple[str, list[FeedItem]]) -> str:
        return f"ShortScience: summaries matching “{obj[0]}”"

    def link(self, obj: tuple[str, list[FeedItem]]) -> str:
        return reverse("search")

    def description(self, obj: tuple[str, list[FeedItem]]) -> str:
        return f"Public summaries found by a search for “{obj[0]}”."

    def items(self, obj: tuple[str, list[FeedItem]]) -> list[FeedItem]:
        return obj[1]


class ShortScienceRss(Rss201rev2Feed):
    """RSS 2.0 plus the old site's `shortscience:` elements, which bots read per item."""

    def root_attributes(self) -> dict[str, str]:
        attrs: dict[str, str] = super().root_attributes()
        attrs["xmlns:shortscience"] = SHORTSCIENCE_NS
        return attrs

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("shortscience:arxivid", item["arxivid"])
        handler.addQuickElement("shortscience:bibtexkey", item["bibtexkey"])
        handler.addQuickElement("shortscience:votes", str(item["votes"]))


class LegacyFeed(SummaryFeed):
    """/rss.xml, /rss-all.xml and /rss-full.xml: the old site's files, in its format."""

    feed_type = ShortScienceRss
    title = "ShortScience.org"
    description = "Recent summaries of research papers on ShortScience."
    full_text = False

    def link(self) -> str:
        return reverse("home")

    def item_description(self, item: FeedItem) -> str:
        return item.html if self.full_text else item.excerpt

    def item_extra_kwargs(self, item: FeedItem) -> dict[str, Any]:
        return {"arxivid": item.arxiv_id, "bibtexkey": item.bibtex_key, "votes": item.score}


class LegacyRecentFeed(LegacyFeed):
    def items(self) -> list[FeedItem]:
        return feeds.legacy_recent()


class LegacyAllFeed(LegacyFeed):
    def items(self) -> list[FeedItem]:
        return feeds.legacy_all()


class LegacyFullFeed(LegacyAllFeed):
    full_text = True

    def items(self) -> list[FeedItem]:
        return feeds.legacy_all(full=True)


def _cached(feed: Feed, feed_type: type[SyndicationFeed]) -> Callable[..., HttpResponse]:
    feed.feed_type = feed_type
    view: Callable[..., HttpResponse] = feed
    return view


def atom(feed_class: type[SummaryFeed]) -> Callable[..., HttpResponse]:
    """The feed as an Atom 1.0 view."""
    return _cached(feed_class(), Atom1Feed)


def rss(feed_class: type[SummaryFeed]) -> Callable[..., HttpResponse]:
    """The feed as an RSS 2.0 view."""
    return _cached(feed_class(), Rss201rev2Feed)


recent_atom, recent_rss = atom(RecentFeed), rss(RecentFeed)
paper_atom, paper_rss = atom(PaperFeed), rss(PaperFeed)
user_atom, user_rss = atom(UserFeed), rss(UserFeed)
venue_atom, venue_rss = atom(VenueFeed), rss(VenueFeed)
search_atom, search_rss = atom(SearchFeed), rss(SearchFeed)
legacy_recent = _cached(LegacyRecentFeed(), ShortScienceRss)
legacy_all = _cached(LegacyAllFeed(), ShortScienceRss)
legacy_full = _cached(LegacyFullFeed(), ShortScienceRss)
