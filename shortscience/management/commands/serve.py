"""Run the site with gunicorn after migrating, collecting static files and loading demo data,
with the task worker (`manage.py run_huey`: notification mail, digests, recomputations) beside it.

`make run` calls this; running it again is safe (migrations and the demo loader are idempotent).
Both servers are children of this process: Ctrl+C or SIGTERM stops both, and when either one
exits the other is stopped too. Production runs the worker as its own service (docs/deploy.md).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from shortscience.services import rendering_jobs


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

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        address = f"{options['host']}:{options['port']}"
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
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        worker = [sys.executable, "-m", "shortscience.manage", "run_huey"]
        self.stdout.write(f"ShortScience is starting on http://{address}/ (Ctrl+C stops it)")
        sys.stdout.flush()
        children = [] if options["no_worker"] else [worker]
        sys.exit(run_together([server, *children]))


def run_together(commands: list[list[str]]) -> int:
    """Start every command as a child, wait until one exits or we are told to stop, then stop
    the others (SIGTERM, then SIGKILL after 10 seconds). Returns the first one's exit code."""
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603 -- our own
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
