"""The header's "Moderation (N)": asked with the unread count in one query, and the count of
things waiting cached until flags change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from shortscience.services import comments, moderation, queuecount
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_the_count_is_of_flagged_things_and_follows_every_flag_raised_or_resolved():
    moderator = make_user(is_staff=True)
    summary = make_summary()
    assert queuecount.waiting() == 0
    moderation.flag(make_user(), "summary", summary.pk, "spam")
    moderation.flag(make_user(), "summary", summary.pk, "off-topic")
    assert queuecount.waiting() == 1
    comment = comments.add(make_user(), summary.pk, "hi")
    moderation.flag(make_user(), "comment", comment.pk, "abusive")
    assert queuecount.waiting() == 2
    moderation.act(moderator, "keep", "summary", summary.pk, "fine")
    assert queuecount.waiting() == 1


def test_a_cached_count_costs_no_query(django_assert_num_queries):
    queuecount.waiting()
    with django_assert_num_queries(0):
        assert queuecount.waiting() == 0


def test_the_header_asks_the_unread_count_and_who_moderates_in_one_query(
    django_assert_num_queries,
):
    member = make_user()
    member.groups.add(Group.objects.get_or_create(name="moderators")[0])
    staff, reader = make_user(is_staff=True), make_user()
    comments.add(make_user(), make_summary(author=reader).pk, "notifies the author")
    queuecount.waiting()
    with django_assert_num_queries(1):
        assert queuecount.header(reader) == queuecount.Header(1, queuecount.HIDDEN)
    with django_assert_num_queries(1):
        assert queuecount.header(member).moderation == queuecount.Nav(shown=True, waiting=0)
    assert queuecount.header(staff).moderation.shown


def test_a_banned_moderator_gets_no_link():
    member = make_user(is_active=False)
    member.groups.add(Group.objects.get_or_create(name="moderators")[0])
    assert not queuecount.header(member).moderation.shown
