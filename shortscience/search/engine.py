"""search(query) -> Results: parse, resolve identifiers, match, and turn index rows into hits.

A search costs a bounded number of queries whatever the size of the index or of the page: the
identifier check (only for input that parses as one), the ranked page of document ids with its
count (one statement, see dialects.py), then the documents, papers, summaries and comments of
that page, one query each, and one for the titles of the papers their snippets cite (when
they cite any). Counts stop at dialects.POOL_SIZE: past it `Results.total_capped` says "more
than".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from shortscience.metadata import identifiers
from shortscience.models import Comment, Paper, PaperIdentifier, SearchDocument, Summary, User
from shortscience.models.comments import with_anonymity
from shortscience.search import dialects, snippets
from shortscience.search.query import ParsedQuery, parse

SORTS = ("relevance", "score", "date")
MAX_PER_PAGE = 100
MAX_PAGE = 200  # deeper pages cost the database more than anyone reads
Kind = SearchDocument.Kind


@dataclass(frozen=True)
class Hit:
    kind: str  # "paper" | "summary" | "comment"
    paper: Paper
    summary: Summary | None
    comment: Comment | None
    snippet_html: SafeString
    score: int
    date: datetime | None


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    has_next: bool
    query: ParsedQuery
    sort: str = "relevance"
    redirect_url: str | None = None
    total_capped: bool = False  # more matched than were counted: `total` is a lower bound

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _clean(text: str) -> str:
    # NUL and lone surrogates can be neither stored nor compared by either database.
    return "".join(c for c in text if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF)


def _stored_forms(key: str) -> list[str]:
    """The identifier values a typed or cited key may be stored as."""
    values = [ident.value for ident in identifiers.lookup_values(key)]
    return list(dict.fromkeys([*values, key.strip(), key.strip().lower()]))


def find_paper_url(text: str) -> str | None:
    """The page of the known paper `text` names (arXiv id, DOI, URL, DBLP key...), if any."""
    if not text or len(text) > 2000 or identifiers.parse(text) is None:
        return None
    paper_id = (
        PaperIdentifier.objects.filter(value__in=_stored_forms(text))
        .order_by("scheme")
        .values_list("paper_id", flat=True)
        .first()
    )
    return Paper(pk=paper_id).get_absolute_url() if paper_id is not None else None


def search(
    query: str,
    *,
    viewer: User | None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> Results:
    text = _clean(query or "").strip()
    sort = sort if sort in SORTS else "relevance"
    page = min(max(int(page), 1), MAX_PAGE)
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    parsed = parse(text)
    empty = Results([], 0, page, per_page, False, parsed, sort)
    redirect = find_paper_url(text)
    if redirect is not None:
        return Results([], 0, page, per_page, False, parsed, sort, redirect_url=redirect)
    if parsed.is_empty or not (parsed.positive or parsed.has_filters or parsed.negative):
        return empty
    queryset = SearchDocument.objects.filter(_visible(viewer) & _filters(parsed))
    dialect = dialects.for_database(queryset.db)
    offset = (page - 1) * per_page
    if parsed.positive:
        ranked = dialect.ranked(
            queryset,
            list(parsed.positive),
            list(parsed.negative),
            sort=sort,
            limit=per_page,
            offset=offset,
            # A person's writing is a handful of rows: cheaper to start from than any text.
            filter_first=bool(parsed.users),
        )
        ids, total, capped = ranked.ids, ranked.total, ranked.capped
    else:
        # Only filters (and perhaps exclusions): nothing to rank by, so newest first.
        if parsed.negative:
            queryset = dialect.exclude(queryset, list(parsed.negative))
        # Pages stop where counting does, as they do for words (dialects.POOL_SIZE).
        cap = dialects.POOL_SIZE
        ordered = queryset.order_by("-score" if sort == "score" else "-date", "-id")
        stop = max(offset, min(offset + per_page, cap))
        ids = list(ordered.values_list("id", flat=True)[offset:stop])
        counted = queryset.order_by()[: cap + 1].count()
        total, capped = min(counted, cap), counted > cap
    hits = _hits(ids, parsed, viewer)
    has_next = total > page * per_page
    return Results(hits, total, page, per_page, has_next, parsed, sort, total_capped=capped)


def _visible(viewer: User | None) -> Q:
    if viewer is not None and viewer.is_authenticated:
        return Q(is_public=True) | Q(owner_id=viewer.pk)
    return Q(is_public=True)


def _filters(parsed: ParsedQuery) -> Q:
    q = Q()
    if parsed.venues:
        q &= Q(venue__in=parsed.venues)
    if parsed.year_from is not None:
        q &= Q(year__gte=parsed.year_from)
    if parsed.year_to is not None:
        q &= Q(year__lte=parsed.year_to)
    if parsed.users:
        q &= Q(author_username__in=parsed.users)
    if parsed.has_summary:
        summarised = SearchDocument.objects.filter(kind=Kind.SUMMARY, is_public=True)
        q &= Q(paper_id__in=summarised.values("paper_id"))
    return q


def _hits(ids: list[int], parsed: ParsedQuery, viewer: User | None) -> list[Hit]:
    if not ids:
        return []
    docs = SearchDocument.objects.in_bulk(ids)
    rows = [docs[i] for i in ids if i in docs]
    # Each paper carries its stored number of public summaries (services/counts.py).
    papers = Paper.objects.select_related("venue").in_bulk({d.paper_id for d in rows})
    summary_ids = {d.summary_id for d in rows if d.summary_id is not None}
    summaries = Summary.objects.select_related("author").in_bulk(summary_ids) if summary_ids else {}
    comment_ids = {d.comment_id for d in rows if d.comment_id is not None}
    comments = (
        with_anonymity(Comment.objects.select_related("author")).in_bulk(comment_ids)
        if comment_ids
        else {}
    )
    tokens = parsed.highlight_tokens
    shown = []
    for doc in rows:
        paper = papers.get(doc.paper_id)
        summary = summaries.get(doc.summary_id) if doc.summary_id else None
        comment = comments.get(doc.comment_id) if doc.comment_id else None
        if paper is None or not _still_visible(doc, summary, comment, viewer):
            continue  # the index is a step behind a deletion: leave the row out
        shown.append(
            (doc, paper, summary, comment, snippets.window(doc.body or paper.title, tokens))
        )
    titles = _cited_titles([key for *_, where in shown for key in where.cited()])
    return [
        Hit(
            kind=doc.kind,
            paper=paper,
            summary=summary,
            comment=comment,
            snippet_html=mark_safe(snippets.render(where, titles)),  # noqa: S308 - escaped by snippets
            score=doc.score,
            date=doc.date,
        )
        for doc, paper, summary, comment, where in shown
    ]


MAX_CITED = 200  # keys looked up for one page of snippets


def _cited_titles(keys: list[str]) -> dict[str, str]:
    """The titles of the known papers the snippets cite, by key, in one query (none when the
    snippets cite nothing)."""
    wanted = {key: _stored_forms(key) for key in sorted(set(keys))[:MAX_CITED]}
    if not wanted:
        return {}
    values = {value for forms in wanted.values() for value in forms}
    rows = PaperIdentifier.objects.filter(value__in=values).order_by("-scheme")
    title_of = dict(rows.values_list("value", "paper__title"))
    found = {}
    for key, forms in wanted.items():
        title = next((title_of[form] for form in forms if form in title_of), None)
        if title:
            found[key] = title
    return found


def _still_visible(
    doc: SearchDocument, summary: Summary | None, comment: Comment | None, viewer: User | None
) -> bool:
    """The rows say the same as the document: a second check against a stale index."""
    if doc.kind == Kind.PAPER:
        return True
    if summary is None or summary.is_hidden:
        return False
    if doc.kind == Kind.SUMMARY:
        mine = viewer is not None and summary.author_id == viewer.pk
        return summary.is_public or mine
    return comment is not None and summary.is_public and not comment.is_deleted
