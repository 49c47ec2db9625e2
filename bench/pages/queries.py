"""SQL queries per page, in process: django.test.Client + CaptureQueriesContext.

Run as a child with the same environment as the server it describes (database, cache,
sessions), so the counts are the ones that server runs:

    python -m bench.pages.queries '{"paper": "/papers/1/", ...}'

Prints one JSON object: {page: {"anonymous": n, "signed_in": n, "render_ms": t,
"render_queries": n}}. Each page is requested once before counting, so one-off work (the Site row,
cache fills) is not counted; where a page is cached the count shows it. `render_ms` is the median
of RENDERS whole renders for the signed-in reader with the page cache off: what a page costs
when no cache answers (the latency-growth table compares it across data sizes).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENDERS = 15


def main() -> None:
    pages: dict[str, str] = json.loads(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.pages.shape import READER_NAME
    from shortscience.models import User

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(User.objects.get(username=READER_NAME))
    counts: dict[str, dict[str, float]] = {}
    for name, path in pages.items():
        counts[name] = {}
        for who, client in (("anonymous", anonymous), ("signed_in", signed_in)):
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} as {who}: HTTP {response.status_code}")
            counts[name][who] = len(captured.captured_queries)
        with override_settings(PAGE_CACHE_ENABLED=False):
            signed_in.get(path)
            timings = []
            for _ in range(RENDERS):
                started = time.perf_counter()
                signed_in.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                signed_in.get(path)
        counts[name]["render_ms"] = round(statistics.median(timings), 2)
        counts[name]["render_queries"] = len(captured.captured_queries)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
