"""Venues: the list of venues and one venue's papers by year, with the counts stored on them
(services/counts.py keeps those)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shortscience.metadata import venues as venue_keys
from shortscience.models import Paper, Venue
from shortscience.services import keyset, markup
from shortscience.services.errors import NotFound


def venues() -> QuerySet[Venue]:
    """Every venue by key; paper_count and summary_count are stored (services/counts.py)."""
    return Venue.objects.order_by("key")


VENUES_ORDER = ("key",)
VENUES_PAGE_SIZE = 100
VENUE_PAPERS_ORDER = ("-year", "title", "pk")
VENUE_PAPERS_PAGE_SIZE = 100


def venue_listing(
    number: str | int | None = 1, *, after: str | None = None, before: str | None = None
) -> keyset.Page[Venue]:
    """One page of venues by key (the venues list page), with their stored counts: one query
    on the key index, whatever the number of papers."""
    return keyset.paginate(
        Venue.objects.all(),
        VENUES_ORDER,
        limit=VENUES_PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=False,
    )


@dataclass
class VenuePage:
    venue: Venue
    years: list[int]
    year: int | None
    page: keyset.Page[Paper]

    @property
    def papers(self) -> list[Paper]:
        return self.page.items

    @property
    def query(self) -> str:
        """The query string naming this list, for the pager's links."""
        return f"year={self.year}" if self.year is not None else ""


def venue_page(
    key: str,
    year: int | None,
    *,
    after: str | None = None,
    before: str | None = None,
    number: str | int | None = 1,
    strict: bool = False,
) -> VenuePage:
    """A venue's papers of one year (or all), newest year first then by title, a page at a time;
    papers without a year have no place in that order and are left out (docs/decisions)."""
    venue = Venue.objects.filter(key__iexact=key).first()
    if venue is None:
        raise NotFound("There is no such venue.")
    papers: QuerySet[Paper] = venue.papers.defer("abstract")
    if year is not None:
        papers = papers.filter(year=year)
    found = keyset.paginate(
        papers,
        VENUE_PAPERS_ORDER,
        limit=VENUE_PAPERS_PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=strict,
    )
    return VenuePage(venue=venue, years=list(venue.years), year=year, page=found)


@dataclass
class OldVenue:
    """Where an old-site venue key leads: its venue (None when it names none here), the year
    the key carried, and words to search for instead."""

    venue: Venue | None
    year: int | None
    words: str


def old_site_venue(key: str) -> OldVenue:
    """The venue an old-site key names: the key itself as a venue key, then the venue of its
    DBLP stream (`conf/nips/2017` -> NeurIPS, year 2017), then of its DOI prefix
    (`10.1109/cvpr` -> CVPR); keys match without regard to case. One query."""
    old = venue_keys.old_site_key(key[:300])
    if not old.keys:
        return OldVenue(venue=None, year=None, words="")
    matches = Q()
    for candidate in old.keys:
        matches |= Q(key__iexact=candidate)
    found = {venue.key.lower(): venue for venue in Venue.objects.filter(matches)}
    venue = next((found[k.lower()] for k in old.keys if k.lower() in found), None)
    return OldVenue(venue=venue, year=old.year, words=old.words)


def save_venue_description(venue: Venue, markdown: str) -> Venue:
    venue.description_markdown = markdown
    venue.description_html = markup.render(markdown).html
    venue.save(update_fields=["description_markdown", "description_html"])
    return venue
