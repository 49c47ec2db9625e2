"""Refresh the database's planner statistics (services/maintenance.py says why it matters)."""

from typing import Any

from django.core.management.base import BaseCommand

from shortscience.services import maintenance


class Command(BaseCommand):
    help = "Run ANALYZE so the database picks the right indexes (after bulk loads; also nightly)."

    def handle(self, *args: Any, **options: Any) -> None:
        maintenance.analyse()
        self.stdout.write("planner statistics refreshed")
