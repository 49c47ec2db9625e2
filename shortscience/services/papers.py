"""Papers and venues: the paper page's content, venue listings, and finding a paper by a key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import cards, identifiers, markup, similar
from shortscience.services.errors import NotFound
from shortscience.services.summaries import public_q, visible_filter


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
    rows = Summary.objects.filter(visible_filter(viewer), paper=paper)
    if only_author:
        rows = rows.filter(author__username=only_author, is_anonymous=False)
    summaries = list(rows.select_related("author").order_by("-score", "published_at", "pk"))
    own = None
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


def venues() -> QuerySet[Venue]:
    return Venue.objects.annotate(
        paper_count=Count("papers", distinct=True),
        summary_count=Count(
            "papers__summaries",
            filter=public_q("papers__summaries__"),
        ),
    ).order_by("key")


@dataclass
class VenuePage:
    venue: Venue
    years: list[int]
    year: int | None
    papers: list[Paper]


def venue_page(key: str, year: int | None) -> VenuePage:
    venue = Venue.objects.filter(key__iexact=key).first()
    if venue is None:
        raise NotFound("There is no such venue.")
    years = sorted(
        {y for y in venue.papers.values_list("year", flat=True).distinct() if y}, reverse=True
    )
    papers = venue.papers.annotate(
        summary_count=Count("summaries", filter=public_count_filter())
    ).order_by("-year", "title")
    if year is not None:
        papers = papers.filter(year=year)
    return VenuePage(venue=venue, years=years, year=year, papers=list(papers))


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
