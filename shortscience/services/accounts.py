"""Deleting an account, and the inactive placeholder accounts that hold what must outlive one.

The person confirms with their password and chooses what happens to what they wrote:

- `Mode.DELETE`: their summaries go with their revisions and the votes and comments on them
  (as when one summary is deleted); their comments go, except that a top-level comment someone
  else replied to stays as a tombstone (no text) so the replies keep their thread; their votes
  go and the scores are recounted; their uploaded images go, files included.
- `Mode.ANONYMISE`: their published public summaries stay, marked anonymous, with only the
  current text kept of their history; drafts and private summaries are deleted (they were never
  given to the public); comments and votes stay; uploads stay (summaries embed them).

What stays moves to a placeholder: a fresh, inactive user with a random name (`~deleted-...`)
and no password, e-mail or profile, one per deleted account. One per account keeps the
one-summary-per-author-per-paper constraint valid (two deleted people may have summarised the
same paper) and links nothing across accounts; its display name makes comments read
"[deleted]". In both modes the person's own row is then deleted, with their API tokens,
e-mail addresses and sessions; their open flags move to the placeholder so moderators keep
the reports, and moderation-log lines about the account lose its name. docs/data.md explains.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shortscience.models import (
    ApiToken,
    Comment,
    Flag,
    ModerationAction,
    ReadingList,
    Revision,
    SavedPaper,
    Summary,
    SummaryImage,
    User,
    Vote,
)
from shortscience.services import authors, events
from shortscience.services.errors import InvalidInput, NotFound
from shortscience.services.votes import recount

# No sign-up or admin form accepts "~" in a username, so these names never belong to a person.
PLACEHOLDER_MARK = "~"
DELETED_NAME = "[deleted]"
_DB_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "shortscience.sessions",
}


class Mode(StrEnum):
    DELETE = "delete"  # delete everything the person wrote
    ANONYMISE = "anonymise"  # keep public contributions, without a name


@dataclass(frozen=True)
class DeletionReport:
    summaries_deleted: int
    summaries_kept: int
    comments_deleted: int
    comments_kept: int
    votes_deleted: int
    images_deleted: int


def is_placeholder(username: str) -> bool:
    return username.startswith(PLACEHOLDER_MARK)


def placeholder_q(prefix: str = "") -> Q:
    """Placeholder accounts as a filter, optionally through a relation (`"author__"`)."""
    return Q(**{f"{prefix}username__startswith": PLACEHOLDER_MARK})


def placeholder(label: str, display_name: str = DELETED_NAME) -> User:
    """The inactive placeholder `~<label>`, created on first use; nobody can sign in as it."""
    user, _ = User.objects.get_or_create(
        username=f"{PLACEHOLDER_MARK}{label}",
        defaults={
            "display_name": display_name,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


class _LazyPlaceholder:
    """Made only when something has to move to it, so deleting everything leaves no trace."""

    def __init__(self) -> None:
        self._user: User | None = None

    def get(self) -> User:
        if self._user is None:
            self._user = placeholder(f"deleted-{secrets.token_hex(8)}")
        return self._user


def delete_account(user: User, password: str, mode: Mode) -> DeletionReport:
    """Delete `user` as chosen by `mode`, in one transaction; refuse a wrong password (an
    account that signs in only through ORCID or GitHub has none: the view re-authenticated)."""
    if user.has_usable_password() and (not password or not user.check_password(password)):
        raise InvalidInput(
            "That is not your password; nothing was deleted.",
            field_errors={"password": ["Type your current password to confirm."]},
        )
    spare = _LazyPlaceholder()
    with transaction.atomic():
        touched = _touched_summaries(user)
        papers = list(
            Summary.objects.filter(author=user).values_list("paper_id", flat=True).distinct()
        )
        comment_ids = list(Comment.objects.filter(author=user).values_list("pk", flat=True))
        if mode is Mode.DELETE:
            report = _delete_contributions(user, spare)
        else:
            report = _keep_anonymously(user, spare)
        _forget(user, spare)
        user.delete()
        events.contributions_changed(touched, comment_ids, papers)
    return report


def _touched_summaries(user: User) -> list[int]:
    """Summaries whose derived data (index, score, counts) the deletion may change."""
    ids = set(Summary.objects.filter(author=user).values_list("pk", flat=True))
    ids |= set(Vote.objects.filter(user=user).values_list("summary_id", flat=True))
    ids |= set(Comment.objects.filter(author=user).values_list("summary_id", flat=True))
    return sorted(ids)


def _delete_contributions(user: User, spare: _LazyPlaceholder) -> DeletionReport:
    summaries = Summary.objects.filter(author=user)
    summary_count = summaries.count()
    summaries.delete()

    own_votes = Vote.objects.filter(user=user)
    voted = sorted(set(own_votes.values_list("summary_id", flat=True)))
    vote_count, _ = own_votes.delete()
    for summary_id in voted:
        recount(summary_id, touch=False)

    mine = Comment.objects.filter(author=user)
    commented = set(mine.values_list("summary_id", flat=True))
    others_replied = Comment.objects.filter(parent=OuterRef("pk")).exclude(author=user)
    tombstones = list(
        mine.filter(Exists(others_replied), parent__isnull=True).values_list("pk", flat=True)
    )
    if tombstones:
        Comment.objects.filter(pk__in=tombstones).update(
            author=spare.get(),
            markdown="",
            html="",
            edited_at=None,
            deleted_at=Coalesce(F("deleted_at"), Value(timezone.now())),
        )
    comment_count = mine.exclude(pk__in=tombstones).count()
    mine.exclude(pk__in=tombstones).delete()
    _recount_comments(commented)

    images = list(SummaryImage.objects.filter(uploader=user))
    for image in images:
        # Files go only once the rows are gone for good; a rollback keeps both.
        transaction.on_commit(partial(image.file.storage.delete, image.file.name), robust=True)
    SummaryImage.objects.filter(pk__in=[image.pk for image in images]).delete()
    return DeletionReport(
        summaries_deleted=summary_count,
        summaries_kept=0,
        comments_deleted=comment_count,
        comments_kept=len(tombstones),
        votes_deleted=vote_count,
        images_deleted=len(images),
    )


def _keep_anonymously(user: User, spare: _LazyPlaceholder) -> DeletionReport:
    unpublished = Summary.objects.filter(author=user).exclude(
        status=Summary.Status.PUBLISHED, visibility=Summary.Visibility.PUBLIC
    )
    dropped = unpublished.count()
    unpublished.delete()
    kept = list(Summary.objects.filter(author=user).values_list("pk", flat=True))
    if kept:
        # Other revisions may hold text that was never published (a "Save draft" beside the
        # published text is the newest one): only the published text's newest revision stays.
        published = (
            Revision.objects.filter(
                summary=OuterRef("summary"), markdown=OuterRef("summary__markdown")
            )
            .order_by("-number")
            .values("pk")[:1]
        )
        stays = Revision.objects.filter(summary__in=kept, pk=Subquery(published))
        Revision.objects.filter(summary__in=kept).exclude(pk__in=stays.values("pk")).delete()
        Summary.objects.filter(pk__in=kept).update(
            author=spare.get(),
            is_anonymous=True,
            share_token=None,
            draft_markdown="",
            draft_saved_at=None,
        )
    comments = Comment.objects.filter(author=user)
    comment_count = comments.count()
    if comment_count:
        comments.update(author=spare.get())
    if Vote.objects.filter(user=user).exists():
        Vote.objects.filter(user=user).update(user=spare.get())
    if SummaryImage.objects.filter(uploader=user).exists():
        SummaryImage.objects.filter(uploader=user).update(uploader=spare.get())
    return DeletionReport(
        summaries_deleted=dropped,
        summaries_kept=len(kept),
        comments_deleted=0,
        comments_kept=comment_count,
        votes_deleted=0,
        images_deleted=0,
    )


def _forget(user: User, spare: _LazyPlaceholder) -> None:
    """What is about the account rather than written by it: tokens, addresses, sessions, flags."""
    ApiToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    SavedPaper.objects.filter(owner=user).delete()  # the library: lists, saved papers, notes
    ReadingList.objects.filter(owner=user).delete()
    _end_sessions(user)
    open_flags = Flag.objects.filter(reporter=user, resolved_at__isnull=True)
    if open_flags.exists():
        open_flags.update(reporter=spare.get())
    Flag.objects.filter(reporter=user).delete()
    Flag.objects.filter(target_type=Flag.Target.USER, target_id=user.pk).delete()
    ModerationAction.objects.filter(target_type=Flag.Target.USER, target_id=user.pk).update(
        target_label="a deleted account"
    )


def _end_sessions(user: User) -> None:
    """End every session of the person's (cache copies included), the unrecorded ones too."""
    end_other_sessions(user, keep=None, unrecorded=True)


def end_other_sessions(user: User, keep: str | None, *, unrecorded: bool = False) -> int:
    """End the person's sessions but the one keyed `keep` (none when `keep` is None): the ones
    allauth recorded at sign-in, through the session store so that cached copies go too.
    A session older than the records needs nothing after a password change (Django's session
    hash no longer matches, so it is anonymous from its next request on); `unrecorded` also
    reads every stored session to find them (account deletion, which is rare). Returns how
    many ended."""
    ended = 0
    for recorded in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
        recorded.end()
        ended += 1
    if unrecorded and settings.SESSION_ENGINE in _DB_SESSION_ENGINES:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.pk != keep and session.get_decoded().get(SESSION_KEY) == str(user.pk):
                store(session.pk).delete()
                ended += 1
    return ended


def end_session(user: User, session_id: int, current: str | None) -> str:
    """Sign out one of the person's recorded sessions, never the one asking (`current`); returns
    what it was (its browser) for the message. Someone else's session is not found."""
    recorded = (
        UserSession.objects.filter(user=user, pk=session_id)
        .exclude(session_key=current or "")
        .first()
    )
    if recorded is None:
        raise NotFound("No such session of yours (it may have ended already).")
    what = recorded.user_agent[:80] or "an unknown browser"
    recorded.end()
    return what


def orcid_proved(user: User, orcid: str) -> None:
    """An ORCID sign-in or connect proved `orcid` is the person's: it becomes their iD, verified."""
    User.objects.filter(pk=user.pk).update(orcid=orcid, orcid_verified=True)
    user.orcid, user.orcid_verified = orcid, True
    events.users_changed([user.pk])
    authors.orcid_proved(user)


def orcid_unproved(user: User, orcid: str) -> None:
    """The ORCID account that proved `orcid` was disconnected: the iD stays, unverified."""
    User.objects.filter(pk=user.pk, orcid=orcid).update(orcid_verified=False)
    if user.orcid == orcid:
        user.orcid_verified = False
    events.users_changed([user.pk])


def _recount_comments(summary_ids: Iterable[int]) -> None:
    """comment_count = the shown (not deleted, not hidden) comments, for many summaries at once."""
    shown = (
        Comment.objects.filter(summary=OuterRef("pk"), deleted_at__isnull=True, is_hidden=False)
        .order_by()
        .values("summary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Summary.objects.filter(pk__in=list(summary_ids)).update(
        comment_count=Coalesce(Subquery(shown), Value(0))
    )
