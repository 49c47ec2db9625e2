"""What the benchmark prints and keeps: the machine description, the markdown tables (ready to
paste into docs/performance.md) and the raw figures as JSON under var/bench/."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (done.stdout + done.stderr).strip()


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"MemTotal:\s*(\d+) kB", meminfo)
    redis = re.search(r"redis_version:(\S+)", _run(["redis-cli", "INFO", "server"]))
    nginx = re.search(r"nginx/(\S+)", _run(["nginx", "-v"]))
    wrk = re.search(r"wrk (\S+)", _run(["wrk", "-v"]))
    postgres = _run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"])
    return {
        "cpu": model.group(1) if model else platform.processor(),
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem.group(1)) / 2**20:.1f} GiB" if mem else "?",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": version("Django"),
        "gunicorn": version("gunicorn"),
        "postgresql": postgres.split()[0] if postgres and "not found" not in postgres else "-",
        "redis": redis.group(1) if redis else "-",
        "nginx": nginx.group(1) if nginx else "-",
        "wrk": wrk.group(1) if wrk else "-",
    }


def machine_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram']} RAM, Linux {info['kernel']}; "
        f"Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}, "
        f"PostgreSQL {info['postgresql']}, Redis {info['redis']}, nginx {info['nginx']}, "
        f"wrk {info['wrk']}"
    )


def _n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1024:.1f}"


def _load(load: dict[str, Any] | None) -> list[str]:
    """req/s, p50, p99 of one wrk run; a run in which no request finished (every one took
    longer than the run) or some failed says so instead of printing zeros."""
    if not load:
        return ["-", "-", "-"]
    if not load["requests"]:
        return ["0 done", "-", "-"]
    failed = f" ({load['failures']} failed)" if load["failures"] else ""
    return [_n(load["rps"]) + failed, _n(load["p50_ms"], 1), _n(load["p99_ms"], 1)]


def page_table(results: list[dict[str, Any]], static: dict[str, dict[str, Any]]) -> str:
    """One row per topology and page; the columns are explained in docs/performance.md."""
    head = (
        "| topology | page | anon req/s | anon p50 ms | anon p99 ms | signed req/s "
        "| signed p50 ms | signed p99 ms | 1-conn p50 ms | 1-conn p99 ms | signed 1-conn p50 ms "
        "| KB | gzip KB "
        "| gzip-6 KB | queries anon/signed | X-Cache hits | static req/s | app/static |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for row in results:
        anon, signed, one = row.get("anonymous"), row.get("signed_in"), row.get("serial")
        one_signed = row.get("serial_signed_in")
        fixed = static.get(row["page"], {}).get("load")
        ratio = fixed["rps"] / anon["rps"] if fixed and anon and anon["rps"] else None
        hits = anon.get("hit_ratio") if anon else None
        queries = row.get("queries") or {}
        lines.append(
            "| "
            + " | ".join(
                [
                    row["topology"],
                    row["page"],
                    *_load(anon),
                    *_load(signed),
                    _n(one and one["p50_ms"], 1),
                    _n(one and one["p99_ms"], 1),
                    _n(one_signed and one_signed["p50_ms"], 1),
                    _kb(row.get("bytes")),
                    _kb(row.get("gzip_bytes")),
                    _kb(row.get("gzip6_bytes")),
                    f"{queries.get('anonymous', '-')}/{queries.get('signed_in', '-')}",
                    "-" if hits is None else f"{hits:.0%}",
                    _n(fixed and fixed["rps"]),
                    "-" if ratio is None else f"{ratio:.0f}x",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def growth_table(rows: list[dict[str, Any]]) -> str:
    """Small and large p50 and their ratio for each measure: anonymous and signed-in over one
    connection, and a whole render with no cache in process. The target is at most 1.2x."""
    measures = (("anonymous", "anon 1-conn"), ("signed_in", "signed 1-conn"), ("render", "render"))
    head = " | ".join(f"{label} small | large | x" for _, label in measures)
    lines = [f"| topology | page | {head} |", "|---|---|" + "---|---|---|" * len(measures)]
    for row in rows:
        cells = []
        for key, _ in measures:
            small, large = row[key]
            ratio = large / small if small else None
            flag = "" if ratio is None or ratio <= 1.2 else " (over)"
            shown = "-" if ratio is None else f"{ratio:.2f}x{flag}"
            cells.append(f"{small:.1f} | {large:.1f} | {shown}")
        lines.append(f"| {row['topology']} | {row['page']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save(directory: Path, figures: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"pages-{datetime.now().strftime('%Y-%m-%d-%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return path
