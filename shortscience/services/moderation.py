"""Moderation: members flag summaries, comments and people; moderators work a queue ordered by
flag count and age, hide, restore, keep, lock comments, merge papers, suspend, ban and
reinstate; every action is written to the public moderation log (who, what, why; never the
hidden text). A paper reported as the same work as another (`report_duplicate`, or
services/works.py when an automatic merge was refused) is a queue row whose Merge action makes
the two one paper.

What moderators read (never cached, never shown to anyone else): each queued thing with its
text, its author (also of an anonymous summary), every open flag with its note and reporter,
and its history (`queue`); hidden summaries and comments once they have left the queue
(`hidden`); banned and suspended members (`people`). Each costs a fixed number of queries.

Hidden content keeps its text and comes back whole when restored; while hidden it is outside
`public_q`, which every page, count, sitemap, API answer and dump goes through. A hide also
leaves a moderation mark on the person and the paper (or the discussion) that outlives the row,
so a copy posted there again is held for review (services/standing.py).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from shortscience.models import Comment, Flag, ModerationAction, Paper, Summary, User
from shortscience.services import accounts, comments, events, identifiers, merging, standing, works
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shortscience.services.summaries import can_view
from shortscience.services.text import clean_text

Action = ModerationAction.Action
Target = Flag.Target


@dataclass(frozen=True)
class TargetRef:
    kind: str  # "summary", "comment", "user", "paper"
    pk: int
    label: str  # safe to show publicly
    url: str


Loaded = Summary | Comment | User | Paper


def _resolve(kind: str, pk: int) -> TargetRef:
    found: Loaded | None
    if kind == Target.SUMMARY:
        found = Summary.objects.select_related("paper").filter(pk=pk).first()
        missing = "There is no such summary."
    elif kind == Target.COMMENT:
        found = Comment.objects.select_related("summary__paper").filter(pk=pk).first()
        missing = "There is no such comment."
    elif kind == Target.USER:
        found = User.objects.filter(pk=pk).first()
        missing = "There is no such person."
    elif kind == Target.PAPER:
        found = Paper.objects.filter(pk=pk).first()
        missing = "There is no such paper."
    else:
        raise InvalidInput("One can flag a summary, a comment or a person.")
    if found is None:
        raise NotFound(missing)
    return _ref(kind, found)


def _ref(kind: str, found: Loaded) -> TargetRef:
    """The public label and link of a loaded target (its paper loaded with it)."""
    if isinstance(found, Summary):
        title = found.paper.title[:200]
        return TargetRef(
            kind, found.pk, f"a summary of “{title}”", reverse("summary", args=[found.pk])
        )
    if isinstance(found, Comment):
        title = found.summary.paper.title[:200]
        url = reverse("summary", args=[found.summary_id]) + f"#comment-{found.pk}"
        return TargetRef(kind, found.pk, f"a comment on a summary of “{title}”", url)
    if isinstance(found, Paper):
        return TargetRef(
            kind, found.pk, f"the paper “{found.title[:200]}”", found.get_absolute_url()
        )
    return TargetRef(kind, found.pk, f"@{found.username}", found.get_absolute_url())


def flag(reporter: User, kind: str, pk: int, reason: str, text: str = "") -> Flag:
    if kind == Target.PAPER:
        return report_duplicate(reporter, pk, text)
    standing.ensure_can_write(reporter)
    if reason not in Flag.Reason.values or reason == Flag.Reason.DUPLICATE:
        raise InvalidInput("Choose a reason.", field_errors={"reason": ["Required."]})
    if reason == Flag.Reason.OTHER and not text.strip():
        raise InvalidInput("Say what is wrong.", field_errors={"text": ["Required for 'other'."]})
    _resolve(kind, pk)
    if kind == Target.SUMMARY:
        summary = Summary.objects.get(pk=pk)
        if not can_view(summary, reporter) or summary.author_id == reporter.pk:
            raise NotFound("There is no such summary to flag.")
    if kind == Target.USER and pk == reporter.pk:
        raise InvalidInput("You cannot flag yourself.")
    try:
        with transaction.atomic():
            raised = Flag.objects.create(
                reporter=reporter,
                target_type=kind,
                target_id=pk,
                reason=reason,
                text=clean_text(text)[:2000],
            )
            events.flags_changed()
            return raised
    except IntegrityError as exc:
        raise Conflict("You already flagged this; moderators will look at it.") from exc


def report_duplicate(reporter: User, paper_id: int, same_as: str) -> Flag:
    """A reader says paper `paper_id` is the same work as the paper `same_as` names (any
    identifier, alias or URL of a paper here, or its ShortScience link): a queue row."""
    standing.ensure_can_write(reporter)
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None:
        raise NotFound("There is no such paper.")
    text = clean_text(same_as).strip()[:1000]
    if not text:
        raise InvalidInput(
            "Paste the other paper's identifier or link.", field_errors={"text": ["Required."]}
        )
    other = _paper_named(text)
    if other is None:
        raise InvalidInput(
            "No paper here is known by that. Paste an arXiv id, a DOI or the link of a paper "
            "on ShortScience (add the other version first if it is not here yet)."
        )
    if other.pk == paper.pk:
        raise InvalidInput("That names this same paper: it has that identifier already.")
    return works.report(paper, other, reporter, f"Same work as {text}")


def _paper_named(text: str) -> Paper | None:
    """The paper a pasted identifier, alias or ShortScience paper link names (a link: a URL or
    a path; a bare DBLP key such as `conf/papers/X` is an identifier, never a path)."""
    path = ""
    if "://" in text or text.startswith("/"):
        rest = text.split("://", 1)[-1]
        path = rest[rest.find("/") :] if "://" in text and "/" in rest else rest
        path = path.split("?", 1)[0].split("#", 1)[0] if path.startswith("/") else ""
    try:
        match = resolve(path) if path else None
    except Resolver404:
        match = None
    if match is not None and match.url_name == "paper":
        return Paper.objects.filter(pk=match.kwargs["paper_id"]).first()
    return identifiers.find_paper(text)


@dataclass(frozen=True)
class QueueItem:
    """One flagged or hidden thing as a moderator sees it. `author` is shown to moderators
    only; `anonymous` says readers see "Anonymous" instead."""

    target: TargetRef
    hidden: bool
    text_html: str  # sanitised when written: a summary's excerpt, a whole comment
    full_html: str  # the whole summary (the same as text_html for a comment)
    author: User | None
    anonymous: bool
    open_flags: list[Flag]  # oldest first, each with its reason, note and reporter
    history: list[ModerationAction]  # newest first

    @property
    def same_work(self) -> list[Paper]:
        """The papers this paper is reported to be the same work as (each a Merge button)."""
        seen: dict[int, Paper] = {}
        for one in self.open_flags:
            if one.duplicate_of is not None:
                seen.setdefault(one.duplicate_of.pk, one.duplicate_of)
        return list(seen.values())

    @property
    def flags(self) -> int:
        return len(self.open_flags)

    @property
    def first_flagged(self) -> datetime | None:
        return self.open_flags[0].created_at if self.open_flags else None

    @property
    def reasons(self) -> list[str]:
        return sorted({flag.reason for flag in self.open_flags})


QUEUE_SIZE = 200
HIDDEN_PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 50


def queue(moderator: User) -> list[QueueItem]:
    """Open flags, one row per flagged thing, most flagged first, then oldest first; each with
    its text, author, flags and history, in a fixed number of queries."""
    _require_moderator(moderator)
    rows = (
        Flag.objects.filter(resolved_at__isnull=True)
        .values("target_type", "target_id")
        .annotate(n=Count("pk"), first=Min("created_at"))
        .order_by("-n", "first", "target_type", "target_id")[:QUEUE_SIZE]
    )
    keys = [(row["target_type"], row["target_id"]) for row in rows]
    flags: dict[tuple[str, int], list[Flag]] = {}
    if keys:
        open_flags = (
            Flag.objects.filter(_targets_q(keys), resolved_at__isnull=True)
            .select_related("reporter", "duplicate_of")
            .order_by("created_at", "pk")
        )
        for one in open_flags:
            flags.setdefault((one.target_type, one.target_id), []).append(one)
    return _items(keys, flags)


def _targets_q(keys: list[tuple[str, int]]) -> Q:
    """Flags or log lines about any of these targets (at least one): one `IN` per kind."""
    by_kind: dict[str, list[int]] = {}
    for kind, pk in keys:
        by_kind.setdefault(kind, []).append(pk)
    return reduce(
        operator.or_, (Q(target_type=kind, target_id__in=pks) for kind, pks in by_kind.items())
    )


#: At most this many log lines per item: the history of a target fits on a page.
HISTORY_PER_ITEM = 20


def _history(keys: list[tuple[str, int]]) -> dict[tuple[str, int], list[ModerationAction]]:
    """Every earlier action on these targets, newest first, in one query."""
    history: dict[tuple[str, int], list[ModerationAction]] = {}
    if not keys:
        return history
    rows = (
        ModerationAction.objects.filter(_targets_q(keys))
        .select_related("moderator")
        .order_by("-created_at", "-pk")[: HISTORY_PER_ITEM * len(keys)]
    )
    for action in rows:
        history.setdefault((action.target_type, action.target_id), []).append(action)
    return history


def _items(
    keys: list[tuple[str, int]], flags: dict[tuple[str, int], list[Flag]]
) -> list[QueueItem]:
    """The items for these targets, in this order; one query per kind and one for history.
    Targets deleted since they were flagged drop out."""
    pks: dict[str, list[int]] = {}
    for kind, pk in keys:
        pks.setdefault(kind, []).append(pk)
    loaded: dict[tuple[str, int], Loaded] = {}
    if pks.get(Target.SUMMARY):
        for summary in Summary.objects.filter(pk__in=pks[Target.SUMMARY]).select_related(
            "paper", "author"
        ):
            loaded[(Target.SUMMARY, summary.pk)] = summary
    if pks.get(Target.COMMENT):
        for comment in Comment.objects.filter(pk__in=pks[Target.COMMENT]).select_related(
            "summary__paper", "author"
        ):
            loaded[(Target.COMMENT, comment.pk)] = comment
    if pks.get(Target.USER):
        for person in User.objects.filter(pk__in=pks[Target.USER]):
            loaded[(Target.USER, person.pk)] = person
    if pks.get(Target.PAPER):
        for paper in Paper.objects.filter(pk__in=pks[Target.PAPER]):
            loaded[(Target.PAPER, paper.pk)] = paper
    history = _history(keys)
    items = []
    for key in keys:
        found = loaded.get(key)
        if found is None:
            continue
        items.append(_item(key[0], found, flags.get(key, []), history.get(key, [])))
    return items


def _item(
    kind: str, found: Loaded, flags: list[Flag], history: list[ModerationAction]
) -> QueueItem:
    ref = _ref(kind, found)
    if isinstance(found, Summary):
        return QueueItem(
            ref,
            found.is_hidden,
            found.excerpt_html or found.html,
            found.html,
            found.author,
            found.is_anonymous,
            flags,
            history,
        )
    if isinstance(found, Comment):
        return QueueItem(
            ref,
            found.is_hidden,
            found.html,
            found.html,
            found.author,
            found.by_anonymous_author,  # "the author (anonymous)" to readers
            flags,
            history,
        )
    if isinstance(found, Paper):
        return QueueItem(ref, False, "", "", None, False, flags, history)
    return QueueItem(ref, not found.is_active, "", "", found, False, flags, history)


def hidden(
    moderator: User, kind: str, number: str | int | None
) -> tuple[Page[int], list[QueueItem]]:
    """Hidden summaries or comments (kind), newest first, a page at a time, each with its text,
    author and history: what moderators can open and restore once it has left the queue."""
    _require_moderator(moderator)
    ids: QuerySet[Any, int]
    if kind == Target.COMMENT:
        ids = Comment.objects.filter(is_hidden=True, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    else:
        kind = Target.SUMMARY
        ids = Summary.objects.filter(is_hidden=True).values_list("pk", flat=True)
    page: Page[int] = Paginator(ids.order_by("-pk"), HIDDEN_PAGE_SIZE).get_page(number)
    keys = [(kind, pk) for pk in page.object_list]
    return page, _items(keys, {})


@dataclass(frozen=True)
class Standing:
    person: User
    banned: bool
    suspended_until: datetime | None
    history: list[ModerationAction]


def people(moderator: User, number: str | int | None) -> tuple[Page[User], list[Standing]]:
    """Banned and suspended members (never the placeholders of deleted accounts), by name,
    each with the actions taken on them: what Unsuspend and Reinstate act on."""
    _require_moderator(moderator)
    now = timezone.now()
    rows = (
        User.objects.filter(Q(is_active=False) | Q(suspended_until__gt=now))
        .exclude(accounts.placeholder_q())
        .order_by("username", "pk")
    )
    page: Page[User] = Paginator(rows, PEOPLE_PAGE_SIZE).get_page(number)
    members = list(page.object_list)
    history = _history([(str(Target.USER), member.pk) for member in members])
    standings = [
        Standing(
            member,
            banned=not member.is_active,
            suspended_until=member.suspended_until
            if member.suspended_until and member.suspended_until > now
            else None,
            history=history.get((Target.USER, member.pk), []),
        )
        for member in members
    ]
    return page, standings


def _require_moderator(user: User) -> None:
    if not standing.is_moderator(user):
        raise PermissionDenied("Only moderators can do that.")


def act(
    moderator: User,
    action: str,
    kind: str,
    pk: int,
    reason: str,
    days: int = 7,
    into: int | None = None,
) -> ModerationAction:
    """Carry out one moderator action and log it; the reason is required and public. Merge
    on a reported paper makes it and paper `into` one (the one with more summaries kept)."""
    if action == Action.MERGE and kind == Target.PAPER:
        return merge_reported(moderator, pk, into or 0, reason)
    _require_moderator(moderator)
    standing.ensure_can_write(moderator)  # a suspended moderator reads the queue, acts not
    reason = clean_text(reason).strip()
    if not reason:
        raise InvalidInput("Say why; the reason appears in the public log.")
    target = _resolve(kind, pk)
    if action in (Action.SUSPEND, Action.BAN) and kind == Target.USER:
        _ensure_may_sanction(moderator, pk)
    with transaction.atomic():
        _apply(action, target, days)
        if action in (Action.HIDE, Action.KEEP, Action.RESTORE, Action.BAN, Action.SUSPEND):
            Flag.objects.filter(target_type=kind, target_id=pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
            events.flags_changed()
        return ModerationAction.objects.create(
            moderator=moderator,
            action=action,
            target_type=kind,
            target_id=pk,
            target_label=target.label[:300],
            reason=reason[:2000],
        )


def _ensure_may_sanction(moderator: User, person_id: int) -> None:
    """Nobody suspends or bans themselves, and only a superuser suspends or bans staff."""
    if person_id == moderator.pk:
        raise PermissionDenied("You cannot suspend or ban yourself.")
    if (
        not moderator.is_superuser
        and User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), pk=person_id).exists()
    ):
        raise PermissionDenied("Only a superuser can suspend or ban a staff member.")


def _apply(action: str, target: TargetRef, days: int) -> None:
    kind, pk = target.kind, target.pk
    if action in (Action.HIDE, Action.RESTORE) and kind == Target.SUMMARY:
        summary = Summary.objects.get(pk=pk)
        Summary.objects.filter(pk=pk).update(is_hidden=action == Action.HIDE)
        # The hide is remembered for the person and the paper, beyond this row's life.
        if action == Action.HIDE:
            standing.remember_hidden_summary(summary)
        else:
            standing.forget_hidden_summary(summary)
        events.summary_moderated(pk)
    elif action in (Action.HIDE, Action.RESTORE) and kind == Target.COMMENT:
        comment = Comment.objects.get(pk=pk)
        comment.is_hidden = action == Action.HIDE
        comment.save(update_fields=["is_hidden"])
        if action == Action.HIDE:
            standing.remember_hidden_comment(comment)
        else:
            standing.forget_hidden_comment(comment)
        comments.recount(comment.summary_id)
        events.comment_removed(comment)
    elif action in (Action.LOCK, Action.UNLOCK) and kind == Target.SUMMARY:
        Summary.objects.filter(pk=pk).update(comments_locked=action == Action.LOCK)
        events.summary_moderated(pk)
    elif action == Action.SUSPEND and kind == Target.USER:
        if not 1 <= days <= 3650:
            raise InvalidInput("Suspend for 1 to 3650 days.")
        User.objects.filter(pk=pk).update(suspended_until=timezone.now() + timedelta(days=days))
    elif action == Action.BAN and kind == Target.USER:
        User.objects.filter(pk=pk).update(is_active=False)
        events.users_changed([pk])
    elif action == Action.UNBAN and kind == Target.USER:
        User.objects.filter(pk=pk).update(is_active=True, suspended_until=None)
        events.users_changed([pk])
    elif action != Action.KEEP:
        raise InvalidInput(f"“{action}” does not apply to a {kind}.")


def merge_reported(moderator: User, paper_id: int, same_as: int, reason: str) -> ModerationAction:
    """Merge two papers reported as one work, keep the better one (more summaries, else the
    older), and log it publicly. The open reports between the two are resolved; the merged-away
    paper's other open reports move to the kept paper (services/merging.py)."""
    _require_moderator(moderator)
    if not clean_text(reason).strip():
        raise InvalidInput("Say why; the reason appears in the public log.")
    papers = {p.pk: p for p in Paper.objects.filter(pk__in=[paper_id, same_as])}
    if len(papers) != 2:
        raise NotFound("Both papers must exist to merge them.")
    keep = max(papers.values(), key=lambda p: (p.summary_count, -p.pk))
    other = paper_id if keep.pk == same_as else same_as
    return merge_papers(moderator, other, keep.pk, reason)


def merge_papers(moderator: User, source_id: int, target_id: int, reason: str) -> ModerationAction:
    _require_moderator(moderator)
    standing.ensure_can_write(moderator)
    result = merging.merge(source_id, target_id)
    return ModerationAction.objects.create(
        moderator=moderator,
        action=Action.MERGE,
        target_type="paper",
        target_id=result.kept.pk,
        target_label=f"paper {source_id} into “{result.kept.title[:200]}”",
        reason=clean_text(reason).strip()[:2000] or "duplicate record",
    )


def log(number: str | int | None) -> Page[ModerationAction]:
    rows = ModerationAction.objects.select_related("moderator").order_by("-created_at", "-pk")
    return Paginator(rows, 50).get_page(number)
