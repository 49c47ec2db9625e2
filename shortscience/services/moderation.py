"""Moderation: members flag summaries, comments and people; moderators work a queue ordered by
flag count and age, hide, restore, keep, lock comments, merge papers, suspend and ban; every
action is written to the public moderation log (who, what, why; never the hidden text).

Hidden content keeps its text and comes back whole when restored; while hidden it is outside
`public_q`, which every page, count, sitemap, API answer and dump goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from shortscience.models import Comment, Flag, ModerationAction, Summary, User
from shortscience.services import comments, events, merging, standing
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shortscience.services.summaries import can_view
from shortscience.services.text import clean_text

Action = ModerationAction.Action
Target = Flag.Target


@dataclass(frozen=True)
class TargetRef:
    kind: str  # "summary", "comment", "user"
    pk: int
    label: str  # safe to show publicly
    url: str


def _resolve(kind: str, pk: int) -> TargetRef:
    if kind == Target.SUMMARY:
        summary = Summary.objects.select_related("paper").filter(pk=pk).first()
        if summary is None:
            raise NotFound("There is no such summary.")
        return TargetRef(
            kind, pk, f"a summary of “{summary.paper.title[:200]}”", reverse("summary", args=[pk])
        )
    if kind == Target.COMMENT:
        comment = Comment.objects.select_related("summary__paper").filter(pk=pk).first()
        if comment is None:
            raise NotFound("There is no such comment.")
        title = comment.summary.paper.title[:200]
        return TargetRef(
            kind,
            pk,
            f"a comment on a summary of “{title}”",
            reverse("summary", args=[comment.summary_id]) + f"#comment-{pk}",
        )
    if kind == Target.USER:
        user = User.objects.filter(pk=pk).first()
        if user is None:
            raise NotFound("There is no such person.")
        return TargetRef(kind, pk, f"@{user.username}", user.get_absolute_url())
    raise InvalidInput("One can flag a summary, a comment or a person.")


def flag(reporter: User, kind: str, pk: int, reason: str, text: str = "") -> Flag:
    standing.ensure_can_write(reporter)
    if reason not in Flag.Reason.values:
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
            return Flag.objects.create(
                reporter=reporter,
                target_type=kind,
                target_id=pk,
                reason=reason,
                text=clean_text(text)[:2000],
            )
    except IntegrityError as exc:
        raise Conflict("You already flagged this; moderators will look at it.") from exc


@dataclass(frozen=True)
class QueueItem:
    target: TargetRef
    flags: int
    first_flagged: datetime
    reasons: list[str]
    hidden: bool


def queue(moderator: User) -> list[QueueItem]:
    """Open flags, one row per flagged thing, most flagged first, then oldest first."""
    _require_moderator(moderator)
    rows = (
        Flag.objects.filter(resolved_at__isnull=True)
        .values("target_type", "target_id")
        .annotate(n=Count("pk"), first=Min("created_at"))
        .order_by("-n", "first")[:200]
    )
    reasons: dict[tuple[str, int], list[str]] = {}
    for kind, pk, reason in Flag.objects.filter(resolved_at__isnull=True).values_list(
        "target_type", "target_id", "reason"
    ):
        reasons.setdefault((kind, pk), []).append(reason)
    items = []
    for row in rows:
        try:
            target = _resolve(row["target_type"], row["target_id"])
        except NotFound:
            continue
        items.append(
            QueueItem(
                target=target,
                flags=row["n"],
                first_flagged=row["first"],
                reasons=sorted(set(reasons.get((row["target_type"], row["target_id"]), []))),
                hidden=_is_hidden(target),
            )
        )
    return items


def _is_hidden(target: TargetRef) -> bool:
    if target.kind == Target.SUMMARY:
        return Summary.objects.filter(pk=target.pk, is_hidden=True).exists()
    if target.kind == Target.COMMENT:
        return Comment.objects.filter(pk=target.pk, is_hidden=True).exists()
    return User.objects.filter(pk=target.pk, is_active=False).exists()


def _require_moderator(user: User) -> None:
    if not standing.is_moderator(user):
        raise PermissionDenied("Only moderators can do that.")


def act(
    moderator: User, action: str, kind: str, pk: int, reason: str, days: int = 7
) -> ModerationAction:
    """Carry out one moderator action and log it; the reason is required and public."""
    _require_moderator(moderator)
    reason = clean_text(reason).strip()
    if not reason:
        raise InvalidInput("Say why; the reason appears in the public log.")
    target = _resolve(kind, pk)
    with transaction.atomic():
        _apply(action, target, days)
        if action in (Action.HIDE, Action.KEEP, Action.RESTORE, Action.BAN, Action.SUSPEND):
            Flag.objects.filter(target_type=kind, target_id=pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
        return ModerationAction.objects.create(
            moderator=moderator,
            action=action,
            target_type=kind,
            target_id=pk,
            target_label=target.label[:300],
            reason=reason[:2000],
        )


def _apply(action: str, target: TargetRef, days: int) -> None:
    kind, pk = target.kind, target.pk
    if action in (Action.HIDE, Action.RESTORE) and kind == Target.SUMMARY:
        Summary.objects.filter(pk=pk).update(is_hidden=action == Action.HIDE)
        events.summary_moderated(pk)
    elif action in (Action.HIDE, Action.RESTORE) and kind == Target.COMMENT:
        comment = Comment.objects.get(pk=pk)
        comment.is_hidden = action == Action.HIDE
        comment.save(update_fields=["is_hidden"])
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


def merge_papers(moderator: User, source_id: int, target_id: int, reason: str) -> ModerationAction:
    _require_moderator(moderator)
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
