"""Verified authors through HTTP: the claim box, the moderators' queue, badges (never on an
anonymous summary), the authors-only discussion, errata, the profile list, the API, and cached
pages showing each change at the next load."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shortscience.models import AuthorClaim, AuthorOrcid, ModerationAction, User
from shortscience.services import accounts, authors, comments
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

ORCID = "0000-0002-1825-0097"
BADGE = '<span class="badge author" title="Verified author of this paper">author</span>'


def proved(username: str, orcid: str = ORCID, **extra) -> User:
    user = make_user(username, **extra)
    SocialAccount.objects.create(user=user, provider="orcid", uid=orcid)
    accounts.orcid_proved(user, orcid)
    return user


@pytest.fixture
def world():
    paper = make_paper("Attention is all you need")
    author = proved("vaswani", display_name="Ashish Vaswani")
    claim = authors.claim(author, paper.pk)
    authors.decide(make_user(is_staff=True), claim.pk, approve=True, reason="Checked")
    named = make_summary(author=author, paper=paper, markdown="My own summary.")
    reader_summary = make_summary(paper=paper, markdown="A reader's summary.")
    question = comments.add(make_user("asker"), reader_summary.pk, "Is Eq. 3 missing a sign?")
    answer = comments.add(author, reader_summary.pk, "Yes, thanks.", question.pk)
    chatter = comments.add(make_user("chatty"), named.pk, "Nice paper.")
    return {
        "paper": paper,
        "author": author,
        "named": named,
        "question": question,
        "answer": answer,
        "chatter": chatter,
    }


def test_the_claim_button_posts_and_a_get_changes_nothing(client_for):
    paper = make_paper()
    client = client_for(proved("claimant"))
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "I am an author of this paper" in page
    assert f'action="{reverse("author-claim", args=[paper.pk])}"' in page
    assert client.get(reverse("author-claim", args=[paper.pk])).status_code == 405
    assert not AuthorClaim.objects.exists()
    response = client.post(reverse("author-claim", args=[paper.pk]), follow=True)
    assert "A moderator will check your claim" in response.content.decode()
    assert "waiting for a moderator" in response.content.decode()
    assert AuthorClaim.objects.get().status == "pending"


def test_a_typed_orcid_is_told_why_it_cannot_claim_and_where_to_connect(client_for):
    paper = make_paper()
    client = client_for(make_user("typist", orcid=ORCID))
    response = client.post(reverse("author-claim", args=[paper.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "a typed iD proves nothing" in body
    assert f'href="{reverse("socialaccount_connections")}"' in body
    assert reverse("socialaccount_connections") == "/accounts/3rdparty/"
    assert not AuthorClaim.objects.exists()


def test_the_claimant_withdraws(client_for):
    paper = make_paper()
    user = proved("regretful")
    authors.claim(user, paper.pk)
    response = client_for(user).post(reverse("author-withdraw", args=[paper.pk]), follow=True)
    assert "Your claim is withdrawn" in response.content.decode()
    assert not AuthorClaim.objects.exists()


def test_a_moderator_approves_from_the_queue_and_the_cached_page_shows_the_badge(client_for):
    paper = make_paper("Queue paper")
    claimant = proved("claimant")
    make_summary(author=claimant, paper=paper, markdown="Claimant's summary.")
    claim = authors.claim(claimant, paper.pk)
    mod = client_for(make_user("mod", is_staff=True))
    queue = mod.get(reverse("moderation-queue")).content.decode()
    assert "@claimant" in queue and ORCID in queue
    assert f'action="{reverse("author-claim-decide", args=[claim.pk])}"' in queue
    url = paper.get_absolute_url()
    before = Client().get(url).content.decode()
    assert BADGE not in before
    Client().get(url)  # now served from the anonymous cache
    mod.post(
        reverse("author-claim-decide", args=[claim.pk]),
        {"decision": "approve", "reason": "ORCID record lists it"},
    )
    after = Client().get(url).content.decode()
    assert BADGE in after and "Verified author:" in after
    log = Client().get(reverse("moderation-log")).content.decode()
    assert "Approved" in log and "@claimant as an author of" in log


def test_a_signed_in_shared_copy_shows_the_badge_right_after_approval(client_for):
    paper = make_paper()
    claimant = proved("claimant")
    make_summary(author=claimant, paper=paper, markdown="Claimant's summary.")
    claim = authors.claim(claimant, paper.pk)
    reader = client_for(make_user("neutral"))
    url = paper.get_absolute_url()
    reader.get(url)
    assert BADGE not in reader.get(url).content.decode()  # the shared copy
    authors.decide(make_user(is_staff=True), claim.pk, approve=True, reason="Checked")
    assert BADGE in reader.get(url).content.decode()
    authors.withdraw(claimant, paper.pk)
    assert BADGE not in reader.get(url).content.decode()


def test_badges_show_on_the_authors_summaries_and_comments_on_that_paper_only(world):
    page = Client().get(world["paper"].get_absolute_url()).content.decode()
    assert page.count(BADGE) == 2  # their summary, their reply
    assert "Verified author:" in page
    elsewhere = make_summary(author=world["author"], markdown="On another paper.")
    other_page = Client().get(elsewhere.paper.get_absolute_url()).content.decode()
    assert "On another paper." in other_page and BADGE not in other_page
    summary_page = Client().get(world["named"].get_absolute_url()).content.decode()
    assert BADGE in summary_page


def test_an_anonymous_summary_by_an_author_carries_no_badge(client_for):
    paper = make_paper()
    AuthorOrcid.objects.create(paper=paper, orcid=ORCID)
    author = proved("shy")
    secret = make_summary(author=author, paper=paper, markdown="Anonymous text.", anonymous=True)
    for client in (Client(), client_for(make_user("reader"))):
        page = client.get(paper.get_absolute_url()).content.decode()
        card = page[page.index(f'id="{secret.anchor}"') :]
        assert "Anonymous text." in card
        assert "author</span>" not in card[: card.index("Anonymous text.")]
        single = client.get(secret.get_absolute_url()).content.decode()
        assert "badge author" not in single and "shy" not in single.split("<main", 1)[-1]
    api = Client().get(reverse("api-v1:paper", kwargs={"paper_id": paper.pk})).json()
    anonymous = next(s for s in api["summaries"] if s["anonymous"])
    assert anonymous["author"] is None


def test_the_discussion_filters_to_the_threads_the_authors_wrote_in(world):
    url = world["paper"].get_absolute_url()
    everything = Client().get(url).content.decode()
    assert "Nice paper." in everything
    assert f'href="{url}?discussion=authors"' in everything
    filtered = Client().get(url + "?discussion=authors").content.decode()
    assert "Is Eq. 3 missing a sign?" in filtered and "Yes, thanks." in filtered
    assert "Nice paper." not in filtered and "My own summary." not in filtered
    assert "Showing only the discussion the paper" in filtered


def test_an_author_marks_an_erratum_shown_beside_the_comment_and_in_the_errata(world, client_for):
    client = client_for(world["author"])
    url = world["paper"].get_absolute_url()
    page = client.get(url).content.decode()
    assert reverse("comment-erratum", args=[world["question"].pk]) in page
    public = Client().get(url).content.decode()  # cached for visitors before the mark
    assert reverse("comment-erratum", args=[world["question"].pk]) not in public
    response = client.post(
        reverse("comment-erratum", args=[world["question"].pk]),
        {"status": "fixed", "note": "fixed in v2", "next": url},
    )
    assert response.status_code == 302 and response["Location"].startswith(url)
    after = Client().get(url).content.decode()
    assert after.count("Erratum fixed: fixed in v2") == 2  # beside the comment, in the list
    assert 'id="errata"' in after
    api = (
        Client()
        .get(reverse("api-v1:comment_list", kwargs={"summary_id": world["question"].summary_id}))
        .json()
    )
    assert api["items"][0]["erratum"]["status"] == "fixed"
    assert api["items"][0]["erratum"]["note"] == "fixed in v2"
    client.post(reverse("comment-erratum", args=[world["question"].pk]), {"status": ""})
    assert "Erratum fixed" not in Client().get(url).content.decode()


def test_a_reader_who_is_not_an_author_cannot_mark_errata(world, client_for):
    response = client_for(make_user("stranger")).post(
        reverse("comment-erratum", args=[world["question"].pk]), {"status": "confirmed"}
    )
    assert response.status_code == 403


def test_the_profile_lists_the_papers_i_wrote(world, client_for):
    url = world["author"].get_absolute_url()
    page = client_for(world["author"]).get(url).content.decode()
    assert "Papers I wrote" in page and "Attention is all you need" in page
    assert "Papers Ashish Vaswani wrote" in Client().get(url).content.decode()


def test_the_api_names_the_verified_authors_of_a_paper(world):
    data = Client().get(reverse("api-v1:paper", kwargs={"paper_id": world["paper"].pk})).json()
    assert [p["username"] for p in data["verified_authors"]] == ["vaswani"]


def test_an_author_gets_their_own_render_not_the_shared_copy(world, client_for):
    url = world["paper"].get_absolute_url()
    client_for(make_user("first")).get(url)  # stores the shared signed-in copy
    page = client_for(world["author"]).get(url).content.decode()
    assert "You are a verified author of this paper" in page
    assert "Mark as erratum" in page
    neutral = client_for(make_user("second")).get(url).content.decode()
    assert "I am an author of this paper" in neutral and "Mark as erratum" not in neutral


def test_the_paper_page_costs_one_query_for_its_authors_whatever_their_number(client_for):
    def count(paper) -> int:
        client = Client()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(paper.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    def paper_with(n: int):
        paper = make_paper()
        summary = make_summary(paper=paper)
        for i in range(n):
            orcid = f"0000-0002-{n:04d}-{i:04d}"
            AuthorOrcid.objects.create(paper=paper, orcid=orcid)
            user = proved(f"author{n}-{i}", orcid)
            top = comments.add(make_user(), summary.pk, f"Comment {i}")
            authors.mark_erratum(user, top.pk, "confirmed")
        return paper

    assert count(paper_with(1)) == count(paper_with(4))
    assert ModerationAction.objects.count() == 0  # all verified from metadata
