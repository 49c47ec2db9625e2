"""Stored counts (services/counts.py): every write through the services keeps them exact, the
recount repairs writes that went around them, and a write's recount costs the same whatever the
size of the venue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shortscience.models import Paper, Summary, Venue
from shortscience.services import accounts, counts, merging, moderation, summaries
from shortscience.services.imports import runs
from tests.factories import PASSWORD, make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"


def stored(venue: Venue) -> tuple[int, int, list[int]]:
    venue.refresh_from_db()
    return venue.paper_count, venue.summary_count, venue.years


def paper_count(paper: Paper) -> int:
    paper.refresh_from_db()
    return paper.summary_count


@pytest.fixture
def venue() -> Venue:
    return Venue.objects.create(key="ICLR", name="International Conference on Learning Repr.")


def test_new_papers_count_in_their_venue_with_their_years(venue):
    make_paper(venue=venue, year=2019)
    for year in (2021, 2019, None):
        paper = make_paper(venue=venue, year=year)
    # Factories make papers around the services; the writes that announce them recount.
    counts.refresh_papers([paper.pk])
    assert stored(venue) == (4, 0, [2021, 2019])


def test_only_published_public_visible_summaries_count(venue):
    paper = make_paper(venue=venue)
    make_summary(paper=paper)
    make_summary(paper=paper, private=True)
    make_summary(paper=paper, publish=False)
    make_summary(paper=paper, anonymous=True)
    assert paper_count(paper) == 2
    assert stored(venue)[:2] == (1, 2)


def test_unpublishing_and_deleting_take_a_summary_out_of_the_counts(venue):
    paper = make_paper(venue=venue)
    author = make_user()
    summary = make_summary(author=author, paper=paper)
    assert paper_count(paper) == 1
    summaries.save(
        author,
        paper,
        summaries.SaveRequest(
            markdown=summary.markdown,
            publish=False,
            private=False,
            anonymous=False,
            unpublish=True,
        ),
    )
    assert paper_count(paper) == 0 and stored(venue)[1] == 0
    summaries.save(
        author,
        paper,
        summaries.SaveRequest(markdown="Back.", publish=True, private=False, anonymous=False),
    )
    assert paper_count(paper) == 1
    summaries.delete(summary.pk, author)
    assert paper_count(paper) == 0 and stored(venue)[1] == 0


def test_a_moderators_hide_and_restore_change_the_counts(venue):
    moderator = make_user(is_staff=True)
    summary = make_summary(paper=make_paper(venue=venue))
    moderation.act(moderator, "hide", "summary", summary.pk, "Spam.")
    assert stored(venue)[1] == 0
    moderation.act(moderator, "restore", "summary", summary.pk, "Not spam after all.")
    assert stored(venue)[1] == 1


def test_a_merge_moves_the_paper_out_of_its_venue_and_its_summaries_to_the_target(venue):
    other = Venue.objects.create(key="arXiv", name="arXiv")
    source = make_paper(venue=other, year=2017)
    target = make_paper(venue=venue, year=2018)
    make_summary(paper=source)
    make_summary(paper=target)
    merging.merge(source.pk, target.pk)
    assert paper_count(target) == 2
    assert stored(venue) == (1, 2, [2018])
    assert stored(other) == (0, 0, [])


def test_deleting_an_account_takes_its_summaries_out_of_the_counts(venue):
    author = make_user()
    paper = make_paper(venue=venue)
    make_summary(author=author, paper=paper)
    make_summary(paper=paper)
    accounts.delete_account(author, PASSWORD, accounts.Mode.DELETE)
    assert paper_count(paper) == 1 and stored(venue)[1] == 1


def test_an_import_counts_its_papers_in_their_venues():
    runs.import_arxiv_snapshot(DATA / "arxiv-snapshot.jsonl")
    venues = Venue.objects.filter(paper_count__gt=0)
    assert venues.exists()
    for found in venues:
        assert found.paper_count == Paper.objects.filter(venue=found).count()


def test_the_recount_repairs_writes_that_went_around_the_services(venue):
    paper = make_paper(venue=venue, year=2020)
    summary = make_summary(paper=paper)
    assert counts.recount_all() == {"papers": 0, "venues": 0}
    Summary.objects.filter(pk=summary.pk).update(is_hidden=True)  # an SQL console, say
    Paper.objects.create(title="Typed in the admin", venue=venue, year=2024)
    assert counts.recount_all() == {"papers": 1, "venues": 1}
    assert paper_count(paper) == 0
    assert stored(venue) == (2, 0, [2024, 2020])
    assert counts.recount_all() == {"papers": 0, "venues": 0}


def test_the_venue_pages_show_the_stored_counts(venue):
    paper = make_paper("Counted paper", venue=venue, year=2020)
    make_summary(paper=paper)
    listing = Client().get("/venues/").content.decode()
    assert "<td>1</td><td>1</td>" in listing
    page = Client().get(f"/venues/{venue.key}/").content.decode()
    assert "2020" in page and "Counted paper" in page
    api = Client().get("/api/v1/venues").json()
    assert [(v["key"], v["paper_count"], v["summary_count"]) for v in api] == [("ICLR", 1, 1)]


@pytest.mark.parametrize("size", [3, 60])
def test_a_writes_recount_costs_the_same_queries_whatever_the_venue_holds(venue, size):
    Paper.objects.bulk_create(
        Paper(title=f"Filler {n}", venue=venue, year=2000 + n % 20) for n in range(size)
    )
    paper = make_paper(venue=venue)
    with CaptureQueriesContext(connection) as ctx:
        counts.refresh_papers([paper.pk])
    # The paper's count, its venue's id, the venue's counts, the venue's years.
    assert len(ctx.captured_queries) == 5, [q["sql"] for q in ctx.captured_queries]
    assert stored(venue)[0] == size + 1


def test_the_nightly_recount_is_scheduled():
    from huey.contrib.djhuey import HUEY as huey

    assert counts.recount_nightly.task_class.__name__ in {
        task.__name__ for task in huey._registry._periodic_tasks
    }
    assert counts.recount_nightly.task_class.validate_datetime is not None


def test_admin_edits_and_actions_keep_the_counts(venue, client_for):
    staff = client_for(make_user(is_staff=True, is_superuser=True))
    elsewhere = Venue.objects.create(key="NeurIPS", name="NeurIPS")
    paper = make_paper(venue=venue, year=2020)
    summary = make_summary(paper=paper)
    response = staff.post(
        "/admin/shortscience/summary/",
        {"action": "unpublish", "_selected_action": [summary.pk]},
    )
    assert response.status_code == 302
    assert paper_count(paper) == 0 and stored(venue)[1] == 0
    form = {
        "title": paper.title,
        "authors": '["Ada Lovelace"]',
        "year": "2020",
        "venue": str(elsewhere.pk),
        "abstract": "",
        "url": "",
        "categories": "[]",
        "field": "",
        "metadata_source": "",
        "identifiers-TOTAL_FORMS": "0",
        "identifiers-INITIAL_FORMS": "0",
    }
    response = staff.post(f"/admin/shortscience/paper/{paper.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(venue) == (0, 0, []) and stored(elsewhere) == (1, 0, [2020])


@pytest.mark.parametrize("size", [3, 60])
def test_a_summarys_write_recounts_only_summaries_whatever_the_venue_holds(venue, size):
    Paper.objects.bulk_create(
        Paper(title=f"Filler {n}", venue=venue, year=2000 + n % 20) for n in range(size)
    )
    paper = make_paper(venue=venue)
    with CaptureQueriesContext(connection) as ctx:
        counts.refresh_summary_counts([paper.pk])
    # The paper's count, its venue's id, the venue's summed count: no paper count, no years.
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 3, sql
    assert not [q for q in sql if '"years"' in q or '"paper_count"' in q], sql
