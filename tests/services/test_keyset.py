"""Keyset paging of the list pages: every row once in order both ways, old page numbers still
served, mangled links still show a page, and no page counts the whole list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shortscience.models import Paper, Summary, User, Venue
from shortscience.services import counts, keyset, rankings, users, venues
from shortscience.services.errors import InvalidInput
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db

BEST = rankings.ORDERS["best"]


@pytest.fixture
def tied() -> list[Summary]:
    """13 public summaries with equal scores and equal publication times among them."""
    now = timezone.now()
    author = make_user()
    rows = [make_summary(author=author, markdown=f"Summary {n}") for n in range(13)]
    for n, summary in enumerate(rows):
        Summary.objects.filter(pk=summary.pk).update(
            score=n % 3, published_at=now - timedelta(minutes=n // 4)
        )
    make_summary(private=True)
    return list(Summary.objects.filter(pk__in=[s.pk for s in rows]))


def best_first(rows: list[Summary]) -> list[int]:
    return [s.pk for s in sorted(rows, key=lambda s: (s.score, s.published_at, s.pk), reverse=True)]


def test_paging_forwards_then_back_returns_every_row_once_in_order(tied):
    rows = rankings.ranked(rankings.Ranking("best"))
    forwards: list[list[int]] = []
    page = keyset.paginate(rows, BEST, limit=4)
    assert page.previous_cursor is None
    while True:
        forwards.append([s.pk for s in page])
        if page.next_cursor is None:
            break
        page = keyset.paginate(rows, BEST, limit=4, after=page.next_cursor)
    assert [pk for page_ids in forwards for pk in page_ids] == best_first(tied)
    backwards = [[s.pk for s in page]]
    while page.previous_cursor is not None:
        page = keyset.paginate(rows, BEST, limit=4, before=page.previous_cursor)
        backwards.append([s.pk for s in page])
    assert backwards[::-1] == forwards


def test_an_old_page_number_is_an_offset_bounded_at_the_tenth_page_and_past_the_end_the_first(
    tied,
):
    rows = rankings.ranked(rankings.Ranking("best"))
    expected = best_first(tied)
    third = keyset.paginate(rows, BEST, limit=2, number=3)
    assert [s.pk for s in third] == expected[4:6]
    assert third.has_previous and third.has_next
    deep = keyset.paginate(rows, BEST, limit=1, number=500)
    assert [s.pk for s in deep] == expected[keyset.MAX_OFFSET_PAGE - 1 : keyset.MAX_OFFSET_PAGE]
    past_the_end = keyset.paginate(rows, BEST, limit=5, number=9)
    assert [s.pk for s in past_the_end] == expected[:5] and not past_the_end.has_previous


def test_a_cursor_of_another_list_is_refused_by_the_service_and_ignored_by_pages(tied, settings):
    settings.PAGE_SIZE = 2
    other = keyset.paginate(Summary.objects.all(), ("-pk",), limit=1).next_cursor
    with pytest.raises(InvalidInput):
        keyset.paginate(Summary.objects.all(), BEST, limit=1, after=other)
    first = rankings.page(rankings.Ranking("best"))
    assert [s.pk for s in rankings.page(rankings.Ranking("best"), after=other)] == [
        s.pk for s in first
    ]
    assert Client().get(f"/?tab=best&after={other}&before=%%%").status_code == 200


def test_the_home_pager_links_forwards_and_back(tied, settings, client):
    settings.PAGE_SIZE = 5
    first = client.get("/?tab=best").content.decode()
    assert 'rel="prev"' not in first and "Page 1 of" not in first
    after = first.split('href="?tab=best&amp;after=')[1].split('"')[0]
    second = client.get(f"/?tab=best&after={after}").content.decode()
    before = second.split('href="?tab=best&amp;before=')[1].split('"')[0]
    again = client.get(f"/?tab=best&before={before}").content.decode()
    ids = [f'id="summary-{pk}"' for pk in best_first(tied)]
    assert all(anchor in first for anchor in ids[:5]) and ids[5] not in first
    assert all(anchor in second for anchor in ids[5:10])
    assert all(anchor in again for anchor in ids[:5])


def test_the_user_page_pages_its_named_public_summaries(settings, client):
    settings.PAGE_SIZE = 2
    author = make_user()
    mine = [make_summary(author=author) for _ in range(3)]
    make_summary(author=author, anonymous=True)
    page = users.page(author.username, None)
    assert page.summary_count == 3 and page.page.has_next
    rest = users.page(author.username, None, after=page.page.next_cursor)
    assert {s.pk for s in page.page} | {s.pk for s in rest.page} == {s.pk for s in mine}
    assert 'rel="next"' in client.get(f"/users/{author.username}/").content.decode()


def test_the_users_list_orders_by_reputation_then_username_and_counts_named_summaries():
    people = [make_user(f"person{n}") for n in range(3)]
    for person in people:
        make_summary(author=person)
    make_summary(author=people[2], anonymous=True)
    make_user("nobody")
    User.objects.filter(pk=people[1].pk).update(reputation=2.0)
    listed = users.listing(1)
    assert [(p.username, p.summary_count) for p in listed] == [
        ("person1", 1),
        ("person0", 1),
        ("person2", 1),
    ]


def test_a_venue_pages_its_papers_by_year_then_title(monkeypatch):
    monkeypatch.setattr(venues, "VENUE_PAPERS_PAGE_SIZE", 2)
    venue = Venue.objects.create(key="PAGED", name="Paged")
    for title, year in [("b", 2020), ("a", 2020), ("c", 2019), ("d", None)]:
        Paper.objects.create(title=title, year=year, venue=venue)
    counts.refresh_venues([venue.pk])  # the papers were made around the services
    first = venues.venue_page("paged", None)
    rest = venues.venue_page("paged", None, after=first.page.next_cursor)
    assert [p.title for p in first.papers] + [p.title for p in rest.papers] == ["a", "b", "c"]
    assert first.years == [2020, 2019] and rest.page.next_cursor is None
