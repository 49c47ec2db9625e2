"""List-page query benchmark: per-page latency, query count, slowest query and its plan, on a
scratch database of the old site's size, bulk-inserted (placeholder HTML: rendering is not what
this measures).

Run:  .venv/bin/python bench/bench_queries.py [--database-url URL] [--plans]
      .venv/bin/python bench/bench_queries.py --root /tmp/base   # the same against other code

The default database is a scratch SQLite file, var/bench_queries.sqlite3, recreated each run; a
postgres:// URL names a scratch database that is dropped and recreated. `--root` runs the pages
of another checkout of the project (e.g. `git archive <commit> | tar -x -C /tmp/base`), so a
before/after comparison uses the same data and the same machine minutes apart. The page cache is
switched off: this measures what a cache miss costs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
SQLITE_FILE = "bench_queries.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=f"sqlite:///{HERE / 'var' / SQLITE_FILE}")
    parser.add_argument("--root", type=Path, default=HERE, help="the checkout whose pages run")
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--summaries", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--plans", action="store_true", help="print each page's slowest plan")
    parser.add_argument("--no-analyse", action="store_true", help="leave statistics unset")
    args = parser.parse_args()
    scratch(args.database_url)
    sys.path.insert(0, str(args.root))
    os.environ.update(
        DATABASE_URL=args.database_url,
        ALLOW_DEV_SECRET_KEY="1",  # noqa: S106 -- a flag, not a password: scratch database only
        DJANGO_SETTINGS_MODULE="shortscience.settings",
        ALLOWED_HOSTS="testserver",
        PAGE_CACHE_ENABLED="0",
        DATABASE_CONN_MAX_AGE="0",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The manifest storage needs collectstatic; pages here read static files through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    world = populate(args)
    print(f"loaded in {time.perf_counter() - t0:.1f} s: {world['sizes']}")
    if not args.no_analyse:
        analyse()
    measure(pages(world), args.requests, args.plans)


def scratch(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d", "postgres", "-c"]
    # S603: the command is fixed and the name comes from the operator's own --database-url.
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}"'], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603


def populate(args: argparse.Namespace) -> dict[str, Any]:
    """DBLP-like venues, papers over 25 years, people whose output is skewed (a few prolific),
    public summaries plus some private, draft and hidden ones, and votes."""
    from django.db.models import OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    from shortscience.models import Paper, Summary, User, Venue, Vote
    from shortscience.services import rankings

    rng = random.Random(9)  # noqa: S311 -- a repeatable data shape, not a secret
    now = datetime.now(UTC)
    venues = Venue.objects.bulk_create(
        Venue(key=f"V{n}", name=f"Conference {n}") for n in range(300)
    )
    fields = ["cs", "stat", "math", "physics", "q-bio", "eess"]
    papers = Paper.objects.bulk_create(
        (
            Paper(
                title=f"Paper {n} on {rng.choice(['nets', 'graphs', 'kernels', 'proofs'])}",
                authors=["A. Author", "B. Author"],
                year=2000 + n % 25,
                # Zipf-ish: a few venues hold most papers, as in DBLP.
                venue=venues[min(int(len(venues) * rng.random() ** 3), len(venues) - 1)]
                if n % 10
                else None,
                abstract="An abstract. " * 40,
                field=fields[n % len(fields)],
            )
            for n in range(args.papers)
        ),
        batch_size=2000,
    )
    people = User.objects.bulk_create(
        (
            User(username=f"u{n}", email=f"u{n}@example.org", password="!")  # noqa: S106 -- "!" is Django's unusable password
            for n in range(args.users)
        ),
        batch_size=2000,
    )
    extra = args.summaries // 10
    rows = []
    for n in range(args.summaries + extra):
        published = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        kind = "public" if n < args.summaries else rng.choice(["private", "draft", "hidden"])
        rows.append(
            Summary(
                # Papers distinct per summary (7919 is prime to the paper count), so the
                # one-summary-per-author-per-paper rule holds whoever the author is.
                paper=papers[(n * 7919) % len(papers)],
                author=people[min(int(len(people) * rng.random() ** 2), len(people) - 1)],
                markdown="x" * 2000,
                html="<p>" + "x" * 2000 + "</p>",
                status="draft" if kind == "draft" else "published",
                visibility="private" if kind == "private" else "public",
                is_hidden=kind == "hidden",
                is_anonymous=n % 20 == 0,
                published_at=None if kind == "draft" else published,
                last_activity_at=published,
            )
        )
    summaries = Summary.objects.bulk_create(rows, batch_size=1000)
    public = summaries[: args.summaries]
    Vote.objects.bulk_create(
        (
            Vote(
                summary=public[rng.randrange(len(public))],
                user=people[rng.randrange(len(people))],
                value=1 if rng.random() < 0.85 else -1,
            )
            for _ in range(args.votes)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    votes = Vote.objects.filter(summary=OuterRef("pk")).values("summary").annotate(s=Sum("value"))
    Summary.objects.update(score=Coalesce(Subquery(votes.values("s")), 0))
    rankings.recompute_hotness()
    rankings.refresh_reputation()
    return {
        "sizes": {
            "papers": Paper.objects.count(),
            "users": User.objects.count(),
            "summaries": Summary.objects.count(),
            "votes": Vote.objects.count(),
        }
    }


def analyse() -> None:
    try:
        from shortscience.services import maintenance
    except ImportError:  # code from before maintenance.analyse existed: never analysed
        print("statistics: none (this code never runs ANALYZE)")
        return
    t0 = time.perf_counter()
    maintenance.analyse()
    print(f"statistics: ANALYZE took {(time.perf_counter() - t0) * 1000:.0f} ms")


def pages(world: dict[str, Any]) -> dict[str, str]:
    from django.db.models import Count

    from shortscience.models import Paper, Summary, User, Venue

    public = Summary.objects.filter(status="published", visibility="public", is_hidden=False)
    paper = public.values("paper_id").annotate(n=Count("pk")).order_by("-n")[0]["paper_id"]
    author = (
        public.filter(is_anonymous=False)
        .values("author_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["author_id"]
    )
    venue = Venue.objects.annotate(n=Count("papers")).order_by("-n")[0]
    year = (
        Paper.objects.filter(venue=venue).values("year").annotate(n=Count("pk")).order_by("-n")[0]
    )["year"]
    return {
        "home hot": "/",
        "home recent": "/?tab=recent",
        "home best": "/?tab=best",
        "home best week": "/?tab=best&period=week",
        "home best ?page=8": "/?tab=best&page=8",
        "home recent field": "/?tab=recent&field=stat",
        "paper": f"/papers/{paper}/",
        "user": f"/users/{User.objects.get(pk=author).username}/",
        "users": "/users/",
        "venues": "/venues/",
        "venue": f"/venues/{venue.key}/",
        "venue year": f"/venues/{venue.key}/?year={year}",
        "api recent": "/api/v1/summaries?order=recent",
        "api best": "/api/v1/summaries?order=best",
        "api popular": "/api/v1/summaries?order=popular",
    }


def measure(urls: dict[str, str], requests: int, plans: bool) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print(f"{'page':20} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'slowest ms':>10}")
    for name, url in urls.items():
        client.get(url)  # warm: the Site row, template loading
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        p95 = sorted(times)[max(int(len(times) * 0.95) - 1, 0)]
        print(
            f"{name:20} {statistics.median(times):9.1f} {p95:7.1f} "
            f"{len(ctx.captured_queries):7d} {float(slowest['time']) * 1000:10.1f}"
        )
        if plans:
            for line in explain(slowest["sql"]):
                print(f"{'':22}{line}")


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) {sql}")
        return [row[0] for row in cursor.fetchall()]


if __name__ == "__main__":
    main()
