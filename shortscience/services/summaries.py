"""Writing, reading and deleting summaries: visibility rules, revisions, drafts and autosave,
conflicts between two editors, share links, previews.

Visibility: a published public summary is seen by everyone; a draft or private summary only by its
author, and a private one also by holders of its share link. An anonymous summary is public but
its author is never shown: templates render authors only through `summaries/_byline.html`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shortscience.models import Paper, Revision, Summary, User
from shortscience.rendering import RENDERER_VERSION, Rendered
from shortscience.rendering.math_syntax import MathProblem
from shortscience.services import events, markup, newcomers, standing
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shortscience.services.text import clean_text


def can_view(summary: Summary, viewer: User | None) -> bool:
    if summary.is_public:
        return True
    return viewer is not None and viewer.is_authenticated and summary.author_id == viewer.pk


def get_visible(
    summary_id: int, viewer: User | None, *, moderators_see_hidden: bool = False
) -> Summary:
    """The summary if `viewer` may read it; NotFound otherwise. With `moderators_see_hidden`
    (its own page, never a list, feed or the API), a moderator also opens a published summary a
    moderator hid, to judge it where it was; the page marks it hidden."""
    summary = (
        Summary.objects.select_related("paper", "paper__venue", "author")
        .filter(pk=summary_id)
        .first()
    )
    if summary is not None and (
        can_view(summary, viewer) or (moderators_see_hidden and _moderator_sees(summary, viewer))
    ):
        return summary
    raise NotFound("There is no such summary, or it is not public.")


def _moderator_sees(summary: Summary, viewer: User | None) -> bool:
    """A hidden published summary, to a moderator (a private one stays its author's)."""
    return (
        summary.is_hidden
        and summary.status == Summary.Status.PUBLISHED
        and summary.visibility == Summary.Visibility.PUBLIC
        and standing.is_moderator(viewer)
    )


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


# A formula that failed, as the editor and the API list it (line, formula, message).
FormulaProblem = MathProblem
# At most this many are listed (the editor's preview, the API); the total is told beside them.
FORMULA_PROBLEMS_LISTED = 50


@dataclass(frozen=True)
class Preview:
    """What the editor shows beside the text: the page's HTML and the formulas that failed."""

    html: str
    formula_problems: tuple[FormulaProblem, ...] = ()


def preview(markdown: str) -> Preview:
    """The HTML the published page will show for this source (same renderer, same options).

    A text over the limit is refused, as saving it would be: rendering it is work nobody
    may ask for at will."""
    if not clean_text(markdown).strip():
        return Preview(html="")
    text = validate_markdown(markdown, max_chars=settings.SUMMARY_MAX_CHARS, what="summary")
    rendered = markup.render(text)
    return Preview(html=rendered.html, formula_problems=rendered.math_problems)


@dataclass(frozen=True)
class SaveRequest:
    markdown: str
    publish: bool
    private: bool
    anonymous: bool
    # The summary's `version` the writer started from: a save from an older one is refused
    # (Stale). None: no check (imports, the demo, API callers that send none).
    base_version: int | None = None
    # Take a published summary offline (back to draft); without it, not publishing a
    # published summary stores the text as a draft beside it.
    unpublish: bool = False


@dataclass(frozen=True)
class Saved:
    summary: Summary
    formula_problems: tuple[FormulaProblem, ...]
    # The text went into the draft beside a published summary, which stays as it was.
    draft_only: bool


class Stale(Conflict):
    """A save or autosave from a version older than the summary's: someone (the same person
    in another tab or device) changed it since. Nothing was written."""

    def __init__(self, current: Summary) -> None:
        super().__init__(
            "This summary changed elsewhere (another tab or device) since you opened it, "
            "so nothing was saved. Your text is kept."
        )
        self.current = current


def _check_base(summary: Summary | None, base_version: int | None) -> None:
    # A form opened before the summary existed carries 0; a summary made since is newer.
    if base_version is None or summary is None:
        return
    if summary.version != base_version:
        raise Stale(summary)


def save(author: User, paper: Paper, request: SaveRequest) -> Summary:
    """`write`, for callers that need only the summary."""
    return write(author, paper, request).summary


def write(author: User, paper: Paper, request: SaveRequest) -> Saved:
    """Create or update the author's summary of a paper; every change is a new revision.

    Saving the same text with the same options twice (a double submit) adds no revision.
    Not publishing a published summary keeps it live and stores the text as its draft.
    """
    standing.ensure_can_write(author)
    markdown = validate_markdown(
        request.markdown, max_chars=settings.SUMMARY_MAX_CHARS, what="summary"
    )
    rendered = markup.render(markdown)  # outside the transaction: the write rule
    if request.publish and not request.private and newcomers.applies_to(author):
        published = Summary.objects.filter(paper=paper, author=author, published_at__isnull=False)
        newcomers.ensure_may_post(author, rendered.html, new_post=not published.exists())
    # A moderator hid this person's summary of the paper: whatever they publish there next,
    # even after deleting the hidden one, waits for review (docs/moderation.md).
    again = request.publish and standing.marked_on_paper(author, paper.pk)
    first = request.publish and not request.private and standing.must_hold(author)
    with transaction.atomic():
        before = Summary.objects.filter(paper=paper, author=author).first()
        was_public = before is not None and before.is_public
        was_named = was_public and before is not None and not before.is_anonymous
        try:
            summary, draft_only, changed = _store(author, paper, request, markdown, rendered)
        except IntegrityError:
            # Two first saves raced on the one-summary-per-paper constraint: the loser's
            # savepoint rolled back, and it now finds the winner's row and updates it.
            summary, draft_only, changed = _store(author, paper, request, markdown, rendered)
        if (again or first) and not summary.is_hidden and not draft_only:
            standing.hold_for_review(summary, again=again)
        if draft_only or not changed:
            # Nothing any reader sees changed (a draft beside the published text, a repeat).
            events.summary_draft_saved(summary)
        else:
            events.summary_saved(summary, was_public=was_public, was_named=was_named)
    return Saved(summary, rendered.math_problems, draft_only)


def _store(
    author: User, paper: Paper, request: SaveRequest, markdown: str, rendered: Rendered
) -> tuple[Summary, bool, bool]:
    """The summary, whether only its draft changed, whether anything changed."""
    status = Summary.Status.PUBLISHED if request.publish else Summary.Status.DRAFT
    visibility = Summary.Visibility.PRIVATE if request.private else Summary.Visibility.PUBLIC
    now = timezone.now()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().filter(paper=paper, author=author).first()
        if summary is not None and _already_stored(summary, request, markdown):
            # A double submit or a retry: the row already says this, whatever its version.
            beside = summary.status == Summary.Status.PUBLISHED and not (
                request.publish or request.unpublish
            )
            return summary, beside, False
        _check_base(summary, request.base_version)
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
            _add_revision(summary, summary.markdown)
            return summary, False, True
        if summary.status == Summary.Status.PUBLISHED and not (
            request.publish or request.unpublish
        ):
            if markdown == summary.markdown:
                # A draft identical to the published text is no draft: drop any other one
                # (kept as a revision), store nothing new.
                if summary.has_draft:
                    _keep_draft(summary)
                    summary.draft_markdown = ""
                    summary.draft_saved_at = None
                    summary.version += 1
                    summary.save(update_fields=["draft_markdown", "draft_saved_at", "version"])
                return summary, True, False
            return _store_draft(summary, markdown, now), True, True
        unchanged = (
            summary.markdown == markdown
            and summary.status == status
            and summary.visibility == visibility
            and summary.is_anonymous == request.anonymous
        )
        if unchanged and not summary.has_draft:
            return summary, False, False
        if summary.draft_markdown != markdown:
            _keep_draft(summary)
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
        # The draft is what was just saved, or was set aside by saving this text.
        summary.draft_markdown = ""
        summary.draft_saved_at = None
        summary.version += 1
        summary.save()
        if not unchanged:
            _add_revision(summary, summary.markdown)
        return summary, False, True


def _already_stored(summary: Summary, request: SaveRequest, markdown: str) -> bool:
    """The row already holds what this request asks for (same text and options, no other
    draft; or the same draft beside the published text)."""
    if summary.status == Summary.Status.PUBLISHED and not (request.publish or request.unpublish):
        return summary.draft_markdown == markdown or (
            not summary.has_draft and summary.markdown == markdown
        )
    status = Summary.Status.PUBLISHED if request.publish else Summary.Status.DRAFT
    visibility = Summary.Visibility.PRIVATE if request.private else Summary.Visibility.PUBLIC
    return (
        summary.markdown == markdown
        and summary.status == status
        and summary.visibility == visibility
        and summary.is_anonymous == request.anonymous
        and not summary.has_draft
    )


def _keep_draft(summary: Summary) -> None:
    """Before a save sets the draft aside, keep its text as a draft revision (an autosaved
    draft has none yet), so no typed text is ever lost and the history shows it."""
    draft = summary.draft_markdown
    if not draft:
        return
    latest = summary.revisions.order_by("-number").values_list("markdown", flat=True).first()
    if latest != draft:
        Revision.objects.create(
            summary=summary,
            number=_next_revision_number(summary),
            markdown=draft,
            status=Summary.Status.DRAFT,
        )


def _store_draft(summary: Summary, markdown: str, now: datetime) -> Summary:
    """The text beside a published summary: the published text, HTML and options stay."""
    if summary.draft_markdown == markdown:
        return summary
    summary.draft_markdown = markdown
    summary.draft_saved_at = now
    summary.version += 1
    summary.save(update_fields=["draft_markdown", "draft_saved_at", "version"])
    Revision.objects.create(
        summary=summary,
        number=_next_revision_number(summary),
        markdown=markdown,
        status=Summary.Status.DRAFT,
    )
    return summary


def _next_revision_number(summary: Summary) -> int:
    return (summary.revisions.aggregate(n=Max("number"))["n"] or 0) + 1


def _add_revision(summary: Summary, markdown: str) -> None:
    Revision.objects.create(
        summary=summary,
        number=_next_revision_number(summary),
        markdown=markdown,
        status=summary.status,
    )


def autosave(author: User, paper: Paper, markdown: str, *, base_version: int | None) -> Summary:
    """Keep the editor's text as the author's draft of the paper: never the published text,
    never a revision (the explicit buttons make those), nothing rendered. A paper without a
    summary of theirs gets an empty unpublished one holding the draft."""
    standing.ensure_can_write(author)
    text = validate_markdown(markdown, max_chars=settings.SUMMARY_MAX_CHARS, what="draft")
    now = timezone.now()
    with transaction.atomic():
        summary = Summary.objects.select_for_update().filter(paper=paper, author=author).first()
        if summary is not None and text == (summary.draft_markdown or summary.markdown):
            # Already stored (a repeated autosave, another tab with the same text).
            return summary
        _check_base(summary, base_version)
        if summary is None:
            summary = Summary.objects.create(
                paper=paper,
                author=author,
                markdown="",
                html="",
                status=Summary.Status.DRAFT,
                draft_markdown=text,
                draft_saved_at=now,
                last_activity_at=now,
            )
            # A new summary that was never public: no reader's page changes.
            events.summary_draft_saved(summary)
            return summary
        summary.draft_markdown = text
        summary.draft_saved_at = now
        summary.version += 1
        summary.save(update_fields=["draft_markdown", "draft_saved_at", "version"])
        events.summary_draft_saved(summary)
    return summary


def discard_draft(summary_id: int, user: User) -> Paper:
    """Drop the author's draft; the summary stays as last saved. A summary that was only ever
    a draft (autosave made it) goes with it."""
    summary = get_owned(summary_id, user)
    standing.ensure_can_write(user)
    if not summary.markdown.strip() and summary.published_at is None:
        # Never public: no page, count, index or list ever showed it.
        with transaction.atomic():
            summary.delete()
            events.draft_summary_removed(summary_id)
        return summary.paper
    with transaction.atomic():
        summary.draft_markdown = ""
        summary.draft_saved_at = None
        summary.version += 1
        summary.save(update_fields=["draft_markdown", "draft_saved_at", "version"])
        events.summary_draft_saved(summary)
    return summary.paper


def opening_preview(summary: Summary) -> Preview | None:
    """The preview the editor opens with when the stored HTML will not do: a draft differs
    from it, or a formula failed and its list is wanted. None: show the stored HTML."""
    if opening_needs_render(summary):
        return preview(editor_text(summary))
    return None


def opening_needs_render(summary: Summary) -> bool:
    return summary.has_draft or 'class="math-error"' in summary.html


def editor_text(summary: Summary | None) -> str:
    """What the editor opens with: the draft when there is one, else the saved text."""
    if summary is None:
        return ""
    return summary.draft_markdown or summary.markdown


def delete(summary_id: int, user: User) -> Paper:
    """Delete a summary with its revisions, votes and comments (one transaction, nothing left)."""
    standing.ensure_can_write(user)
    summary = get_owned(summary_id, user, staff_may=True)
    paper = summary.paper
    summary_id, author_id = summary.pk, summary.author_id
    with transaction.atomic():
        summary.delete()
        events.summary_deleted(summary_id, paper.pk, author_id)
    return paper


def set_share_link(summary_id: int, user: User, *, enabled: bool) -> Summary:
    """Create a fresh unguessable share token, or revoke the current one (revoking only
    narrows who sees it, so a suspended author may still do that)."""
    if enabled:
        standing.ensure_can_write(user)
    summary = get_owned(summary_id, user)
    summary.share_token = secrets.token_urlsafe(32) if enabled else None
    summary.save(update_fields=["share_token"])
    return summary
