"""Start and stop what the benchmark measures, each in its own scratch directory and ports.

- `run`: the way `make run` serves (`manage.py serve`: gunicorn 2 workers x 4 threads, SQLite,
  default settings);
- `deploy`: the way docs/deploy.md serves (PostgreSQL, Redis for cache, sessions and tasks, two
  gunicorn processes of 2 workers x 4 threads, nginx from deploy/nginx.conf.template in front);
- `deploy-sqlite`: the same topology on SQLite, so both databases are measured behind nginx;
- a plain nginx serving saved page bytes as static files: the speed of light for a page.

Every child runs in its own process group, so stopping a server stops its workers too.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_CACHE, REDIS_TASKS = "redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/11"
NGINX_WORKERS = 2
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
TEMPLATE_VARS = [
    "SHORTSCIENCE_UPSTREAMS",
    "SHORTSCIENCE_LISTEN",
    "SHORTSCIENCE_SERVER_NAME",
    "SHORTSCIENCE_SERVER_INCLUDE",
    "SHORTSCIENCE_CACHE_DIR",
    "SHORTSCIENCE_STATIC_ROOT",
    "SHORTSCIENCE_MEDIA_ROOT",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, timeout: float = 300.0, children: list[Any] | None = None) -> None:
    """Poll until the URL answers; give up when a child exits (a server that failed to start)
    or after `timeout` seconds (serve migrates, collects static files and re-renders first)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- our server
                response.read()
                return
        except OSError:
            dead = [c.args for c in children or [] if c.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up (exited: {dead})") from None
            time.sleep(0.5)


@dataclass
class Server:
    """A running topology: the URL readers use, its environment, its children."""

    name: str
    url: str
    env: dict[str, str]
    scratch: Path
    database_url: str
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)
    cleanups: list[list[str]] = field(default_factory=list)

    def spawn(self, command: list[str], log: str) -> None:
        with (self.scratch / log).open("ab") as out:
            self.children.append(
                subprocess.Popen(  # noqa: S603 -- our own commands
                    command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip

    def wait(self, url: str) -> None:
        try:
            wait_until_up(url, children=self.children)
        except RuntimeError:
            for log in sorted(self.scratch.glob("*.log")):
                print(f"--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}")
            self.stop()
            raise

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        for command in self.cleanups:
            subprocess.run(command, check=False, capture_output=True)  # noqa: S603 -- ours


def base_env(scratch: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        ALLOW_DEV_SECRET_KEY="1",  # noqa: S106 -- a flag, not a password: scratch databases
        DATABASE_URL=database_url,
        DATA_DIR=str(scratch),
        DJANGO_SETTINGS_MODULE="shortscience.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
    )
    return env


def scratch_database(kind: str, cached: str, scratch: Path) -> tuple[str, list[list[str]]]:
    """A copy of the cached database for one server (so a run never changes the cache): a file
    copy for SQLite, `CREATE DATABASE ... TEMPLATE` for PostgreSQL. Returns its URL and the
    commands that remove it."""
    if kind == "sqlite":
        target = scratch / "db.sqlite3"
        shutil.copyfile(cached, target)
        return f"sqlite:///{target}", []
    name = f"{cached}_{scratch.name.replace('-', '_')}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)  # noqa: S603
    subprocess.run([*psql, f"CREATE DATABASE {name} TEMPLATE {cached}"], check=True)  # noqa: S603
    return f"{PG}/{name}", [[*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"]]


def start_run(scratch: Path, database: str) -> Server:
    """`make run`'s way: manage.py serve (it migrates and collects static files itself)."""
    scratch = scratch.resolve()
    url, cleanups = scratch_database("sqlite", database, scratch)
    port = free_port()
    server = Server("run", f"http://127.0.0.1:{port}", base_env(scratch, url), scratch, url)
    server.cleanups = cleanups
    server.spawn(
        [PYTHON, "-m", "shortscience.manage", "serve", "--no-demo", "--no-worker",
         "--host", "127.0.0.1", "--port", str(port)],
        "serve.log",
    )  # fmt: skip
    server.wait(server.url + "/about/")
    return server


def start_deploy(scratch: Path, kind: str, database: str) -> Server:
    """docs/deploy.md's way: two gunicorn processes behind nginx, Redis for cache and sessions."""
    scratch = scratch.resolve()
    url, cleanups = scratch_database(kind, database, scratch)
    env = base_env(scratch, url)
    env.update(
        CACHE_URL=REDIS_CACHE,
        TASKS_URL=REDIS_TASKS,
        SESSION_ENGINE="shortscience.sessions",
        STATIC_ROOT=str(scratch / "static"),
        MEDIA_ROOT=str(scratch / "media"),
        SERVE_MEDIA="0",
        BEHIND_PROXY="1",
    )
    for db in (REDIS_CACHE, REDIS_TASKS):  # the bench's own Redis databases (10 and 11)
        subprocess.run(["redis-cli", "-u", db, "FLUSHDB"], check=True, capture_output=True)  # noqa: S603, S607
    manage = [PYTHON, "-m", "shortscience.manage"]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    (scratch / "media").mkdir(exist_ok=True)
    listen = free_port()
    server = Server(
        f"deploy-{kind}" if kind == "sqlite" else "deploy",
        f"http://127.0.0.1:{listen}",
        env,
        scratch,
        url,
    )
    server.cleanups = cleanups
    try:
        _start_deploy_processes(server, listen)
    except BaseException:
        server.stop()  # no gunicorn or scratch database outlives a failed start
        raise
    return server


def _start_deploy_processes(server: Server, listen: int) -> None:
    scratch = server.scratch
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    ports = [free_port(), free_port()]
    for n, port in enumerate(ports):
        server.spawn(
            [gunicorn, "shortscience.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "4", "--timeout", "60", "--reuse-port"],
            f"gunicorn-{n}.log",
        )  # fmt: skip
    for port in ports:
        server.wait(f"http://127.0.0.1:{port}/about/")
    values = {
        "SHORTSCIENCE_UPSTREAMS": " ".join(f"server 127.0.0.1:{p};" for p in ports),
        "SHORTSCIENCE_LISTEN": f"127.0.0.1:{listen}",
        "SHORTSCIENCE_SERVER_NAME": "127.0.0.1",
        "SHORTSCIENCE_SERVER_INCLUDE": str(scratch / "nginx-server-extra.conf"),
        "SHORTSCIENCE_CACHE_DIR": str(scratch / "nginx-cache"),
        "SHORTSCIENCE_STATIC_ROOT": str(scratch / "static"),
        "SHORTSCIENCE_MEDIA_ROOT": str(scratch / "media"),
    }
    (scratch / "nginx-server-extra.conf").write_text("# no TLS in the benchmark\n")
    rendered = subprocess.run(  # noqa: S603 -- envsubst on our own template
        ["envsubst", " ".join(f"${{{name}}}" for name in TEMPLATE_VARS)],  # noqa: S607
        input=TEMPLATE.read_text(), env={**os.environ, **values}, text=True,
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    (scratch / "shortscience.conf").write_text(rendered)
    start_nginx(server, scratch / "shortscience.conf")
    server.wait(server.url + "/about/")


def start_static(scratch: Path, pages: dict[str, bytes]) -> Server:
    """A plain nginx serving each page's saved bytes (name.html, .atom, .json) as a file."""
    scratch = scratch.resolve()
    root = scratch / "pages"
    root.mkdir(parents=True, exist_ok=True)
    for name, body in pages.items():
        (root / name).write_bytes(body)
        # Served to clients that take gzip as nginx serves compressed static files, from a file
        # compressed once, like the app's stored copies: nginx compresses nothing per request.
        (root / f"{name}.gz").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    port = free_port()
    server = Server("static", f"http://127.0.0.1:{port}", dict(os.environ), scratch, "")
    (scratch / "static.conf").write_text(
        f"server {{\n  listen 127.0.0.1:{port};\n  root {root};\n"
        "  gzip_static on; gzip_vary on;\n"
        "}\n"
    )
    start_nginx(server, scratch / "static.conf")
    server.wait(f"{server.url}/{next(iter(pages))}")
    return server


def start_nginx(server: Server, site: Path) -> None:
    """nginx in the foreground with everything (pid, logs, temp files) in the scratch folder."""
    scratch = server.scratch
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    for kind in kinds:
        (scratch / "nginx-temp" / kind).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the scratch folder
    temps = "".join(f"  {kind}_temp_path {scratch / 'nginx-temp' / kind};\n" for kind in kinds)
    (scratch / f"nginx-{site.stem}.conf").write_text(
        f"{user}worker_processes {NGINX_WORKERS};\npid {scratch / f'nginx-{site.stem}.pid'};\n"
        f"error_log {scratch / 'nginx-error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        "  access_log off;\n  sendfile on;\n  tcp_nopush on;\n"
        # wrk's connections stay open for the whole run, as a browser's would.
        "  keepalive_requests 1000000;\n"
        f"{temps}  include {site};\n}}\n"
    )
    server.spawn(
        ["nginx", "-p", str(scratch), "-c", str(scratch / f"nginx-{site.stem}.conf"),
         "-g", "daemon off;"],
        f"nginx-{site.stem}.log",
    )  # fmt: skip
