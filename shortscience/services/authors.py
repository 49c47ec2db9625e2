"""Verified authors: who wrote a paper, by their proved ORCID iD, and the errata they
acknowledge on comments about it (docs/accounts.md, "Verified authors").

A claim is approved at once when the paper's metadata lists the iD the person proved by signing
in with ORCID (`User.orcid_verified`); any other claim waits for a moderator. Claims are made
automatically from both sides: when a person proves an iD (`orcid_proved`, called by
services/accounts.py) and when papers arrive whose metadata carries iDs (`papers_arrived`,
called by the paper write paths inside their transaction). Both look rows up by iD through an
index (`AuthorOrcid.orcid`, allauth's unique (provider, uid) of social accounts), never by
scanning papers or people.

An author of a paper gets a badge beside their name on their named summaries and comments on
that paper, never on an anonymous summary, and may mark any comment on it as an erratum they
confirm, fixed or dispute. Every write ends with `events.authors_changed` or
`events.erratum_marked`, which tell the page caches what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shortscience.models import (
    AuthorClaim,
    AuthorOrcid,
    Comment,
    Erratum,
    Flag,
    ModerationAction,
    Paper,
    User,
)
from shortscience.models.summaries import public_q
from shortscience.services import events, neutralpages, standing
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shortscience.services.text import clean_text

Status = AuthorClaim.Status
Source = AuthorClaim.Source
NOTE_MAX = 200
MAX_PENDING = 200  # the moderators' queue shows this many claims, oldest first


class OrcidNotVerified(PermissionDenied):
    """Claims need an iD proved by ORCID itself; the page explains how to connect one."""


# -- reading -----------------------------------------------------------------------------------


@dataclass
class PaperAuthors:
    """The paper's verified authors, and the reader's own claim on it."""

    verified: list[User] = field(default_factory=list)
    mine: AuthorClaim | None = None

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(user.pk for user in self.verified)


def for_paper(paper_id: int, viewer: User | None) -> PaperAuthors:
    """One query: every claim on the paper (there are few: each person has at most one)."""
    claims = list(
        AuthorClaim.objects.filter(paper_id=paper_id).select_related("user").order_by("pk")
    )
    # A reader with any claim on the paper sees their own claim box: never the shared copy.
    neutralpages.note_summaries((), (claim.user_id for claim in claims))
    found = PaperAuthors(
        verified=[c.user for c in claims if c.status == Status.APPROVED and c.user.is_active]
    )
    if viewer is not None and viewer.is_authenticated:
        found.mine = next((c for c in claims if c.user_id == viewer.pk), None)
    return found


def verified_ids(paper_id: int) -> frozenset[int]:
    """The paper's verified authors' ids (the summary page's badges), one query."""
    ids = frozenset(
        AuthorClaim.objects.filter(
            paper_id=paper_id, status=Status.APPROVED, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    neutralpages.note_summaries((), ids)
    return ids


def papers_of(person: User) -> list[Paper]:
    """The papers a person is a verified author of, newest first (their profile)."""
    return list(
        Paper.objects.filter(author_claims__user=person, author_claims__status=Status.APPROVED)
        .select_related("venue")
        .order_by(F("year").desc(nulls_last=True), "title", "pk")
    )


def erratum_of(comment: Comment) -> Erratum | None:
    """The comment's erratum; loaded with the comment by `comments.threads` (no query)."""
    try:
        return comment.erratum
    except Erratum.DoesNotExist:
        return None


def errata(comments: Iterable[Comment]) -> list[Comment]:
    """The shown comments among these (and their replies) that carry an erratum, oldest first."""
    found = []
    for comment in comments:
        for one in (comment, *getattr(comment, "thread_replies", ())):
            if not one.is_deleted and erratum_of(one) is not None:
                found.append(one)
    return sorted(found, key=lambda c: (c.created_at, c.pk))


def by_authors(threads: list[Comment], author_ids: frozenset[int]) -> list[Comment]:
    """The threads an author of the paper wrote in: its top comment or one of its replies
    (never one shown as "the author (anonymous)": the filter would name them)."""

    def named_author(comment: Comment) -> bool:
        return comment.author_id in author_ids and not comment.by_anonymous_author

    return [
        top
        for top in threads
        if (not top.is_deleted and named_author(top))
        or any(named_author(r) for r in getattr(top, "thread_replies", ()))
    ]


# -- claiming ----------------------------------------------------------------------------------


def _listed_orcids(paper_id: int) -> set[str]:
    return set(AuthorOrcid.objects.filter(paper_id=paper_id).values_list("orcid", flat=True))


def claim(user: User, paper_id: int) -> AuthorClaim:
    """`user` says they wrote the paper: approved when its metadata lists their proved iD,
    otherwise waiting for a moderator. A declined claim may be made again."""
    standing.ensure_can_write(user)
    if not (user.orcid and user.orcid_verified):
        raise OrcidNotVerified(
            "Only an ORCID iD proved by signing in with ORCID can claim authorship; a typed "
            "iD proves nothing. Connect your ORCID account in your settings first."
        )
    if not Paper.objects.filter(pk=paper_id).exists():
        raise NotFound("There is no such paper.")
    existing = AuthorClaim.objects.filter(paper_id=paper_id, user=user).first()
    if existing is not None and existing.status != Status.REJECTED:
        raise Conflict(
            "You are already a verified author of this paper."
            if existing.status == Status.APPROVED
            else "Your claim is already waiting for a moderator."
        )
    listed = user.orcid in _listed_orcids(paper_id)
    with transaction.atomic():
        found, _ = AuthorClaim.objects.update_or_create(
            paper_id=paper_id,
            user=user,
            defaults={
                "orcid": user.orcid,
                "status": Status.APPROVED if listed else Status.PENDING,
                "source": Source.METADATA if listed else "",
                "decided_at": timezone.now() if listed else None,
                "decided_by": None,
            },
        )
        events.authors_changed([paper_id], [user.username])
    return found


def withdraw(user: User, paper_id: int) -> None:
    """The claimant takes their claim back, whatever its state (it changes the paper's page,
    so not while suspended)."""
    standing.ensure_can_write(user)
    with transaction.atomic():
        deleted, _ = AuthorClaim.objects.filter(paper_id=paper_id, user=user).delete()
        if not deleted:
            raise NotFound("You have no claim on this paper.")
        events.authors_changed([paper_id], [user.username])


def pending(moderator: User) -> list[AuthorClaim]:
    """Claims waiting for a moderator, oldest first (a partial index holds only those)."""
    if not standing.is_moderator(moderator):
        raise PermissionDenied("Only moderators can do that.")
    return list(
        AuthorClaim.objects.filter(status=Status.PENDING)
        .select_related("user", "paper")
        .order_by("created_at", "pk")[:MAX_PENDING]
    )


def decide(moderator: User, claim_id: int, *, approve: bool, reason: str) -> ModerationAction:
    """A moderator approves or declines a pending claim; logged publicly like other actions."""
    if not standing.is_moderator(moderator):
        raise PermissionDenied("Only moderators can do that.")
    standing.ensure_can_write(moderator)
    reason = clean_text(reason).strip()
    if not reason:
        raise InvalidInput("Say why; the reason appears in the public log.")
    found = AuthorClaim.objects.select_related("user", "paper").filter(pk=claim_id).first()
    if found is None or found.status != Status.PENDING:
        raise NotFound("There is no such claim waiting for a decision.")
    with transaction.atomic():
        found.status = Status.APPROVED if approve else Status.REJECTED
        found.source = Source.MODERATOR if approve else ""
        found.decided_at, found.decided_by = timezone.now(), moderator
        found.save(update_fields=["status", "source", "decided_at", "decided_by"])
        logged = ModerationAction.objects.create(
            moderator=moderator,
            action=ModerationAction.Action.APPROVE if approve else ModerationAction.Action.DECLINE,
            # About the claimant, so deleting their account takes their name off the line as it
            # does for every line about them (services/accounts.py).
            target_type=Flag.Target.USER,
            target_id=found.user_id,
            target_label=(f"@{found.user.username} as an author of “{found.paper.title[:200]}”")[
                :300
            ],
            reason=reason[:2000],
        )
        events.authors_changed([found.paper_id], [found.user.username])
    return logged


# -- automatic claims --------------------------------------------------------------------------


def orcid_proved(user: User) -> None:
    """`user` just proved their iD: they become a verified author of every paper whose
    metadata lists it (found through the index on `AuthorOrcid.orcid`)."""
    if not (user.orcid and user.orcid_verified):
        return
    paper_ids = list(
        AuthorOrcid.objects.filter(orcid=user.orcid).values_list("paper_id", flat=True)
    )
    if paper_ids:
        with transaction.atomic():
            if _approve_listed([(paper_id, user.pk, user.orcid) for paper_id in paper_ids]):
                events.authors_changed(paper_ids, [user.username])


def papers_arrived(rows: Sequence[tuple[int, Sequence[tuple[str, str]]]]) -> None:
    """Papers were stored with the (iD, name) pairs their metadata lists: keep the pairs and
    make their proved owners verified authors. Called inside the paper's own transaction."""
    listed = [
        AuthorOrcid(paper_id=paper_id, orcid=orcid, name=name[:300])
        for paper_id, pairs in rows
        for orcid, name in dict(pairs).items()
        if orcid
    ]
    if not listed:
        return
    AuthorOrcid.objects.bulk_create(listed, ignore_conflicts=True)
    orcids = {row.orcid for row in listed}
    # A proved iD is one an ORCID account connected to the person still vouches for.
    owners: dict[str, tuple[int, str]] = {}
    for uid, user_id, username in SocialAccount.objects.filter(
        provider="orcid",
        uid__in=sorted(orcids),
        user__orcid=F("uid"),
        user__orcid_verified=True,
    ).values_list("uid", "user_id", "user__username"):
        owners[uid] = (user_id, username)
    wanted = [
        (row.paper_id, owners[row.orcid][0], row.orcid) for row in listed if row.orcid in owners
    ]
    if _approve_listed(wanted):
        events.authors_changed(
            sorted({paper_id for paper_id, _, _ in wanted}),
            sorted({owners[orcid][1] for _, _, orcid in wanted}),
        )


def _approve_listed(wanted: Sequence[tuple[int, int, str]]) -> bool:
    """Approve (paper, user, iD) claims the metadata backs, creating or upgrading each;
    returns whether anything changed."""
    if not wanted:
        return False
    now = timezone.now()
    papers = {paper_id for paper_id, _, _ in wanted}
    people = {user_id for _, user_id, _ in wanted}
    existing = {
        (c.paper_id, c.user_id): c
        for c in AuthorClaim.objects.filter(paper_id__in=papers, user_id__in=people)
    }
    fresh, upgraded = [], []
    for paper_id, user_id, orcid in wanted:
        claim_row = existing.get((paper_id, user_id))
        if claim_row is None:
            fresh.append(
                AuthorClaim(
                    paper_id=paper_id,
                    user_id=user_id,
                    orcid=orcid,
                    status=Status.APPROVED,
                    source=Source.METADATA,
                    decided_at=now,
                )
            )
            existing[(paper_id, user_id)] = fresh[-1]
        elif claim_row.status != Status.APPROVED:
            upgraded.append(claim_row.pk)
    AuthorClaim.objects.bulk_create(fresh, ignore_conflicts=True)
    if upgraded:
        AuthorClaim.objects.filter(pk__in=upgraded).update(
            status=Status.APPROVED, source=Source.METADATA, decided_at=now, decided_by=None
        )
    return bool(fresh or upgraded)


def move(source_id: int, target_id: int) -> None:
    """A paper merges into another: its listed iDs and claims move, unless already there."""
    for model in (AuthorOrcid, AuthorClaim):
        key = "orcid" if model is AuthorOrcid else "user_id"
        there = model.objects.filter(paper_id=target_id).values_list(key, flat=True)
        model.objects.filter(paper_id=source_id).exclude(**{f"{key}__in": list(there)}).update(
            paper_id=target_id
        )


# -- errata ------------------------------------------------------------------------------------


def mark_erratum(user: User, comment_id: int, status: str, note: str = "") -> Erratum | None:
    """An author of the paper marks a comment on it as an erratum they confirm, fixed (with a
    short note such as "fixed in v2") or dispute; an empty `status` clears the mark."""
    standing.ensure_can_write(user)
    if status and status not in Erratum.Status.values:
        raise InvalidInput("Choose confirmed, fixed or disputed.")
    note = " ".join(clean_text(note).split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Keep the note to {NOTE_MAX} characters.")
    comment = (
        Comment.objects.filter(public_q("summary__"), pk=comment_id, deleted_at__isnull=True)
        .exclude(is_hidden=True)
        .select_related("summary")
        .first()
    )
    if comment is None:
        raise NotFound("There is no such comment.")
    if comment.author_id == user.pk:
        raise PermissionDenied(
            "An erratum is acknowledged on someone else's comment, not your own."
        )
    if not AuthorClaim.objects.filter(
        paper_id=comment.summary.paper_id, user=user, status=Status.APPROVED
    ).exists():
        raise PermissionDenied("Only a verified author of the paper can mark its errata.")
    with transaction.atomic():
        marked = None
        if status:
            marked, _ = Erratum.objects.update_or_create(
                comment=comment,
                defaults={
                    "status": status,
                    "note": note,
                    "marked_by": user,
                    "marked_at": timezone.now(),
                },
            )
        else:
            Erratum.objects.filter(comment=comment).delete()
        events.erratum_marked(comment)
    return marked
