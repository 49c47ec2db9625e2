"""One paper per work: a preprint and its published version are one paper here.

Two jobs. Before a writer creates a paper by hand or from BibTeX, `existing` finds the papers
already here with the same folded title (`Paper.title_key`, indexed) or any same identifier, so
the add page can offer them. When metadata is about to become a paper, `settle` finds the paper
it already is:

- Metadata a person typed (the manual form, pasted BibTeX: any `source` not in `SOURCES`)
  never merges or moves anything: when one of its identifiers is held, the answer is the first
  paper holding one (in the order of `identifiers_of`), unchanged; nothing is added to it.
- Metadata a source asserted (arXiv, Crossref, DBLP, OpenReview, Semantic Scholar), with the
  other versions it names (`PaperMetadata.same_work`: Crossref's `has-preprint` /
  `is-preprint-of`, arXiv's `doi`, Semantic Scholar's `externalIds`), makes the papers holding
  its identifiers one paper only when their titles agree with the source's (`titles_agree`):
  those are merged (services/merging.py; each merge is logged publicly as an automatic
  moderation action), and the identifiers nobody holds are added to the kept paper. A paper
  whose title disagrees is not touched: it gets an automatic duplicate report in the
  moderators' queue, as does a merge that merging refuses (one person's summaries differ in
  anonymity, privacy or draft state). When no holder's title agrees, the caller creates the
  paper and then files those reports (`report_unlike`).

The work is bounded (at most `MAX_IDENTIFIERS` identifiers and `MAX_MERGES` merges or reports
per arrival) and idempotent: a second arrival of the same metadata changes nothing.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.db import transaction
from django.db.models import Q

from shortscience.metadata import identifiers as parsing
from shortscience.metadata.titles import title_key
from shortscience.metadata.types import PaperMetadata
from shortscience.models import Flag, ModerationAction, Paper, PaperIdentifier, User
from shortscience.services import events, merging
from shortscience.services.errors import Conflict, NotFound

logger = logging.getLogger(__name__)
MAX_IDENTIFIERS = 24
MAX_MERGES = 3
OFFERED = 5
# Where metadata comes from when a source asserted it (PaperMetadata.source); anything else
# ("manual", "bibtex", "") was typed or pasted by a person and never merges papers.
SOURCES = frozenset({"arxiv", "crossref", "dblp", "openreview", "semanticscholar"})
# Two titles agree when their folded forms are equal, or when the sets of their words of
# `TITLE_WORD_MIN` or more letters overlap by MORE than this Jaccard ratio (shared words over
# all words): one word added or changed among six or more passes (a published version's small
# title change); "Attention is not all you need" (4 of 5) does not agree with its model.
TITLE_AGREEMENT = 0.8
TITLE_WORD_MIN = 3
AUTOMATIC = "Automatic report"


def identifiers_of(meta: PaperMetadata) -> list[tuple[str, str]]:
    """(scheme, value) of every identifier naming this work: its own, the other versions the
    source names, and each one's aliases (an arXiv id's DOI and legacy key), first ones first."""
    found: dict[tuple[str, str], None] = {}
    for group in _groups(meta):
        for pair in group:
            found.setdefault(pair, None)
    return list(found)[:MAX_IDENTIFIERS]


def _groups(meta: PaperMetadata) -> list[list[tuple[str, str]]]:
    """Each identifier the metadata names with its aliases, as (scheme, value) pairs."""
    return [
        [(str(one.scheme), one.value[:300]) for one in (ident, *parsing.aliases(ident))]
        for ident in [*meta.identifiers, *meta.same_work]
    ]


def _owners(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    pairs = list(pairs)
    if not pairs:
        return {}
    match = reduce(operator.or_, (Q(scheme=s, value=v) for s, v in pairs))
    rows = PaperIdentifier.objects.filter(match).values_list("scheme", "value", "paper_id")
    return {(scheme, value): paper_id for scheme, value, paper_id in rows}


def existing(meta: PaperMetadata) -> list[Paper]:
    """Papers already here that this metadata may be: any same identifier (or alias), or the
    same folded title. Two indexed queries at most; what the add page offers before creating."""
    ids = set(_owners(identifiers_of(meta)).values())
    key = title_key(meta.title)
    match = Q(pk__in=ids) if ids else Q(pk__in=[])
    if key:
        match |= Q(title_key=key)
    return list(Paper.objects.filter(match).order_by("-summary_count", "pk")[:OFFERED])


def keep_title_key(paper: Paper) -> None:
    """Set the derived column from the title (before a save that writes the title)."""
    paper.title_key = title_key(paper.title)


def titles_agree(one: str, other: str) -> bool:
    """Whether two titles name the same work (see `TITLE_AGREEMENT`)."""
    first, second = title_key(one), title_key(other)
    if not first or not second:
        return False
    if first == second:
        return True
    words = [{w for w in key.split() if len(w) >= TITLE_WORD_MIN} for key in (first, second)]
    if not words[0] or not words[1]:
        return False
    return len(words[0] & words[1]) / len(words[0] | words[1]) > TITLE_AGREEMENT


@dataclass
class Settled:
    """What `settle` found: the one paper this work is (None: the caller creates it), and the
    papers holding one of its identifiers under another title (to report, never merge)."""

    paper: Paper | None
    unlike: list[Paper] = field(default_factory=list)
    # Without a paper: the identifiers (with aliases) the new paper may carry, those nobody
    # holds and not an alias of one held under another title.
    free: list[tuple[str, str]] = field(default_factory=list)


def settle(meta: PaperMetadata, by: User) -> Settled:
    """The one paper this work has here (see the module's docstring): typed metadata gets the
    first paper holding one of its identifiers, unchanged; a source's metadata merges the
    holders whose titles agree (best kept: most summaries, then the oldest), reports the
    others, and adds the identifiers nobody holds."""
    pairs = identifiers_of(meta)
    owners = _owners(pairs)
    if not owners:
        return Settled(None, free=pairs)
    if meta.source not in SOURCES:
        first = next(owners[pair] for pair in pairs if pair in owners)
        return Settled(Paper.objects.filter(pk=first).first(), free=_free(meta, owners, set()))
    papers = sorted(Paper.objects.filter(pk__in=set(owners.values())), key=lambda p: p.pk)
    like = [p for p in papers if titles_agree(p.title, meta.title)]
    unlike = [p for p in papers if p not in like]
    missing = _free(meta, owners, {p.pk for p in unlike})
    if not like:
        return Settled(None, unlike[:MAX_MERGES], missing)
    keep = max(like, key=lambda p: (p.summary_count, -p.pk))
    for other in [p for p in like if p.pk != keep.pk][:MAX_MERGES]:
        try:
            _merge(other, keep, meta)
        except Conflict as refused:
            note = f"{AUTOMATIC}: sources say these are one work; {refused.message}"
            report(other, keep, by, note)
            logger.info("merge of paper %s into %s refused: %s", other.pk, keep.pk, refused)
        except NotFound:
            logger.info("paper %s was merged or deleted meanwhile", other.pk)
    report_unlike(keep, unlike[:MAX_MERGES], meta, by)
    if missing:
        with transaction.atomic():
            PaperIdentifier.objects.bulk_create(
                [PaperIdentifier(paper=keep, scheme=s, value=v) for s, v in missing],
                ignore_conflicts=True,
            )
            events.papers_written([keep.pk])
    keep.refresh_from_db()
    return Settled(keep)


def _free(
    meta: PaperMetadata, owners: dict[tuple[str, str], int], theirs: set[int]
) -> list[tuple[str, str]]:
    """The identifiers nobody holds, less the aliases of one held by a paper in `theirs` (an
    identifier held by a paper of another title stays there, and so do its aliases)."""
    refused = {
        pair
        for group in _groups(meta)
        if any(owners.get(one) in theirs for one in group)
        for pair in group
    }
    return [pair for pair in identifiers_of(meta) if pair not in owners and pair not in refused]


def _merge(other: Paper, keep: Paper, meta: PaperMetadata) -> None:
    """Merge and log it in the public moderation log as the site's own action."""
    with transaction.atomic():
        merging.merge(other.pk, keep.pk)
        ModerationAction.objects.create(
            moderator=None,
            automatic=True,
            action=ModerationAction.Action.MERGE,
            target_type="paper",
            target_id=keep.pk,
            target_label=f"paper {other.pk} into “{keep.title[:200]}”",
            reason=f"{_source_name(meta)} names both papers as one work, and their titles agree.",
        )


def report_unlike(paper: Paper, unlike: list[Paper], meta: PaperMetadata, by: User) -> None:
    """File an automatic duplicate report of `paper` against each paper that holds one of the
    source's identifiers for it under a title that disagrees (a moderator decides)."""
    for other in unlike:
        if other.pk == paper.pk:
            continue
        report(
            paper,
            other,
            by,
            f"{AUTOMATIC}: {_source_name(meta)} names an identifier of paper {other.pk} for "
            f"“{meta.title[:300]}”, but the titles differ, so they were not merged.",
        )


def _source_name(meta: PaperMetadata) -> str:
    return {
        "arxiv": "arXiv",
        "crossref": "Crossref",
        "dblp": "DBLP",
        "openreview": "OpenReview",
        "semanticscholar": "Semantic Scholar",
    }.get(meta.source, "A source")


def report(paper: Paper, same_as: Paper, reporter: User, note: str) -> Flag:
    """Open (or reopen) `reporter`'s duplicate report of `paper` as the same work as `same_as`
    (one per person and pair): a row of the moderators' queue, whose Merge button merges the
    two. Automatic reports are filed under the person whose addition raised them, their text
    starting with "Automatic report"."""
    with transaction.atomic():
        flag, _ = Flag.objects.update_or_create(
            reporter=reporter,
            target_type=Flag.Target.PAPER,
            target_id=paper.pk,
            reason=Flag.Reason.DUPLICATE,
            duplicate_of=same_as,
            defaults={"text": note[:2000], "resolved_at": None},
        )
        events.flags_changed()
    return flag
