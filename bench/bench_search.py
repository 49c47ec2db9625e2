"""Search benchmark: fills a scratch database with papers and summaries, builds the search index
and prints the latency of a mix of queries (p50/p95/p99) per query shape, twice: our search()
(parse, the pooled page with its count, hydration of the hits) and the engine's own raw
full-text query for the same words (FTS5 `MATCH ... ORDER BY bm25 LIMIT 20`, or tsvector
`@@ ... ORDER BY ts_rank LIMIT 20`, without filters, privacy or count), and their ratio.

Run on SQLite (default: a scratch file, var/bench_search.sqlite3, recreated each run):
    .venv/bin/python bench/bench_search.py [--papers 1000000] [--summaries 100000]
Run on PostgreSQL (a scratch database of its own; its content is replaced):
    createdb -h 127.0.0.1 -U postgres bench_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \
        .venv/bin/python bench/bench_search.py
--reuse skips generating and indexing and only runs the queries against what is there;
--reindex (with --reuse) rebuilds the search index of what is there first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH = 5000

# A made-up vocabulary with a long tail: common words, rarer ones, and a few rare enough that a
# query for them returns a handful of documents.
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qu", "ba", "do", "fe", "gi"]


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(words, weights, k=n))


def fill(papers: int, summaries: int, rng: random.Random) -> list[str]:
    import django.utils.timezone
    from django.db import transaction

    from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue

    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like
    venues = Venue.objects.bulk_create([Venue(key=f"V{i}", name=f"Venue {i}") for i in range(50)])
    people = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"b{i}@example.org") for i in range(2000)]
    )
    started = time.perf_counter()
    for start in range(0, papers, BATCH):
        with transaction.atomic():
            rows = Paper.objects.bulk_create(
                [
                    Paper(
                        title=sentence(rng, words, weights, rng.randint(4, 10)).capitalize(),
                        authors=[f"{rng.choice(words).title()} {rng.choice(words).title()}"],
                        year=rng.randint(1995, 2025),
                        venue=rng.choice(venues),
                        abstract=sentence(rng, words, weights, rng.randint(40, 120)),
                    )
                    for _ in range(min(BATCH, papers - start))
                ],
                batch_size=BATCH,
            )
            PaperIdentifier.objects.bulk_create(
                [PaperIdentifier(paper=p, scheme="arxiv", value=f"2{p.pk:09d}") for p in rows],
                batch_size=BATCH,
            )
        print(f"\r{start + len(rows):,} papers", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")
    now = django.utils.timezone.now()
    started = time.perf_counter()
    paper_ids = list(Paper.objects.values_list("pk", flat=True)[: max(1, summaries // 2)])
    for start in range(0, summaries, BATCH):
        Summary.objects.bulk_create(
            [
                Summary(
                    paper_id=paper_ids[i % len(paper_ids)],
                    author=people[(i // len(paper_ids) * 7 + i) % len(people)],
                    markdown=sentence(rng, words, weights, rng.randint(80, 300)),
                    html="",
                    status="published" if i % 10 else "draft",
                    visibility="private" if i % 17 == 0 else "public",
                    is_anonymous=i % 13 == 0,
                    score=rng.randint(-2, 40),
                    published_at=now,
                )
                for i in range(start, min(summaries, start + BATCH))
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    print(f"{Summary.objects.count():,} summaries in {time.perf_counter() - started:.0f} s")
    return words


SHAPES = (
    "common word",
    "word pair",
    "phrase",
    "title:",
    "year:",
    "exclusion",
    "rare+venue:",
    "rare word",
    "user:",
    "has:summary",
)


def queries(words: list[str], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(shape, query) pairs, the shapes in turn."""
    common, middle, rare = words[:20], words[100:1000], words[-500:]
    makers = [
        lambda: rng.choice(common),
        lambda: f"{rng.choice(middle)} {rng.choice(middle)}",
        lambda: f'"{rng.choice(common)} {rng.choice(common)}"',
        lambda: f"title:{rng.choice(middle)}",
        lambda: f"{rng.choice(middle)} year:2010..2015",
        lambda: f"{rng.choice(middle)} -{rng.choice(common)}",
        lambda: f"{rng.choice(rare)} venue:v{rng.randint(0, 49)}",
        lambda: rng.choice(rare),
        lambda: f"user:bench{rng.randint(0, 1999)} {rng.choice(common)}",
        lambda: f"{rng.choice(middle)} has:summary",
    ]
    return [(SHAPES[i % len(makers)], makers[i % len(makers)]()) for i in range(count)]


def raw_query(text: str) -> Callable[[], None]:
    """The engine's own top-20 query for the words of `text`, nothing else around it."""
    from django.db import connection

    from shortscience.search import dialects
    from shortscience.search.query import parse

    parsed = parse(text)
    dialect = dialects.for_database()
    expr = dialect.match(list(parsed.positive), list(parsed.negative))
    # Our own constants only; the words travel as a bound parameter.
    if isinstance(dialect, dialects.SQLite):
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY {rank} LIMIT 20"
        sql, params = sql.format(rank=dialects.BM25), [expr]
    else:
        sql = (
            "SELECT id FROM {table} WHERE search_vector @@ to_tsquery('english', %s) "
            "ORDER BY ts_rank(search_vector, to_tsquery('english', %s)) DESC LIMIT 20"
        )
        sql, params = sql.format(table=dialects.TABLE), [expr, expr]

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ms = sorted(v * 1000 for v in values)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return cuts[49], cuts[94], cuts[98]


def report(ours: dict[str, list[float]], raw: dict[str, list[float]]) -> None:
    print(
        f"{'shape':<13}{'n':>4}{'ours p50':>10}{'p95':>9}{'p99':>9}"
        f"{'raw p50':>10}{'p95':>9}{'p99':>9}{'p95 ratio':>11}"
    )
    for name in ("all", *SHAPES):
        if name not in ours:
            continue
        mine, theirs = percentiles(ours[name]), percentiles(raw[name])
        ratio = mine[1] / theirs[1] if theirs[1] else float("inf")
        print(
            f"{name:<13}{len(ours[name]):>4}{mine[0]:>10.1f}{mine[1]:>9.1f}{mine[2]:>9.1f}"
            f"{theirs[0]:>10.1f}{theirs[1]:>9.1f}{theirs[2]:>9.1f}{ratio:>11.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--summaries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="query what is already there")
    parser.add_argument("--reindex", action="store_true", help="with --reuse: rebuild the index")
    default_url = f"sqlite:///{ROOT / 'var' / 'bench_search.sqlite3'}"
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", default_url))
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///") and not args.reuse:
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

    from shortscience import search
    from shortscience.models import Paper, SearchDocument, User

    rng = random.Random(42)  # noqa: S311 -- benchmark data, not secrets
    call_command("migrate", verbosity=0)
    if args.reuse:
        words = vocabulary(rng)
    else:
        if Paper.objects.exists():
            sys.exit("The database has papers; point --database-url at a scratch database.")
        words = fill(args.papers, args.summaries, rng)
    if not args.reuse or args.reindex:
        started = time.perf_counter()
        search.rebuild(
            lambda done, total: print(f"\rindexed {done:,}/{total:,}", end="", flush=True)
        )
        print(f" in {time.perf_counter() - started:.0f} s")
    viewer = User.objects.order_by("pk").first()
    print(
        f"{connection.vendor}: {Paper.objects.count():,} papers, "
        f"{SearchDocument.objects.count():,} documents"
    )
    ours: dict[str, list[float]] = {}
    raw: dict[str, list[float]] = {}
    capped = 0
    for shape, query in queries(words, rng, args.queries):
        sort = rng.choice(search.SORTS)
        started = time.perf_counter()
        results = search.search(query, viewer=viewer, sort=sort)
        elapsed = time.perf_counter() - started
        engine = raw_query(query)
        started = time.perf_counter()
        engine()
        raw_elapsed = time.perf_counter() - started
        for name in (shape, "all"):
            ours.setdefault(name, []).append(elapsed)
            raw.setdefault(name, []).append(raw_elapsed)
        capped += results.total_capped
    print(f"milliseconds per query; {capped} of {args.queries} counts capped")
    report(ours, raw)


if __name__ == "__main__":
    main()
