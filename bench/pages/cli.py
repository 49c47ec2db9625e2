"""The page benchmark's command line and its run: build (or reuse) the databases, serve them
each way, measure every page, print the tables and keep the figures.

    .venv/bin/python bench/bench_pages.py            # the full run (make bench)
    .venv/bin/python bench/bench_pages.py --quick    # a few minutes (make bench ARGS=--quick)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from bench.pages import databases, load, report, servers
from bench.pages.shape import AUTHOR_NAME, PAPER, READER_NAME, READER_PASSWORD

PAGES = {
    "paper": f"/papers/{PAPER}/",
    "home-hot": "/",
    "home-recent": "/?tab=recent",
    "home-best": "/?tab=best",
    "user": f"/users/{AUTHOR_NAME}/",
    "venue-year": "/venues/NeurIPS/?year=2019",
    "venues": "/venues/",
    "users": "/users/",
    "search": "/search/?q=variational+inference",
    "feed": "/feeds/recent.atom",
    "api": "/api/v1/summaries",
}
TOPOLOGIES = ("run", "deploy", "deploy-sqlite")
SIGNED_IN_MARK = f'href="/users/{READER_NAME}/"'.encode()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short runs, small shape, run+deploy")
    parser.add_argument("--duration", type=float, help="seconds of wrk per measurement (20)")
    parser.add_argument("--warmup", type=float, help="seconds of wrk before each (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--pages", help=f"comma-separated subset of: {','.join(PAGES)}")
    parser.add_argument("--topology", help=f"comma-separated subset of: {','.join(TOPOLOGIES)}")
    parser.add_argument("--size", choices=("small", "large", "both"), help="shapes (both)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse-any",
        action="store_true",
        help="serve the last database built for a shape even if the renderer changed since",
    )
    parser.add_argument("--serial", type=int, help="sequential requests per page (100)")
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="measured requests accept gzip as browsers do (default: no Accept-Encoding, as wrk)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (5 if quick else 20)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 10)
    args.size = args.size or ("small" if quick else "both")
    args.serial = args.serial or (30 if quick else 100)
    load.ACCEPT_ENCODING = load.BROWSER_ENCODINGS if args.gzip else ""
    args.pages = _subset(args.pages, PAGES, "page")
    args.topology = _subset(
        args.topology or ("run,deploy" if quick else None), TOPOLOGIES, "topology"
    )
    return args


def _subset(given: str | None, known: Any, what: str) -> list[str]:
    if not given:
        return list(known)
    chosen = [x.strip() for x in given.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return chosen


def ensure_tools(topologies: list[str]) -> list[str]:
    """wrk and nginx are Debian packages: install them when missing (as root), and leave out
    the topologies whose services (PostgreSQL, Redis) are not running."""
    missing = [tool for tool in ("wrk", "nginx", "envsubst") if not load.have(tool)]
    if missing:
        if os.geteuid() != 0:
            raise SystemExit(f"missing {missing}: sudo apt-get install wrk nginx gettext-base")
        packages = {"wrk": "wrk", "nginx": "nginx", "envsubst": "gettext-base"}
        subprocess.run(["apt-get", "update", "-q"], check=True)  # noqa: S607
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-q", *(packages[t] for t in missing)],  # noqa: S607
            check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )  # fmt: skip
    kept = list(topologies)
    needs = {"deploy": ("postgres", "redis"), "deploy-sqlite": ("redis",)}
    up = {
        "postgres": _ok([*databases.PSQL, "-c", "SELECT 1"]),
        "redis": _ok(["redis-cli", "-u", servers.REDIS_CACHE, "PING"]),
    }
    for topology, services in needs.items():
        down = [s for s in services if not up[s]]
        if topology in kept and down:
            print(f"skipping {topology}: {', '.join(down)} not reachable on 127.0.0.1")
            kept.remove(topology)
    return kept


def _ok(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, check=False).returncode == 0  # noqa: S603
    except OSError:
        return False


def start(topology: str, shape: str, args: argparse.Namespace, scratch: Path) -> servers.Server:
    scratch.mkdir(parents=True)
    seed, any_key = args.seed, args.reuse_any
    if topology == "run":
        return servers.start_run(scratch, databases.sqlite(shape, seed, any_key=any_key))
    if topology == "deploy":
        database = databases.postgres(shape, seed, any_key=any_key)
        return servers.start_deploy(scratch, "postgres", database)
    return servers.start_deploy(scratch, "sqlite", databases.sqlite(shape, seed, any_key=any_key))


def _in_process(server: servers.Server, wanted: dict[str, str]) -> dict[str, dict[str, float]]:
    """Query counts and whole-render times (bench/pages/queries.py), with the server's settings."""
    found: dict[str, dict[str, float]] = json.loads(
        subprocess.run(  # noqa: S603 -- our own script
            [sys.executable, "-m", "bench.pages.queries", json.dumps(wanted)],
            cwd=servers.ROOT, env=server.env, capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    return found


def measure(
    server: servers.Server, args: argparse.Namespace, pages: dict[str, bytes]
) -> list[dict[str, Any]]:
    cookie = load.sign_in(server.url, READER_NAME, READER_PASSWORD)
    counts = _in_process(server, {page: PAGES[page] for page in args.pages})
    rows = []
    behind_nginx = server.name.startswith("deploy")
    for page in args.pages:
        url = server.url + PAGES[page]
        anon = load.fetch(url)
        signed = load.fetch(url, cookie)
        if anon.content_type.startswith("text/html") and SIGNED_IN_MARK not in signed.body:
            raise SystemExit(
                f"{server.name} {page}: the signed-in page does not show {READER_NAME}"
            )
        name = f"{page}.{_extension(anon.content_type)}"
        pages.setdefault(name, anon.body)
        row: dict[str, Any] = {
            "topology": server.name, "page": page, "url": PAGES[page], "static_name": name,
            "bytes": len(anon.body), "gzip_bytes": anon.gzip_bytes, "gzip6_bytes": anon.gzip6_bytes,
            "signed_in_bytes": len(signed.body), "queries": counts[page],
        }  # fmt: skip
        row["serial"] = asdict(load.serial(url, requests=args.serial, max_seconds=args.duration))
        row["serial_signed_in"] = asdict(
            load.serial(url, requests=args.serial, max_seconds=args.duration, cookie=cookie)
        )
        for who, who_cookie in (("anonymous", ""), ("signed_in", cookie)):
            row[who] = _wrk(
                url, args, cookie=who_cookie, count_cache=behind_nginx and not who_cookie
            )
        print(
            f"  {server.name:13} {page:12} anon {row['anonymous']['rps']:7.1f} req/s "
            f"p50 {row['anonymous']['p50_ms']:7.1f} ms "
            f"| signed {row['signed_in']['rps']:7.1f} req/s "
            f"| 1-conn p50 {row['serial']['p50_ms']:6.1f} ms | {len(anon.body) / 1024:6.1f} KB "
            f"| queries {counts[page]['anonymous']}/{counts[page]['signed_in']}",
            flush=True,
        )
        rows.append(row)
    return rows


def _extension(content_type: str) -> str:
    for kind, extension in (("atom", "atom"), ("rss", "rss"), ("json", "json"), ("xml", "xml")):
        if kind in content_type:
            return extension
    return "html"


def _wrk(
    url: str, args: argparse.Namespace, *, cookie: str = "", count_cache: bool = False
) -> dict[str, Any]:
    options = {"connections": args.connections, "threads": args.threads, "cookie": cookie}
    if args.warmup:
        load.wrk(url, seconds=args.warmup, **options)
    result = load.wrk(url, seconds=args.duration, count_cache=count_cache, **options)
    return {**asdict(result), "hit_ratio": result.hit_ratio}


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    topologies = ensure_tools(args.topology)
    info = report.machine()
    print(f"Machine: {report.machine_line(info)}")
    print(
        f"wrk: {args.threads} threads x {args.connections} connections, {args.duration:g} s "
        f"after {args.warmup:g} s warm-up; {args.serial} sequential requests per page"
    )
    databases.CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=databases.CACHE))
    figures: dict[str, Any] = {"machine": info, "args": dict(vars(args))}
    pages: dict[str, bytes] = {}
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        if args.size in ("small", "both"):
            for topology in topologies:
                results += _with_server(
                    topology, "small", args, work, lambda s: measure(s, args, pages)
                )
            figures["static"] = _static(work, args, pages, results)
        if args.size in ("large", "both"):
            try:
                figures["growth"] = _growth(topologies, args, work, results)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                # The small shape's figures are worth printing even if the large build fails.
                print(f"\nlatency growth not measured: {error!r}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["results"] = results
    figures["seconds"] = round(time.perf_counter() - started)
    print()
    print(f"Machine: {report.machine_line(info)}\n")
    if results:
        print(report.page_table(results, figures.get("static", {})))
    if figures.get("growth"):
        print("\nLatency growth, p50 ms (small: 20k papers / 10k summaries; large: 200k / 100k):"
              "\n")  # fmt: skip
        print(report.growth_table(figures["growth"]))
    path = report.save(databases.CACHE, figures)
    print(f"\nraw figures: {path.relative_to(servers.ROOT)} ({figures['seconds']} s)")


def _with_server(topology: str, shape: str, args: argparse.Namespace, work: Path, body: Any) -> Any:
    print(f"\n{topology} ({shape}): starting", flush=True)
    server = start(topology, shape, args, work / f"{topology}-{shape}")
    try:
        return body(server)
    finally:
        server.stop()


def _static(
    work: Path, args: argparse.Namespace, pages: dict[str, bytes], results: list[dict[str, Any]]
) -> dict[str, Any]:
    """Each page's anonymous bytes from nginx as a file: what the app is compared against."""
    if not pages:
        return {}
    print("\nstatic nginx: the same bytes as files", flush=True)
    server = servers.start_static(work / "static", pages)
    names = {row["page"]: row["static_name"] for row in results}
    out: dict[str, Any] = {}
    try:
        for page, name in names.items():
            url = f"{server.url}/{name}"
            out[page] = {
                "load": _wrk(url, args),
                "serial": asdict(load.serial(url, requests=args.serial, max_seconds=args.duration)),
            }
            print(f"  static        {page:12} {out[page]['load']['rps']:9.1f} req/s "
                  f"p50 {out[page]['load']['p50_ms']:6.2f} ms", flush=True)  # fmt: skip
    finally:
        server.stop()
    return out


def _growth(
    topologies: list[str], args: argparse.Namespace, work: Path, results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per page on the large shape beside the small shape's: one-connection p50 anonymous (the
    cached copy) and signed in (the shared signed-in copy), and a whole render with no cache (in
    process, the signed-in reader): the last is where a cost that grows with the data would
    show."""
    small = {(r["topology"], r["page"]): r for r in results}
    rows: list[dict[str, Any]] = []
    for topology in [t for t in topologies if t != "deploy-sqlite"]:

        def probe(server: servers.Server, topology: str = topology) -> list[dict[str, Any]]:
            cookie = load.sign_in(server.url, READER_NAME, READER_PASSWORD)
            renders = _in_process(server, {page: PAGES[page] for page in args.pages})
            found = []
            for page in args.pages:
                url = server.url + PAGES[page]
                load.fetch(url)  # first request: caches, workers' imports
                load.fetch(url, cookie)
                serial = partial(load.serial, url, requests=args.serial, max_seconds=args.duration)
                before = small.get((server.name, page))
                row = {
                    "topology": server.name,
                    "page": page,
                    "anonymous": (before["serial"]["p50_ms"] if before else 0.0,
                                  serial().p50_ms),
                    "signed_in": (before["serial_signed_in"]["p50_ms"] if before else 0.0,
                                  serial(cookie=cookie).p50_ms),
                    "render": (before["queries"]["render_ms"] if before else 0.0,
                               renders[page]["render_ms"]),
                }  # fmt: skip
                found.append(row)
                print(
                    f"  {server.name:13} {page:12} large p50 anon {row['anonymous'][1]:6.1f} ms "
                    f"signed {row['signed_in'][1]:6.1f} ms render {row['render'][1]:6.1f} ms",
                    flush=True,
                )
            return found

        rows += _with_server(topology, "large", args, work, probe)
    return rows
