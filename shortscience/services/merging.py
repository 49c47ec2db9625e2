"""Merging two records of the same paper: everything moves to the one that stays.

Identifiers, summaries, votes, comments, listed ORCID iDs and author claims move to the kept
paper. When one person summarised
both records, their kept summary is the one with the higher score; the other's text is added to
its revision history, its comments move over, and its votes move unless the voter already voted
on the kept summary. Nothing is deleted that a person wrote. Two summaries that differ in
anonymity, privacy or draft state are never folded (the merge is refused with a reason).

The merged-away paper's id is remembered (`PaperRedirect`): /papers/<old id>/ answers with a
permanent redirect to the kept paper. Its open reports move too: a duplicate report between the
two papers is resolved by the merge; any other open report on it (or naming it as the other
version) now names the kept paper, and one that would read "X same as X", or repeat a report
the same person already has on the kept paper, is resolved instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from shortscience.models import (
    Comment,
    Flag,
    Paper,
    PaperIdentifier,
    PaperRedirect,
    Revision,
    Summary,
    Vote,
)
from shortscience.services import authors, events, standing
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
        authors.move(source_id, target_id)
        standing.move_marks(paper=(source_id, target_id))
        PaperRedirect.objects.filter(paper_id=source_id).update(paper_id=target_id)
        PaperRedirect.objects.update_or_create(old_id=source_id, defaults={"paper": target})
        _move_reports(source_id, target_id)
        source.delete()
        events.paper_removed(source_id, source.venue_id)
        events.papers_written([target_id])
        events.flags_changed()
    return MergeResult(kept=target, identifiers=moved_ids, summaries=moved, folded_summaries=folded)


def _move_reports(source_id: int, target_id: int) -> None:
    """Open paper reports follow the merge (see the module's docstring); before the delete,
    which would blank `duplicate_of`."""
    now = timezone.now()
    open_reports = Flag.objects.filter(target_type=Flag.Target.PAPER, resolved_at__isnull=True)
    open_reports.filter(
        Q(target_id=source_id, duplicate_of_id=target_id)
        | Q(target_id=target_id, duplicate_of_id=source_id)
    ).update(resolved_at=now)
    for flag in open_reports.filter(Q(target_id=source_id) | Q(duplicate_of_id=source_id)):
        moved_to = target_id if flag.target_id == source_id else flag.target_id
        same_as = target_id if flag.duplicate_of_id == source_id else flag.duplicate_of_id
        twin = Flag.objects.filter(
            reporter_id=flag.reporter_id, target_type=flag.target_type, target_id=moved_to
        ).exclude(pk=flag.pk)
        if flag.reason == Flag.Reason.DUPLICATE:
            twin = twin.filter(reason=Flag.Reason.DUPLICATE, duplicate_of_id=same_as)
        else:
            twin = twin.exclude(reason=Flag.Reason.DUPLICATE)
        if moved_to == same_as or twin.exists():
            Flag.objects.filter(pk=flag.pk).update(resolved_at=now)
        else:
            Flag.objects.filter(pk=flag.pk).update(target_id=moved_to, duplicate_of_id=same_as)


def _check_foldable(summary: Summary, twin: Summary) -> None:
    """Folding an anonymous, private or draft summary into a differently published one would
    link the two (undoing anonymity) or hide public votes and comments: refuse, say why."""
    if _contentless(summary) or _contentless(twin):
        return  # an autosave's empty summary folds into the other (its draft kept)
    kinds = {(s.is_anonymous, s.visibility, s.status) for s in (summary, twin)}
    if len(kinds) > 1:
        raise Conflict(
            f"Both papers have a summary by the same person (summaries {summary.pk} and "
            f"{twin.pk}) and they differ in anonymity, privacy or draft state; the author "
            "must delete or change one before these papers can be merged."
        )


def _contentless(summary: Summary) -> bool:
    """An autosave's summary: no saved text, and no revision with any."""
    return not summary.markdown and not summary.revisions.exclude(markdown="").exists()


def _fold(summary: Summary, twin: Summary) -> None:
    """Fold one person's two summaries of the same paper into the better-scored one, which
    ends up on the kept paper (where `twin` is)."""
    keep, other = (twin, summary) if twin.score >= summary.score else (summary, twin)
    if _contentless(keep) and not _contentless(other):
        keep, other = other, keep
    next_number = (keep.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    texts = [(r.markdown, r.status) for r in other.revisions.order_by("number")]
    if other.draft_markdown and (not texts or texts[-1][0] != other.draft_markdown):
        # The other summary's unsaved (autosaved) draft: kept as a draft revision.
        texts.append((other.draft_markdown, Summary.Status.DRAFT))
    for offset, (markdown, status) in enumerate(texts):
        Revision.objects.create(
            summary=keep, number=next_number + offset, markdown=markdown, status=status
        )
    Comment.objects.filter(summary=other).update(summary=keep)
    standing.move_marks(summary=(other.pk, keep.pk))
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
