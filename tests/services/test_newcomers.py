"""New accounts publish a few posts a day with a few links each, on pages and the API alike;
older accounts and moderators are not held, and 0 turns each limit off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shortscience.models import Comment, Summary
from shortscience.services import comments, newcomers, summaries
from shortscience.services.errors import InvalidInput, RateLimited
from shortscience.services.standing import MODERATORS_GROUP
from tests.api.conftest import error_shape, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

SPAM = "Cheap pills: https://a.example/1 https://b.example/2 [here](https://c.example/3)"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.NEW_ACCOUNT_DAYS = 7
    settings.NEW_ACCOUNT_POSTS_PER_DAY = 3
    settings.NEW_ACCOUNT_LINKS_PER_POST = 2
    settings.RATE_LIMITS_ENABLED = False  # the per-hour limits are tested on their own


def publish(author: Any, markdown: str = "A summary.") -> Summary:
    request = summaries.SaveRequest(markdown=markdown, publish=True, private=False, anonymous=False)
    return summaries.save(author, make_paper(), request)


def test_a_new_account_publishes_at_most_the_daily_posts_counting_summaries_and_comments():
    newcomer = make_user()
    target = make_summary()
    publish(newcomer)
    comments.add(newcomer, target.pk, "First comment.")
    comments.add(newcomer, target.pk, "Second comment.")
    with pytest.raises(RateLimited) as refused:
        comments.add(newcomer, target.pk, "One too many.")
    assert refused.value.status == 429 and refused.value.retry_after > 23 * 3600
    assert "New accounts can publish 3 summaries and comments a day" in refused.value.message
    with pytest.raises(RateLimited):
        publish(newcomer)
    assert Comment.objects.filter(author=newcomer).count() == 2


def test_posts_older_than_a_day_leave_the_count():
    newcomer = make_user()
    target = make_summary()
    for n in range(3):
        comments.add(newcomer, target.pk, f"Comment {n}.")
    Comment.objects.filter(author=newcomer).update(created_at=timezone.now() - timedelta(hours=25))
    comments.add(newcomer, target.pk, "A new day.")


def test_deleting_a_post_does_not_free_a_place():
    newcomer = make_user()
    target = make_summary()
    made = [comments.add(newcomer, target.pk, f"Comment {n}.") for n in range(3)]
    comments.delete(newcomer, made[0].pk)
    with pytest.raises(RateLimited):
        comments.add(newcomer, target.pk, "Again.")


def test_editing_a_published_summary_is_not_a_new_post():
    newcomer = make_user()
    target = make_summary()
    summary = publish(newcomer)
    comments.add(newcomer, target.pk, "One.")
    comments.add(newcomer, target.pk, "Two.")
    request = summaries.SaveRequest(
        markdown="Better.", publish=True, private=False, anonymous=False
    )
    assert summaries.save(newcomer, summary.paper, request).markdown == "Better."


def test_a_new_account_posts_at_most_the_links_per_post_in_summaries_comments_and_edits():
    newcomer = make_user()
    target = make_summary()
    with pytest.raises(InvalidInput) as refused:
        publish(newcomer, SPAM)
    assert refused.value.status == 400
    assert "at most 2 links" in refused.value.message and "has 3" in refused.value.message
    assert refused.value.field_errors["markdown"]
    with pytest.raises(InvalidInput):
        comments.add(newcomer, target.pk, SPAM)
    comment = comments.add(newcomer, target.pk, "See https://a.example/1 and [this](/papers/1).")
    with pytest.raises(InvalidInput):
        comments.edit(newcomer, comment.pk, SPAM)
    assert not Summary.objects.filter(author=newcomer).exists()


def test_links_within_the_site_and_images_are_not_counted(settings):
    settings.SITE_URL = "https://www.shortscience.org"
    html = (
        '<a href="/papers/1">p</a> <a href="#fn1">1</a> <img src="https://i.example/x.png">'
        ' <a href="https://www.shortscience.org/x">s</a> <a href="https://a.example">a</a>'
    )
    assert newcomers.count_links(html) == 1


def test_an_account_past_its_first_days_and_a_moderator_are_not_held():
    veteran = make_user(date_joined=timezone.now() - timedelta(days=8))
    moderator = make_user()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    target = make_summary()
    for author in (veteran, moderator):
        publish(author, SPAM)
        for n in range(4):
            comments.add(author, target.pk, f"Comment {n}.")


def test_zero_turns_each_limit_off(settings):
    settings.NEW_ACCOUNT_POSTS_PER_DAY = 0
    settings.NEW_ACCOUNT_LINKS_PER_POST = 0
    newcomer = make_user()
    target = make_summary()
    publish(newcomer, SPAM)
    for n in range(4):
        comments.add(newcomer, target.pk, f"Comment {n}.")


def test_the_pages_show_the_reason(client_for):
    newcomer = make_user()
    target = make_summary()
    client = client_for(newcomer)
    refused = client.post(f"/summaries/{target.pk}/comments/", {"markdown": SPAM})
    assert refused.status_code == 400
    assert "New accounts can include at most 2 links" in refused.content.decode()
    for n in range(3):
        client.post(f"/summaries/{target.pk}/comments/", {"markdown": f"Comment {n}."})
    too_many = client.post(f"/summaries/{target.pk}/comments/", {"markdown": "More."})
    assert too_many.status_code == 429 and int(too_many["Retry-After"]) > 23 * 3600


def test_the_api_holds_new_accounts_alike():
    newcomer = make_user()
    api = with_token(newcomer)
    spam = api.put(f"/papers/{make_paper().pk}/summary", {"markdown": SPAM})
    assert spam.status_code == 400 and error_shape(spam)["code"] == "InvalidInput"
    target = make_summary()
    for n in range(3):
        made = api.post(f"/summaries/{target.pk}/comments", {"markdown": f"Comment {n}."})
        assert made.status_code == 201
    refused = api.post(f"/summaries/{target.pk}/comments", {"markdown": "More."})
    assert refused.status_code == 429 and "Retry-After" in refused
    body = error_shape(refused)
    assert body["code"] == "RateLimited" and "New accounts can publish" in body["message"]
