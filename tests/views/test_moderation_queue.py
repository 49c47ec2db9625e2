"""Working the queue (docs/moderation.md, "Working the queue"): each item shows the flagged text,
its author and every flag with its note and reporter, and its history; moderators open hidden
content in place and restore it, lift suspensions and bans from the site, and reach the queue
from the header. Nothing a moderator sees reaches a reader or a shared copy of a page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shortscience.models import ModerationAction, Summary, User
from shortscience.services import accounts, comments, moderation
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator() -> User:
    # A member of the group, not staff: staff never get shared copies, group members must not.
    user = make_user("mod")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_queue_item_shows_the_flagged_text_its_author_and_every_flag_with_its_note(
    client_for, moderator
):
    summary = make_summary(author=make_user("writer"), markdown="Buy *cheap* pills at example")
    comment = comments.add(make_user("heckler"), summary.pk, "You are **all** wrong")
    moderation.flag(make_user("alice"), "summary", summary.pk, "other", "Links to a pill shop")
    moderation.flag(make_user("bob"), "summary", summary.pk, "spam")
    moderation.flag(make_user("carol"), "comment", comment.pk, "abusive", "Insults the author")
    html = _page(client_for(moderator), reverse("moderation-queue"))
    assert "Buy <em>cheap</em> pills" in html  # the stored, sanitised HTML
    assert "You are <strong>all</strong> wrong" in html
    assert "@writer" in html and "@heckler" in html
    for note in ("Links to a pill shop", "Insults the author"):
        assert note in html
    for reporter in ("@alice", "@bob", "@carol"):
        assert reporter in html
    assert "Spam" in html and "Abusive" in html and "2 open flags" in html


def test_a_queue_item_shows_its_history(client_for, moderator):
    summary = make_summary()
    moderation.flag(make_user(), "summary", summary.pk, "spam")
    moderation.act(moderator, "keep", "summary", summary.pk, "Checked the links, harmless")
    moderation.flag(make_user(), "summary", summary.pk, "off-topic")
    html = _page(client_for(moderator), reverse("moderation-queue"))
    assert "Reviewed and kept by mod: Checked the links, harmless" in html


def test_moderators_see_who_wrote_an_anonymous_summary_and_nobody_else_ever_does(
    client_for, moderator
):
    summary = make_summary(author=make_user("secretwriter"), anonymous=True)
    moderation.flag(make_user(), "summary", summary.pk, "plagiarism")
    queue = _page(client_for(moderator), reverse("moderation-queue"))
    assert "@secretwriter" in queue and "anonymous to readers" in queue
    urls = [summary.get_absolute_url(), summary.paper.get_absolute_url(), "/", "/?tab=recent"]
    reader = client_for(make_user("reader"))
    for client in (Client(), reader):
        for url in urls:
            for _ in range(2):  # the render, then the cached or shared copy
                assert "secretwriter" not in _page(client, url), url
    assert "secretwriter" not in _page(Client(), reverse("moderation-log"))


def _hidden_comment() -> tuple[Summary, int]:
    summary = make_summary(paper=make_paper("A paper with a rude thread"))
    rude = comments.add(make_user("rude"), summary.pk, "Some *rude* words")
    comments.add(make_user(), summary.pk, "A calm reply", rude.pk)
    return summary, rude.pk


@pytest.mark.parametrize("order", ["readers first", "moderator first"])
def test_a_moderator_reads_a_hidden_comment_in_place_and_no_copy_shows_it_to_readers(
    client_for, moderator, order
):
    summary, rude = _hidden_comment()
    moderation.act(moderator, "hide", "comment", rude, "abusive")
    urls = [summary.get_absolute_url(), summary.paper.get_absolute_url()]
    readers = [Client(), client_for(make_user("reader"))]

    def readers_see_a_tombstone() -> None:
        for client in readers:
            for url in urls:
                for _ in range(2):
                    html = _page(client, url)
                    assert "rude</em> words" not in html and "[comment deleted]" in html, url
                    assert "only moderators see" not in html

    if order == "readers first":
        readers_see_a_tombstone()
    mod = client_for(moderator)
    for url in urls:
        for _ in range(2):
            html = _page(mod, url)
            assert "Some <em>rude</em> words" in html, url
            assert "hidden by a moderator" in html and "only moderators see this text" in html
            assert 'name="action" value="restore"' in html
    readers_see_a_tombstone()


def test_a_moderator_restores_a_hidden_comment_from_the_page_it_is_on(client_for, moderator):
    summary, rude = _hidden_comment()
    moderation.act(moderator, "hide", "comment", rude, "abusive")
    url = summary.get_absolute_url()
    response = client_for(moderator).post(
        reverse("moderation-act"),
        {"action": "restore", "kind": "comment", "pk": rude, "reason": "On appeal", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert "Some <em>rude</em> words" in _page(Client(), url)


def test_hidden_content_lists_what_left_the_queue_and_restores_it(client_for, moderator):
    summary = make_summary(markdown="A summary that was hidden")
    _, rude = _hidden_comment()
    moderation.flag(make_user("flagger"), "summary", summary.pk, "spam", "")
    moderation.act(moderator, "hide", "summary", summary.pk, "spam links")
    moderation.act(moderator, "hide", "comment", rude, "abusive")
    mod = client_for(moderator)
    assert "A summary that was hidden" not in _page(mod, reverse("moderation-queue"))
    summaries_page = _page(mod, reverse("moderation-hidden"))
    assert (
        "A summary that was hidden" in summaries_page and "Hid by mod: spam links" in summaries_page
    )
    assert 'value="restore"' in summaries_page
    comments_page = _page(mod, reverse("moderation-hidden") + "?kind=comment")
    assert "Some <em>rude</em> words" in comments_page and "@rude" in comments_page
    back = reverse("moderation-hidden")
    response = mod.post(
        reverse("moderation-act"),
        {"action": "restore", "kind": "summary", "pk": summary.pk, "reason": "Ok", "next": back},
    )
    assert response["Location"] == back
    summary.refresh_from_db()
    assert summary.is_public
    assert "A summary that was hidden" not in _page(mod, back)
    assert "Restored a summary of" in _page(Client(), reverse("moderation-log"))


def test_only_moderators_open_hidden_content_and_the_people_list(client_for):
    reader = client_for(make_user())
    for name in ("moderation-hidden", "moderation-people"):
        assert reader.get(reverse(name)).status_code == 403
        assert Client().get(reverse(name)).status_code == 302  # to the sign-in page


def test_suspended_and_banned_members_are_listed_and_reinstated_with_a_public_reason(
    client_for, moderator
):
    suspended, banned = make_user("suspended"), make_user("banned")
    moderation.act(moderator, "suspend", "user", suspended.pk, "spam wave", days=3)
    moderation.act(moderator, "ban", "user", banned.pk, "repeat offender")
    accounts.placeholder("gone")  # a deleted account's placeholder is inactive, not banned
    mod = client_for(moderator)
    people = reverse("moderation-people")
    html = _page(mod, people)
    assert "@suspended" in html and "@banned" in html and "~gone" not in html
    assert "Unsuspend" in html and "Unban (reinstate)" in html
    assert "Suspended by mod: spam wave" in html
    refused = mod.post(
        reverse("moderation-act"),
        {"action": "unban", "kind": "user", "pk": suspended.pk, "reason": " ", "next": people},
    )
    assert refused.status_code == 400
    for person, reason in ((suspended, "served enough"), (banned, "apologised")):
        response = mod.post(
            reverse("moderation-act"),
            {"action": "unban", "kind": "user", "pk": person.pk, "reason": reason, "next": people},
        )
        assert response["Location"] == people
        person.refresh_from_db()
        assert person.is_active and person.suspended_until is None
    assert "Nobody is suspended or banned" in _page(mod, people)
    log = _page(Client(), reverse("moderation-log"))
    assert "Reinstated @suspended" in log and "served enough" in log and "apologised" in log
    assert ModerationAction.objects.filter(action="unban").count() == 2


def test_a_lapsed_suspension_is_not_listed(client_for, moderator):
    make_user("lapsed", suspended_until=timezone.now() - timedelta(days=1))
    assert "@lapsed" not in _page(client_for(moderator), reverse("moderation-people"))


def test_the_header_links_the_queue_for_moderators_with_the_count(client_for, moderator):
    first, second = make_summary(), make_summary()
    for summary in (first, second):
        moderation.flag(make_user(), "summary", summary.pk, "spam")
    moderation.flag(make_user(), "summary", first.pk, "off-topic")  # still one thing waiting
    url = first.paper.get_absolute_url()
    reader = client_for(make_user("reader"))
    _page(reader, url)  # a shared copy exists: moderators must not get it
    mod = client_for(moderator)
    assert "Moderation (2)" in _page(mod, url)
    moderation.flag(make_user(), "comment", comments.add(make_user(), first.pk, "x").pk, "spam")
    assert "Moderation (3)" in _page(mod, "/")
    moderation.act(moderator, "keep", "summary", second.pk, "fine")
    assert "Moderation (2)" in _page(mod, "/")
    staff = client_for(make_user("staffer", is_staff=True))
    assert "Moderation (2)" in _page(staff, url)
    for client in (reader, Client()):
        for _ in range(2):
            assert "Moderation (" not in _page(client, url)


@pytest.mark.parametrize("name", ["moderation-queue", "moderation-hidden"])
def test_the_moderators_pages_cost_a_fixed_number_of_queries(
    client_for, moderator, name, django_assert_max_num_queries
):
    mod = client_for(moderator)

    def add(n: int) -> None:
        for _ in range(n):
            summary = make_summary()
            comment = comments.add(make_user(), summary.pk, "a comment")
            person = make_user()
            for kind, pk in (("summary", summary.pk), ("comment", comment.pk), ("user", person.pk)):
                moderation.flag(make_user(), kind, pk, "other", "a note")
                moderation.act(moderator, "keep", kind, pk, "fine")
                moderation.flag(make_user(), kind, pk, "spam")
            hidden = make_summary()
            moderation.act(moderator, "hide", "summary", hidden.pk, "spam")
            moderation.act(moderator, "hide", "comment", comment.pk, "rude")

    add(2)
    mod.get(reverse(name))
    with django_assert_max_num_queries(30) as few:
        _page(mod, reverse(name))
        counted = len(few.captured_queries)
    add(6)
    mod.get(reverse(name))  # the header's count, recounted once after the new flags
    with django_assert_max_num_queries(counted):
        _page(mod, reverse(name))


@pytest.mark.parametrize("order", ["readers first", "moderator first"])
def test_a_moderator_opens_a_hidden_summary_on_its_own_page_and_no_copy_shows_it_to_readers(
    client_for, moderator, order
):
    summary = make_summary(author=make_user("spammer"), markdown="Buy *cheap* pills here")
    moderation.act(moderator, "hide", "summary", summary.pk, "spam")
    url = summary.get_absolute_url()
    readers = [Client(), client_for(make_user("reader"))]

    def readers_get_no_page() -> None:
        for client in readers:
            for _ in range(2):  # the render, then any cached or shared copy
                response = client.get(url)
                assert response.status_code == 404
                assert b"cheap</em> pills" not in response.content

    if order == "readers first":
        readers_get_no_page()
    mod = client_for(moderator)
    for _ in range(2):
        response = mod.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Buy <em>cheap</em> pills here" in html
        assert "hidden by a moderator" in html and "Readers cannot see this summary" in html
        assert 'name="action" value="restore"' in html
        assert response["X-Robots-Tag"] == "noindex"
        assert "private" in response.get("Cache-Control", "")
    readers_get_no_page()
    # The queue's list of hidden content links to that page.
    assert f'href="{url}"' in _page(mod, reverse("moderation-hidden"))
    # Restoring from the page brings it back for everyone.
    response = mod.post(
        reverse("moderation-act"),
        {"action": "restore", "kind": "summary", "pk": summary.pk, "reason": "Fine", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert "Buy <em>cheap</em> pills here" in _page(Client(), url)
    assert "Readers cannot see this summary" not in _page(Client(), url)


def test_a_hidden_private_summary_or_draft_stays_its_authors(client_for, moderator):
    private = make_summary(private=True)
    Summary.objects.filter(pk=private.pk).update(is_hidden=True)
    draft = make_summary(publish=False)
    Summary.objects.filter(pk=draft.pk).update(is_hidden=True)
    mod = client_for(moderator)
    for summary in (private, draft):
        assert mod.get(summary.get_absolute_url()).status_code == 404
        assert client_for(summary.author).get(summary.get_absolute_url()).status_code == 200


def test_a_long_hidden_summary_shows_its_opening_and_all_of_it_on_request(client_for, moderator):
    paragraphs = [f"Paragraph {n} of a long hidden text with some words in it." for n in range(60)]
    summary = make_summary(markdown="\n\n".join(paragraphs))
    moderation.act(moderator, "hide", "summary", summary.pk, "spam")
    html = _page(client_for(moderator), reverse("moderation-hidden"))
    opening, _, rest = html.partition("<summary>Read it all</summary>")
    assert rest, "a long text offers the whole of it"
    assert "Paragraph 0 of" in opening and "Paragraph 59 of" not in opening
    assert "Paragraph 59 of" in rest
