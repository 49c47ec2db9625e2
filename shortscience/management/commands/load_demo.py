"""Load the demo data set (safe to run again: what exists is kept)."""

from typing import Any

from django.core.management.base import BaseCommand

from shortscience.services import demo


class Command(BaseCommand):
    help = "Load a dozen papers with summaries, a few users, votes and comments."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.load()
        self.stdout.write(
            f"Demo data: {counts.users} users, {counts.papers} papers, {counts.summaries} "
            f"summaries, {counts.votes} votes, {counts.comments} comments added. "
            f"Demo accounts sign in with the password {demo.DEMO_PASSWORD!r}."
        )
