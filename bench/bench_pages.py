"""Page speed benchmark (`make bench`): the old site's data shape, served the ways the site is run,
loaded with wrk, compared with nginx serving the same bytes as files.

Run from the repository root:

    .venv/bin/python bench/bench_pages.py [--quick] [--duration S] [--warmup S]
        [--connections N] [--pages a,b] [--topology run,deploy,deploy-sqlite]
        [--size small|large|both]

The code lives in bench/pages/; docs/performance.md explains the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pages.cli import main

if __name__ == "__main__":
    main()
