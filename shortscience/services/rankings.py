"""Ranked lists of public summaries (home page and API) and the two stored ranking numbers:
a summary's hotness and a person's reputation (formulas and worked example in docs/rankings.md).

Both numbers are stored so that lists order by an indexed column. Hotness only changes when a
summary's score or publication changes, because its time term is absolute; reputation also
changes as votes "age in" after two days, hence the daily `refresh_reputation` task.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.metadata.fields import FIELDS
from shortscience.models import Summary, User
from shortscience.models.summaries import public_q
from shortscience.services import (
    keyset,
    pagecache,
)

# One unit of hotness is worth DECAY_SECONDS of freshness: two weeks. This site's summaries get
# a handful of votes over months, not hundreds in a day, so votes must be worth weeks: an up-vote
# is worth two weeks, 3 votes four weeks, 7 votes six (log2(1 + score) units).
DECAY_SECONDS = 14 * 24 * 3600
# A net-negative score says readers found the summary wrong or poor; it sinks four times as fast
# as votes lift: -1 is eight weeks older, -2 almost thirteen (docs/rankings.md).
NEGATIVE_WEIGHT = 4.0
# Any fixed instant works (only differences matter); ShortScience's launch keeps numbers small.
HOTNESS_EPOCH = datetime(2016, 1, 1, tzinfo=UTC)
# Votes younger than this do not count towards reputation, so a burst of fresh votes (a friend
# ring, sock puppets) cannot move it before moderators have had a chance to look.
REPUTATION_VOTE_AGE = timedelta(hours=48)
BATCH = 1000

# Sort name -> ordering (always ending with the primary key, for stable cursors).
ORDERS: dict[str, tuple[str, ...]] = {
    "hot": ("-hotness", "-pk"),
    "recent": ("-published_at", "-pk"),
    "best": ("-score", "-published_at", "-pk"),
    # Latest activity (votes, comments, edits): the old "popular" order, kept for API clients.
    "popular": ("-last_activity_at", "-pk"),
    # Counted views in the 30 days before today (services/pageviews.py): the home's Popular tab.
    "viewed": ("-recent_views", "-pk"),
}
# Columns list pages (home tabs, user pages) never read: their cards show excerpt_html.
LIST_DEFERRED = ("html", "markdown")
TABS = ("hot", "recent", "best", "viewed")
TAB_LABELS = {"hot": "Hot", "recent": "Recent", "best": "Best", "viewed": "Popular"}
DEFAULT_TAB = "hot"
# Old home-page links (?tab=popular) land on the tab that replaced it.
TAB_ALIASES = {"popular": "hot"}
PERIODS: dict[str, timedelta | None] = {
    "all": None,
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
PERIOD_LABELS = {"all": "All time", "week": "This week", "month": "This month", "year": "This year"}
DEFAULT_PERIOD = "all"


@dataclass(frozen=True)
class Ranking:
    """Which list: a sort name from ORDERS, a period of publication, a field ('' for all)."""

    order: str = DEFAULT_TAB
    period: str = DEFAULT_PERIOD
    field: str = ""

    def params(self) -> dict[str, str]:
        """The query parameters that name this list (defaults left out), for links."""
        given = {"tab": self.order, "period": self.period, "field": self.field}
        defaults = {"tab": DEFAULT_TAB, "period": DEFAULT_PERIOD, "field": ""}
        return {k: v for k, v in given.items() if v != defaults[k]}


def parse_tab(tab: str | None, period: str | None, field: str | None) -> Ranking:
    """The home page's choice from query parameters; anything unknown falls back to the default
    so that old or mangled links still show a page. Only Best has a period: hot and recent are
    about now already."""
    name = TAB_ALIASES.get(tab or "", tab or "")
    order = name if name in TABS else DEFAULT_TAB
    return Ranking(
        order=order,
        period=period if order == "best" and period in PERIODS else DEFAULT_PERIOD,
        field=field if field in FIELDS else "",
    )


def ranked(ranking: Ranking) -> QuerySet[Summary]:
    rows = Summary.objects.public().select_related("paper", "paper__venue", "author")
    span = PERIODS.get(ranking.period)
    if span is not None:
        rows = rows.filter(published_at__gte=timezone.now() - span)
    if ranking.field:
        rows = rows.filter(paper__field=ranking.field)
    return rows.order_by(*ORDERS[ranking.order])


def page(
    ranking: Ranking,
    number: str | int | None = None,
    *,
    after: str | None = None,
    before: str | None = None,
) -> keyset.Page[Summary]:
    """One page of a home tab: after or before a cursor, or an old numbered page (bounded)."""
    rows = ranked(ranking).defer(*LIST_DEFERRED)
    return keyset.paginate(
        rows,
        ORDERS[ranking.order],
        limit=settings.PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=False,
    )


def random_public_id() -> int | None:
    return Summary.objects.public().order_by("?").values_list("pk", flat=True).first()


# --- Hotness -------------------------------------------------------------------------------------


def hotness(score: int, published_at: datetime | None) -> float:
    """Lobsters' shape (votes plus absolute freshness, so no refresh as the clock ticks), tuned
    for few votes: log2(1 + net votes) units of two weeks, negatives weighing four times."""
    votes = math.log2(1 + score) if score >= 0 else -NEGATIVE_WEIGHT * math.log2(1 - score)
    fresh = 0.0
    if published_at is not None:
        fresh = (published_at - HOTNESS_EPOCH).total_seconds() / DECAY_SECONDS
    return round(votes + fresh, 7)


def recompute_hotness(summary_ids: Iterable[int] | None = None) -> int:
    """Store the hotness of the given summaries (None: all); returns how many changed."""
    rows = Summary.objects.order_by("pk").only("pk", "score", "published_at", "hotness")
    if summary_ids is not None:
        rows = rows.filter(pk__in=list(summary_ids))
    changed: list[Summary] = []
    total = 0
    for summary in rows.iterator(chunk_size=BATCH):
        value = hotness(summary.score, summary.published_at)
        if value != summary.hotness:
            summary.hotness = value
            changed.append(summary)
        if len(changed) >= BATCH:
            total += _save(changed, "hotness")
    return total + _save(changed, "hotness")


def _save(rows: list[Summary], field: str) -> int:
    Summary.objects.bulk_update(rows, [field], batch_size=BATCH)
    count = len(rows)
    rows.clear()
    return count


# --- Reputation ----------------------------------------------------------------------------------


def _counted(prefix: str) -> Q:
    """Summaries that earn reputation: public (published, not private, not hidden) and named,
    so reputation never reveals who wrote an anonymous or private summary."""
    return public_q(prefix) & Q(**{f"{prefix}is_anonymous": False})


def reputation_of(user_id: int, now: datetime | None = None) -> float:
    """The mean, over a person's counted summaries, of their net votes older than 48 hours."""
    cutoff = (now or timezone.now()) - REPUTATION_VOTE_AGE
    stats = Summary.objects.filter(_counted(""), author_id=user_id).aggregate(
        n=Count("pk", distinct=True),
        total=Sum("votes__value", filter=Q(votes__updated_at__lte=cutoff)),
    )
    return round((stats["total"] or 0) / stats["n"], 4) if stats["n"] else 0.0


def recompute_reputation(user_id: int) -> None:
    User.objects.filter(pk=user_id).update(reputation=reputation_of(user_id))


def refresh_reputation(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute everybody's reputation (two queries for the numbers, then batched updates of
    the people whose value changed); returns how many changed."""
    cutoff = timezone.now() - REPUTATION_VOTE_AGE
    counts = dict(
        Summary.objects.filter(_counted(""))
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
    # Vote sums are a separate grouped query: joining votes would multiply the summary count.
    totals = dict(
        Summary.objects.filter(_counted(""), votes__updated_at__lte=cutoff)
        .values("author_id")
        .annotate(total=Sum("votes__value"))
        .values_list("author_id", "total")
    )
    people = User.objects.order_by("pk").only("pk", "reputation")
    size = people.count()
    changed: list[User] = []
    updated = 0
    for done, person in enumerate(people.iterator(chunk_size=BATCH), 1):
        n = counts.get(person.pk, 0)
        value = round((totals.get(person.pk) or 0) / n, 4) if n else 0.0
        if value != person.reputation:
            person.reputation = value
            changed.append(person)
        if len(changed) >= BATCH or done == size:
            User.objects.bulk_update(changed, ["reputation"], batch_size=BATCH)
            updated += len(changed)
            changed.clear()
            if progress:
                progress(done, size)
    return updated


@db_periodic_task(crontab(minute="17", hour="3"))
def refresh_reputation_daily() -> None:
    """Votes age in after 48 hours with no event to say so: refresh everybody once a day."""
    refresh_reputation()
    pagecache.touch_everything()  # reputation shows on every person's page and the users list


# --- Event handlers (called from services/events.py) --------------------------------------------


def on_vote(summary_id: int) -> None:
    """A vote changed the score: new hotness, and the author's reputation (a retracted or changed
    old vote stops counting at once)."""
    summary = Summary.objects.only("pk", "score", "published_at", "author_id").get(pk=summary_id)
    Summary.objects.filter(pk=summary_id).update(
        hotness=hotness(summary.score, summary.published_at)
    )
    recompute_reputation(summary.author_id)


def on_summary_saved(summary: Summary) -> None:
    """Publishing sets the time term; privacy or anonymity changes what reputation counts."""
    value = hotness(summary.score, summary.published_at)
    if value != summary.hotness:
        Summary.objects.filter(pk=summary.pk).update(hotness=value)
        summary.hotness = value
    recompute_reputation(summary.author_id)


def on_author_changed(author_id: int) -> None:
    """A summary was deleted, hidden or restored: its author's reputation counts other rows."""
    recompute_reputation(author_id)


def on_summaries_changed(summary_ids: Iterable[int]) -> None:
    """Summaries changed in bulk (an account anonymised or deleted)."""
    rows = Summary.objects.filter(pk__in=list(summary_ids))
    authors = set(rows.values_list("author_id", flat=True))
    for author_id in authors:
        recompute_reputation(author_id)


def recompute_all(progress: Callable[[str, int, int], None] | None = None) -> tuple[int, int]:
    """Hotness of every summary and reputation of every person; returns (summaries, people)
    changed. Used after bulk loads and by `manage.py recompute_rankings`."""
    if progress:
        progress("hotness", 0, 1)
    hot = recompute_hotness()
    if progress:
        progress("hotness", 1, 1)
    people = refresh_reputation(
        (lambda done, total: progress("reputation", done, total)) if progress else None
    )
    pagecache.touch_everything()
    return hot, people
