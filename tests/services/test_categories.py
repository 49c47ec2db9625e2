"""Papers are filed under their arXiv categories on every write; one category's new papers are
read a keyset page at a time, newest day first, with their summary and request counts."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from shortscience.models import Paper, PaperCategory
from shortscience.services import categories, events, wanted
from shortscience.services.errors import NotFound
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def filed(paper: Paper) -> list[str]:
    return sorted(PaperCategory.objects.filter(paper=paper).values_list("category", flat=True))


def test_a_new_paper_is_filed_under_each_of_its_categories_on_the_day_it_arrived():
    paper = make_paper(categories=["cs.LG", "stat.ML", "cs.LG"])
    assert filed(paper) == ["cs.LG", "stat.ML"]
    row = PaperCategory.objects.filter(paper=paper).first()
    assert row is not None and row.day == paper.created_at.date()


def test_a_write_of_changed_categories_refiles_the_paper():
    paper = make_paper(categories=["cs.LG"])
    Paper.objects.filter(pk=paper.pk).update(categories=["cs.CV", "not a category", 7])
    events.papers_written([paper.pk])
    assert filed(paper) == ["cs.CV"]


def test_filing_costs_a_bounded_number_of_queries(django_assert_max_num_queries: Any):
    papers = [make_paper(categories=["cs.LG", f"cs.X{n}"]) for n in range(5)]
    Paper.objects.filter(pk__in=[p.pk for p in papers]).update(categories=["math.AG"])
    with django_assert_max_num_queries(4):
        categories.papers_written([p.pk for p in papers])
    assert all(filed(p) == ["math.AG"] for p in papers)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("cs.LG", True), ("hep-th", True), ("q-bio.NC", True), ("CS.lg", False), ("a/b", False)],
)
def test_category_names_are_arxivs(raw, ok):
    assert categories.is_category(raw) is ok


def test_the_page_lists_newest_day_first_with_summary_and_request_counts():
    old = make_paper("Old paper", categories=["cs.LG"])
    new = make_paper("New paper", categories=["cs.LG", "cs.AI"])
    make_paper("Elsewhere", categories=["math.AG"])
    PaperCategory.objects.filter(paper=old).update(day=timezone.now().date() - timedelta(days=3))
    make_summary(make_user(), new)
    wanted.want(make_user(), old.pk)
    page = categories.category_page("cs.LG")
    assert [(i.paper.title, i.summary_count, i.wanted_count) for i in page.items] == [
        ("New paper", 1, 0),
        ("Old paper", 0, 1),
    ]


def test_pages_follow_on_by_cursor_in_one_query_each(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
):
    monkeypatch.setattr(categories, "NEW_PAPERS_PAGE_SIZE", 2)
    made = [make_paper(f"P{n}", categories=["cs.LG"]) for n in range(5)]
    with django_assert_num_queries(1):
        first = categories.category_page("cs.LG")
    assert first.page.next_cursor is not None
    with django_assert_num_queries(1):
        second = categories.category_page("cs.LG", after=first.page.next_cursor)
    seen = [i.paper.pk for i in [*first.items, *second.items]]
    assert seen == [p.pk for p in reversed(made)][:4]


def test_an_unknown_or_malformed_category_is_not_found():
    with pytest.raises(NotFound):
        categories.category_page("cs.LG")
    with pytest.raises(NotFound):
        categories.category_page("../etc")


def test_the_index_counts_papers_per_category():
    make_paper(categories=["cs.LG"])
    make_paper(categories=["cs.LG", "stat.ML"])
    assert [(c.category, c.papers) for c in categories.category_index()] == [
        ("cs.LG", 2),
        ("stat.ML", 1),
    ]


def test_refile_all_and_the_migrations_backfill_file_every_paper():
    paper = make_paper(categories=["cs.LG"])
    PaperCategory.objects.all().delete()
    categories.refile_all(batch=1)
    assert filed(paper) == ["cs.LG"]
    PaperCategory.objects.all().delete()
    migration = importlib.import_module("shortscience.migrations.0022_new_papers")
    migration.backfill(apps, None)
    assert filed(paper) == ["cs.LG"]
