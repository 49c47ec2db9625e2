"""A moderator's hide follows the person and the paper (or the discussion), not the row: deleting
the hidden summary or comment and posting it again, through the pages, brings the new copy to
the queue, held, instead of to the public (docs/moderation.md)."""

import pytest
from django.test import Client

from shortscience.models import Comment, Summary
from shortscience.services import moderation
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def _publish(client: Client, paper_id: int, markdown: str) -> Summary:
    response = client.post(
        f"/papers/{paper_id}/write/", {"markdown": markdown, "action": "publish"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Summary.objects.get(paper_id=paper_id, markdown=markdown)


def _queued(moderator) -> list[tuple[str, int]]:
    return [(item.target.kind, item.target.pk) for item in moderation.queue(moderator)]


def test_a_hidden_summary_deleted_and_published_again_on_the_page_waits_for_review(
    client_for, moderator
):
    spammer, paper = make_user("spammer"), make_paper()
    client = client_for(spammer)
    first = _publish(client, paper.pk, "Buy pills at spam.example")
    moderation.act(moderator, "hide", "summary", first.pk, "spam links")
    assert client.post(f"/summaries/{first.pk}/delete/").status_code == 302
    assert not Summary.objects.filter(pk=first.pk).exists()

    again = _publish(client, paper.pk, "Buy pills at spam.example, again")

    assert again.is_hidden
    assert "again" not in Client().get(paper.get_absolute_url()).content.decode()
    assert ("summary", again.pk) in _queued(moderator)
    own = client.get(f"/summaries/{again.pk}/").content.decode()
    assert "hidden by a moderator" in own


def test_letting_the_held_copy_through_clears_the_mark(client_for, moderator):
    writer, paper = make_user(), make_paper()
    client = client_for(writer)
    first = _publish(client, paper.pk, "A heated first take")
    moderation.act(moderator, "hide", "summary", first.pk, "off-topic")
    client.post(f"/summaries/{first.pk}/delete/")
    held = _publish(client, paper.pk, "A calmer second take")
    moderation.act(moderator, "restore", "summary", held.pk, "fine now")
    client.post(f"/summaries/{held.pk}/delete/")

    third = _publish(client, paper.pk, "A third take")

    assert third.is_public
    assert "A third take" in Client().get(paper.get_absolute_url()).content.decode()


def test_a_hide_on_one_paper_holds_nothing_on_another(client_for, moderator):
    writer = make_user()
    client = client_for(writer)
    hidden = _publish(client, make_paper().pk, "Spam here")
    moderation.act(moderator, "hide", "summary", hidden.pk, "spam")

    elsewhere = _publish(client, make_paper().pk, "A fair summary elsewhere")

    assert elsewhere.is_public


def test_a_hidden_comment_deleted_and_posted_again_under_the_summary_waits_for_review(
    client_for, moderator
):
    summary, troll = make_summary(), make_user("troll")
    client = client_for(troll)
    client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "rude words"})
    first = Comment.objects.get(author=troll)
    moderation.act(moderator, "hide", "comment", first.pk, "abusive")
    assert client.post(f"/comments/{first.pk}/delete/").status_code == 302

    client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "rude words again"})

    again = Comment.objects.get(author=troll, markdown="rude words again")
    assert again.is_hidden
    html = Client().get(f"/summaries/{summary.pk}/").content.decode()
    assert "rude words again" not in html
    assert ("comment", again.pk) in _queued(moderator)
    summary.refresh_from_db()
    assert summary.comment_count == 0


def test_restoring_a_held_comment_lets_the_next_one_through(client_for, moderator):
    summary, person = make_summary(), make_user()
    client = client_for(person)
    client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "first"})
    first = Comment.objects.get(author=person)
    moderation.act(moderator, "hide", "comment", first.pk, "abusive")
    client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "second"})
    second = Comment.objects.get(author=person, markdown="second")
    assert second.is_hidden
    moderation.act(moderator, "restore", "comment", second.pk, "fine")

    client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "third"})

    assert not Comment.objects.get(author=person, markdown="third").is_hidden
    assert "third" in Client().get(f"/summaries/{summary.pk}/").content.decode()
