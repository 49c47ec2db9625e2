"""services/standing.py: who may write now, who moderates, whose first posts wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shortscience.models import User
from shortscience.services import standing
from shortscience.services.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def person(name: str, **extra) -> User:
    return User.objects.create(username=name, email=f"{name}@example.org", **extra)


def test_a_banned_or_suspended_person_may_not_write_until_the_suspension_ends():
    standing.ensure_can_write(person("fine"))
    with pytest.raises(PermissionDenied, match="banned"):
        standing.ensure_can_write(person("banned", is_active=False))
    later = timezone.now() + timedelta(days=2)
    with pytest.raises(PermissionDenied, match="suspended until"):
        standing.ensure_can_write(person("suspended", suspended_until=later))
    earlier = timezone.now() - timedelta(seconds=1)
    standing.ensure_can_write(person("was-suspended", suspended_until=earlier))


def test_moderators_are_staff_or_in_the_group_and_active():
    member = person("member")
    member.groups.add(Group.objects.get_or_create(name=standing.MODERATORS_GROUP)[0])
    assert standing.is_moderator(member)
    assert standing.is_moderator(person("staff", is_staff=True))
    assert not standing.is_moderator(person("reader"))
    assert not standing.is_moderator(person("gone", is_staff=True, is_active=False))
    assert not standing.is_moderator(None)


def test_first_posts_wait_only_when_configured_and_never_for_moderators(settings):
    settings.HOLD_FIRST_POSTS = 0
    assert not standing.must_hold(person("a"))
    settings.HOLD_FIRST_POSTS = 2
    assert standing.must_hold(person("b"))
    assert not standing.must_hold(person("c", is_staff=True))


# -- every write service checks standing itself (not only its views) ---------------------------


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG")
    return SimpleUploadedFile("x.png", out.getvalue(), content_type="image/png")


def _service_writes(me: User):
    from shortscience.metadata.types import PaperMetadata
    from shortscience.services import (
        authors,
        comments,
        follows,
        images,
        lookup,
        moderation,
        summaries,
        tokens,
        users,
        votes,
    )
    from tests.factories import make_paper, make_summary

    theirs = make_summary()
    mine = make_summary(author=me)
    my_comment = comments.add(me, theirs.pk, "mine")
    return {
        "images.store": lambda: images.store(me, _png()),
        "lookup.create": lambda: lookup.create(PaperMetadata(title="Spam paper"), me),
        "lookup.complete": lambda: lookup.complete(
            f"arxiv:{make_paper(year=None).identifiers.get().value}", me
        ),
        "users.update_profile": lambda: users.update_profile(
            me, users.ProfileChange(display_name="BUY PILLS", description="spam", orcid="")
        ),
        "tokens.create": lambda: tokens.create(me, "bot", "write"),
        "follows.follow": lambda: follows.follow(me, "paper", make_paper().pk),
        "moderation.flag": lambda: moderation.flag(me, "summary", theirs.pk, "spam"),
        "summaries.save": lambda: summaries.save(
            me, make_paper(), summaries.SaveRequest("spam", True, False, False)
        ),
        "summaries.delete": lambda: summaries.delete(mine.pk, me),
        "summaries.autosave": lambda: summaries.autosave(
            me, make_paper(), "spam", base_version=None
        ),
        "summaries.discard_draft": lambda: summaries.discard_draft(mine.pk, me),
        "summaries.set_share_link": lambda: summaries.set_share_link(mine.pk, me, enabled=True),
        "comments.add": lambda: comments.add(me, theirs.pk, "spam"),
        "comments.edit": lambda: comments.edit(me, my_comment.pk, "spam"),
        "comments.delete": lambda: comments.delete(me, my_comment.pk),
        "votes.cast": lambda: votes.cast(me, theirs.pk, 1),
        "authors.claim": lambda: authors.claim(me, theirs.paper_id),
        "authors.withdraw": lambda: authors.withdraw(me, theirs.paper_id),
        "authors.mark_erratum": lambda: authors.mark_erratum(me, my_comment.pk, "fixed"),
        "moderation.act": lambda: moderation.act(me, "hide", "summary", theirs.pk, "x"),
        "moderation.merge_papers": lambda: moderation.merge_papers(
            me, make_paper().pk, make_paper().pk, "dup"
        ),
        "authors.decide": lambda: authors.decide(me, 1, approve=True, reason="x"),
    }


SERVICE_WRITES = [
    "images.store",
    "lookup.create",
    "lookup.complete",
    "users.update_profile",
    "tokens.create",
    "follows.follow",
    "moderation.flag",
    "summaries.save",
    "summaries.delete",
    "summaries.autosave",
    "summaries.discard_draft",
    "summaries.set_share_link",
    "comments.add",
    "comments.edit",
    "comments.delete",
    "votes.cast",
    "authors.claim",
    "authors.withdraw",
    "authors.mark_erratum",
    "moderation.act",
    "moderation.merge_papers",
    "authors.decide",
]


@pytest.mark.parametrize("name", SERVICE_WRITES)
def test_every_write_service_refuses_a_suspended_person_itself(name):
    from tests.factories import make_user

    # A suspended moderator, so that the moderators' writes reach their standing check too.
    me = make_user(orcid="0000-0002-1825-0097", orcid_verified=True, is_staff=True)
    writes = _service_writes(me)
    User.objects.filter(pk=me.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    me.refresh_from_db()
    with pytest.raises(PermissionDenied, match="suspended until"):
        writes[name]()


def test_revoking_a_share_link_still_works_while_suspended():
    from shortscience.services import summaries
    from tests.factories import make_summary, make_user

    me = make_user()
    mine = summaries.set_share_link(make_summary(author=me, private=True).pk, me, enabled=True)
    User.objects.filter(pk=me.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    me.refresh_from_db()
    assert summaries.set_share_link(mine.pk, me, enabled=False).share_token is None


# -- moderation marks -------------------------------------------------------------------------


def test_a_hide_marks_the_person_and_the_paper_and_a_restore_clears_it():
    from shortscience.services import comments, moderation
    from tests.factories import make_summary, make_user

    mod = make_user(is_staff=True)
    summary = make_summary()
    comment = comments.add(make_user(), summary.pk, "rude")
    moderation.act(mod, "hide", "summary", summary.pk, "spam")
    moderation.act(mod, "hide", "comment", comment.pk, "abusive")
    assert standing.marked_on_paper(summary.author, summary.paper_id)
    assert standing.marked_under_summary(comment.author, summary.pk)
    assert not standing.marked_on_paper(comment.author, summary.paper_id)
    moderation.act(mod, "restore", "summary", summary.pk, "appeal")
    moderation.act(mod, "restore", "comment", comment.pk, "appeal")
    assert not standing.marked_on_paper(summary.author, summary.paper_id)
    assert not standing.marked_under_summary(comment.author, summary.pk)


def test_a_held_comment_tells_nobody():
    from shortscience.models import Notification
    from shortscience.services import comments, moderation
    from tests.factories import make_summary, make_user

    mod, troll = make_user(is_staff=True), make_user()
    summary = make_summary()
    moderation.act(mod, "hide", "comment", comments.add(troll, summary.pk, "rude").pk, "x")
    before = Notification.objects.count()
    held = comments.add(troll, summary.pk, "rude again")
    assert held.is_hidden and Notification.objects.count() == before


def test_the_mark_follows_the_paper_into_a_merge():
    from shortscience.services import moderation, summaries
    from tests.factories import make_paper, make_summary, make_user

    mod = make_user(is_staff=True)
    dup, kept = make_paper(), make_paper()
    hidden = make_summary(paper=dup)
    moderation.act(mod, "hide", "summary", hidden.pk, "spam")
    moderation.merge_papers(mod, dup.pk, kept.pk, "same paper")
    summaries.delete(hidden.pk, hidden.author)
    again = make_summary(author=hidden.author, paper=kept)
    assert again.is_hidden


def test_after_a_hide_a_private_copy_is_held_too_and_a_draft_waits_until_published():
    from shortscience.services import moderation, summaries
    from tests.factories import make_summary, make_user

    mod = make_user(is_staff=True)
    hidden = make_summary()
    author, paper = hidden.author, hidden.paper
    moderation.act(mod, "hide", "summary", hidden.pk, "spam")
    summaries.delete(hidden.pk, author)
    draft = make_summary(author=author, paper=paper, publish=False)
    assert not draft.is_hidden
    summaries.delete(draft.pk, author)
    private = make_summary(author=author, paper=paper, private=True)
    assert private.is_hidden


def test_rewriting_a_shown_comment_after_a_hide_waits_for_review_too():
    from shortscience.services import comments, moderation
    from tests.factories import make_summary, make_user

    mod, troll = make_user(is_staff=True), make_user()
    summary = make_summary()
    hidden = comments.add(troll, summary.pk, "rude")
    shown = comments.add(troll, summary.pk, "harmless")
    moderation.act(mod, "hide", "comment", hidden.pk, "abusive")
    edited = comments.edit(troll, shown.pk, "rude, said again by an edit")
    assert edited.is_hidden


def test_a_summary_held_a_second_time_is_back_in_the_queue(settings):
    from shortscience.models import Flag, Summary
    from tests.factories import make_summary, make_user

    settings.HOLD_FIRST_POSTS = 1
    summary = make_summary(author=make_user())
    assert Summary.objects.get(pk=summary.pk).is_hidden
    Flag.objects.update(resolved_at=timezone.now())  # as a restore resolves it
    standing.hold_for_review(summary)
    assert Flag.objects.filter(target_id=summary.pk, resolved_at__isnull=True).exists()


def test_nobody_suspends_themselves_and_only_a_superuser_suspends_staff():
    from shortscience.services import moderation
    from tests.factories import make_user

    mod = make_user()
    mod.groups.add(Group.objects.get_or_create(name=standing.MODERATORS_GROUP)[0])
    staff, root = make_user(is_staff=True), make_user(is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied, match="yourself"):
        moderation.act(mod, "suspend", "user", mod.pk, "oops", 3)
    with pytest.raises(PermissionDenied, match="superuser"):
        moderation.act(mod, "ban", "user", staff.pk, "coup")
    moderation.act(root, "suspend", "user", staff.pk, "a break", 3)
    assert User.objects.get(pk=staff.pk).suspended_until is not None
