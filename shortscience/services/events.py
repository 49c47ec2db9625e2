"""What happened, told once to everything that keeps derived data in step.

Services call these functions after a write (inside the same transaction where there is one);
each function fans the event out to the features that depend on it: the search index, rankings
and reputation, similarity, follows and notifications, and the anonymous page cache (which pages
the write changed: `pagecache.touch`). Handlers that send mail or do slow work queue a task
instead of doing it in the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BooleanField, ExpressionWrapper, Q

from shortscience import search
from shortscience.models import Comment, Summary
from shortscience.models.summaries import public_q
from shortscience.services import (
    categories,
    counts,
    maintenance,
    notification_emails,
    notifications,
    pagecache,
    queuecount,
    rankings,
    similar,
)


def _summary_pages(summary_ids: Sequence[int], *, every_author: bool = False) -> list[str]:
    """The pages that show these summaries: theirs, their papers', the lists, and their
    authors' pages where those show them. An author's pages (profile, feeds, API) list only
    their named public summaries, so a comment or vote under an anonymous, private or hidden
    one leaves the author's tag alone: a changed ETag would tell who wrote it
    (docs/decisions/0005-page-cache.md, "Whose pages a write touches"). `every_author`: the
    summary itself changed and may have just left or joined its author's pages."""
    named = public_q() & Q(is_anonymous=False)
    rows = Summary.objects.filter(pk__in=summary_ids).annotate(
        on_author_pages=ExpressionWrapper(named, output_field=BooleanField())
    )
    tags = [pagecache.LISTS]
    for pk, paper_id, username, shown in rows.values_list(
        "pk", "paper_id", "author__username", "on_author_pages"
    ):
        tags += [pagecache.summary(pk), pagecache.paper(paper_id)]
        if every_author or shown:
            tags.append(pagecache.person(username))
    return tags


def summary_saved(summary: Summary, *, was_public: bool, was_named: bool = True) -> None:
    """A summary was created or changed (text, status, privacy, anonymity). `was_named`: it
    was on its author's pages before the save (public and not anonymous)."""
    if was_public and not summary.is_public:
        # Other papers' pages may link it among their similar summaries.
        pagecache.touch_everything()
    else:
        # On its author's pages before or after the save, it changed there or joined or left
        # them; anonymous (or never public) before and after, it was on neither, and touching
        # the author's tag would tell who just edited it.
        pagecache.touch(*_summary_pages([summary.pk], every_author=was_named))
    counts.refresh_summary_counts([summary.paper_id])
    search.index_summaries([summary.pk])
    rankings.on_summary_saved(summary)
    similar.on_summary_changed(
        summary.paper_id, public_now=summary.is_public, was_public=was_public
    )
    notification_emails.queue_after_commit(
        notifications.summary_saved(summary, was_public=was_public)
    )


def summary_draft_saved(summary: Summary) -> None:
    """Only what its author sees changed: an autosave (also one that made a never-public
    summary), a draft beside a published one, a draft discarded, a repeated save. No count,
    index, ranking, similar list or notification reads a draft, and no cached page shows one
    (the author's own view is never served from the shared cache), so nothing public is
    touched: an autosave every few seconds must not churn any page's cache or ETag."""
    del summary


def draft_summary_removed(summary_id: int) -> None:
    """A summary that was never public (an autosaved draft) was discarded: no page, count,
    index or list ever showed it, so nothing public is touched."""
    del summary_id


def summary_deleted(summary_id: int, paper_id: int, author_id: int) -> None:
    """A summary and everything hanging off it is gone (its rows no longer exist)."""
    pagecache.touch_everything()
    counts.refresh_summary_counts([paper_id])
    search.remove_summary(summary_id)
    rankings.on_author_changed(author_id)
    similar.on_summary_changed(paper_id, public_now=False, was_public=True)


def summary_moderated(summary_id: int) -> None:
    """A moderator hid or restored a summary, or locked or unlocked its comments."""
    pagecache.touch_everything()
    moderated = Summary.objects.filter(pk=summary_id).first()
    if moderated is not None:  # hidden or back: it leaves or rejoins the similar lists
        counts.refresh_summary_counts([moderated.paper_id])
        similar.on_summary_changed(
            moderated.paper_id, public_now=moderated.is_public, was_public=True
        )
    search.index_summaries([summary_id])
    rankings.on_summaries_changed([summary_id])
    notification_emails.queue_after_commit(notifications.summary_moderated(summary_id))


def comment_saved(comment: Comment, *, created: bool) -> None:
    """A comment was posted or edited."""
    pagecache.touch(*_summary_pages([comment.summary_id]))
    search.index_comments([comment.pk])
    notification_emails.queue_after_commit(notifications.comment_saved(comment, created=created))


def comment_removed(comment: Comment) -> None:
    """A comment was deleted (or became a tombstone) or hidden by a moderator, or restored."""
    pagecache.touch(*_summary_pages([comment.summary_id]))
    search.index_comments([comment.pk])
    # A held comment a moderator restored tells the people it mentions only now.
    notification_emails.queue_after_commit(notifications.comment_mentions(comment))


def vote_cast(summary_id: int) -> None:
    """A vote on a summary was cast, changed or retracted; its score is already recounted."""
    pagecache.touch(*_summary_pages([summary_id]))
    search.refresh_scores([summary_id])
    rankings.on_vote(summary_id)


def summary_wanted(paper_id: int) -> None:
    """A reader asked for a summary of the paper, or withdrew the request: its count shows on
    the paper's page and the most wanted list."""
    pagecache.touch(pagecache.LISTS, pagecache.paper(paper_id))


def authors_changed(paper_ids: Sequence[int], usernames: Sequence[str]) -> None:
    """Claims to have written these papers were made, decided or withdrawn: the papers' pages
    and their summaries' (author badges), and the claimants' pages (their papers)."""
    summary_ids = Summary.objects.filter(paper_id__in=paper_ids).values_list("pk", flat=True)
    pagecache.touch(
        *(pagecache.paper(pk) for pk in paper_ids),
        *(pagecache.summary(pk) for pk in summary_ids),
        *(pagecache.person(name) for name in usernames),
    )


def erratum_marked(comment: Comment) -> None:
    """An author marked a comment as an erratum or cleared the mark."""
    pagecache.touch(*_summary_pages([comment.summary_id]))


def papers_written(paper_ids: Sequence[int]) -> None:
    """Papers were created or their metadata changed (lookup, import, merge, load, refresh):
    their pages, the lists, and the pages of summaries already on them, which show the title
    (a placeholder's key until services/refresh.py fills it in)."""
    pagecache.touch(pagecache.LISTS, *(pagecache.paper(pk) for pk in paper_ids))
    on_them = Summary.objects.filter(paper_id__in=paper_ids).values_list("pk", flat=True)
    if on_them:
        pagecache.touch(*_summary_pages(list(on_them)))
    counts.refresh_papers(paper_ids)
    categories.papers_written(paper_ids)
    search.index_papers(paper_ids)


def paper_removed(paper_id: int, venue_id: int | None) -> None:
    """A paper no longer exists (merged into another); it was in `venue_id`."""
    pagecache.touch_everything()
    counts.refresh_venues([venue_id])
    search.remove_paper(paper_id)


def flags_changed() -> None:
    """Flags were raised or resolved: the moderators' header count changes."""
    queuecount.touch()


def users_changed(user_ids: Sequence[int]) -> None:
    """People's names, standing (ban, suspension) or existence changed."""
    pagecache.touch_everything()  # names are shown on every page that lists their work
    search.index_users(user_ids)


def contributions_changed(
    summary_ids: Sequence[int], comment_ids: Sequence[int], paper_ids: Sequence[int]
) -> None:
    """Summaries and comments changed or vanished in bulk (an account deleted or anonymised);
    some of these rows may no longer exist. `paper_ids`: the papers they were on."""
    pagecache.touch_everything()
    counts.refresh_summary_counts(paper_ids)
    search.index_summaries(summary_ids)
    search.index_comments(comment_ids)
    rankings.on_summaries_changed(summary_ids)


def bulk_loaded() -> None:
    """Many rows were written directly (a dump loaded, demo content made): rebuild everything
    derived from them."""
    pagecache.touch_everything()
    counts.recount_all()
    categories.refile_all()
    maintenance.analyse()  # the planner's statistics still describe the tables before the load
    search.rebuild()
    rankings.recompute_all()
    similar.on_bulk_loaded()
