"""Summary requests: one per person per paper, a stored count, the most wanted list, and the
notification when the first public summary appears."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Notification, SummaryRequest
from shortscience.services import wanted
from shortscience.services.errors import NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_asking_twice_keeps_one_request_and_counts_one():
    ada = make_user()
    paper = make_paper()
    assert wanted.want(ada, paper.pk)
    assert not wanted.want(ada, paper.pk)
    assert SummaryRequest.objects.filter(paper=paper).count() == 1
    assert wanted.count_for(paper.pk) == 1
    assert wanted.has_requested(ada, paper.pk)


def test_withdrawing_lowers_the_count_and_is_harmless_twice():
    ada, bob = make_user(), make_user()
    paper = make_paper()
    wanted.want(ada, paper.pk)
    wanted.want(bob, paper.pk)
    assert wanted.count_for(paper.pk) == 2
    assert wanted.withdraw(ada, paper.pk)
    assert not wanted.withdraw(ada, paper.pk)
    assert wanted.count_for(paper.pk) == 1
    assert not wanted.has_requested(ada, paper.pk)


def test_a_suspended_person_cannot_ask():
    ada = make_user(suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        wanted.want(ada, make_paper().pk)


def test_asking_for_a_missing_paper_is_not_found():
    with pytest.raises(NotFound):
        wanted.want(make_user(), 999_999)


def test_most_wanted_orders_by_requests_and_leaves_out_summarised_papers():
    one, two, done = make_paper("One"), make_paper("Two"), make_paper("Done")
    people = [make_user() for _ in range(3)]
    for person in people:
        wanted.want(person, two.pk)
        wanted.want(person, done.pk)
    wanted.want(people[0], one.pk)
    make_summary(paper=done)
    assert [(row.paper.title, row.count) for row in wanted.most_wanted()] == [
        ("Two", 3),
        ("One", 1),
    ]


def test_the_first_public_summary_tells_the_requesters_once():
    ada, bob, writer = make_user(), make_user(), make_user()
    paper = make_paper()
    wanted.want(ada, paper.pk)
    wanted.want(bob, paper.pk)
    make_summary(writer, paper)
    told = Notification.objects.filter(kind=Notification.Kind.WANTED_SUMMARY)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([ada.pk, bob.pk])
    make_summary(make_user(), paper)  # the second summary is not the one they asked for
    assert told.count() == 2


def test_a_private_or_draft_summary_tells_nobody_and_keeps_the_paper_wanted():
    ada = make_user()
    paper = make_paper()
    wanted.want(ada, paper.pk)
    make_summary(paper=paper, private=True)
    make_summary(paper=paper, publish=False)
    assert not Notification.objects.filter(recipient=ada).exists()
    assert [row.paper.pk for row in wanted.most_wanted()] == [paper.pk]


def test_the_requester_who_writes_the_summary_is_not_told_of_it():
    ada = make_user()
    paper = make_paper()
    wanted.want(ada, paper.pk)
    make_summary(ada, paper)
    assert not Notification.objects.filter(recipient=ada).exists()
