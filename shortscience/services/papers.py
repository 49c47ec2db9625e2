"""Papers and venues: the paper page's content, venue listings, and finding a paper by a key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.models.summaries import public_q
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


def public_count_filter() -> Q:
    return public_q("summaries__")


def _summary_count() -> Subquery:
    """A paper's public summaries, as a correlated subquery: it reads the summaries of the
    paper rows shown, where a join with GROUP BY would aggregate before the page is cut."""
    rows = Summary.objects.filter(public_q(), paper=OuterRef("pk")).order_by().values("paper")
    return Subquery(rows.annotate(n=Count("pk")).values("n"))


def _paper_count() -> Count:
    return Count("papers", distinct=True)


def _venue_summary_count() -> Count:
    return Count("papers__summaries", filter=public_q("papers__summaries__"))


def venues() -> QuerySet[Venue]:
    """Every venue by key, with paper_count and summary_count."""
    return Venue.objects.annotate(
        paper_count=_paper_count(), summary_count=_venue_summary_count()
    ).order_by("key")


VENUES_ORDER = ("key",)
VENUES_PAGE_SIZE = 100
VENUE_PAPERS_ORDER = ("-year", "title", "pk")
VENUE_PAPERS_PAGE_SIZE = 100


def venue_listing(
    number: str | int | None = 1, *, after: str | None = None, before: str | None = None
) -> keyset.Page[Venue]:
    """One page of venues by key (the venues list page), with paper_count and summary_count.

    Two queries: the page from the key index, then the counts of its venues alone in one
    grouped join (one grouped query beats a correlated subquery per venue on PostgreSQL). The
    cost still grows with the size of the venues shown: constant cost would need stored counts.
    """
    found = keyset.paginate(
        Venue.objects.all(),
        VENUES_ORDER,
        limit=VENUES_PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=False,
    )
    counted = (
        Venue.objects.filter(pk__in=[venue.pk for venue in found])
        .annotate(papers_n=_paper_count(), summaries_n=_venue_summary_count())
        .values_list("pk", "papers_n", "summaries_n")
    )
    counts = {pk: (papers, summaries) for pk, papers, summaries in counted}
    for venue in found:
        venue.paper_count, venue.summary_count = counts.get(venue.pk, (0, 0))
    return found


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
    years = list(
        venue.papers.filter(year__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    papers: QuerySet[Paper] = venue.papers.defer("abstract").annotate(
        summary_count=Coalesce(_summary_count(), 0)
    )
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
    return VenuePage(venue=venue, years=[y for y in years if y], year=year, page=found)


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
    totals = dict(
        Paper.objects.filter(pk__in=ids)
        .annotate(n=Count("summaries", filter=public_count_filter()))
        .values_list("pk", "n")
    )
    result = []
    for key in keys:
        paper_id = found.get(key)
        if paper_id is None:
            result.append(PaperCount(key, None, 0))
        else:
            result.append(PaperCount(key, f"/papers/{paper_id}/", totals.get(paper_id, 0)))
    return result


def title_search(query: str, limit: int = 50) -> list[Paper]:
    """Papers whose title contains every word of the query (until full-text search exists)."""
    words = [w for w in query.split() if len(w) > 1][:8]
    if not words:
        return []
    rows = Paper.objects.select_related("venue").annotate(
        summary_count=Count("summaries", filter=public_count_filter())
    )
    for word in words:
        rows = rows.filter(title__icontains=word)
    return list(rows.order_by("-summary_count", "-year", "title")[:limit])
