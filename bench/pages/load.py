"""Load on one URL: wrk under concurrency, one keep-alive connection in sequence, page bytes,
and signing the bench reader in through the site's own login form.

wrk's figures come from a small Lua `done` script that prints one JSON line; for runs behind
nginx a `response` hook also counts the X-Cache header, which costs wrk some speed, so it is
used only where a hit ratio means something.
"""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DONE = """
function done(summary, latency, requests)
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"non2xx":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"hits":%d,"misses":%d,"uncached":%d}\\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, count("hits"), count("misses"), count("uncached")))
end
"""
PLAIN = (
    """
function count(name) return 0 end
"""
    + DONE
)
COUNTING = (
    """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; misses = 0; uncached = 0 end
function response(status, headers, body)
  local cache = headers["X-Cache"] or headers["x-cache"]
  if cache == "HIT" or cache == "STALE" or cache == "UPDATING" then hits = hits + 1
  elseif cache == nil or cache == "" then uncached = uncached + 1
  else misses = misses + 1 end
end
function count(name)
  local n = 0
  for _, thread in ipairs(threads) do n = n + thread:get(name) end
  return n
end
"""
    + DONE
)


@dataclass(frozen=True)
class Load:
    """One wrk run: throughput, latency percentiles (ms), failures, and X-Cache counts."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int
    hits: int
    misses: int

    @property
    def hit_ratio(self) -> float | None:
        seen = self.hits + self.misses
        return self.hits / seen if seen else None


#: What Chromium and Firefox send (`--gzip`). Without it requests carry no Accept-Encoding, as
#: plain wrk sends them and as the issue measured the original site: answers come uncompressed.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
ACCEPT_ENCODING = ""  # set by the command line: "" or BROWSER_ENCODINGS


def wrk(
    url: str, *, seconds: float, connections: int, threads: int = 2, cookie: str = "",
    count_cache: bool = False,
) -> Load:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(COUNTING if count_cache else PLAIN)
    command = [
        "wrk", f"-t{threads}", f"-c{max(connections, threads)}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "-s", script.name,
    ]  # fmt: skip
    if ACCEPT_ENCODING:
        command += ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(  # noqa: S603 -- wrk on our own URL
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    data = json.loads(line.removeprefix("JSON "))
    return Load(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        failures=data["errors"] + data["non2xx"],
        hits=data["hits"],
        misses=data["misses"],
    )


@dataclass(frozen=True)
class Serial:
    """Service time of one request at a time on one keep-alive connection (ms)."""

    p50_ms: float
    p99_ms: float
    requests: int


def serial(url: str, *, requests: int, max_seconds: float, cookie: str = "") -> Serial:
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if ACCEPT_ENCODING:
        headers["Accept-Encoding"] = ACCEPT_ENCODING
    timings: list[float] = []
    deadline = time.perf_counter() + max_seconds
    try:
        while len(timings) < requests and (len(timings) < 5 or time.perf_counter() < deadline):
            start = time.perf_counter()
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
    finally:
        connection.close()
    timings.sort()
    return Serial(
        p50_ms=statistics.median(timings),
        p99_ms=timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        requests=len(timings),
    )


@dataclass(frozen=True)
class Fetched:
    body: bytes
    content_type: str
    gzip_bytes: int  # as sent with Accept-Encoding: gzip (equal to raw when not compressed)
    gzip6_bytes: int  # the raw bytes compressed here at level 6, for comparison
    x_cache: str


def fetch(url: str, cookie: str = "") -> Fetched:
    def get(encoding: str) -> tuple[bytes, http.client.HTTPResponse]:
        headers = {"Accept-Encoding": encoding, **({"Cookie": cookie} if cookie else {})}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 -- our server
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read(), response

    body, plain = get("identity")
    if plain.status != 200:
        raise RuntimeError(f"{url}: HTTP {plain.status}")
    packed, _ = get("gzip")
    return Fetched(
        body=body,
        content_type=plain.headers.get("Content-Type", ""),
        gzip_bytes=len(packed),
        gzip6_bytes=len(gzip.compress(body, compresslevel=6)),
        x_cache=plain.headers.get("X-Cache", ""),
    )


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the login form as a person would (CSRF cookie, token, POST); returns the
    Cookie header value a browser would send afterwards."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base}/accounts/login/"
    with opener.open(login, timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"login": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(login, data=data, headers={"Referer": login})  # noqa: S310
    with opener.open(request, timeout=30) as response:
        response.read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"signing in as {username} did not set a session cookie")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
