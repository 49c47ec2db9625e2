"""Voting on summaries: up, down or retract; one vote per person; never on your own summary.

The summary's score is recounted from the vote rows inside the same transaction as every change,
so the score shown always equals the stored votes, even when votes race.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shortscience.models import Summary, User, Vote
from shortscience.models.summaries import public_q
from shortscience.services import events, standing
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied

VALUES = {"up": 1, "down": -1, "retract": 0}


@dataclass(frozen=True)
class VoteResult:
    summary_id: int
    score: int
    my_vote: int  # 1, -1 or 0


def parse_value(raw: str) -> int:
    if raw not in VALUES:
        raise InvalidInput("A vote is 'up', 'down' or 'retract'.", field_errors={"value": [raw]})
    return VALUES[raw]


def cast(user: User, summary_id: int, value: int) -> VoteResult:
    standing.ensure_can_write(user)
    with transaction.atomic():
        # Locking the summary row serialises votes on one summary, so each recount sees every
        # vote committed before it (SQLite serialises all writers anyway).
        summary = (
            Summary.objects.select_for_update()
            .filter(public_q(), pk=summary_id)
            .only("pk", "author_id")
            .first()
        )
        if summary is None:
            raise NotFound("There is no such public summary to vote on.")
        if summary.author_id == user.pk:
            raise PermissionDenied("You cannot vote on your own summary.")
        if value == 0:
            Vote.objects.filter(summary_id=summary_id, user=user).delete()
        else:
            _upsert(user, summary_id, value)
        score = recount(summary_id)
        events.vote_cast(summary_id)
    return VoteResult(summary_id=summary_id, score=score, my_vote=value)


def _upsert(user: User, summary_id: int, value: int) -> None:
    updated = Vote.objects.filter(summary_id=summary_id, user=user).update(
        value=value, updated_at=timezone.now()
    )
    if updated:
        return
    try:
        with transaction.atomic():
            Vote.objects.create(summary_id=summary_id, user=user, value=value)
    except IntegrityError:
        # A concurrent request from the same person inserted first; the constraint kept one row.
        Vote.objects.filter(summary_id=summary_id, user=user).update(value=value)


def recount(summary_id: int, *, touch: bool = True) -> int:
    """Set the summary's score to the sum of its vote rows; returns the new score."""
    total = (
        Vote.objects.filter(summary_id=OuterRef("pk"))
        .values("summary_id")
        .annotate(total=Sum("value"))
        .values("total")
    )
    changes: dict[str, Any] = {"score": Coalesce(Subquery(total), Value(0))}
    if touch:
        changes["last_activity_at"] = timezone.now()
    Summary.objects.filter(pk=summary_id).update(**changes)
    return Summary.objects.values_list("score", flat=True).get(pk=summary_id)


def my_votes(user: User | None, summary_ids: list[int]) -> dict[int, int]:
    """The viewer's vote on each listed summary, in one query."""
    if user is None or not user.is_authenticated or not summary_ids:
        return {}
    return dict(
        Vote.objects.filter(user=user, summary_id__in=summary_ids).values_list(
            "summary_id", "value"
        )
    )
