"""Restore a backup made by `backup` into an empty database (and MEDIA_ROOT)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.services import backups
from shortscience.services.errors import DomainError


class Command(BaseCommand):
    help = (
        "Bring the backup in DIR (a folder made by `backup`, or 'latest' for the newest in "
        "BACKUP_DIR) back into this site's database and MEDIA_ROOT. Refuses a database with "
        "content unless --force. Stop the web and worker processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="a backup folder, or 'latest'")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that has content (everything in it is lost)",
        )
        parser.add_argument("--no-media", action="store_true", help="the database only")

    def handle(self, *args: Any, **options: Any) -> None:
        source = self._source(options["directory"])
        try:
            manifest = backups.restore(
                source, force=options["force"], media=not options["no_media"]
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Restored {source.name} (made {manifest['created_at']}).")
        if manifest["media"]["storage"] == "object":
            self.stdout.write("Media are in object storage: restore them from the bucket.")
        self.stdout.write(
            "Next: `manage.py migrate` (when this code is newer than the backup), then start "
            "the site."
        )

    def _source(self, name: str) -> Path:
        if name != "latest":
            return Path(name)
        found = backups.existing()
        if not found:
            raise CommandError("There is no backup in BACKUP_DIR.")
        return found[-1]
