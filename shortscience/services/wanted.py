"""Papers worth summarising: readers asking for a summary of a paper ("I want a summary of
this"), the count of requests per paper, and the "most wanted" list.

Rules: one request per person per paper (asking again changes nothing), withdrawing always
works, suspended or banned people cannot ask (services/standing.py). The count lives in
`WantedCount`, changed in the same transaction as the request, so pages never count requests.
The most wanted list shows papers with requests and no public summary yet, capped at
WANTED_LIST_MAX entries (the index on the count serves the order). When a paper's first public
summary appears, its requesters hear of it (services/notifications.py, at most
WANTED_NOTIFY_MAX of them per summary).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from shortscience.models import Paper, SummaryRequest, User, WantedCount
from shortscience.services import events, standing
from shortscience.services.errors import NotFound

#: The most wanted page shows at most this many papers.
WANTED_LIST_MAX = 100
#: The first public summary of a paper notifies at most this many of its requesters.
WANTED_NOTIFY_MAX = 500


def want(user: User, paper_id: int) -> bool:
    """Ask for a summary of the paper; True when this made a new request."""
    standing.ensure_can_write(user)
    if not Paper.objects.filter(pk=paper_id).exists():
        raise NotFound("There is no such paper.")
    if SummaryRequest.objects.filter(requester=user, paper_id=paper_id).exists():
        return False
    try:
        with transaction.atomic():
            SummaryRequest.objects.create(requester=user, paper_id=paper_id)
            WantedCount.objects.get_or_create(paper_id=paper_id)
            WantedCount.objects.filter(paper_id=paper_id).update(count=F("count") + 1)
            events.summary_wanted(paper_id)
    except IntegrityError:
        return False  # a double click raced us; the unique constraint kept the first
    return True


def withdraw(user: User, paper_id: int) -> bool:
    """Withdraw a request; True when there was one."""
    with transaction.atomic():
        deleted, _ = SummaryRequest.objects.filter(requester=user, paper_id=paper_id).delete()
        if deleted:
            WantedCount.objects.filter(paper_id=paper_id, count__gt=0).update(count=F("count") - 1)
            events.summary_wanted(paper_id)
    return bool(deleted)


def count_for(paper_id: int) -> int:
    found = WantedCount.objects.filter(paper_id=paper_id).values_list("count", flat=True).first()
    return found or 0


def has_requested(user: User | None, paper_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return SummaryRequest.objects.filter(requester=user, paper_id=paper_id).exists()


def requester_ids(paper_id: int) -> list[int]:
    """Who asked for a summary of the paper, oldest requests first, capped."""
    return list(
        SummaryRequest.objects.filter(paper_id=paper_id)
        .order_by("created_at", "pk")
        .values_list("requester_id", flat=True)[:WANTED_NOTIFY_MAX]
    )


@dataclass(frozen=True)
class WantedPaper:
    paper: Paper
    count: int


def most_wanted(limit: int = WANTED_LIST_MAX) -> list[WantedPaper]:
    """Papers with the most requests and no public summary yet (one query)."""
    rows = (
        WantedCount.objects.filter(count__gt=0, paper__summary_count=0)
        .select_related("paper")
        .order_by("-count", "paper_id")[: min(limit, WANTED_LIST_MAX)]
    )
    return [WantedPaper(paper=row.paper, count=row.count) for row in rows]


def recount(paper_ids: list[int] | None = None) -> None:
    """Set the stored counts from the requests (a repair; not on any request's path)."""
    papers = paper_ids or list(SummaryRequest.objects.values_list("paper_id", flat=True).distinct())
    for paper_id in papers:
        n = SummaryRequest.objects.filter(paper_id=paper_id).count()
        WantedCount.objects.update_or_create(paper_id=paper_id, defaults={"count": n})
