"""The author of an anonymous summary comments under it as "the author (anonymous)", and no
surface connects the comment to them (docs/writing.md, "Anonymous replies"): the summary and
paper pages (as a stranger, from the page cache, signed in), the person's own page, search,
notifications and their e-mail, the API, the public dump and other people's exports. Their own
export says the comment is theirs; moderators see who wrote it, marked "anonymous to readers".
"""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from shortscience.models import Comment, Notification, Paper, Summary, User, Venue
from shortscience.services import comments, dumps, exports, moderation
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

LEAKS = ("hiddenwriter", "Hidden Writer Name")
ANONYMOUS = "the author (anonymous)"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    paper = make_paper("Paper with a secret author")
    writer = make_user(
        "hiddenwriter", display_name="Hidden Writer Name", email_notifications="immediate"
    )
    summary = make_summary(writer, paper, "The summary text.", anonymous=True)
    reader = make_user("asker", email_notifications="immediate")
    question = comments.add(reader, summary.pk, "Why does $x$ converge? zanzibarquestion")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        answer = comments.add(writer, summary.pk, "Because of zanzibaranswer.", question.pk)
    top = comments.add(writer, summary.pk, "An addendum by the author.")
    return {
        "paper": paper,
        "writer": writer,
        "summary": summary,
        "reader": reader,
        "question": question,
        "answer": answer,
        "top": top,
    }


class CachedCopyClient(Client):
    """A stranger who always gets the second answer: the page cache's copy."""

    def get(self, *args, **kwargs):
        super().get(*args, **kwargs)
        return super().get(*args, **kwargs)


def _clients(world):
    signed_in = Client()
    signed_in.force_login(world["reader"])
    other = Client()
    other.force_login(make_user("bystander"))
    return {
        "stranger": Client(),
        "stranger served from the cache": CachedCopyClient(),
        "the person replied to": signed_in,
        "another member": other,
    }


def _assert_names_nobody(text, where):
    for leak in LEAKS:
        assert leak not in text, (where, leak)


def test_the_reply_shows_as_the_author_anonymous_on_every_page(world):
    summary_url = world["summary"].get_absolute_url()
    urls = [
        summary_url,
        world["paper"].get_absolute_url(),
        "/",
        "/?tab=recent",
        "/users/",
        "/users/asker/",
        "/search/?q=zanzibaranswer",
        "/feeds/recent.atom",
        reverse("paper-markdown", args=[world["paper"].pk]),
        reverse("summary-markdown", args=[world["summary"].pk]),
    ]
    for who, client in _clients(world).items():
        for url in urls:
            response = client.get(url, follow=True)
            if response.status_code == 404:
                continue  # a feed route named differently: the names are what matters
            html = response.content.decode()
            _assert_names_nobody(html, (who, url))
        html = client.get(summary_url).content.decode()
        assert html.count(ANONYMOUS) >= 2, who
        assert "zanzibaranswer" in html


def test_the_authors_own_page_lists_no_anonymous_comment(world):
    html = Client().get("/users/hiddenwriter/").content.decode()
    assert "zanzibaranswer" not in html
    assert "addendum" not in html
    assert "Paper with a secret author" not in html


def test_search_finds_the_reply_by_its_words_never_by_its_author(world):
    found = Client().get("/search/", {"q": "zanzibaranswer"}).content.decode()
    assert ANONYMOUS in found
    _assert_names_nobody(found, "search by words")
    for query in ("user:hiddenwriter", "hiddenwriter", "Hidden Writer Name"):
        html = Client().get("/search/", {"q": query}).content.decode()
        assert "zanzibaranswer" not in html, query


def test_the_notification_and_its_email_say_the_author_anonymous_replied(world):
    note = Notification.objects.get(recipient=world["reader"], comment=world["answer"])
    assert note.actor_id is None
    client = Client()
    client.force_login(world["reader"])
    html = client.get("/notifications/").content.decode()
    assert "The author (anonymous) replied to your comment" in html
    _assert_names_nobody(html, "notifications page")
    sent = [m for m in mail.outbox if "asker@example.org" in m.to]
    assert sent, "the reply is mailed at once"
    for message in sent:
        assert "The author (anonymous)" in message.subject
        _assert_names_nobody(f"{message.subject} {message.body}", "mail")
        for body, _ in getattr(message, "alternatives", []):
            _assert_names_nobody(str(body), "mail html")
    api = client.get("/api/v1/notifications").content.decode()
    _assert_names_nobody(api, "notifications API")
    assert "The author (anonymous)" in api


def test_the_author_is_not_notified_of_their_own_anonymous_comment(world):
    assert not Notification.objects.filter(
        recipient=world["writer"], comment__in=[world["answer"], world["top"]]
    ).exists()


def test_the_api_gives_no_author_and_says_by_summary_author(world):
    body = Client().get(f"/api/v1/summaries/{world['summary'].pk}/comments").json()
    question = body["items"][0]
    assert question["author"]["username"] == "asker"
    assert question["by_summary_author"] is False
    answer = question["replies"][0]
    assert answer["author"] is None and answer["by_summary_author"] is True
    top = body["items"][1]
    assert top["author"] is None and top["by_summary_author"] is True
    _assert_names_nobody(json.dumps(body), "comments API")


def test_the_public_dump_credits_the_author_anonymous_and_loads_back(world, tmp_path):
    dumps.write(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "comments.jsonl").read_text().splitlines()]
    by_id = {row["id"]: row for row in rows}
    assert by_id[world["answer"].pk]["author"] is None
    assert by_id[world["answer"].pk]["by_summary_author"] is True
    assert by_id[world["question"].pk]["by_summary_author"] is False
    users = (tmp_path / "users.jsonl").read_text()
    _assert_names_nobody(users, "users.jsonl")
    for name in ("comments.jsonl", "summaries.jsonl", "papers.jsonl"):
        _assert_names_nobody((tmp_path / name).read_text(), name)
    for model in (Comment, Summary, Paper, Venue, User):
        model.objects.all().delete()
    dumps.load(tmp_path)
    loaded = Comment.objects.select_related("summary").get(pk=world["answer"].pk)
    assert loaded.by_anonymous_author


def _export(user):
    buffer = io.BytesIO()
    exports.write_zip(user, buffer)
    buffer.seek(0)
    archive = zipfile.ZipFile(buffer)
    return archive, json.loads(archive.read("data.json"))


def test_other_peoples_exports_name_nobody_and_the_writers_own_says_it_is_theirs(world):
    archive, _ = _export(world["reader"])
    for name in archive.namelist():
        _assert_names_nobody(archive.read(name).decode("utf-8", "replace"), name)
    _, own = _export(world["writer"])
    mine = {c["id"]: c for c in own["comments"]}
    assert mine[world["answer"].pk]["shown_as_anonymous_author"] is True
    assert "zanzibaranswer" in mine[world["answer"].pk]["markdown"]


def test_a_comment_posted_anonymously_stays_anonymous_when_the_summary_shows_its_name(world):
    make_summary(world["writer"], world["paper"], "The summary text, now signed.")
    html = Client().get(world["summary"].get_absolute_url()).content.decode()
    assert "Hidden Writer Name" in html  # the summary's byline now names them
    assert ANONYMOUS in html  # the comments written while anonymous do not
    later = comments.add(world["writer"], world["summary"].pk, "Signed comment zanzibarlater.")
    assert not Comment.objects.select_related("summary").get(pk=later.pk).by_anonymous_author
    body = Client().get(f"/api/v1/summaries/{world['summary'].pk}/comments").json()
    assert body["items"][0]["replies"][0]["by_summary_author"] is True


def test_comments_written_while_named_turn_anonymous_with_the_summary():
    writer = make_user("hiddenwriter", display_name="Hidden Writer Name")
    paper = make_paper()
    summary = make_summary(writer, paper, "Named at first.")
    comments.add(writer, summary.pk, "A named comment zanzibarnamed.")
    make_summary(writer, paper, "Named at first.", anonymous=True)
    for url in (summary.get_absolute_url(), "/search/?q=zanzibarnamed"):
        html = Client().get(url).content.decode()
        assert ANONYMOUS in html, url
        _assert_names_nobody(html, url)


def test_moderators_see_who_wrote_it_marked_anonymous_to_readers(world):
    moderator = make_user("mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    flagger = make_user("flagger")
    moderation.flag(flagger, "comment", world["answer"].pk, "spam", "")
    client = Client()
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    assert "@hiddenwriter" in html
    assert "anonymous to readers" in html


def test_the_anonymous_author_gets_no_author_badge_and_no_place_in_the_authors_filter(world):
    from shortscience.models import AuthorClaim

    AuthorClaim.objects.create(
        paper=world["paper"],
        user=world["writer"],
        orcid="0000-0002-1825-0097",
        status=AuthorClaim.Status.APPROVED,
    )
    html = Client().get(world["paper"].get_absolute_url() + "?discussion=authors").content.decode()
    assert "zanzibaranswer" not in html
    page = Client().get(world["summary"].get_absolute_url()).content.decode()
    assert 'title="Verified author of this paper"' not in page


def test_the_comment_box_tells_the_anonymous_author_how_they_appear(world):
    own = Client()
    own.force_login(world["writer"])
    html = own.get(world["summary"].get_absolute_url()).content.decode()
    assert "you comment as “the author (anonymous)”" in html


def test_users_list_is_unchanged_by_anonymous_comments(world):
    assert User.objects.filter(username="hiddenwriter").exists()
    _assert_names_nobody(Client().get("/users/").content.decode(), "users")
