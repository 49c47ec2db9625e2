"""The benchmark's data shape as plain rows, before any database: what `build.py` writes.

The old site's shape ("small": 20,000 papers, 5,000 users, 10,000 public summaries, 20,000 votes,
5,000 comments, DBLP-style venues) and ten times that ("large") to see how latency grows. A few
rows are fixed so that every run measures the same pages: paper 1 has 3 summaries and 4
comments, `benchauthor` wrote 10 summaries, `benchreader` is the signed-in reader.
Nothing here touches Django; one seed gives the same rows everywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.pages import corpus

# Dates are fixed, not "now", so a cached database and a fresh one rank identically.
ANCHOR = datetime(2025, 1, 1, tzinfo=UTC)
READER, AUTHOR = 1, 2  # user pks
PAPER = 1  # the paper page measured: 3 summaries, 4 comments
READER_NAME, AUTHOR_NAME = "benchreader", "benchauthor"
READER_PASSWORD = "bench-reader-password"  # noqa: S105 -- a throw-away bench account
VARIANTS = 10_000  # distinct summary texts; larger shapes reuse them cyclically

CONFERENCES = (
    "nips", "icml", "iclr", "cvpr", "iccv", "eccv", "aaai", "ijcai", "kdd", "aistats", "uai",
    "colt", "acl", "emnlp", "naacl", "interspeech", "icra", "iros", "miccai", "sigir", "www",
    "chi", "icassp", "recsys", "wacv", "bmvc", "cikm", "wsdm", "icde", "corl",
)  # fmt: skip
JOURNALS = ("corr", "pami", "jmlr", "tmlr", "ijcv", "tacl", "neco", "ml", "jair", "tnn", "tip")


@dataclass(frozen=True)
class Shape:
    name: str
    papers: int
    users: int
    summaries: int
    votes: int
    comments: int
    extra_venues: int  # small workshops and journals beyond the big ones, as DBLP lists


SHAPES = {
    "small": Shape("small", 20_000, 5_000, 10_000, 20_000, 5_000, 120),
    "large": Shape("large", 200_000, 50_000, 100_000, 200_000, 50_000, 600),
}


@dataclass(frozen=True)
class PaperRow:
    pk: int
    title: str
    authors: list[str]
    year: int
    stream: str  # DBLP stream id: conf/nips, journals/corr
    dblp: str  # DBLP key: conf/nips/Chen17-42, journals/corr/abs-1706-00042
    arxiv: str  # "" when the paper has no arXiv id
    abstract: str
    field: str
    categories: list[str]


@dataclass(frozen=True)
class UserRow:
    pk: int
    username: str
    display_name: str


@dataclass(frozen=True)
class SummaryRow:
    pk: int
    paper: int
    author: int
    text: int  # index into Rows.texts
    published_at: datetime
    anonymous: bool


@dataclass(frozen=True)
class VoteRow:
    summary: int
    user: int
    value: int
    at: datetime


@dataclass(frozen=True)
class CommentRow:
    pk: int
    summary: int
    author: int
    parent: int | None
    text: int  # index into Rows.comment_texts
    at: datetime


@dataclass
class Rows:
    venues: list[str] = field(default_factory=list)  # DBLP stream ids
    papers: list[PaperRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    summaries: list[SummaryRow] = field(default_factory=list)
    votes: list[VoteRow] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # summary Markdown variants
    comment_texts: list[str] = field(default_factory=list)


def _skewed(rng: random.Random, n: int, start: int = 1, power: float = 1.1) -> int:
    """A pk in [start, start + n) where low ranks are much more likely (a Zipf-like pick)."""
    return start + min(n - 1, int(n * rng.random() ** (power * 2)))


def generate(shape: Shape, seed: int) -> Rows:
    rng = random.Random(seed)  # noqa: S311 -- generates data, not secrets
    rows = Rows()
    streams = [f"conf/{c}" for c in CONFERENCES] + [f"journals/{j}" for j in JOURNALS]
    streams += [f"conf/ws{i}" for i in range(shape.extra_venues)]
    rows.venues = streams
    _papers(rng, shape, rows)
    _users(rng, shape, rows)
    # Texts depend on the seed only, not on the shape, so every shape shares one render cache.
    text_rng = random.Random(seed + 1)  # noqa: S311 -- generates data, not secrets
    cite_keys = [p.arxiv for p in rows.papers[:2000] if p.arxiv]
    rows.texts = [
        corpus.summary(text_rng, cite_keys) for _ in range(min(VARIANTS, shape.summaries))
    ]
    rows.comment_texts = [corpus.comment(text_rng) for _ in range(5_000)]
    _summaries(rng, shape, rows)
    _votes(rng, shape, rows)
    _comments(rng, shape, rows)
    return rows


def _papers(rng: random.Random, shape: Shape, rows: Rows) -> None:
    fields = (("cs", "cs.LG"), ("stat", "stat.ML"), ("math", "math.OC"))
    taken: set[str] = set()
    for pk in range(1, shape.papers + 1):
        # A third of papers are arXiv-only (journals/corr), the rest spread Zipf-like.
        corr = rng.random() < 0.35
        stream = "journals/corr" if corr else rows.venues[_skewed(rng, len(rows.venues), 0)]
        year = rng.randint(2010, 2024)
        has_arxiv = stream == "journals/corr" or rng.random() < 0.4
        arxiv = _arxiv_id(rng, year, pk, taken) if has_arxiv else ""
        if stream == "journals/corr":
            dblp = f"{stream}/abs-{arxiv.replace('.', '-')}"
        else:
            dblp = f"{stream}/{rng.choice(corpus.LAST_NAMES)}{year % 100:02d}-{pk}"
        field_, category = rng.choices(fields, (85, 10, 5))[0]
        rows.papers.append(
            PaperRow(
                pk=pk,
                title=corpus.title(rng),
                authors=[corpus.person(rng) for _ in range(rng.randint(1, 6))],
                year=year,
                stream=stream,
                dblp=dblp,
                arxiv=arxiv,
                abstract=corpus.abstract(rng),
                field=field_,
                categories=[category],
            )
        )


def _arxiv_id(rng: random.Random, year: int, pk: int, taken: set[str]) -> str:
    """A new-style arXiv id (YYMM.NNNNN) not used yet."""
    month = rng.randint(1, 12)
    while True:
        value = f"{year % 100:02d}{month:02d}.{pk % 100_000:05d}"
        if value not in taken:
            taken.add(value)
            return value
        month = month % 12 + 1
        year += 0 if month > 1 else 1


def _users(rng: random.Random, shape: Shape, rows: Rows) -> None:
    for pk in range(1, shape.users + 1):
        first, last = corpus.person(rng).split()
        username = {READER: READER_NAME, AUTHOR: AUTHOR_NAME}.get(
            pk, f"{first.lower()}{last[0].lower()}{pk}"
        )
        shown = {READER: "Bench Reader", AUTHOR: "Bench Author"}.get(pk, f"{first} {last}")
        rows.users.append(UserRow(pk=pk, username=username, display_name=shown))


def _summaries(rng: random.Random, shape: Shape, rows: Rows) -> None:
    taken: set[tuple[int, int]] = set()
    fixed = [(PAPER, AUTHOR), (PAPER, 3), (PAPER, 4)] + [(p, AUTHOR) for p in range(2, 11)]
    plan = list(fixed)
    while len(plan) < shape.summaries:
        # Popular papers collect several summaries; prolific people write many.
        paper = (
            rng.randint(11, shape.papers)
            if rng.random() < 0.7
            else _skewed(rng, 2000, 11, power=0.6)
        )
        author = _skewed(rng, shape.users - 2, 3, power=0.9)
        if (paper, author) in taken or author == AUTHOR:
            continue
        taken.add((paper, author))
        plan.append((paper, author))
    for pk, (paper, author) in enumerate(plan, 1):
        rows.summaries.append(
            SummaryRow(
                pk=pk,
                paper=paper,
                author=author,
                text=(pk - 1) % len(rows.texts),
                published_at=ANCHOR - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400)),
                anonymous=pk > 12 and rng.random() < 0.05,
            )
        )


def _votes(rng: random.Random, shape: Shape, rows: Rows) -> None:
    seen: set[tuple[int, int]] = set()
    while len(rows.votes) < shape.votes:
        summary = rows.summaries[_skewed(rng, shape.summaries, 0, power=0.6)]
        voter = rng.randint(1, shape.users)
        if voter == summary.author or (summary.pk, voter) in seen:
            continue
        seen.add((summary.pk, voter))
        at = min(ANCHOR, summary.published_at + timedelta(hours=rng.randint(1, 2000)))
        rows.votes.append(VoteRow(summary.pk, voter, 1 if rng.random() < 0.88 else -1, at))


def _comments(rng: random.Random, shape: Shape, rows: Rows) -> None:
    # Paper 1's summaries (pks 1-3) get exactly four comments, one of them a reply.
    fixed: list[tuple[int, int | None]] = [(1, None), (1, 1), (2, None), (3, None)]
    tops: dict[int, list[int]] = {}
    times: dict[int, datetime] = {}
    for pk in range(1, shape.comments + 1):
        parent: int | None
        if pk <= len(fixed):
            summary_pk, parent = fixed[pk - 1]
        else:
            summary_pk = _skewed(rng, shape.summaries - 3, 4, power=0.7)
            earlier = tops.get(summary_pk, [])
            parent = rng.choice(earlier) if earlier and rng.random() < 0.25 else None
        if parent is None:
            tops.setdefault(summary_pk, []).append(pk)
        summary = rows.summaries[summary_pk - 1]
        at = min(ANCHOR, summary.published_at + timedelta(hours=rng.randint(1, 3000)))
        if parent is not None:
            at = max(at, times[parent])  # a reply never comes before what it answers
        times[pk] = at
        rows.comments.append(
            CommentRow(
                pk=pk,
                summary=summary_pk,
                author=rng.randint(1, shape.users),
                parent=parent,
                text=(pk - 1) % len(rows.comment_texts),
                at=at,
            )
        )
