"""Flags, the queue, moderator actions and the public log; hidden content vanishes everywhere and
comes back whole."""

import pytest
from django.test import Client

from shortscience.models import Comment, Flag, ModerationAction
from shortscience.services import comments, moderation
from shortscience.services.errors import Conflict, PermissionDenied
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_members_flag_and_the_queue_orders_by_count_then_age(client_for, moderator):
    once, twice = make_summary(markdown="once"), make_summary(markdown="twice")
    client_for(make_user()).post(f"/flag/summary/{once.pk}/", {"reason": "spam"})
    for _ in range(2):
        client_for(make_user()).post(f"/flag/summary/{twice.pk}/", {"reason": "off-topic"})
    items = moderation.queue(moderator)
    assert [(i.target.pk, i.flags) for i in items] == [(twice.pk, 2), (once.pk, 1)]
    html = client_for(moderator).get("/moderation/").content.decode()
    assert html.index(f"/summaries/{twice.pk}/") < html.index(f"/summaries/{once.pk}/")


def test_flagging_twice_or_flagging_yourself_is_refused():
    summary, reporter = make_summary(), make_user()
    moderation.flag(reporter, "summary", summary.pk, "spam")
    with pytest.raises(Conflict):
        moderation.flag(reporter, "summary", summary.pk, "abusive")
    from shortscience.services.errors import InvalidInput, NotFound

    with pytest.raises(NotFound):
        moderation.flag(summary.author, "summary", summary.pk, "spam")
    with pytest.raises(InvalidInput):
        moderation.flag(reporter, "user", reporter.pk, "spam")


def test_only_moderators_see_the_queue_and_act(client_for):
    reader = client_for(make_user())
    assert reader.get("/moderation/").status_code == 403
    summary = make_summary()
    response = reader.post(
        "/moderation/act/", {"action": "hide", "kind": "summary", "pk": summary.pk, "reason": "x"}
    )
    assert response.status_code == 403
    summary.refresh_from_db()
    assert not summary.is_hidden


def test_a_hidden_summary_vanishes_everywhere_and_restoring_brings_it_back_whole(
    client_for, moderator
):
    summary = make_summary(markdown="Unique hidden words", author=make_user("writer"))
    voter = make_user()
    from shortscience.services import votes

    votes.cast(voter, summary.pk, 1)
    comments.add(voter, summary.pk, "a comment")
    moderation.act(moderator, "hide", "summary", summary.pk, "spam links")
    stranger = Client()
    urls = [
        "/",
        "/?tab=best",
        summary.paper.get_absolute_url(),
        "/users/writer/",
        "/sitemap-summaries.xml",
        "/feeds/recent.atom",
        "/rss-full.xml",
        "/users/",
    ]
    for url in urls:
        assert "Unique hidden words" not in stranger.get(url).content.decode(), url
    assert stranger.get(f"/summaries/{summary.pk}/").status_code == 404
    identifier = summary.paper.identifiers.first()
    assert identifier is not None
    counts = stranger.get("/papers/counts.json", {"id": identifier.value}).json()
    assert counts["papers"][0]["summaries"] == 0
    own = client_for(summary.author).get(f"/summaries/{summary.pk}/").content.decode()
    assert "hidden by a moderator" in own
    moderation.act(moderator, "restore", "summary", summary.pk, "appeal accepted")
    summary.refresh_from_db()
    assert summary.is_public and summary.score == 1 and summary.comment_count == 1
    assert "Unique hidden words" in stranger.get(summary.paper.get_absolute_url()).content.decode()


def test_a_hidden_comment_becomes_a_tombstone_and_the_log_never_shows_its_text(client, moderator):
    summary = make_summary()
    comment = comments.add(make_user(), summary.pk, "rude words here")
    comments.add(make_user(), summary.pk, "a reply", comment.pk)
    moderation.act(moderator, "hide", "comment", comment.pk, "abusive")
    html = client.get(f"/summaries/{summary.pk}/").content.decode()
    assert "rude words here" not in html and "[comment deleted]" in html and "a reply" in html
    log = client.get("/moderation/log/").content.decode()
    assert "abusive" in log and "mod" in log and "rude words" not in log
    assert Comment.objects.get(pk=comment.pk).markdown == "rude words here"


def test_every_action_is_logged_with_its_reason_and_resolves_the_flags(moderator):
    summary = make_summary()
    moderation.flag(make_user(), "summary", summary.pk, "plagiarism")
    moderation.act(moderator, "keep", "summary", summary.pk, "original work, checked")
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    entry = ModerationAction.objects.get()
    assert entry.reason == "original work, checked" and entry.moderator == moderator
    with pytest.raises(Exception, match="Say why"):
        moderation.act(moderator, "hide", "summary", summary.pk, "  ")


def test_locked_comments_refuse_new_comments(client_for, moderator):
    summary = make_summary()
    moderation.act(moderator, "lock", "summary", summary.pk, "heated thread")
    with pytest.raises(PermissionDenied):
        comments.add(make_user(), summary.pk, "more")
    html = client_for(make_user()).get(f"/summaries/{summary.pk}/").content.decode()
    assert "locked the comments" in html


def test_suspended_people_read_but_cannot_write_and_banned_people_cannot_sign_in(
    client_for, moderator
):
    troll = make_user("troll")
    moderation.act(moderator, "suspend", "user", troll.pk, "spam wave", days=3)
    client = client_for(troll)
    summary = make_summary()
    response = client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "hi"})
    assert response.status_code == 403 and "suspended until" in response.content.decode()
    assert client.get("/").status_code == 200
    moderation.act(moderator, "ban", "user", troll.pk, "repeat offender")
    login = Client().post(
        "/accounts/login/", {"login": "troll", "password": "a-long-test-password"}
    )
    assert login.status_code != 302 or "_auth_user_id" not in Client().session


def test_moderators_merge_duplicate_papers_on_the_record(moderator):
    from tests.factories import make_paper

    keep, dup = make_paper(), make_paper()
    entry = moderation.merge_papers(moderator, dup.pk, keep.pk, "same arXiv paper")
    assert entry.action == "merge" and entry.target_id == keep.pk


def test_a_new_members_first_summaries_wait_for_a_moderator(settings, moderator, client):
    settings.HOLD_FIRST_POSTS = 1
    newbie = make_user("newbie")
    first = make_summary(author=newbie, markdown="first words")
    assert first.is_hidden
    assert "first words" not in client.get(first.paper.get_absolute_url()).content.decode()
    assert [item.target.pk for item in moderation.queue(moderator)] == [first.pk]
    moderation.act(moderator, "restore", "summary", first.pk, "looks fine")
    second = make_summary(author=newbie, markdown="second words")
    assert not second.is_hidden
