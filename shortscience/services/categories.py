"""arXiv categories: the rows that file each paper under its categories (`PaperCategory`, kept
on every write of papers), the daily "new papers" page of one category and the index of them.

A paper is filed under each category in `Paper.categories` on the day (UTC) it arrived here;
the daily import follows arXiv's announcements, so that is the day arXiv announced it. A page
is one keyset page of one category's rows, newest day first, with each paper's public summary
count and summary-request count read in the same query (both are stored counts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from shortscience.models import Paper, PaperCategory
from shortscience.services import keyset
from shortscience.services.errors import NotFound

CATEGORY_MAX = 40
NEW_PAPERS_ORDER = ("-day", "-pk")
NEW_PAPERS_PAGE_SIZE = 50
# arXiv's category names: an archive (cs, hep-th, q-bio) and an optional subject class.
_CATEGORY = re.compile(r"[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?")


def is_category(raw: str) -> bool:
    return len(raw) <= CATEGORY_MAX and _CATEGORY.fullmatch(raw) is not None


def categories_of(paper: Paper) -> list[str]:
    """The paper's categories that can be filed (each once, in its order)."""
    found = paper.categories if isinstance(paper.categories, list) else []
    return list(dict.fromkeys(c for c in found if isinstance(c, str) and is_category(c)))


def papers_written(paper_ids: Sequence[int]) -> None:
    """File these papers under their categories as they are now (three queries at most)."""
    if not paper_ids:
        return
    wanted: set[tuple[int, str]] = set()
    days: dict[int, date] = {}
    for paper in Paper.objects.filter(pk__in=paper_ids).only("pk", "categories", "created_at"):
        days[paper.pk] = paper.created_at.date()
        wanted |= {(paper.pk, category) for category in categories_of(paper)}
    filed = set(
        PaperCategory.objects.filter(paper_id__in=paper_ids).values_list("paper_id", "category")
    )
    stale = filed - wanted
    if stale:
        gone = Q(pk__in=[])
        for paper_id, category in stale:
            gone |= Q(paper_id=paper_id, category=category)
        PaperCategory.objects.filter(gone).delete()
    fresh = sorted(wanted - filed)
    if fresh:
        PaperCategory.objects.bulk_create(
            [PaperCategory(paper_id=p, category=c, day=days[p]) for p, c in fresh],
            ignore_conflicts=True,
        )


def refile_all(batch: int = 2000) -> None:
    """File every paper again (after a bulk load), a batch of papers at a time."""
    last = 0
    while True:
        ids = list(
            Paper.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        papers_written(ids)
        last = ids[-1]


@dataclass(frozen=True)
class NewPaper:
    paper: Paper
    day: date
    summary_count: int
    wanted_count: int


@dataclass(frozen=True)
class CategoryPage:
    category: str
    items: list[NewPaper]
    page: keyset.Page[PaperCategory]


def category_page(
    category: str,
    *,
    after: str | None = None,
    before: str | None = None,
    number: str | int | None = 1,
) -> CategoryPage:
    """One page of the category's papers, newest day first: one query (the index
    paper_category_new serves the filter and the order). A category with no papers is
    NotFound."""
    if not is_category(category):
        raise NotFound("There is no such arXiv category.")
    rows = (
        PaperCategory.objects.filter(category=category)
        .select_related("paper", "paper__wanted")
        .defer("paper__abstract")
    )
    found = keyset.paginate(
        rows,
        NEW_PAPERS_ORDER,
        limit=NEW_PAPERS_PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=False,
    )
    if not found.items and not (after or before):
        raise NotFound("No paper here has this arXiv category yet.")
    items = [
        NewPaper(
            paper=row.paper,
            day=row.day,
            summary_count=row.paper.summary_count,
            wanted_count=_wanted(row.paper),
        )
        for row in found.items
    ]
    return CategoryPage(category=category, items=items, page=found)


def _wanted(paper: Paper) -> int:
    try:
        return paper.wanted.count
    except Paper.wanted.RelatedObjectDoesNotExist:
        return 0


@dataclass(frozen=True)
class CategoryCount:
    category: str
    papers: int


def category_index() -> list[CategoryCount]:
    """Every category with its number of papers, by name (one query, grouped over the
    category index: arXiv has about 150 categories)."""
    rows = (
        PaperCategory.objects.values("category")
        .annotate(papers=Count("pk"))
        .order_by("category")
        .values_list("category", "papers")
    )
    return [CategoryCount(category, papers) for category, papers in rows]


def exists(category: str) -> bool:
    return is_category(category) and PaperCategory.objects.filter(category=category).exists()
