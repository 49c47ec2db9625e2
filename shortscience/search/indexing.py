"""Keeping SearchDocument rows in step with papers, summaries and comments.

Every function takes ids, reads the current rows in bulk (a few queries per chunk of ids,
whatever the chunk size) and replaces their documents; an id whose row is gone, or is no longer
searchable, just loses its document. Who may find what is decided here, once, when a document is
written:

* a paper is public;
* a summary is public when published, public and not hidden; a private or draft one carries its
  author as `owner_id` (only they find it); a hidden one has no document at all;
* an anonymous summary's document has no `people` text and no `author_username`, so neither
  words nor `user:` lead to its author;
* a comment has a document only while it is not deleted or hidden and its summary is public.

The full-text columns themselves are maintained by the database (FTS5 triggers or a generated
tsvector column, migration 0006), so writing rows here is all either dialect needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from shortscience.models import Comment, Paper, PaperIdentifier, SearchDocument, Summary, User
from shortscience.models.summaries import public_q
from shortscience.search.snippets import document_text


def _plain(markdown: str) -> str:
    """Markdown as the words a reader sees, for matching and snippets (the renderer's own
    token stream: emphasis, heading, quote marks and link targets are not words; math and
    \\cite keys stay, people search for them, marked so that snippets show them as such)."""
    return document_text(markdown)


CHUNK = 2000  # ids per round trip: well under SQLite's bound-parameter limit
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # sorts an undated row first
Kind = SearchDocument.Kind
Progress = Callable[[int, int], None]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted({int(i) for i in ids})
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _public_summary() -> Q:
    return public_q()


def _person(user: User) -> str:
    return f"{user.display_name} {user.username}".strip()


def _text_list(value: Any) -> str:
    return " ".join(str(item) for item in value) if isinstance(value, list) else ""


# Papers


def index_papers(paper_ids: Iterable[int]) -> None:
    """(Re)index papers and, since they carry its title, authors, venue and year, their
    summaries and comments."""
    for chunk in _chunks(paper_ids):
        _index_paper_chunk(chunk)
        summary_ids = list(Summary.objects.filter(paper_id__in=chunk).values_list("pk", flat=True))
        if summary_ids:
            index_summaries(summary_ids, refresh_papers=False)


def _index_paper_chunk(chunk: list[int]) -> None:
    rows = list(
        Paper.objects.filter(pk__in=chunk).values(
            "pk", "title", "authors", "abstract", "year", "venue__key", "created_at"
        )
    )
    names: dict[int, list[str]] = defaultdict(list)
    for paper_id, scheme, value in PaperIdentifier.objects.filter(paper_id__in=chunk).values_list(
        "paper_id", "scheme", "value"
    ):
        names[paper_id].append(f"{scheme} {value}")
    counts = dict(
        Summary.objects.filter(_public_summary(), paper_id__in=chunk)
        .values_list("paper_id")
        .annotate(n=Count("pk"))
        .values_list("paper_id", "n")
    )
    docs = [
        SearchDocument(
            kind=Kind.PAPER,
            object_id=row["pk"],
            paper_id=row["pk"],
            title=row["title"],
            authors=_text_list(row["authors"]),
            identifiers=" ".join(names[row["pk"]]),
            body=row["abstract"],
            venue=(row["venue__key"] or "").lower(),
            year=row["year"],
            is_public=True,
            score=counts.get(row["pk"], 0),
            date=row["created_at"],
        )
        for row in rows
    ]
    with transaction.atomic():
        SearchDocument.objects.filter(kind=Kind.PAPER, object_id__in=chunk).delete()
        SearchDocument.objects.bulk_create(docs, batch_size=500)


def _refresh_paper_scores(paper_ids: Iterable[int]) -> None:
    """A paper's score is its number of public summaries."""
    for chunk in _chunks(paper_ids):
        counts = dict(
            Summary.objects.filter(_public_summary(), paper_id__in=chunk)
            .values_list("paper_id")
            .annotate(n=Count("pk"))
            .values_list("paper_id", "n")
        )
        docs = list(SearchDocument.objects.filter(kind=Kind.PAPER, object_id__in=chunk))
        changed = [d for d in docs if d.score != counts.get(d.object_id, 0)]
        for doc in changed:
            doc.score = counts.get(doc.object_id, 0)
        if changed:
            SearchDocument.objects.bulk_update(changed, ["score"])


def remove_paper(paper_id: int) -> None:
    """Forget a paper and everything indexed under it (its summaries have moved or gone)."""
    SearchDocument.objects.filter(paper_id=paper_id).delete()


# Summaries


def index_summaries(
    summary_ids: Iterable[int], *, refresh_papers: bool = True, with_comments: bool = True
) -> None:
    """(Re)index summaries and, unless told otherwise, the comments on them (whose visibility
    follows theirs) and their papers' scores."""
    for chunk in _chunks(summary_ids):
        summaries = list(
            Summary.objects.filter(pk__in=chunk).select_related("paper", "paper__venue", "author")
        )
        docs = [doc for doc in map(_summary_document, summaries) if doc is not None]
        with transaction.atomic():
            SearchDocument.objects.filter(kind=Kind.SUMMARY, object_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(docs, batch_size=500)
        if with_comments:
            comment_ids = Comment.objects.filter(summary_id__in=chunk).values_list("pk", flat=True)
            stale = SearchDocument.objects.filter(kind=Kind.COMMENT, summary_id__in=chunk)
            index_comments([*comment_ids, *stale.values_list("object_id", flat=True)])
        if refresh_papers:
            _refresh_paper_scores({s.paper_id for s in summaries})


def _summary_document(summary: Summary) -> SearchDocument | None:
    if summary.is_hidden:
        return None
    paper, public = summary.paper, summary.is_public
    named = not summary.is_anonymous
    return SearchDocument(
        kind=Kind.SUMMARY,
        object_id=summary.pk,
        paper_id=paper.pk,
        summary_id=summary.pk,
        user_id=summary.author_id,
        title=paper.title,
        authors=_text_list(paper.authors),
        people=_person(summary.author) if named else "",
        body=_plain(summary.markdown),
        venue=paper.venue.key.lower() if paper.venue else "",
        year=paper.year,
        author_username=summary.author.username.lower() if named else "",
        is_public=public,
        owner_id=None if public else summary.author_id,
        score=summary.score,
        date=summary.published_at or summary.created_at,
    )


def remove_summary(summary_id: int) -> None:
    """Forget a deleted summary and the comments on it; its paper's score changes."""
    paper_ids = set(
        SearchDocument.objects.filter(summary_id=summary_id).values_list("paper_id", flat=True)
    )
    SearchDocument.objects.filter(summary_id=summary_id).delete()
    _refresh_paper_scores(paper_ids)


def refresh_scores(summary_ids: Sequence[int]) -> None:
    """Copy recounted vote scores onto summary documents (no full-text work)."""
    for chunk in _chunks(summary_ids):
        scores = dict(Summary.objects.filter(pk__in=chunk).values_list("pk", "score"))
        docs = list(SearchDocument.objects.filter(kind=Kind.SUMMARY, object_id__in=chunk))
        changed = [d for d in docs if d.score != scores.get(d.object_id, d.score)]
        for doc in changed:
            doc.score = scores[doc.object_id]
        if changed:
            SearchDocument.objects.bulk_update(changed, ["score"])


# Comments


def index_comments(comment_ids: Iterable[int]) -> None:
    for chunk in _chunks(comment_ids):
        comments = list(
            Comment.objects.filter(
                pk__in=chunk, deleted_at__isnull=True, is_hidden=False
            ).select_related("summary", "summary__paper", "summary__paper__venue", "author")
        )
        docs = [_comment_document(c) for c in comments if c.summary.is_public]
        with transaction.atomic():
            SearchDocument.objects.filter(kind=Kind.COMMENT, object_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(docs, batch_size=500)


def _comment_document(comment: Comment) -> SearchDocument:
    paper = comment.summary.paper
    # "The author (anonymous)": searching for the person must not find it.
    anonymous = comment.by_anonymous_author
    return SearchDocument(
        kind=Kind.COMMENT,
        object_id=comment.pk,
        paper_id=paper.pk,
        summary_id=comment.summary_id,
        comment_id=comment.pk,
        user_id=None if anonymous else comment.author_id,
        people="" if anonymous else _person(comment.author),
        body=_plain(comment.markdown),
        venue=paper.venue.key.lower() if paper.venue else "",
        year=paper.year,
        author_username="" if anonymous else comment.author.username.lower(),
        is_public=True,
        date=comment.created_at,
    )


def remove_comment(comment_id: int) -> None:
    SearchDocument.objects.filter(kind=Kind.COMMENT, object_id=comment_id).delete()


# People and everything


def index_users(user_ids: Sequence[int]) -> None:
    """People's names changed, or they are gone: reindex what they wrote."""
    ids = list(user_ids)
    known = SearchDocument.objects.filter(user_id__in=ids)
    summary_ids = {
        *Summary.objects.filter(author_id__in=ids).values_list("pk", flat=True),
        *known.filter(kind=Kind.SUMMARY).values_list("object_id", flat=True),
    }
    comment_ids = {
        *Comment.objects.filter(author_id__in=ids).values_list("pk", flat=True),
        *known.filter(kind=Kind.COMMENT).values_list("object_id", flat=True),
    }
    index_summaries(summary_ids)
    index_comments(comment_ids)


def rebuild(progress: Progress | None = None) -> int:
    """Throw the index away and write it again from every paper, summary and comment; returns
    the number of documents. `progress(done, total)` is called after each chunk.

    Documents are written oldest first by the date each carries, papers, summaries and
    comments interleaved chunk by chunk, so that document ids follow dates: search ranks a
    very common word among its newest documents by id (dialects.POOL_SIZE), which must not
    mean "comments and summaries only" after a rebuild."""
    dated = sorted(
        [
            *((when, 0, pk) for pk, when in Paper.objects.values_list("pk", "created_at")),
            *(
                (when, 1, pk)
                for pk, when in Summary.objects.annotate(
                    when=Coalesce("published_at", "created_at")
                ).values_list("pk", "when")
            ),
            *((when, 2, pk) for pk, when in Comment.objects.values_list("pk", "created_at")),
        ],
        key=lambda item: (item[0] or _EPOCH, item[1], item[2]),
    )
    with transaction.atomic():
        SearchDocument.objects.all().delete()
    writers: tuple[Callable[[list[int]], None], ...] = (
        _index_paper_chunk,
        lambda ids: index_summaries(ids, refresh_papers=False, with_comments=False),
        index_comments,
    )
    for start in range(0, len(dated), CHUNK):
        chunk = dated[start : start + CHUNK]
        for kind, write in enumerate(writers):
            ids = [pk for _, of_kind, pk in chunk if of_kind == kind]
            if ids:
                write(ids)
        if progress is not None:
            progress(start + len(chunk), len(dated))
    return SearchDocument.objects.count()
