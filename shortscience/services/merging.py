"""Merging two records of the same paper: everything moves to the one that stays.

Identifiers, summaries, votes and comments move to the kept paper. When one person summarised
both records, their kept summary is the one with the higher score; the other's text is added to
its revision history, its comments move over, and its votes move unless the voter already voted
on the kept summary. Nothing is deleted that a person wrote. Two summaries that differ in
anonymity, privacy or draft state are never folded (the merge is refused with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from shortscience.models import Comment, Paper, PaperIdentifier, Revision, Summary, Vote
from shortscience.services import events
from shortscience.services.errors import Conflict, InvalidInput, NotFound
from shortscience.services.votes import recount


@dataclass(frozen=True)
class MergeResult:
    kept: Paper
    identifiers: int
    summaries: int
    folded_summaries: int


def merge(source_id: int, target_id: int) -> MergeResult:
    if source_id == target_id:
        raise InvalidInput("A paper cannot be merged into itself.")
    with transaction.atomic():
        rows = Paper.objects.select_for_update().filter(pk__in=[source_id, target_id])
        papers = {p.pk: p for p in rows}
        if source_id not in papers or target_id not in papers:
            raise NotFound("Both papers must exist to merge them.")
        source, target = papers[source_id], papers[target_id]
        pairs = []
        for summary in Summary.objects.filter(paper=source):
            twin = Summary.objects.filter(paper=target, author_id=summary.author_id).first()
            if twin is not None:
                _check_foldable(summary, twin)
            pairs.append(summary)
        moved_ids = PaperIdentifier.objects.filter(paper=source).update(paper=target)
        moved = folded = 0
        for summary in pairs:
            twin = Summary.objects.filter(paper=target, author_id=summary.author_id).first()
            if twin is None:
                Summary.objects.filter(pk=summary.pk).update(paper=target)
                moved += 1
            else:
                _fold(summary, twin)
                folded += 1
        _fill_missing_metadata(source, target)
        source.delete()
        events.paper_removed(source_id, source.venue_id)
        events.papers_written([target_id])
    return MergeResult(kept=target, identifiers=moved_ids, summaries=moved, folded_summaries=folded)


def _check_foldable(summary: Summary, twin: Summary) -> None:
    """Folding an anonymous, private or draft summary into a differently published one would
    link the two (undoing anonymity) or hide public votes and comments: refuse, say why."""
    kinds = {(s.is_anonymous, s.visibility, s.status) for s in (summary, twin)}
    if len(kinds) > 1:
        raise Conflict(
            f"Both papers have a summary by the same person (summaries {summary.pk} and "
            f"{twin.pk}) and they differ in anonymity, privacy or draft state; the author "
            "must delete or change one before these papers can be merged."
        )


def _fold(summary: Summary, twin: Summary) -> None:
    """Fold one person's two summaries of the same paper into the better-scored one, which
    ends up on the kept paper (where `twin` is)."""
    keep, other = (twin, summary) if twin.score >= summary.score else (summary, twin)
    next_number = (keep.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    for offset, revision in enumerate(other.revisions.order_by("number")):
        Revision.objects.create(
            summary=keep,
            number=next_number + offset,
            markdown=revision.markdown,
            status=revision.status,
        )
    Comment.objects.filter(summary=other).update(summary=keep)
    voters = set(Vote.objects.filter(summary=keep).values_list("user_id", flat=True))
    Vote.objects.filter(summary=other).exclude(user_id__in=voters).update(summary=keep)
    other.delete()
    comments = Comment.objects.filter(summary=keep, deleted_at__isnull=True).count()
    Summary.objects.filter(pk=keep.pk).update(paper_id=twin.paper_id, comment_count=comments)
    recount(keep.pk, touch=False)


def _fill_missing_metadata(source: Paper, target: Paper) -> None:
    changed = []
    for field in ("abstract", "url", "year", "venue_id"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
            changed.append(field)
    if len(source.authors) > len(target.authors):
        target.authors = source.authors
        changed.append("authors")
    if changed:
        target.save()
