"""Summaries through the API: reading one, the ranked lists and the feed, writing, editing and
deleting your own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Revision, Summary
from shortscience.services import votes
from tests.api.conftest import error_shape, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_public_summary_shows_its_text_author_and_paper(stranger):
    author = make_user("ada", display_name="Ada L.")
    summary = make_summary(author=author, markdown="It shows $x^2$.")
    body = stranger.get(f"/summaries/{summary.pk}").json()
    assert body["id"] == summary.pk
    assert body["author"] == {
        "username": "ada",
        "name": "Ada L.",
        "url": "http://testserver/users/ada/",
        "api_url": "http://testserver/api/v1/users/ada",
    }
    assert body["anonymous"] is False
    assert body["paper"]["id"] == summary.paper_id
    assert body["markdown"] == "It shows $x^2$."
    assert "<math" in body["html"]
    assert (body["status"], body["visibility"], body["hidden"]) == ("published", "public", False)
    assert (body["my_vote"], body["mine"]) == (0, False)


def test_the_callers_vote_and_authorship_are_shown_to_them():
    summary = make_summary()
    voter = make_user()
    votes.cast(voter, summary.pk, -1)
    assert with_token(voter, "read").get(f"/summaries/{summary.pk}").json()["my_vote"] == -1
    mine = with_token(summary.author, "read").get(f"/summaries/{summary.pk}").json()
    assert mine["mine"] is True


def publish_at(summary: Summary, when, score: int = 0, activity=None) -> None:
    Summary.objects.filter(pk=summary.pk).update(
        published_at=when, score=score, last_activity_at=activity or when
    )


def test_the_list_orders_by_recent_best_and_popular(stranger):
    now = timezone.now()
    old, new, best = make_summary(), make_summary(), make_summary()
    publish_at(old, now - timedelta(days=3), activity=now)
    publish_at(new, now - timedelta(days=1))
    publish_at(best, now - timedelta(days=2), score=9)

    def ids(order):
        return [s["id"] for s in stranger.get("/summaries", data={"order": order}).json()["items"]]

    assert ids("recent") == [new.pk, best.pk, old.pk]
    assert ids("best") == [best.pk, new.pk, old.pk]
    assert ids("popular") == [old.pk, new.pk, best.pk]
    Summary.objects.filter(pk=new.pk).update(recent_views=7)
    Summary.objects.filter(pk=old.pk).update(recent_views=3)
    assert ids("viewed") == [new.pk, old.pk, best.pk]


def test_the_activity_feed_lists_the_newest_public_summaries(stranger):
    first = make_summary()
    second = make_summary()
    make_summary(publish=False)
    make_summary(private=True)
    items = stranger.get("/activity").json()["items"]
    assert [s["id"] for s in items] == [second.pk, first.pk]


def test_an_unknown_order_is_a_validation_error(stranger):
    response = stranger.get("/summaries", data={"order": "random"})
    assert response.status_code == 422
    assert "order" in error_shape(response)["fields"]


def test_publishing_with_a_write_token_creates_the_summary():
    paper, author = make_paper(), make_user()
    response = with_token(author).put(
        f"/papers/{paper.pk}/summary", {"markdown": "A *clear* result.", "publish": True}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "published" and body["mine"] is True
    assert body["author"]["username"] == author.username
    summary = Summary.objects.get(pk=body["id"])
    assert summary.is_public and summary.author == author and summary.paper == paper


def test_putting_again_edits_the_summary_and_adds_a_revision():
    summary = make_summary()
    client = with_token(summary.author)
    response = client.put(
        f"/papers/{summary.paper_id}/summary",
        {"markdown": "Better text", "publish": True, "private": True, "anonymous": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == summary.pk
    assert (body["visibility"], body["anonymous"], body["author"]) == ("private", True, None)
    assert Revision.objects.filter(summary=summary).count() == 2


def test_a_draft_stays_a_draft():
    paper = make_paper()
    body = (
        with_token(make_user())
        .put(f"/papers/{paper.pk}/summary", {"markdown": "Notes", "publish": False})
        .json()
    )
    assert body["status"] == "draft" and body["published_at"] is None


def test_an_empty_summary_is_refused_with_the_field_named():
    paper = make_paper()
    response = with_token(make_user()).put(f"/papers/{paper.pk}/summary", {"markdown": "  "})
    assert response.status_code == 400
    body = error_shape(response)
    assert body["code"] == "InvalidInput" and "markdown" in body["fields"]


def test_a_summary_body_without_markdown_is_a_validation_error():
    paper = make_paper()
    response = with_token(make_user()).put(f"/papers/{paper.pk}/summary", {"publish": True})
    assert response.status_code == 422
    assert error_shape(response)["fields"] == {"markdown": ["Field required"]}


def test_malformed_json_is_a_400():
    paper = make_paper()
    client = with_token(make_user())
    response = client.client.put(
        f"/api/v1/papers/{paper.pk}/summary",
        data="{not json",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 400
    assert error_shape(response)["code"] == "InvalidInput"


def test_writing_about_a_paper_that_does_not_exist_is_a_404():
    response = with_token(make_user()).put("/papers/999999/summary", {"markdown": "x"})
    assert response.status_code == 404


def test_the_author_deletes_their_summary():
    summary = make_summary()
    response = with_token(summary.author).delete(f"/summaries/{summary.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_nobody_else_deletes_a_summary():
    summary = make_summary()
    response = with_token(make_user()).delete(f"/summaries/{summary.pk}")
    assert response.status_code == 403
    assert error_shape(response)["code"] == "PermissionDenied"
    private = make_summary(private=True)
    assert with_token(make_user()).delete(f"/summaries/{private.pk}").status_code == 404
    assert Summary.objects.count() == 2


def test_a_signed_in_session_writes_like_a_token():
    paper, author = make_paper(), make_user()
    response = with_session(author).put(f"/papers/{paper.pk}/summary", {"markdown": "Via web"})
    assert response.status_code == 200
    assert Summary.objects.get(author=author).markdown == "Via web"


def test_a_write_from_a_stale_base_version_is_a_409_and_saves_nothing():
    summary = make_summary(markdown="First.")
    api = with_token(summary.author)
    url = f"/papers/{summary.paper_id}/summary"
    opened = api.get(f"/summaries/{summary.pk}").json()["version"]
    assert api.put(url, {"markdown": "Second.", "base_version": opened}).status_code == 200
    refused = api.put(url, {"markdown": "Stale.", "base_version": opened})
    assert refused.status_code == 409
    assert error_shape(refused)["code"] == "Stale"
    assert "changed elsewhere" in refused.json()["message"]
    summary.refresh_from_db()
    assert summary.markdown == "Second."


def test_a_write_without_a_base_version_is_not_checked():
    summary = make_summary(markdown="First.")
    response = with_token(summary.author).put(
        f"/papers/{summary.paper_id}/summary", {"markdown": "Replaced."}
    )
    assert response.status_code == 200 and response.json()["markdown"] == "Replaced."


def test_a_write_answers_the_formulas_that_failed_with_their_lines():
    author, paper = make_user(), make_paper()
    body = (
        with_token(author)
        .put(f"/papers/{paper.pk}/summary", {"markdown": "Good $x$\n\n$\\nosuch$ and $\\frac{1}$"})
        .json()
    )
    problems = body["formula_problems"]
    assert [(p["line"], p["formula"]) for p in problems] == [(3, "\\nosuch"), (3, "\\frac{1}")]
    assert all(p["message"] for p in problems)
    clean = with_token(author).put(f"/papers/{paper.pk}/summary", {"markdown": "Good $x$"})
    assert clean.json()["formula_problems"] == []


def test_draft_true_on_a_published_summary_keeps_it_live_with_a_draft_beside_it():
    summary = make_summary(markdown="Published.")
    body = (
        with_token(summary.author)
        .put(f"/papers/{summary.paper_id}/summary", {"markdown": "Rewrite.", "draft": True})
        .json()
    )
    assert (body["status"], body["markdown"]) == ("published", "Published.")
    assert body["draft"]["markdown"] == "Rewrite."
    summary.refresh_from_db()
    assert summary.is_public


def test_publish_false_on_a_published_summary_takes_it_offline_as_in_v1():
    summary = make_summary(markdown="Published.")
    answer = with_token(summary.author).put(
        f"/papers/{summary.paper_id}/summary", {"markdown": "Published.", "publish": False}
    )
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["draft"]) == ("draft", None)
    summary.refresh_from_db()
    assert not summary.is_public


def test_a_retried_put_with_the_same_base_version_is_no_conflict():
    summary = make_summary(markdown="Published.")
    client = with_token(summary.author)
    payload = {"markdown": "Second.", "base_version": summary.version}
    first = client.put(f"/papers/{summary.paper_id}/summary", payload)
    again = client.put(f"/papers/{summary.paper_id}/summary", payload)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["version"] == first.json()["version"]


def test_a_write_lists_at_most_50_failed_formulas_and_tells_the_total():
    paper = make_paper()
    text = "\n\n".join(f"broken $\\nosuch{n}$" for n in range(60))
    body = with_token(make_user()).put(f"/papers/{paper.pk}/summary", {"markdown": text}).json()
    assert len(body["formula_problems"]) == 50 and body["formula_problem_count"] == 60
