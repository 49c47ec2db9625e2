"""Papers and venues: the paper page's content, venue listings, and finding a paper by a key."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from shortscience.models import Comment, Paper, PaperIdentifier, PaperRedirect, Summary, User
from shortscience.services import authors, cards, identifiers, neutralpages, similar
from shortscience.services.errors import NotFound


def get(paper_id: int) -> Paper:
    paper = Paper.objects.select_related("venue").filter(pk=paper_id).first()
    if paper is None:
        raise NotFound("There is no such paper.")
    return paper


def moved_to(paper_id: int) -> Paper | None:
    """The paper that a merged-away paper `paper_id` became (services/merging.py), if any."""
    moved = PaperRedirect.objects.filter(old_id=paper_id).select_related("paper").first()
    return moved.paper if moved is not None else None


@dataclass
class PaperPage:
    paper: Paper
    identifiers: list[PaperIdentifier]
    cards: list[cards.SummaryCard]
    own_summary: Summary | None
    only_author: str = ""
    neighbours: similar.Similar | None = None  # similar papers and summaries, precomputed
    authors: authors.PaperAuthors = field(default_factory=authors.PaperAuthors)
    errata: list[Comment] = field(default_factory=list)  # shown comments with an erratum
    by_authors: bool = False  # the discussion shows only the threads the authors wrote in


def page(
    paper_id: int, viewer: User | None, *, only_author: str = "", by_authors: bool = False
) -> PaperPage:
    """The paper with its visible summaries by score; `only_author` keeps one person's named
    summary (the old site's `&a=<username>`), never an anonymous one; `by_authors` keeps the
    comment threads the paper's verified authors wrote in (and the summaries they are under)."""
    paper = get(paper_id)
    rows = Summary.objects.visible_to(viewer).filter(paper=paper)
    if only_author:
        rows = rows.filter(author__username=only_author, is_anonymous=False)
    summaries = list(rows.select_related("author").order_by("-score", "published_at", "pk"))
    own = None
    neutralpages.note_own_summaries_of(paper.pk)
    if viewer is not None and viewer.is_authenticated:
        own = next((s for s in summaries if s.author_id == viewer.pk), None)
    written = authors.for_paper(paper.pk, viewer)
    built = cards.build(summaries, viewer, with_comments=True, paper_authors=written.ids)
    errata = authors.errata(c for card in built for c in card.comments)
    if by_authors:
        for card in built:
            card.comments = authors.by_authors(card.comments, written.ids)
        built = [card for card in built if card.comments]
    return PaperPage(
        paper=paper,
        identifiers=list(paper.identifiers.all()),
        cards=built,
        own_summary=own,
        only_author=only_author,
        neighbours=similar.for_paper(paper.pk, [s.pk for s in summaries if s.is_public]),
        authors=written,
        errata=errata,
        by_authors=by_authors,
    )


def find_by_key(key: str) -> Paper | None:
    """A paper named by one of its identifiers, given bare (`1706.03762`, a DOI, a legacy key)."""
    return identifiers.find_paper(key)


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
