"""Page speed benchmark: fills a scratch database and prints request latency and query counts.

Run: .venv/bin/python bench/bench_pages.py [--summaries 2000] [--database-url URL]
Uses a scratch SQLite file by default (var/bench.sqlite3, recreated each run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--summaries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        Path(args.database_url.removeprefix("sqlite:///")).parent.mkdir(exist_ok=True)
    os.environ.update(
        DATABASE_URL=args.database_url,
        ALLOW_DEV_SECRET_KEY="1",  # noqa: S106 -- a flag, not a password: scratch database only
        DJANGO_SETTINGS_MODULE="shortscience.settings",
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shortscience.models import Paper, Summary, User, Venue, Vote

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    venue = Venue.objects.create(key="BENCH", name="Benchmark venue")
    people = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"b{i}@example.org") for i in range(50)]
    )
    paper_rows = Paper.objects.bulk_create(
        [
            Paper(title=f"Paper {i}", authors=["A. Author"], year=2000 + i % 25, venue=venue)
            for i in range(args.summaries // 2)
        ]
    )
    from shortscience.rendering import RENDERER_VERSION, render_markdown

    html = render_markdown(
        "A summary with $x^2 + y^2 = z^2$ and **bold** text.\n\n$$\\int_0^1 f$$"
    ).html
    rows = [
        Summary(
            paper=paper_rows[i % len(paper_rows)],
            author=people[(i % len(people) + i // len(paper_rows)) % len(people)],
            markdown="...",
            html=html,
            renderer_version=RENDERER_VERSION,
            status="published",
            published_at=django.utils.timezone.now(),
        )
        for i in range(args.summaries)
        if i // len(paper_rows) < len(people)
    ]
    summaries = Summary.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    summaries = list(Summary.objects.all())
    Vote.objects.bulk_create(
        [
            Vote(summary=s, user=people[(j + 7) % len(people)], value=1)
            for s in summaries
            for j in range(3)
            if people[(j + 7) % len(people)].pk != s.author_id
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # Stored rankings and neighbours, as the site keeps them (timed: they run off-request).
    t1 = time.perf_counter()
    call_command("recompute_rankings", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- lives until exit
    t2 = time.perf_counter()
    call_command("compute_similar", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- lives until exit
    print(
        f"filled {len(summaries)} summaries in {t1 - t0:.1f}s on {connection.vendor}; "
        f"recompute_rankings {t2 - t1:.1f}s, compute_similar {time.perf_counter() - t2:.1f}s"
    )

    client = Client()
    pages = {
        "home (hot)": "/",
        "home (best)": "/?tab=best",
        "home (best, week, cs)": "/?tab=best&period=week&field=cs",
        "home (recent, page 5)": "/?tab=recent&page=5",
        "paper": paper_rows[0].get_absolute_url(),
        "user": f"/users/{people[0].username}/",
        "venue": f"/venues/{venue.key}/?year=2001",
        "users list": "/users/",
    }
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{name:28} {statistics.median(timings):10.1f} {p95:8.1f} "
            f"{len(ctx.captured_queries):8d}"
        )


if __name__ == "__main__":
    main()
