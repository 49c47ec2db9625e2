"""Papers and venues: the paper page's content, venue listings, and finding a paper by a key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import cards, identifiers, markup
from shortscience.services.errors import NotFound
from shortscience.services.summaries import visible_filter


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


def page(paper_id: int, viewer: User | None) -> PaperPage:
    paper = get(paper_id)
    summaries = list(
        Summary.objects.filter(visible_filter(viewer), paper=paper)
        .select_related("author")
        .order_by("-score", "published_at", "pk")
    )
    own = None
    if viewer is not None and viewer.is_authenticated:
        own = next((s for s in summaries if s.author_id == viewer.pk), None)
    return PaperPage(
        paper=paper,
        identifiers=list(paper.identifiers.all()),
        cards=cards.build(summaries, viewer, with_comments=True),
        own_summary=own,
    )


def find_by_key(key: str) -> Paper | None:
    """A paper named by one of its identifiers, given bare (`1706.03762`, a DOI, a legacy key)."""
    return identifiers.find_paper(key)


def public_count_filter() -> Q:
    return Q(
        summaries__status=Summary.Status.PUBLISHED,
        summaries__visibility=Summary.Visibility.PUBLIC,
    )


def venues() -> QuerySet[Venue]:
    return Venue.objects.annotate(
        paper_count=Count("papers", distinct=True),
        summary_count=Count(
            "papers__summaries",
            filter=Q(
                papers__summaries__status=Summary.Status.PUBLISHED,
                papers__summaries__visibility=Summary.Visibility.PUBLIC,
            ),
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
