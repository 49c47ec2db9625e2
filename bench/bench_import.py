"""Import benchmark: generates an arXiv metadata snapshot and imports it into a scratch database.

Run: .venv/bin/python bench/bench_import.py [--records 200000] [--database-url URL]
Prints records per second and the process's resident memory as the import goes (it should stay
flat: the file is streamed and stored in batches).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORDS = ["deep", "learning", "quantum", "field", "theory", "graph", "neural", "attention"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def generate(path: Path, count: int) -> None:
    rng = random.Random(7)  # noqa: S311 -- reproducible test data, not a secret
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(count):
            yymm = f"{15 + i // 900_000:02d}{1 + (i // 90_000) % 12:02d}"
            record = {
                "id": f"{yymm}.{i % 90_000:05d}",
                "authors": "A. Author, B. Author",
                "authors_parsed": [["Author", "A.", ""], ["Author", "B.", ""]],
                "title": " ".join(rng.choices(WORDS, k=8)),
                "abstract": " ".join(rng.choices(WORDS, k=120)),
                "categories": rng.choice(["cs.LG", "hep-th", "stat.ML cs.LG", "math.GT"]),
                "doi": None,
                "versions": [{"version": "v1", "created": "Mon, 12 Jun 2017 17:57:34 GMT"}],
                "update_date": "2017-06-12",
            }
            out.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-import.sqlite3'}"
    )
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///"):
        db = Path(args.database_url.removeprefix("sqlite:///"))
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=args.database_url,
        ALLOW_DEV_SECRET_KEY="1",  # noqa: S106 -- a flag, not a password: scratch database only
        DJANGO_SETTINGS_MODULE="shortscience.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shortscience.models import ImportCheckpoint, Paper, PaperIdentifier
    from shortscience.services.imports import runs

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        PaperIdentifier.objects.all().delete()
        Paper.objects.all().delete()
        ImportCheckpoint.objects.all().delete()
    data = ROOT / "var" / f"bench-arxiv-{args.records}.jsonl.gz"
    if not data.exists():
        t0 = time.perf_counter()
        generate(data, args.records)
        print(
            f"generated {args.records:,} records ({data.stat().st_size / 1e6:.0f} MB gz) "
            f"in {time.perf_counter() - t0:.0f}s"
        )
    samples: list[tuple[float, float]] = []
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        samples.append((done / total, rss_mb()))

    report = runs.import_arxiv_snapshot(data, progress, restart=True)
    elapsed = time.perf_counter() - start
    print(f"database: {connection.vendor}")
    print(
        f"imported {report.created:,} papers from {report.records:,} lines in {elapsed:.1f}s "
        f"= {report.records / elapsed:,.0f} lines/s"
    )
    marks = [samples[int(len(samples) * q)] for q in (0.1, 0.5, 0.9)] + [samples[-1]]
    print("resident memory: " + ", ".join(f"{frac:.0%}: {mb:.0f} MB" for frac, mb in marks))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
