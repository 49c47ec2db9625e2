"""Run the site with gunicorn after migrating, collecting static files and loading demo data,
with the task worker (`manage.py run_huey`: notification mail, digests, recomputations) beside it.

`make run` calls this; running it again is safe (migrations and the demo loader are idempotent).
Both servers are children of this process: Ctrl+C or SIGTERM stops both, and when either one
exits the other is stopped too. Production runs the worker as its own service (docs/deploy.md).

Links that leave the site (`SITE_URL`, unless set) point at the address served here, and the
metrics of every process are gathered in `PROMETHEUS_MULTIPROC_DIR` (var/metrics unless set),
emptied at each start. On an address other than loopback it refuses to start with the
development secret key or with the demo staff account's published password, unless
`ALLOW_PUBLIC_DEMO=1` or `--allow-public-demo` says that this throw-away demo may be public.
"""

import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.services import demo, rendering_jobs


class Command(BaseCommand):
    help = "Migrate, collect static files, load the demo data and serve with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))
        parser.add_argument("--no-demo", action="store_true", help="skip loading demo data")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the task worker (run_huey)"
        )
        parser.add_argument(
            "--allow-public-demo",
            action="store_true",
            help="serve on a public address even with the development key or demo passwords",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        host, port = str(options["host"]), str(options["port"])
        call_command("migrate", interactive=False, verbosity=0)
        if not is_loopback(host) and not (
            options["allow_public_demo"] or settings.ALLOW_PUBLIC_DEMO
        ):
            dev_key = settings.SECRET_KEY == settings.DEV_SECRET_KEY
            staff = demo.staff_with_published_password(loading=not options["no_demo"])
            if dev_key or staff:
                raise CommandError(refusal(host, port, dev_key=dev_key, staff=staff))
        call_command("collectstatic", interactive=False, verbosity=0)
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": address, "name": "ShortScience"}
        )
        if not options["no_demo"]:
            call_command("load_demo")
        # Pages show stored HTML: after an upgrade of the renderer, refresh what it changed.
        refreshed = rendering_jobs.rerender()
        if any(refreshed.values()):
            self.stdout.write(f"Re-rendered for the new renderer: {refreshed}")
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        server = [
            gunicorn,
            "shortscience.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(options["workers"]),
            "--threads",
            "4",
            "--timeout",
            "60",
            # gunicorn's largest request line (nginx's 8k buffer): a long API query reaches
            # Django and gets its JSON answer (docs/api.md, Limits).
            "--limit-request-line",
            "8190",
            # Each worker listens on its own socket and Linux spreads connections over them:
            # without it one worker accepted every kept-alive connection a burst opened and
            # served them all while the other idled (docs/performance.md). Other systems (macOS)
            # give one of such sockets every connection, so they keep the shared one.
            *(["--reuse-port"] if sys.platform.startswith("linux") else []),
        ]
        worker = [sys.executable, "-m", "shortscience.manage", "run_huey"]
        self.stdout.write(f"ShortScience is starting on http://{address}/ (Ctrl+C stops it)")
        sys.stdout.flush()
        children = [] if options["no_worker"] else [worker]
        sys.exit(run_together([server, *children], env=child_environment(address)))


def is_loopback(host: str) -> bool:
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(host: str, port: str, *, dev_key: bool, staff: list[str]) -> str:
    reasons = []
    if dev_key:
        reasons.append(
            "  - the built-in development SECRET_KEY: set SECRET_KEY to a long random value\n"
            "    (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    for name in staff:
        reasons.append(
            f"  - the demo staff account '{name}' with the password published in the README:\n"
            f"    change it (python -m shortscience.manage changepassword {name}), or serve a\n"
            "    database without demo data (--no-demo)"
        )
    return (
        f"Refusing to serve on {host}:{port}, which other machines can reach, with\n"
        + "\n".join(reasons)
        + "\nTo show this throw-away demo to your network anyway, set ALLOW_PUBLIC_DEMO=1"
        " (or pass --allow-public-demo)."
    )


def child_environment(address: str) -> dict[str, str]:
    """What the web and task processes inherit: where links point, where metrics gather."""
    env = dict(os.environ)
    # Read from the environment, not settings: settings fill in a default from HOST and PORT,
    # and this command may have been given --host and --port instead.
    env.setdefault("SITE_URL", f"http://{address}")
    metrics_dir = Path(settings.PROMETHEUS_MULTIPROC_DIR or settings.DATA_DIR / "metrics")
    metrics_dir.mkdir(parents=True, exist_ok=True)
    # Figures of processes from an earlier run would be added to this run's.
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return env


def run_together(commands: list[list[str]], env: dict[str, str] | None = None) -> int:
    """Start every command as a child, wait until one exits or we are told to stop, then stop
    the others (SIGTERM, then SIGKILL after 10 seconds). Returns the first one's exit code."""
    processes = [
        subprocess.Popen(command, env=env)  # noqa: S603 -- our own commands
        for command in commands
    ]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    while not stopping and all(p.poll() is None for p in processes):
        time.sleep(0.2)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return processes[0].returncode or 0
