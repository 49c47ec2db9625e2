"""Writing, reading and deleting summaries: visibility rules, revisions, share links, previews.

Visibility: a published public summary is seen by everyone; a draft or private summary only by its
author, and a private one also by holders of its share link. An anonymous summary is public but
its author is never shown: templates render authors only through `summaries/_byline.html`.
"""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shortscience.models import Paper, Revision, Summary, User
from shortscience.rendering import RENDERER_VERSION, Rendered
from shortscience.services import events, markup, standing
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from shortscience.services.text import clean_text


def can_view(summary: Summary, viewer: User | None) -> bool:
    if summary.is_public:
        return True
    return viewer is not None and viewer.is_authenticated and summary.author_id == viewer.pk


def get_visible(summary_id: int, viewer: User | None) -> Summary:
    summary = (
        Summary.objects.select_related("paper", "paper__venue", "author")
        .filter(pk=summary_id)
        .first()
    )
    if summary is None or not can_view(summary, viewer):
        raise NotFound("There is no such summary, or it is not public.")
    return summary


def get_by_share_token(token: str) -> Summary:
    summary = (
        Summary.objects.select_related("paper", "paper__venue", "author")
        .filter(share_token=token, share_token__isnull=False)
        .exclude(status=Summary.Status.DRAFT)
        .first()
    )
    if not token or summary is None:
        raise NotFound("This share link is not valid (it may have been revoked).")
    return summary


def get_own(paper: Paper, author: User) -> Summary | None:
    return Summary.objects.filter(paper=paper, author=author).first()


def get_owned(summary_id: int, user: User, *, staff_may: bool = False) -> Summary:
    """The summary if `user` wrote it (or is staff, where `staff_may`); NotFound otherwise, so
    nobody learns that a private or draft summary exists."""
    summary = Summary.objects.select_related("paper").filter(pk=summary_id).first()
    if summary is None:
        raise NotFound("There is no such summary.")
    if summary.author_id == user.pk or (staff_may and user.is_staff):
        return summary
    if summary.is_public:
        raise PermissionDenied("Only the author can change this summary.")
    raise NotFound("There is no such summary.")


def validate_markdown(markdown: str, *, max_chars: int, what: str) -> str:
    text = clean_text(markdown)
    if not text.strip():
        raise InvalidInput(f"The {what} is empty.", field_errors={"markdown": ["Write something."]})
    if len(text) > max_chars:
        raise InvalidInput(
            f"The {what} is {len(text):,} characters long; the limit is {max_chars:,}.",
            field_errors={"markdown": [f"Shorten it to at most {max_chars:,} characters."]},
        )
    return text


def preview(markdown: str) -> str:
    """The HTML the published page will show for this source (same renderer, same options)."""
    return markup.render(clean_text(markdown)[: settings.SUMMARY_MAX_CHARS]).html


@dataclass(frozen=True)
class SaveRequest:
    markdown: str
    publish: bool
    private: bool
    anonymous: bool


def save(author: User, paper: Paper, request: SaveRequest) -> Summary:
    """Create or update the author's summary of a paper; every change is a new revision.

    Saving the same text with the same options twice (a double submit) adds no revision.
    """
    standing.ensure_can_write(author)
    markdown = validate_markdown(
        request.markdown, max_chars=settings.SUMMARY_MAX_CHARS, what="summary"
    )
    rendered = markup.render(markdown)  # outside the transaction: the write rule
    hold = request.publish and not request.private and standing.must_hold(author)
    with transaction.atomic():
        before = Summary.objects.filter(paper=paper, author=author).first()
        was_public = before is not None and before.is_public
        try:
            summary = _store(author, paper, request, markdown, rendered)
        except IntegrityError:
            # Two first saves raced on the one-summary-per-paper constraint: the loser's
            # savepoint rolled back, and it now finds the winner's row and updates it.
            summary = _store(author, paper, request, markdown, rendered)
        if hold and not summary.is_hidden:
            standing.hold_for_review(summary)
        events.summary_saved(summary, was_public=was_public)
    return summary


def _store(
    author: User, paper: Paper, request: SaveRequest, markdown: str, rendered: Rendered
) -> Summary:
    status = Summary.Status.PUBLISHED if request.publish else Summary.Status.DRAFT
    visibility = Summary.Visibility.PRIVATE if request.private else Summary.Visibility.PUBLIC
    now = timezone.now()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().filter(paper=paper, author=author).first()
        if summary is None:
            summary = Summary.objects.create(
                paper=paper,
                author=author,
                markdown=markdown,
                html=rendered.html,
                excerpt_html=rendered.excerpt_html,
                renderer_version=RENDERER_VERSION,
                status=status,
                visibility=visibility,
                is_anonymous=request.anonymous,
                published_at=now if request.publish else None,
                last_activity_at=now,
            )
            _add_revision(summary)
            return summary
        unchanged = (
            summary.markdown == markdown
            and summary.status == status
            and summary.visibility == visibility
            and summary.is_anonymous == request.anonymous
        )
        if unchanged:
            return summary
        if summary.status == Summary.Status.PUBLISHED and summary.markdown != markdown:
            summary.edited_at = now
        if request.publish and summary.published_at is None:
            summary.published_at = now
            summary.last_activity_at = now
        summary.markdown = markdown
        summary.html = rendered.html
        summary.excerpt_html = rendered.excerpt_html
        summary.renderer_version = RENDERER_VERSION
        summary.status = status
        summary.visibility = visibility
        summary.is_anonymous = request.anonymous
        summary.save()
        _add_revision(summary)
        return summary


def _add_revision(summary: Summary) -> None:
    last = summary.revisions.aggregate(n=Max("number"))["n"] or 0
    Revision.objects.create(
        summary=summary, number=last + 1, markdown=summary.markdown, status=summary.status
    )


def delete(summary_id: int, user: User) -> Paper:
    """Delete a summary with its revisions, votes and comments (one transaction, nothing left)."""
    summary = get_owned(summary_id, user, staff_may=True)
    paper = summary.paper
    summary_id, author_id = summary.pk, summary.author_id
    with transaction.atomic():
        summary.delete()
        events.summary_deleted(summary_id, paper.pk, author_id)
    return paper


def set_share_link(summary_id: int, user: User, *, enabled: bool) -> Summary:
    """Create a fresh unguessable share token, or revoke the current one."""
    summary = get_owned(summary_id, user)
    summary.share_token = secrets.token_urlsafe(32) if enabled else None
    summary.save(update_fields=["share_token"])
    return summary


def revisions(summary_id: int, user: User) -> tuple[Summary, list[Revision]]:
    summary = get_owned(summary_id, user)
    return summary, list(summary.revisions.all())


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff(summary_id: int, user: User, old: int, new: int) -> tuple[Summary, list[DiffLine]]:
    summary = get_owned(summary_id, user)
    found = {r.number: r for r in summary.revisions.filter(number__in=[old, new])}
    if old not in found or new not in found:
        raise NotFound("One of those revisions does not exist.")
    lines = []
    for line in difflib.ndiff(found[old].markdown.splitlines(), found[new].markdown.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(tag, "same")
        lines.append(DiffLine(kind, text))
    return summary, lines
