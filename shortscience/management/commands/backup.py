"""Back up the database and the media files into BACKUP_DIR, keeping the newest BACKUP_KEEP."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.services import backups
from shortscience.services.errors import DomainError


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite online backup or pg_dump) and of "
        "the uploaded media to a new timestamped folder in BACKUP_DIR; keep the newest "
        "BACKUP_KEEP. Safe while the site runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="folder for backups (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="how many to keep (default: BACKUP_KEEP)")
        parser.add_argument("--no-media", action="store_true", help="the database only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = backups.create(
                options["dir"], keep=options["keep"], media=not options["no_media"]
            )
        except DomainError as error:
            raise CommandError(f"{error.message} No backup was made.") from error
        database, media = made.manifest["database"], made.manifest["media"]
        self.stdout.write(f"Backed up to {made.path}")
        self.stdout.write(f"database ({database['vendor']}): {database['bytes']} bytes")
        if media["storage"] == "file":
            self.stdout.write(f"media: {media['files']} files, {media['bytes']} bytes")
        elif media["storage"] == "object":
            self.stdout.write(f"media: not copied (object storage). {media['note']}")
        for old in made.removed:
            self.stdout.write(f"removed the old backup {old.name}")
