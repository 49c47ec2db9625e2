"""Write one benchmark shape into one database, the way the site's own save path would leave it.

Run as a child process (Django is configured once per process, from DATABASE_URL):

    python -m bench.pages.build --shape small --seed 1 --key KEY --render-cache FILE

Every summary and comment goes through `shortscience.services.markup.render`, the call the save
path makes; the rendered HTML is kept in a cache file (keyed by seed and renderer version) so the
second database, and the large shape, reuse it. Rows are then bulk-inserted with what a save
would have stored (revision 1, renderer version, excerpt, score, comment count, last activity)
and `services.events.bulk_loaded()` rebuilds the search index, rankings and similar papers.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shape", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--key", required=True, help="stored in the database: the cache key")
    parser.add_argument("--render-cache", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    # Similar papers are rebuilt by a task; here it runs inline, before the build reports done.
    os.environ["TASKS_IMMEDIATE"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    Builder(args.shape, args.seed, args.render_cache).run(args.key)


def log(message: str, started: float) -> None:
    print(f"  [{time.perf_counter() - started:6.1f}s] {message}", flush=True)


class Builder:
    def __init__(self, shape_name: str, seed: int, render_cache: Path) -> None:
        from bench.pages.shape import SHAPES, generate

        self.started = time.perf_counter()
        self.shape = SHAPES[shape_name]
        self.rows = generate(self.shape, seed)
        self.render_cache = render_cache
        log(f"generated the {shape_name} shape (seed {seed})", self.started)

    def run(self, key: str) -> None:
        from django.core.management import call_command
        from django.db import connection

        from shortscience.services import events

        call_command("migrate", interactive=False, verbosity=0)
        self._keep_our_timestamps()
        self._papers()
        rendered, comments = self._render()
        self._users()
        self._summaries(rendered)
        self._votes_and_comments(comments)
        self._reset_sequences()
        events.bulk_loaded()
        log("search index, rankings and similar papers rebuilt (events.bulk_loaded)", self.started)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # What autovacuum would do minutes later; done now so the first run measures
                # the same plans as the second. SQLite gets only what the project itself runs.
                cursor.execute("ANALYZE")
            cursor.execute("CREATE TABLE bench_build (key text)")
            cursor.execute("INSERT INTO bench_build (key) VALUES (%s)", [key])
        log(f"done: {connection.vendor} database {key}", self.started)

    def _keep_our_timestamps(self) -> None:
        """Let bulk inserts keep the generated dates: auto_now fields would stamp every row
        with the build time, making every vote "younger than 48 hours" for reputation."""
        from shortscience.models import Comment, Summary, Vote

        for model in (Summary, Vote, Comment):
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]

    def _papers(self) -> None:
        from shortscience.metadata.venues import from_dblp_key
        from shortscience.models import Paper, PaperIdentifier, Venue

        venues = {}
        for stream in self.rows.venues:
            key = from_dblp_key(f"{stream}/x")
            venues[stream] = Venue(key=key, name=f"{key} ({stream})")
        Venue.objects.bulk_create(venues.values(), batch_size=BATCH)
        ids = dict(Venue.objects.values_list("key", "pk"))
        papers, identifiers = [], []
        for row in self.rows.papers:
            papers.append(
                Paper(
                    pk=row.pk,
                    title=row.title,
                    authors=row.authors,
                    year=row.year,
                    venue_id=ids[venues[row.stream].key],
                    abstract=row.abstract,
                    field=row.field,
                    categories=row.categories,
                    metadata_source="dblp",
                )
            )
            identifiers.append(PaperIdentifier(paper_id=row.pk, scheme="dblp", value=row.dblp))
            if row.arxiv:
                identifiers.append(
                    PaperIdentifier(paper_id=row.pk, scheme="arxiv", value=row.arxiv)
                )
        Paper.objects.bulk_create(papers, batch_size=BATCH)
        PaperIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
        log(f"{len(papers)} papers in {len(venues)} venues", self.started)

    def _render(self) -> tuple[list[tuple[str, str]], list[str]]:
        """HTML and excerpt of every summary text, and HTML of every comment text, through the
        site's renderer; read from the cache file when an earlier build made them."""
        from shortscience.rendering import RENDERER_VERSION
        from shortscience.services import markup

        cache: dict[str, tuple[str, str]] = {}
        if self.render_cache.exists():
            with self.render_cache.open("rb") as file:
                cache = pickle.load(file)  # noqa: S301 -- our own file, written below
        texts = [*self.rows.texts, *(f"comment:{t}" for t in self.rows.comment_texts)]
        missing = [t for t in texts if t not in cache]
        tick = time.perf_counter()
        for done, text in enumerate(missing, 1):
            if text.startswith("comment:"):
                out = markup.render(text.removeprefix("comment:"), heading_offset=3)
            else:
                out = markup.render(text)
            cache[text] = (out.html, getattr(out, "excerpt_html", ""))
            if done % 2000 == 0:
                log(f"rendered {done}/{len(missing)}", self.started)
        if missing:
            rate = len(missing) / (time.perf_counter() - tick)
            log(f"rendered {len(missing)} texts (renderer {RENDERER_VERSION}, {rate:.0f}/s)", tick)
            self.render_cache.parent.mkdir(parents=True, exist_ok=True)
            partial = self.render_cache.with_suffix(".partial")
            with partial.open("wb") as file:
                pickle.dump(cache, file)
            partial.replace(self.render_cache)
        summaries = [cache[t] for t in self.rows.texts]
        comments = [cache[f"comment:{t}"][0] for t in self.rows.comment_texts]
        return summaries, comments

    def _users(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from bench.pages.shape import READER, READER_PASSWORD
        from shortscience.models import User

        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    pk=row.pk,
                    username=row.username,
                    display_name=row.display_name,
                    email=f"{row.username}@example.org",
                    password=make_password(READER_PASSWORD) if row.pk == READER else unusable,
                )
                for row in self.rows.users
            ],
            batch_size=BATCH,
        )
        # allauth lets a person sign in only with a verified address (mandatory verification).
        EmailAddress.objects.create(
            user_id=READER, email=f"{self.rows.users[READER - 1].username}@example.org",
            verified=True, primary=True,
        )  # fmt: skip
        log(f"{len(self.rows.users)} people", self.started)

    def _summaries(self, rendered: list[tuple[str, str]]) -> None:
        from shortscience.models import Revision, Summary
        from shortscience.rendering import RENDERER_VERSION

        batch: list[Summary] = []
        revisions: list[Revision] = []
        for row in self.rows.summaries:
            html, excerpt = rendered[row.text]
            markdown = self.rows.texts[row.text]
            batch.append(
                Summary(
                    pk=row.pk,
                    paper_id=row.paper,
                    author_id=row.author,
                    status=Summary.Status.PUBLISHED,
                    visibility=Summary.Visibility.PUBLIC,
                    is_anonymous=row.anonymous,
                    markdown=markdown,
                    html=html,
                    excerpt_html=excerpt,
                    renderer_version=RENDERER_VERSION,
                    created_at=row.published_at,
                    published_at=row.published_at,
                    last_activity_at=row.published_at,
                )
            )
            revisions.append(
                Revision(
                    summary_id=row.pk,
                    number=1,
                    markdown=markdown,
                    status=Summary.Status.PUBLISHED,
                    created_at=row.published_at,
                )
            )
            if len(batch) >= BATCH:
                Summary.objects.bulk_create(batch)
                Revision.objects.bulk_create(revisions)
                batch.clear()
                revisions.clear()
        Summary.objects.bulk_create(batch)
        Revision.objects.bulk_create(revisions)
        log(f"{len(self.rows.summaries)} summaries with their first revision", self.started)

    def _votes_and_comments(self, comment_html: list[str]) -> None:
        from django.db.models import Count, Max, OuterRef, Subquery, Sum, Value
        from django.db.models.functions import Coalesce, Greatest

        from shortscience.models import Comment, Summary, Vote
        from shortscience.rendering import RENDERER_VERSION

        Vote.objects.bulk_create(
            [
                Vote(summary_id=v.summary, user_id=v.user, value=v.value, created_at=v.at,
                     updated_at=v.at)
                for v in self.rows.votes
            ],
            batch_size=BATCH * 4,
        )  # fmt: skip
        Comment.objects.bulk_create(
            [
                Comment(
                    pk=c.pk,
                    summary_id=c.summary,
                    author_id=c.author,
                    parent_id=c.parent,
                    markdown=self.rows.comment_texts[c.text],
                    html=comment_html[c.text],
                    renderer_version=RENDERER_VERSION,
                    created_at=c.at,
                )
                for c in self.rows.comments
            ],
            batch_size=BATCH * 2,
        )

        # What votes.recount and comments.recount store after each vote or comment, in bulk.
        def of(model: type[Vote] | type[Comment], value: Sum | Count | Max) -> Subquery:
            return Subquery(
                model.objects.filter(summary=OuterRef("pk"))
                .order_by()
                .values("summary")
                .annotate(v=value)
                .values("v")
            )

        Summary.objects.update(
            score=Coalesce(of(Vote, Sum("value")), Value(0)),
            comment_count=Coalesce(of(Comment, Count("pk")), Value(0)),
            last_activity_at=Greatest(
                "published_at",
                Coalesce(of(Vote, Max("updated_at")), "published_at"),
                Coalesce(of(Comment, Max("created_at")), "published_at"),
            ),
        )
        log(f"{len(self.rows.votes)} votes, {len(self.rows.comments)} comments", self.started)

    def _reset_sequences(self) -> None:
        """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
        from django.core.management.color import no_style
        from django.db import connection

        from shortscience.models import Comment, Paper, Summary, User

        statements = connection.ops.sequence_reset_sql(no_style(), [Paper, User, Summary, Comment])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


if __name__ == "__main__":
    main()
