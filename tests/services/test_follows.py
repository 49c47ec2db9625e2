"""Following papers, people, discussions, venues, arXiv categories and searches: idempotent,
never yourself, only public things."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.models import Follow, Venue
from shortscience.services import follows
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_following_a_paper_twice_keeps_one_follow():
    ada = make_user()
    paper = make_paper()
    first = follows.follow(ada, "paper", paper.pk)
    second = follows.follow(ada, "paper", paper.pk)
    assert first.pk == second.pk
    assert Follow.objects.filter(follower=ada).count() == 1


def test_unfollowing_what_you_do_not_follow_is_harmless():
    ada = make_user()
    paper = make_paper()
    follows.unfollow(ada, "paper", paper.pk)
    follows.follow(ada, "paper", paper.pk)
    follows.unfollow(ada, "paper", paper.pk)
    assert not follows.is_following(ada, "paper", paper.pk)


def test_nobody_can_follow_themself():
    ada = make_user()
    with pytest.raises(InvalidInput):
        follows.follow(ada, "user", ada.pk)


def test_an_inactive_person_cannot_be_followed():
    ada = make_user()
    gone = make_user(is_active=False)
    with pytest.raises(NotFound):
        follows.follow(ada, "user", gone.pk)


def test_a_missing_paper_cannot_be_followed():
    with pytest.raises(NotFound):
        follows.follow(make_user(), "paper", 999_999)


@pytest.mark.parametrize("kind", ["draft", "private", "hidden"])
def test_only_a_public_summary_discussion_can_be_followed(kind: str):
    summary = make_summary(publish=kind != "draft", private=kind == "private")
    if kind == "hidden":
        summary.is_hidden = True
        summary.save()
    with pytest.raises(NotFound):
        follows.follow(make_user(), "summary", summary.pk)


def test_your_own_summary_discussion_is_not_followed_again():
    ada = make_user()
    summary = make_summary(ada)
    with pytest.raises(InvalidInput):
        follows.follow(ada, "summary", summary.pk)


def test_a_discussion_that_became_hidden_can_still_be_unfollowed():
    ada = make_user()
    summary = make_summary()
    follows.follow(ada, "summary", summary.pk)
    summary.is_hidden = True
    summary.save()
    follows.unfollow(ada, "summary", summary.pk)
    assert not Follow.objects.filter(follower=ada).exists()


def test_following_sets_cost_one_query_and_hold_each_kind():
    ada = make_user()
    paper, bob, summary = make_paper(), make_user(), make_summary()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(ada, "user", bob.pk)
    follows.follow(ada, "summary", summary.pk)
    with CaptureQueriesContext(connection) as queries:
        sets = follows.following_sets(ada)
    assert len(queries) == 1
    assert sets.paper_ids == {paper.pk}
    assert sets.user_ids == {bob.pk}
    assert sets.summary_ids == {summary.pk}


def test_an_anonymous_viewer_follows_nothing_and_costs_no_query():
    from django.contrib.auth.models import AnonymousUser

    with CaptureQueriesContext(connection) as queries:
        assert follows.following_sets(AnonymousUser()) == follows.FollowingSets()  # type: ignore[arg-type]  # request.user's other type
    assert len(queries) == 0


def test_the_list_of_follows_is_newest_first_with_kinds_and_targets():
    ada = make_user()
    paper, bob = make_paper(), make_user()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(ada, "user", bob.pk)
    listed = follows.listing(ada)
    assert [(follows.kind_of(f), follows.target_id_of(f)) for f in listed] == [
        ("user", bob.pk),
        ("paper", paper.pk),
    ]


def test_following_more_than_the_limit_is_refused(settings):
    settings.FOLLOWS_MAX_PER_USER = 1
    ada = make_user()
    follows.follow(ada, "paper", make_paper().pk)
    with pytest.raises(Conflict):
        follows.follow(ada, "paper", make_paper().pk)


def test_an_unknown_kind_is_invalid_input():
    with pytest.raises(InvalidInput):
        follows.parse_kind("tag")
    assert follows.parse_kind("paper") == "paper"


def test_a_suspended_person_cannot_follow():
    from datetime import timedelta

    from django.utils import timezone

    ada = make_user(suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        follows.follow(ada, "paper", make_paper().pk)


# --- Venues, categories, searches ---------------------------------------------------------------


def test_a_venue_a_category_and_a_search_are_followed_once_each_and_listed():
    ada = make_user()
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    make_paper(categories=["cs.LG"])
    for _ in range(2):
        follows.follow(ada, "venue", venue.pk)
        follows.follow(ada, "category", "cs.LG")
        follows.follow(ada, "search", "attention  transformers")
    assert Follow.objects.filter(follower=ada).count() == 3
    with CaptureQueriesContext(connection) as queries:
        sets = follows.following_sets(ada)
    assert len(queries) == 1
    assert (sets.venue_ids, sets.categories, sets.queries) == (
        frozenset({venue.pk}),
        frozenset({"cs.LG"}),
        frozenset({"attention transformers"}),
    )
    listed = follows.listing(ada)
    assert [(follows.kind_of(f), follows.target_of(f)) for f in listed] == [
        ("search", "attention transformers"),
        ("category", "cs.LG"),
        ("venue", venue.pk),
    ]
    assert follows.listing(ada, kinds=("paper", "user", "summary")) == []
    follows.unfollow(ada, "category", "cs.LG")
    follows.unfollow(ada, "search", "attention transformers")
    follows.unfollow(ada, "venue", venue.pk)
    assert not Follow.objects.filter(follower=ada).exists()


def test_a_followed_search_keeps_its_words_and_its_longest_word_as_key():
    found = follows.follow(make_user(), "search", 'title:Attention -rnn "is all" you need')
    assert found.query_words == ["attention", "is", "all", "you", "need"]
    assert found.query_key == "attention"


def test_no_such_venue_no_such_category_and_an_empty_search_are_refused():
    ada = make_user()
    with pytest.raises(NotFound):
        follows.follow(ada, "venue", 999_999)
    with pytest.raises(NotFound):
        follows.follow(ada, "category", "cs.LG")  # no paper has it
    with pytest.raises(NotFound):
        follows.target_id_for("category", "not/one")
    with pytest.raises(InvalidInput):
        follows.follow(ada, "search", "  -only -exclusions ")
