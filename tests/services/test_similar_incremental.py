"""Similar papers kept current without refitting: a refresh after a save finds what a rebuild
would, drops what is no longer public, is debounced, idempotent, safe to run twice at once, and
fails soft."""

from __future__ import annotations

import logging
import random
import threading

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from shortscience.models import SimilarPaper, SimilarSummary, Summary
from shortscience.models.similar import SimilarDirty, SimilarPaperVector, SimilarSummaryVector
from shortscience.services import similar, summaries
from shortscience.services.similar import refresh, tasks
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

TOPICS = {
    "vision": "convolution image pixel object detection segmentation camera resnet feature map",
    "language": "token sentence translation attention transformer vocabulary decoder grammar",
    "biology": "protein gene folding cell sequence amino residue enzyme molecule genome",
    "robots": "robot grasp manipulation control policy reward trajectory arm simulation",
}


def text(topic: str, seed: int) -> str:
    rng = random.Random(seed)
    words = TOPICS[topic].split()
    common = ["method", "results", "model", "training", "data", "show", "propose"]
    return " ".join(rng.choice(words if rng.random() < 0.7 else common) for _ in range(60))


def stored(model: type[SimilarPaper] | type[SimilarSummary], key: int) -> list[tuple[int, float]]:
    column = "paper_id" if model is SimilarPaper else "summary_id"
    rows = model.objects.filter(**{column: key}).order_by("rank")
    return list(rows.values_list("similar_id", "score"))


@pytest.fixture(autouse=True)
def _no_leftover_tasks() -> None:
    HUEY.flush()  # scheduled retries of earlier tests live in huey's memory storage


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the refresh, inline in tests) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def corpus() -> dict[str, list[Summary]]:
    """Four papers on each of four topics, one public summary each, then a full rebuild."""
    made: dict[str, list[Summary]] = {topic: [] for topic in TOPICS}
    for n in range(16):
        topic = list(TOPICS)[n % 4]
        made[topic].append(
            make_summary(paper=make_paper(f"On {topic} {n}"), markdown=text(topic, n))
        )
    similar.rebuild()
    return made


def test_a_refresh_after_a_new_summary_finds_the_neighbours_a_rebuild_finds(corpus, committed):
    paper = make_paper("More on language")
    with committed():
        summary = make_summary(paper=paper, markdown=text("language", 99))
    incremental_paper = stored(SimilarPaper, paper.pk)
    incremental_summary = stored(SimilarSummary, summary.pk)
    language_papers = {s.paper_id for s in corpus["language"]}
    assert {other for other, _ in incremental_paper[:3]} <= language_papers
    similar.rebuild()
    rebuilt_paper = stored(SimilarPaper, paper.pk)
    rebuilt_summary = stored(SimilarSummary, summary.pk)
    assert [k for k, _ in incremental_paper[:3]] == [k for k, _ in rebuilt_paper[:3]]
    assert [k for k, _ in incremental_summary[:3]] == [k for k, _ in rebuilt_summary[:3]]
    # The vocabulary is the old fit's, so scores differ a little from a refit, not a lot.
    for (_, before), (_, after) in zip(incremental_paper[:3], rebuilt_paper[:3], strict=True):
        assert before == pytest.approx(after, abs=0.1)


def test_a_refresh_enters_the_changed_paper_into_its_neighbours_lists(corpus, committed):
    paper = make_paper("Yet more vision")
    with committed():
        make_summary(paper=paper, markdown=text("vision", 7) + " " + text("vision", 8))
    listed_by = set(SimilarPaper.objects.filter(similar=paper).values_list("paper_id", flat=True))
    assert listed_by
    assert listed_by <= {s.paper_id for s in corpus["vision"]}


@pytest.mark.parametrize("how", ["private", "hidden", "deleted", "unpublished"])
def test_a_summary_that_stops_being_public_drops_out_everywhere(corpus, committed, how):
    summary = corpus["biology"][0]
    paper_id = summary.paper_id
    assert SimilarPaper.objects.filter(similar_id=paper_id).exists()
    if how == "private":
        with committed():
            make_summary(
                author=summary.author, paper=summary.paper, markdown=summary.markdown, private=True
            )
    elif how == "unpublished":
        Summary.objects.filter(pk=summary.pk).update(status=Summary.Status.DRAFT)
        similar.refresh_paper_task(paper_id)
    elif how == "hidden":
        Summary.objects.filter(pk=summary.pk).update(is_hidden=True)
        similar.refresh_paper_task(paper_id)
    else:
        with committed():
            summaries.delete(summary.pk, summary.author)
    assert not SimilarPaper.objects.filter(paper_id=paper_id).exists()
    assert not SimilarPaper.objects.filter(similar_id=paper_id).exists()
    assert not SimilarSummary.objects.filter(similar_id=summary.pk).exists()
    assert not SimilarPaperVector.objects.filter(pk=paper_id).exists()
    assert not SimilarSummaryVector.objects.filter(pk=summary.pk).exists()


def test_running_a_refresh_twice_stores_the_same_rows(corpus):
    paper_id = corpus["robots"][1].paper_id

    def everything() -> tuple[list[tuple[int, int, float, int]], ...]:
        return (
            list(
                SimilarPaper.objects.order_by("pk").values_list(
                    "paper_id", "similar_id", "score", "rank"
                )
            ),
            list(
                SimilarSummary.objects.order_by("pk").values_list(
                    "summary_id", "similar_id", "score", "rank"
                )
            ),
        )

    similar.refresh_paper(paper_id)
    first = [sorted(rows) for rows in everything()]
    similar.refresh_paper(paper_id)
    assert [sorted(rows) for rows in everything()] == first


def test_a_refresh_costs_the_same_queries_whatever_the_corpus_size(corpus):
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        paper_id = corpus["vision"][0].paper_id
        with CaptureQueriesContext(connection) as captured:
            similar.refresh_paper(paper_id)
        return len(captured.captured_queries)

    cost()  # the first refresh marks the paper's vectors refreshed: later ones read them too
    small = cost()
    for n in range(16, 48):
        topic = list(TOPICS)[n % 4]
        paper = make_paper(f"On {topic} {n}")
        make_summary(paper=paper, markdown=text(topic, n))
    assert cost() == small


def test_repeated_saves_before_the_refresh_runs_queue_one_refresh(corpus, monkeypatch, committed):
    queued: list[int] = []
    monkeypatch.setattr(tasks, "_schedule", queued.append)
    author, paper = make_user(), make_paper("Drafting in public")
    for n in range(3):
        with committed():
            make_summary(author=author, paper=paper, markdown=text("robots", 50 + n))
    assert queued == [paper.pk]
    assert SimilarDirty.objects.filter(paper=paper).exists()
    similar.refresh_paper_task(paper.pk)  # what the worker runs DEBOUNCE_SECONDS later
    assert not SimilarDirty.objects.filter(paper=paper).exists()
    assert stored(SimilarPaper, paper.pk)


def test_a_failing_refresh_is_logged_and_retried_and_the_save_succeeds(
    corpus, monkeypatch, caplog, committed
):
    def broken(paper_id: int) -> None:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(refresh, "refresh_paper", broken)
    paper = make_paper("Saved while similarity is broken")
    with caplog.at_level(logging.ERROR), committed():
        summary = make_summary(paper=paper, markdown=text("vision", 3))
    assert Summary.objects.filter(pk=summary.pk).exists()
    assert "index unavailable" in caplog.text
    retries = [task for task in HUEY.scheduled() if task.args == (paper.pk,)]
    assert retries and retries[0].retries == tasks.RETRIES - 1
    assert SimilarDirty.objects.filter(paper=paper).exists()  # the sweeper's safety net


def test_the_sweeper_refreshes_papers_whose_refresh_was_lost(corpus):
    paper_id = corpus["language"][2].paper_id
    SimilarPaper.objects.filter(paper_id=paper_id).delete()
    SimilarDirty.objects.create(paper_id=paper_id)
    SimilarDirty.objects.update(
        marked_at=SimilarDirty.objects.get().marked_at - tasks.FORGOTTEN_AFTER * 2
    )
    similar.refresh_forgotten.call_local()
    assert stored(SimilarPaper, paper_id)
    assert not SimilarDirty.objects.exists()


def test_a_refresh_on_a_site_never_fitted_fits_everything(committed):
    for n in range(4):
        topic = list(TOPICS)[n % 2]
        with committed():
            make_summary(paper=make_paper(f"On {topic} {n}"), markdown=text(topic, n))
    assert SimilarPaper.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_one_paper_at_once_leave_consistent_rows(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    paper_id = corpus["vision"][2].paper_id
    SimilarPaper.objects.filter(paper_id=paper_id).delete()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            similar.refresh_paper(paper_id)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = stored(SimilarPaper, paper_id)
    assert len(rows) == len({k for k, _ in rows}) > 0
    ranks = list(
        SimilarPaper.objects.filter(paper_id=paper_id)
        .order_by("rank")
        .values_list("rank", flat=True)
    )
    assert ranks == list(range(1, len(ranks) + 1))
    similar.refresh_paper(paper_id)
    assert stored(SimilarPaper, paper_id) == rows


def test_the_corpus_is_read_in_one_query_whatever_the_number_of_papers(
    corpus, django_assert_num_queries
):
    for _ in range(20):
        make_paper()  # imported papers without summaries
    with django_assert_num_queries(1):
        documents = similar.paper_corpus()
    assert len(documents.keys) == 16
    with django_assert_num_queries(1):
        assert len(similar.summary_corpus().keys) == 16
