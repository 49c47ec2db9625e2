"""Run the site with gunicorn after migrating, collecting static files and loading demo data.

`make run` calls this; running it again is safe (migrations and the demo loader are idempotent).
"""

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, collect static files, load the demo data and serve with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))
        parser.add_argument("--no-demo", action="store_true", help="skip loading demo data")

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
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        self.stdout.write(f"ShortScience is starting on http://{address}/ (Ctrl+C stops it)")
        sys.stdout.flush()
        os.execv(  # noqa: S606 -- replaces this process with the server, arguments are ours
            gunicorn,
            [
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
            ],
        )
