"""Papers and venues: the paper page's content, venue listings, and finding a paper by a key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import cards, identifiers, keyset, markup, neutralpages, similar
from shortscience.services.errors import NotFound


def get(paper_id: int) -> Paper:
    paper = Paper.objects.select_related("venue").filter(pk=paper_id).first()
    if paper is None:
        raise NotFound("There is no such paper.")
    return paper


@dataclass
class PaperPage:
    paper: Paper
    identifiers: list[PaperIdentifier]
    cards: list[cards.SummaryCard]
    own_summary: Summary | None
    only_author: str = ""
    neighbours: similar.Similar | None = None  # similar papers and summaries, precomputed


def page(paper_id: int, viewer: User | None, *, only_author: str = "") -> PaperPage:
    """The paper with its visible summaries by score; `only_author` keeps one person's named
    summary (the old site's `&a=<username>`), never an anonymous one."""
    paper = get(paper_id)
    rows = Summary.objects.visible_to(viewer).filter(paper=paper)
    if only_author:
        rows = rows.filter(author__username=only_author, is_anonymous=False)
    summaries = list(rows.select_related("author").order_by("-score", "published_at", "pk"))
    own = None
    neutralpages.note_own_summaries_of(paper.pk)
    if viewer is not None and viewer.is_authenticated:
        own = next((s for s in summaries if s.author_id == viewer.pk), None)
    return PaperPage(
        paper=paper,
        identifiers=list(paper.identifiers.all()),
        cards=cards.build(summaries, viewer, with_comments=True),
        own_summary=own,
        only_author=only_author,
        neighbours=similar.for_paper(paper.pk, [s.pk for s in summaries if s.is_public]),
    )


def find_by_key(key: str) -> Paper | None:
    """A paper named by one of its identifiers, given bare (`1706.03762`, a DOI, a legacy key)."""
    return identifiers.find_paper(key)


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


def save_venue_description(venue: Venue, markdown: str) -> Venue:
    venue.description_markdown = markdown
    venue.description_html = markup.render(markdown).html
    venue.save(update_fields=["description_markdown", "description_html"])
    return venue


@dataclass(frozen=True)
class PaperCount:
    key: str
    url: str | None
    summaries: int


def counts(keys: list[str]) -> list[PaperCount]:
    """For each key (any identifier form), the canonical paper URL and its public summary count.

    Tools (reference managers, arxiv-sanity) use this instead of the old site's 203 status.
    """
    found = identifiers.find_papers(keys)
    ids = set(found.values())
    totals = dict(Paper.objects.filter(pk__in=ids).values_list("pk", "summary_count"))
    result = []
    for key in keys:
        paper_id = found.get(key)
        if paper_id is None:
            result.append(PaperCount(key, None, 0))
        else:
            result.append(
                PaperCount(key, reverse("paper", args=[paper_id]), totals.get(paper_id, 0))
            )
    return result


def title_search(query: str, limit: int = 50) -> list[Paper]:
    """Papers whose title contains every word of the query (until full-text search exists)."""
    words = [w for w in query.split() if len(w) > 1][:8]
    if not words:
        return []
    rows = Paper.objects.select_related("venue")
    for word in words:
        rows = rows.filter(title__icontains=word)
    return list(rows.order_by("-summary_count", "-year", "title")[:limit])
