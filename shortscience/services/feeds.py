"""What the Atom/RSS feeds and the old site's rss files list: public summaries only, as items.

Every feed is built from `public_q` (published, public, not hidden) and turned into `FeedItem`s
here, so the one decision about an author's name lives in one function (`_shown_author`): an
anonymous summary is "Anonymous" and carries nothing of its author. A person's own feed lists only
their named public summaries, so it can never reveal which anonymous summaries they wrote.

Each function costs a fixed number of queries whatever the number of items: one for the object
the feed is about, one for the summaries (with paper, venue and author joined), and one more for
the papers' identifiers when the old site's `shortscience:` fields are wanted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator

from shortscience import search
from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.rendering.bounded import cut
from shortscience.services import identifiers as identifiers_service
from shortscience.services.errors import NotFound

# Items per ordinary feed: readers poll often, so a feed only needs the newest few.
FEED_SIZE = 50
# The old site's /rss.xml listed the newest 100.
LEGACY_RECENT_SIZE = 100
# /rss-all.xml was "everything"; past a thousand items a single XML answer is too slow to build
# and too big for readers, and crawlers find the rest through the sitemap.
LEGACY_ALL_SIZE = 1000
EXCERPT_WORDS = 80
# The most bytes (UTF-8) of HTML one entry carries, its "read more" link included: the excerpt's
# formulas as MathML, or a whole summary in /rss-full.xml, past this are cut between blocks.
ENTRY_MAX_BYTES = 32 * 1024
ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class FeedItem:
    summary_id: int
    title: str
    link: str
    author: str
    published: datetime | None
    updated: datetime | None
    html: str  # the whole summary: only for the old /rss-full.xml, empty in every other feed
    excerpt: str  # plain text, as the old site's rss files had it
    excerpt_html: str  # the opening stored at save time, with its math
    categories: tuple[str, ...]
    paper_title: str
    score: int
    arxiv_id: str = ""
    bibtex_key: str = ""


def _public(*, full: bool = False) -> QuerySet[Summary]:
    rows = (
        Summary.objects.public()
        .select_related("paper", "paper__venue", "author")
        .order_by("-published_at", "-pk")
    )
    # A feed lists excerpts; the whole HTML (tens of KB a summary) only where it is the point.
    return rows.defer("markdown") if full else rows.defer("markdown", "html")


def _shown_author(summary: Summary) -> str:
    """The name shown for a summary's author; nothing of the author for an anonymous one."""
    if summary.is_anonymous:
        return ANONYMOUS
    return summary.author.shown_name


def excerpt(html: str, words: int = EXCERPT_WORDS) -> str:
    """Plain text from the start of the sanitised HTML, for feeds that should not carry it all."""
    return Truncator(" ".join(strip_tags(html).split())).words(words, truncate=" …")


def bounded(html: str, link: str) -> str:
    """`html` within `ENTRY_MAX_BYTES`: whole top-level blocks that fit, then a link to the
    whole summary at `link` when anything was left out."""
    more = format_html('<p><a href="{}">Read the whole summary on ShortScience</a></p>', link)
    kept, was_cut = cut(html, ENTRY_MAX_BYTES)
    if not was_cut:
        return html
    kept, _ = cut(html, ENTRY_MAX_BYTES - len(more.encode()) - 1)
    return f"{kept}\n{more}" if kept else str(more)


def _item(summary: Summary, *, with_identifiers: bool, full: bool) -> FeedItem:
    paper = summary.paper
    categories = [*paper.categories]
    if paper.venue is not None:
        categories.append(paper.venue.key)
    arxiv_id = bibtex_key = ""
    if with_identifiers:
        # Read from the prefetched identifiers: no query per item.
        identifiers = list(paper.identifiers.all())
        arxiv_id = next(
            (i.value for i in identifiers if i.scheme == PaperIdentifier.Scheme.ARXIV), ""
        )
        bibtex_key = identifiers_service.old_site_key(identifiers)
    link = summary.get_absolute_url()
    return FeedItem(
        summary_id=summary.pk,
        title=f"Summary of {paper.title}",
        link=link,
        author=_shown_author(summary),
        published=summary.published_at,
        updated=summary.edited_at or summary.published_at,
        html=bounded(summary.html, link) if full else "",
        excerpt=excerpt(summary.excerpt_html),
        excerpt_html=bounded(summary.excerpt_html, link),
        categories=tuple(dict.fromkeys(c for c in categories if c)),
        paper_title=paper.title,
        score=summary.score,
        arxiv_id=arxiv_id,
        bibtex_key=bibtex_key,
    )


def _items(
    rows: QuerySet[Summary], limit: int, *, with_identifiers: bool = False, full: bool = False
) -> list[FeedItem]:
    if with_identifiers:
        rows = rows.prefetch_related("paper__identifiers")
    return [_item(s, with_identifiers=with_identifiers, full=full) for s in rows[:limit]]


def recent(limit: int = FEED_SIZE) -> list[FeedItem]:
    """The newest public summaries on the whole site."""
    return _items(_public(), limit)


def for_paper(paper_id: int) -> tuple[Paper, list[FeedItem]]:
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None:
        raise NotFound("There is no such paper.")
    return paper, _items(_public().filter(paper=paper), FEED_SIZE)


def for_user(username: str) -> tuple[User, list[FeedItem]]:
    """A person's named public summaries; their anonymous ones never appear here."""
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise NotFound("There is no such user.")
    return person, _items(_public().filter(author=person, is_anonymous=False), FEED_SIZE)


def for_venue(key: str) -> tuple[Venue, list[FeedItem]]:
    venue = Venue.objects.filter(key__iexact=key).first()
    if venue is None:
        raise NotFound("There is no such venue.")
    return venue, _items(_public().filter(paper__venue=venue), FEED_SIZE)


def for_search(query: str) -> list[FeedItem]:
    """Public summaries a search finds: summaries that match, and those of papers that match.

    Search results are only used for ids; the public rule is applied again here, so a search
    backend that returned too much could still not leak a private summary into a feed.
    """
    if not query.strip():
        return []
    results = search.search(query, viewer=None, sort="date", page=1, per_page=FEED_SIZE)
    summary_ids: set[int] = set()
    paper_ids: set[int] = set()
    for hit in results.hits:
        if hit.kind == "summary" and hit.summary is not None:
            summary_ids.add(hit.summary.pk)
        elif hit.kind == "paper" and hit.paper is not None:
            paper_ids.add(hit.paper.pk)
    if not summary_ids and not paper_ids:
        return []
    matching = _public().filter(Q(pk__in=summary_ids) | Q(paper_id__in=paper_ids))
    return _items(matching, FEED_SIZE)


def legacy_recent() -> list[FeedItem]:
    """/rss.xml: the newest 100 public summaries, with the old site's extra fields."""
    return _items(_public(), LEGACY_RECENT_SIZE, with_identifiers=True)


def legacy_all(*, full: bool = False) -> list[FeedItem]:
    """/rss-all.xml and (`full`, with each summary's whole HTML) /rss-full.xml: the newest
    LEGACY_ALL_SIZE public summaries."""
    return _items(_public(full=full), LEGACY_ALL_SIZE, with_identifiers=True, full=full)
