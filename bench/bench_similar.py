"""Similarity benchmark: the cost of one save's background work (a paper's incremental refresh)
at two corpus sizes, and of the full rebuild, on a scratch database.

It bulk-inserts Markdown summaries (no rendering: similarity reads only the Markdown) on papers
whose words come from topics, so neighbours mean something; 2 papers per summary, as in the old
site's data (20,000 papers, 10,000 public summaries of 1-4 KB). At each size it runs a full
rebuild (printed), then edits N random public summaries one at a time and times the task the
save queues (`refresh_paper_task`: claim, transform, candidates, exact cosine, write). It also
prints the recall of the stored lists against an exact search over every stored vector, the
price of searching candidates instead of the whole corpus.

SQLite (default: var/bench_similar.sqlite3, recreated each run):
    .venv/bin/python bench/bench_similar.py [--sizes 10000 100000] [--refreshes 100]
PostgreSQL (a scratch database of its own; it must be empty):
    createdb -h 127.0.0.1 -U postgres bench_similar
    .venv/bin/python bench/bench_similar.py --database-url postgres://postgres@127.0.0.1:5432/bench_similar
--baseline also times the refresh this replaced (refit the whole corpus), once per size.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH = 5000
BEFORE = "52234dd"  # the last commit with the refit-per-save refresh, for --baseline
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qu", "ba", "do", "fe", "gi"]


class Text:
    """Made-up words with a long tail, grouped into topics: a document mixes its topic's words
    with common ones, as a summary mixes its field's terms with everyday English."""

    def __init__(self, rng: random.Random, words: int = 20_000, topics: int = 400) -> None:
        vocabulary: set[str] = set()
        while len(vocabulary) < words:
            vocabulary.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = sorted(vocabulary)
        rng.shuffle(self.words)
        # Cumulative once: random.choices would re-add 20,000 weights on every call.
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(words)))
        self.topics = [rng.sample(self.words[500:], 60) for _ in range(topics)]
        self.rng = rng

    def __call__(self, topic: int, count: int) -> str:
        rng, own = self.rng, self.topics[topic]
        common = rng.choices(self.words, cum_weights=self.cumulative, k=count)
        return " ".join(rng.choice(own) if rng.random() < 0.35 else w for w in common)


def fill(summaries: int, text: Text, rng: random.Random) -> None:
    """Grow the corpus to `summaries` summaries (and twice as many papers)."""
    from django.db import transaction

    from shortscience.models import Paper, Summary, User

    have = Summary.objects.count()
    people = list(User.objects.order_by("pk"))
    if len(people) < 5000:
        people += User.objects.bulk_create(
            [
                User(username=f"bench{i}", email=f"b{i}@example.org")
                for i in range(len(people), 5000)
            ]
        )
    topics = len(text.topics)
    started = time.perf_counter()
    for start in range(have, summaries, BATCH):
        count = min(BATCH, summaries - start)
        with transaction.atomic():
            papers = Paper.objects.bulk_create(
                [
                    Paper(
                        title=text((start * 2 + i) % topics, rng.randint(5, 10)).capitalize(),
                        abstract=text((start * 2 + i) % topics, rng.randint(60, 150)),
                        year=rng.randint(1995, 2025),
                    )
                    for i in range(2 * count)
                ]
            )
            # 70% of the papers get a summary, some two or three: the rest were only imported.
            summarised = papers[: int(len(papers) * 0.7)]
            Summary.objects.bulk_create(
                [
                    Summary(
                        paper=(paper := summarised[rng.randrange(len(summarised))]),
                        author=people[(start + i) % len(people)],
                        markdown=text((paper.pk or 0) % topics, rng.randint(150, 600)),
                        html="",
                        status="published",
                        visibility="public",
                    )
                    for i in range(count)
                ],
                ignore_conflicts=True,
            )
        print(f"\r{start + count:,} summaries", end="", flush=True)
    print(f" ({time.perf_counter() - started:.0f} s)")


def percentiles(values: list[float]) -> tuple[float, float]:
    ms = sorted(v * 1000 for v in values)
    cuts = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    return cuts[49], cuts[94]


def recall(paper_ids: list[int]) -> float:
    """How many of the exact top neighbours (over every stored paper vector) the lists hold."""
    from shortscience.models.similar import SimilarPaper, SimilarPaperVector
    from shortscience.services.similar import store, vectors

    fit = store.current_fit(store.PAPERS)
    assert fit is not None
    keys, rows = [], []
    for key, blob in SimilarPaperVector.objects.values_list("pk", "vector").iterator(5000):
        keys.append(key)
        rows.append(vectors.unpack(blob))
    matrix = vectors.stack(rows, fit.width)
    position = {k: i for i, k in enumerate(keys)}
    hits = total = 0
    for paper_id in paper_ids:
        if paper_id not in position:
            continue
        query = rows[position[paper_id]]
        exact = vectors.best_neighbours(query, paper_id, paper_id, matrix, keys, keys)
        stored = set(
            SimilarPaper.objects.filter(paper_id=paper_id).values_list("similar_id", flat=True)
        )
        hits += len({k for k, _ in exact} & stored)
        total += len(exact)
    return hits / total if total else float("nan")


def baseline_refresh(paper_id: int) -> float:
    """The refresh this replaced, loaded from git: refit the whole corpus for one save."""
    command = ["git", "show", f"{BEFORE}:shortscience/services/similar.py"]
    source = subprocess.run(  # noqa: S603 -- fixed arguments, our own repository
        command,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.replace("@db_task()", "")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location("similar_before", file.name)
    assert spec is not None
    assert spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.perf_counter()
    module.refresh_paper(paper_id)
    return time.perf_counter() - started


def measure(
    size: int, refreshes: int, text: Text, rng: random.Random, baseline: bool
) -> dict[str, float]:
    from django.db import connection

    from shortscience.models import Summary
    from shortscience.services import similar

    fill(size, text, rng)
    # Planner statistics, as the nightly ANALYZE keeps them on a live site: fresh after a bulk
    # insert, PostgreSQL believes the public summaries are two and joins through all of them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    papers, written = similar.rebuild(
        lambda kind, n: print(f"  fitted {kind}: {n:,} ({time.perf_counter() - started:.1f} s)")
    )
    rebuild = time.perf_counter() - started
    print(f"  full rebuild: {rebuild:.1f} s ({papers:,} papers, {written:,} summaries)")
    ids = list(Summary.objects.values_list("pk", "paper_id", "paper__abstract"))
    chosen = rng.sample(ids, refreshes + 1)
    timings = []
    for n, (pk, paper_id, abstract) in enumerate(chosen):
        # An edit: the summary gains a paragraph, as saving a revision would.
        Summary.objects.filter(pk=pk).update(
            markdown=abstract + "\n\n" + text(rng.randrange(len(text.topics)), 80)
        )
        started = time.perf_counter()
        similar.refresh_paper_task.call_local(paper_id)
        elapsed = time.perf_counter() - started
        if n == 0:
            print(f"  first refresh (loads the fit into the process): {elapsed * 1000:.0f} ms")
        else:
            timings.append(elapsed)
    p50, p95 = percentiles(timings)
    print(f"  refresh of one paper: p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(timings)}")
    found = recall([paper_id for _, paper_id, _ in chosen])
    print(f"  recall of the stored top {similar.NEIGHBOURS} against an exact search: {found:.3f}")
    result = {"rebuild": rebuild, "p50": p50, "p95": p95}
    if baseline:
        result["before"] = baseline_refresh(chosen[0][1])
        print(f"  before: refit for one save took {result['before']:.1f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--refreshes", type=int, default=100)
    parser.add_argument("--baseline", action="store_true")
    default_url = f"sqlite:///{ROOT / 'var' / 'bench_similar.sqlite3'}"
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", default_url))
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        Path(args.database_url.removeprefix("sqlite:///")).parent.mkdir(exist_ok=True)
    os.environ.update(
        DATABASE_URL=args.database_url,
        ALLOW_DEV_SECRET_KEY="1",  # noqa: S106 -- a flag, not a password: scratch database only
        DJANGO_SETTINGS_MODULE="shortscience.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shortscience.models import Paper

    call_command("migrate", verbosity=0)
    if Paper.objects.exists():
        sys.exit("The database has papers; point --database-url at an empty scratch database.")
    rng = random.Random(42)  # noqa: S311 -- benchmark data, not secrets
    text = Text(rng)
    results = {}
    for size in sorted(args.sizes):
        print(f"{connection.vendor}, {size:,} summaries:")
        results[size] = measure(size, args.refreshes, text, rng, args.baseline)
    small, large = results[min(results)], results[max(results)]
    if len(results) > 1:
        growth = max(results) / min(results)
        p50, p95 = large["p50"] / small["p50"], large["p95"] / small["p95"]
        rebuild = large["rebuild"] / small["rebuild"]
        print(
            f"corpus x{growth:.0f}: refresh p50 x{p50:.2f}, p95 x{p95:.2f}, rebuild x{rebuild:.1f}"
        )


if __name__ == "__main__":
    main()
