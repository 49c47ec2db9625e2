"""The production topology of docs/deploy.md, started on this machine for `make test-production`.

Everything is its own, so stopping or breaking it touches nothing else: a PostgreSQL cluster
(`pg_createcluster`, dropped at the end), a redis-server on its own port with its own directory,
two gunicorn processes, the huey worker, nginx rendered from deploy/nginx.conf.template, and a
small SMTP sink that keeps every mail as a file. The app's environment is the block that
docs/deploy.md prints, with only what names this machine replaced (hosts, ports, paths, no TLS).

Each child runs in its own process group (a kill takes its workers too) and writes its pid to
`<scratch>/pids/`, so scripts/test-production.sh can stop leftovers even if Python died.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.production.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
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
DB_NAME = "shortscience"
CLUSTER = os.environ.get("PRODUCTION_PG_CLUSTER", "sstest")
PG_PORT = int(os.environ.get("PRODUCTION_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("PRODUCTION_REDIS_PORT", "6390"))
# Limits the scenarios rely on: voting is the one measured for exactness across processes;
# the load scenarios write comments far beyond the default hourly limit on purpose.
VOTE_LIMIT = 25
RATE_LIMITS = {
    "RATE_LIMIT_VOTING": f"{VOTE_LIMIT}/86400",
    "RATE_LIMIT_COMMENTING": "1000000/3600",
    "RATE_LIMIT_UPLOADING": "1000/3600",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]  # kwargs hide the overload  # noqa: S603 -- our own commands


def documented_environment() -> dict[str, str]:
    """The `/etc/shortscience.env` block of docs/deploy.md, as the operator would copy it."""
    text = DEPLOY_DOC.read_text()
    found = re.search(r"/etc/shortscience\.env`?\)?\s*\n+```sh\n(.*?)```", text, re.S)
    assert found, "docs/deploy.md no longer shows the /etc/shortscience.env block"
    values: dict[str, str] = {}
    for line in found.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


# --- PostgreSQL -----------------------------------------------------------------------------------


class Postgres:
    """A cluster of its own on PG_PORT: `pg_createcluster` as root (CI), else initdb in scratch."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.version = os.environ.get("PRODUCTION_PG_VERSION") or self._installed_version()
        self.as_root = os.geteuid() == 0 and shutil.which("pg_createcluster") is not None
        self.datadir = scratch / "pgdata"
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"

    @staticmethod
    def _installed_version() -> str:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        assert versions, "PostgreSQL is not installed (apt-get install postgresql)"
        return versions[-1].parts[-3]

    def _bin(self, name: str) -> str:
        return f"/usr/lib/postgresql/{self.version}/bin/{name}"

    def create(self) -> None:
        assert not port_in_use(PG_PORT), f"port {PG_PORT} is taken; set PRODUCTION_PG_PORT"
        if self.as_root:
            self.drop()
            run(
                ["pg_createcluster", self.version, CLUSTER, "-p", str(PG_PORT), "--start",
                 "--", "--auth-local=trust", "--auth-host=trust"]
            )  # fmt: skip
        else:
            run([self._bin("initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust"])
            self.start()
        self.wait()
        run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-qc",
             f"CREATE DATABASE {DB_NAME}"])  # fmt: skip

    def _ctl(self, action: str, mode: str | None = None) -> None:
        if self.as_root:
            command = ["pg_ctlcluster", self.version, CLUSTER, action]
            run(command + (["-m", mode] if mode else []))
        else:
            options = f"-p {PG_PORT} -k {self.scratch}"
            command = [self._bin("pg_ctl"), "-D", str(self.datadir), "-o", options, "-w"]
            log = ["-l", str(self.scratch / "postgres.log")]
            run(command + log + (["-m", mode] if mode else []) + [action])

    def start(self) -> None:
        self._ctl("start")

    def restart(self, mode: str) -> None:
        """`fast` closes connections cleanly; `immediate` is a crash: recovery replays WAL."""
        self._ctl("restart", mode)

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while subprocess.run(  # noqa: S603
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)],  # noqa: S607
            check=False,
        ).returncode:
            assert time.monotonic() < deadline, "PostgreSQL did not come up"
            time.sleep(0.2)

    def drop(self) -> None:
        if self.as_root:
            subprocess.run(  # noqa: S603
                ["pg_dropcluster", "--stop", self.version, CLUSTER],  # noqa: S607
                check=False, capture_output=True,
            )  # fmt: skip
        elif self.datadir.exists():
            subprocess.run(  # noqa: S603
                [self._bin("pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
                check=False, capture_output=True,
            )  # fmt: skip

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as conn:
            return list(conn.execute(sql, params).fetchall())


# --- Processes ------------------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    command: list[str]
    log: Path
    env: dict[str, str]
    pidfile: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 -- our own commands
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.pidfile.write_text(str(self.process.pid))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int, group: bool = True) -> None:
        if self.alive():
            (os.killpg if group else os.kill)(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole group: the master and its workers die mid-request."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        self.pidfile.unlink(missing_ok=True)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            self.pidfile.unlink(missing_ok=True)
            return
        self.signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        self.signal(signal.SIGTERM)
        assert self.process is not None
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.pidfile.unlink(missing_ok=True)


def wait_http(url: str, child: Child | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if child is not None and not child.alive():
            raise RuntimeError(f"{child.name} exited: {child.log.read_text()[-3000:]}")
        assert time.monotonic() < deadline, f"{url} did not come up"
        time.sleep(0.2)


@dataclass
class Topology:
    scratch: Path
    postgres: Postgres
    sink: SmtpSink
    env: dict[str, str]
    nginx_port: int
    app_ports: list[int]
    redis_persistent: bool = True
    children: dict[str, Child] = field(default_factory=dict)
    media_mounted: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def app_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[n]}"

    @property
    def media_root(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def child(self, name: str, command: list[str]) -> Child:
        self.children[name] = Child(
            name, command, self.scratch / f"{name}.log", self.env,
            self.scratch / "pids" / name,
        )  # fmt: skip
        return self.children[name]

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(  # noqa: S603 -- our own command
            [PYTHON, "-m", "shortscience.manage", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"manage.py {args}: {result.stdout}{result.stderr}"
        return result.stdout

    # Redis: persistence as docs/deploy.md asks (AOF), or none (a restart loses everything).
    def start_redis(self, persistent: bool = True) -> None:
        self.redis_persistent = persistent
        data = self.scratch / "redis"
        data.mkdir(exist_ok=True)
        persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if persistent else [
            "--appendonly", "no"
        ]  # fmt: skip
        self.child(
            "redis",
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(data),
             "--save", "", *persistence, "--daemonize", "no"],
        ).start()  # fmt: skip
        deadline = time.monotonic() + 10
        while not port_in_use(REDIS_PORT):
            assert time.monotonic() < deadline, "redis-server did not come up"
            time.sleep(0.05)

    def stop_redis(self, lose_data: bool = False) -> None:
        """SIGTERM (with AOF, everything is on disk); `lose_data` also empties its directory,
        as a Redis without persistence that restarts."""
        self.children["redis"].stop()
        if lose_data:
            shutil.rmtree(self.scratch / "redis", ignore_errors=True)

    def start_app(self, n: int) -> None:
        gunicorn = str(Path(PYTHON).parent / "gunicorn")
        app = self.child(
            f"gunicorn-{n}",
            [gunicorn, "shortscience.wsgi:application", "--bind", f"127.0.0.1:{self.app_ports[n]}",
             "--workers", "2", "--threads", "4", "--timeout", "60",
             "--limit-request-line", "8190", "--reuse-port", "--access-logfile", "-"],
        )  # fmt: skip
        app.start()
        wait_http(self.app_url(n) + "/about/", app)

    def start_worker(self) -> None:
        self.child("worker", [PYTHON, "-m", "shortscience.manage", "run_huey"]).start()

    def start_nginx(self) -> None:
        scratch = self.scratch
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        for kind in kinds:
            (scratch / "nginx-temp" / kind).mkdir(parents=True, exist_ok=True)
        (scratch / "nginx-server-extra.conf").write_text("# TLS ends elsewhere in this test\n")
        values = {
            "SHORTSCIENCE_UPSTREAMS": " ".join(f"server 127.0.0.1:{p};" for p in self.app_ports),
            "SHORTSCIENCE_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "SHORTSCIENCE_SERVER_NAME": "127.0.0.1",
            "SHORTSCIENCE_SERVER_INCLUDE": str(scratch / "nginx-server-extra.conf"),
            "SHORTSCIENCE_CACHE_DIR": str(scratch / "nginx-cache"),
            "SHORTSCIENCE_STATIC_ROOT": self.env["STATIC_ROOT"],
            "SHORTSCIENCE_MEDIA_ROOT": self.env["MEDIA_ROOT"],
        }
        rendered = run(
            ["envsubst", " ".join(f"${{{name}}}" for name in TEMPLATE_VARS)],
            input=TEMPLATE.read_text(), env={**os.environ, **values},
        ).stdout  # fmt: skip
        (scratch / "shortscience.conf").write_text(rendered)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temps = "".join(f"  {k}_temp_path {scratch / 'nginx-temp' / k};\n" for k in kinds)
        (scratch / "nginx.conf").write_text(
            f"{user}worker_processes 2;\npid {scratch / 'nginx.pid'};\n"
            f"error_log {scratch / 'nginx-error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  access_log {scratch / 'nginx-access.log'};\n"
            f"{temps}  include {scratch / 'shortscience.conf'};\n}}\n"
        )
        run(["nginx", "-t", "-p", str(scratch), "-c", str(scratch / "nginx.conf")])
        nginx = self.child(
            "nginx",
            ["nginx", "-p", str(scratch), "-c", str(scratch / "nginx.conf"), "-g", "daemon off;"],
        )
        nginx.start()
        wait_http(self.url + "/about/", nginx)

    def nginx_requests(self) -> int:
        log = self.scratch / "nginx-access.log"
        if not log.exists():
            return 0
        with log.open() as lines:
            return sum(1 for _ in lines)

    def stop(self) -> None:
        for name in ("nginx", "gunicorn-0", "gunicorn-1", "worker", "redis"):
            if name in self.children:
                self.children[name].stop()
        self.sink.stop()
        self.postgres.drop()
        if self.media_mounted:
            subprocess.run(["umount", "-l", str(self.media_root)], check=False)  # noqa: S603, S607


def app_environment(scratch: Path, sink_port: int, nginx_port: int, app_ports: list[int]) -> dict:
    """docs/deploy.md's environment with this machine's names; the rest exactly as documented."""
    documented = documented_environment()
    site = f"http://127.0.0.1:{nginx_port}"
    origins = [site] + [f"http://127.0.0.1:{p}" for p in app_ports]
    overrides = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": ",".join(origins),
        "SITE_URL": site,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
        "TASKS_URL": f"redis://127.0.0.1:{REDIS_PORT}/2",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink_port}",
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        # No TLS here: nginx listens on plain HTTP, so HTTPS redirects and Secure cookies go.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
    }
    unknown = sorted(set(documented) - set(overrides) - KEPT_AS_DOCUMENTED)
    assert not unknown, f"docs/deploy.md sets {unknown}: decide here whether they need a value"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    for key in ("CACHE_URL", "ALLOW_DEV_SECRET_KEY", "DATA_DIR", "TASKS_IMMEDIATE", "DEBUG"):
        env.pop(key, None)
    env.update(documented)
    env.update(overrides)
    env.update(RATE_LIMITS)
    env.update(
        DJANGO_SETTINGS_MODULE="shortscience.settings",
        DATA_DIR=str(scratch / "data"),
        LOG_LEVEL="WARNING",
        # Notification mail retries come back soon enough to be seen within the run.
        NOTIFICATIONS_EMAIL_RETRY_DELAY="5",
        # The sweep of unsent mail (branch faults) looks after seconds, not minutes, here; a
        # claim outlives any send of this test by far.
        NOTIFICATIONS_EMAIL_SWEEP_AFTER="5",
        NOTIFICATIONS_EMAIL_CLAIM_SECONDS="20",
    )
    return env


# Values docs/deploy.md sets that the test keeps exactly as written.
KEPT_AS_DOCUMENTED = {
    "DEBUG",
    "SESSION_ENGINE",
    "DEFAULT_FROM_EMAIL",
    "SERVE_MEDIA",
    "BEHIND_PROXY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "LOG_FORMAT",
}


def mount_media(path: Path, size: str = "2m") -> bool:
    """Uploads on a tiny tmpfs of their own, so the disk-full scenario can fill it. Needs root
    (CI); without it the scenario is skipped."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    result = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],  # noqa: S607
        check=False, capture_output=True,
    )  # fmt: skip
    return result.returncode == 0


def start(scratch: Path) -> Topology:
    scratch = scratch.resolve()
    (scratch / "pids").mkdir(parents=True, exist_ok=True)
    assert not port_in_use(REDIS_PORT), f"port {REDIS_PORT} is taken; set PRODUCTION_REDIS_PORT"
    sink = SmtpSink(scratch / "mail")
    sink.start()
    nginx_port, app_ports = free_port(), [free_port(), free_port()]
    env = app_environment(scratch, sink.port, nginx_port, app_ports)
    topology = Topology(scratch, Postgres(scratch), sink, env, nginx_port, app_ports)
    try:
        topology.media_mounted = mount_media(topology.media_root)
        topology.postgres.create()
        topology.start_redis(persistent=True)
        topology.manage("migrate", "--noinput")
        topology.manage("collectstatic", "--noinput")
        topology.manage("load_demo")
        topology.manage("shell", stdin=SEED)
        topology.start_app(0)
        topology.start_app(1)
        topology.start_worker()
        topology.start_nginx()
    except BaseException:
        for log in sorted(scratch.glob("*.log")):
            print(f"--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}")
        topology.stop()
        raise
    return topology


# People the scenarios sign in as (the sign-up scenario makes its own through the site). The
# demo's authors get no mail: the load scenarios comment on their summaries by the thousand.
PASSWORD = "a-long-production-test-password"  # a throw-away test account
SEED = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from shortscience.models import User

Site.objects.update_or_create(pk=1, defaults={{"domain": "127.0.0.1", "name": "ShortScience"}})
User.objects.update(email_notifications="off")
password = make_password({PASSWORD!r})
for prefix, count in (("load", 24), ("mail", 8), ("vote", 3), ("redis", 3)):
    for n in range(1, count + 1):
        name = f"{{prefix}}{{n:02d}}"
        user, _ = User.objects.get_or_create(
            username=name, defaults={{"email": f"{{name}}@example.org", "password": password}}
        )
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={{"verified": True, "primary": True}}
        )
"""
