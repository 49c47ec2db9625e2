"""Finding a paper to summarise from whatever a writer pastes: an id, a URL, a DOI, a title or a
BibTeX entry. Local papers come first; then arXiv, Crossref, DBLP and OpenReview are asked
through the shared fetcher, all at once, with one deadline for the whole lookup
(`METADATA_LOOKUP_SECONDS`): a source that fails or is late is reported by name in plain words
and not waited for, the rest still answer, and the writer can always enter the paper by hand
(the form filled in with what they pasted) or paste BibTeX instead.

A pasted identifier that a paper here holds is answered with that paper, asking nobody, unless
the paper lacks what the refresh would fill (a placeholder titled with its key, no authors or
year: `filling.wants`): then its source is still asked, within the same deadline, and what it
knows is shown beside the paper (`Refill`) with an offer to fill it in (`complete`, a POST).
A lookup changes no paper; a source's record that arrives through a POST (the add page's pick,
the API's add) fills such a paper first, as the refresh would.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from django import db
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from shortscience.metadata import (
    arxiv,
    asking,
    crossref,
    dblp,
    fields,
    openreview,
    semanticscholar,
    venues,
)
from shortscience.metadata import identifiers as parsing
from shortscience.metadata.bibtex import BibtexError, parse_bibtex
from shortscience.metadata.http import FetchFn
from shortscience.metadata.titles import title_key
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
from shortscience.models import Paper, PaperIdentifier, User, Venue
from shortscience.services import (
    authors,
    events,
    filling,
    identifiers,
    outbound,
    papers,
    standing,
    works,
)
from shortscience.services.errors import InvalidInput
from shortscience.services.text import one_line, parse_year, squeezed_line

logger = logging.getLogger(__name__)
SOURCE_NAMES = {
    "arxiv": "arXiv",
    "crossref": "Crossref",
    "dblp": "DBLP",
    "openreview": "OpenReview",
    "semanticscholar": "Semantic Scholar",
}
TITLE_SOURCES = ("arxiv", "crossref", "dblp")
_TITLE_SEARCHES: dict[str, Callable[[FetchFn, str], list[PaperMetadata]]] = {
    "arxiv": arxiv.search_by_title,
    "crossref": crossref.search,
    "dblp": dblp.search,
}


@dataclass
class Candidate:
    metadata: PaperMetadata
    token: str  # what the "pick" form posts back: "<scheme>:<value>" of its first identifier


@dataclass(frozen=True)
class SourceReport:
    """How one source answered, in words a person reads (never an exception's text)."""

    source: str
    state: str  # "found", "nothing", or a problem: "failed", "unreadable", "late"
    found: int = 0
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return SOURCE_NAMES.get(self.source, "A source")

    @property
    def is_problem(self) -> bool:
        return self.state not in ("found", "nothing")

    @property
    def message(self) -> str:
        if self.state == "found":
            return f"{self.name} found {self.found} paper{'s' if self.found != 1 else ''}."
        if self.state == "nothing":
            return f"{self.name} found nothing."
        if self.state == "late":
            return f"{self.name} did not answer within {self.seconds:g} seconds."
        if self.state == "unreadable":
            return f"{self.name} sent an answer that could not be read."
        return f"{self.name} did not answer."


@dataclass(frozen=True)
class Refill:
    """A paper here that lacks what its source knows: the source's record of it, the fields
    filling it would fill, and the token the add page's "fill" form posts back."""

    paper: Paper
    metadata: PaperMetadata
    fields: list[str]
    token: str

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.metadata.source, "A source")

    @property
    def fields_text(self) -> str:
        return filling.in_words(self.fields)


@dataclass
class Lookup:
    query: str
    local: list[Paper] = field(default_factory=list)
    remote: list[Candidate] = field(default_factory=list)
    reports: list[SourceReport] = field(default_factory=list)
    identifier: Identifier | None = None
    sources: list[str] = field(default_factory=list)  # the sources asked (or to ask)
    # The paper here the pasted identifier names, when it lacks what its source may know (its
    # source is asked all the same), and what the source answered that would fill it.
    incomplete: Paper | None = None
    refill: Refill | None = None

    @property
    def problems(self) -> list[str]:
        return [report.message for report in self.reports if report.is_problem]

    @property
    def source_names(self) -> list[str]:
        return [SOURCE_NAMES[source] for source in self.sources]

    @property
    def source_pairs(self) -> list[tuple[str, str]]:
        return [(source, SOURCE_NAMES[source]) for source in self.sources]

    @property
    def empty(self) -> bool:
        """Nothing to pick: the manual form opens, with what was pasted filled in."""
        return not self.local and not self.remote

    @property
    def prefill(self) -> dict[str, str]:
        """The manual form's fields from the query: an identifier or URL goes in the link
        field, anything else is taken for the title."""
        if self.identifier is not None:
            return {"url": self.query[:1000], "title": ""}
        return {"url": "", "title": self.query[:1000]}


def deadline_seconds() -> float:
    return float(settings.METADATA_LOOKUP_SECONDS)


def plan(query: str) -> Lookup:
    """What a lookup of `query` will do, asking nobody yet: the local papers it matches and
    the sources to ask (none when a pasted identifier names a paper already here, unless that
    paper lacks what its source may fill in: `filling.wants`)."""
    query = query.strip()
    result = Lookup(query=query)
    if not query:
        return result
    result.identifier = parsing.parse(query)
    if result.identifier is not None:
        local = identifiers.find_paper(query)
        source = _source_for(result.identifier)
        if local is not None:
            result.local = [local]
            prefetch_related_objects([local], "identifiers")
            if source and filling.wants(local, list(local.identifiers.all())):
                result.incomplete, result.sources = local, [source]
        else:
            result.sources = [source] if source else []
    else:
        result.local = papers.title_search(query, limit=10)
        result.sources = list(TITLE_SOURCES)
    return result


def find(query: str, fetch: FetchFn | None = None, only: str | None = None) -> Lookup:
    """Local papers first, then every source that can know `query`, asked at once and waited
    for at most `METADATA_LOOKUP_SECONDS` in all (`only` asks one of them: the add page's
    progress asks each source in its own request)."""
    result = plan(query)
    if only is not None:
        result.sources = [source for source in result.sources if source == only]
    seconds = deadline_seconds()
    calls = {source: _call(source, result) for source in result.sources}
    found: list[PaperMetadata] = []
    for answers in _ask(calls, fetch, seconds, result.reports).values():
        found += answers
    if result.incomplete is None:
        result.remote = _new_candidates(found, result.local)
    elif found and result.identifier is not None:  # the source's record of the paper here
        paper, ident = result.incomplete, result.identifier
        fields = filling.fillable(paper, list(paper.identifiers.all()), found[0])
        if fields:
            token = f"{ident.scheme}:{ident.value}"
            result.refill = Refill(paper, found[0], fields, token)
    return result


def _call(source: str, result: Lookup) -> Callable[[FetchFn], list[PaperMetadata]]:
    if result.identifier is not None:
        ident = result.identifier
        return lambda fetch: _listed(_by_identifier(fetch, ident))
    search, query = _TITLE_SEARCHES[source], result.query
    return lambda fetch: search(fetch, query)


def _listed(answer: PaperMetadata | None) -> list[PaperMetadata]:
    return [] if answer is None else [answer]


def _ask(
    calls: dict[str, Callable[[FetchFn], list[PaperMetadata]]],
    fetch: FetchFn | None,
    seconds: float,
    reports: list[SourceReport],
) -> dict[str, list[PaperMetadata]]:
    """Ask every source at once within `seconds`; each one's outcome is added to `reports`."""
    if not calls:
        return {}
    bounded = fetch or outbound.within(seconds)
    outcomes = asking.ask_all(
        {source: partial(call, bounded) for source, call in calls.items()},
        seconds,
        # A source's thread may have used the database (the response cache): close it there.
        each_thread_ends=db.connections.close_all,
    )
    answers: dict[str, list[PaperMetadata]] = {}
    for source, outcome in outcomes.items():
        found = [meta for meta in outcome.value or [] if meta.title and meta.identifiers]
        if outcome.state is asking.State.ANSWERED:
            reports.append(SourceReport(source, "found" if found else "nothing", len(found)))
        elif outcome.state is asking.State.LATE:
            reports.append(SourceReport(source, "late", seconds=seconds))
        elif outcome.state is asking.State.UNREADABLE:
            reports.append(SourceReport(source, "unreadable"))
        else:
            reports.append(SourceReport(source, "failed"))
        answers[source] = found
    return answers


def _source_for(ident: Identifier) -> str:
    """The source that knows papers by this identifier ("" for none)."""
    if any(a.scheme is Scheme.ARXIV for a in [ident, *parsing.aliases(ident)]):
        return "arxiv"
    return {
        Scheme.DOI: "crossref",
        Scheme.DBLP: "dblp",
        Scheme.OPENREVIEW: "openreview",
    }.get(ident.scheme, "")


def _by_identifier(fetch: FetchFn, ident: Identifier | None) -> PaperMetadata | None:
    if ident is None:
        return None
    arxiv_alias = next(
        (a for a in [ident, *parsing.aliases(ident)] if a.scheme is Scheme.ARXIV), None
    )
    if arxiv_alias is not None:
        return arxiv.fetch_by_id(fetch, arxiv_alias.value)
    if ident.scheme is Scheme.DOI:
        return crossref.fetch_work(fetch, ident.value)
    if ident.scheme is Scheme.DBLP:
        return dblp.fetch_record(fetch, ident.value)
    if ident.scheme is Scheme.OPENREVIEW:
        return openreview.fetch_forum(fetch, ident.value)
    return None


def _new_candidates(found: list[PaperMetadata], local: list[Paper]) -> list[Candidate]:
    """Remote results not already known here (a known one is listed with the local papers)."""
    candidates, seen = [], set()
    for meta in found:
        if not meta.identifiers or not meta.title:
            continue
        first = meta.identifiers[0]
        token = f"{first.scheme}:{first.value}"
        known = identifiers.find_papers([token.split(":", 1)[1]])
        if token in seen:
            continue
        seen.add(token)
        if known:
            paper = Paper.objects.filter(pk__in=known.values()).first()
            if paper is not None and paper not in local:
                local.append(paper)
            continue
        candidates.append(Candidate(metadata=meta, token=token))
    return candidates


class SourceUnavailable(InvalidInput):
    """The source asked did not answer (it failed, or was late): nothing is known about the
    paper, unlike a source that answered that it does not know it."""


def fetch_candidate(
    token: str, fetch: FetchFn | None = None, deadline: float | None = None
) -> PaperMetadata:
    """Re-fetch (from the local cache, usually) the candidate a writer picked, and fill it in
    from Semantic Scholar, all within `deadline` seconds (None: the add page's one
    `METADATA_LOOKUP_SECONDS`). Raises `SourceUnavailable` when the source failed or was
    late, `InvalidInput` when it does not know the paper."""
    scheme, _, value = token.partition(":")
    try:
        ident = Identifier(Scheme(scheme), value)
    except ValueError as exc:
        raise InvalidInput("That choice is not a paper identifier.") from exc
    seconds = deadline_seconds() if deadline is None else deadline
    end = time.monotonic() + seconds
    source = _source_for(ident)
    reports: list[SourceReport] = []
    found = _ask(
        {source: lambda f: _listed(_by_identifier(f, ident))} if source else {},
        fetch,
        seconds,
        reports,
    ).get(source, [])
    if not found:
        reason = " ".join(r.message for r in reports if r.is_problem)
        reason = reason or "The source does not know that paper."
        down = any(r.state in ("failed", "late") for r in reports)
        error = SourceUnavailable if down else InvalidInput
        raise error(f"{reason} You can enter the paper by hand or paste its BibTeX.")
    return _enriched(found[0], fetch, max(0.0, end - time.monotonic()))


def _enriched(meta: PaperMetadata, fetch: FetchFn | None, seconds: float) -> PaperMetadata:
    """Fill in what Crossref, DBLP or OpenReview left out from Semantic Scholar: the abstract,
    and the paper's other identifiers (a DOI's arXiv id, from `externalIds`), which name the
    same work (services/works.py makes them one paper). Fails soft: without Semantic Scholar,
    or when it misses the deadline, the paper is created from what we have."""
    if meta.source in ("arxiv", "semanticscholar"):
        return meta  # arXiv records carry their abstract and DOI alias already
    ident = next((i for i in meta.identifiers if semanticscholar.paper_id_for(i)), None)
    if ident is None or seconds <= 0:
        return meta
    reports: list[SourceReport] = []
    answers = _ask(
        {"semanticscholar": lambda f: _listed(semanticscholar.fetch_paper(f, ident))},
        fetch,
        seconds,
        reports,
    ).get("semanticscholar", [])
    extra = answers[0] if answers else None
    if extra is None or _words(extra.title) != _words(meta.title):
        return meta  # a different paper behind the same id would merge two papers wrongly
    known = {(i.scheme, i.value) for i in [*meta.identifiers, *meta.same_work]}
    more = [i for i in extra.identifiers if (i.scheme, i.value) not in known]
    return replace(
        meta,
        abstract=meta.abstract or extra.abstract,
        identifiers=[*meta.identifiers, *more],
    )


def _words(title: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in title.casefold()).split()


def create(meta: PaperMetadata, by: User) -> Paper:
    """The paper for this metadata: the existing record if any identifier (or alias, or other
    version the source names) is known (services/works.py: typed metadata never merges papers;
    a source's merges only papers whose titles agree); otherwise a new one carrying every
    identifier and alias nobody holds, reported as a possible duplicate of any paper holding
    one under another title. `by` is the person adding it, who must be in good standing."""
    return _settle_or_create(meta, by).paper


@dataclass(frozen=True)
class Added:
    """The paper asked for, and whether this call made it (False: it was here already)."""

    paper: Paper
    created: bool


def _settle_or_create(meta: PaperMetadata, by: User) -> Added:
    standing.ensure_can_write(by)
    if meta.source in works.SOURCES:  # a placeholder holding its identifier: filled first
        filling.fill_holders(meta)
    settled = works.settle(meta, by)
    if settled.paper is not None:
        return Added(settled.paper, created=False)
    idents = settled.free
    # Whatever the metadata came from (a source, BibTeX, typing), the title and names are one
    # line each: control characters become spaces, bidirectional overrides are dropped.
    title = squeezed_line(meta.title, 1000)
    if not title:
        raise InvalidInput("A paper needs a title.", field_errors={"title": ["Required."]})
    # A source's venue text that is no venue key ("/" would break the venue's URL, markup, a
    # control character) leaves the paper without a venue rather than stored as it came.
    venue_key = venues.venue_key_for(meta)[: venues.KEY_MAX_LENGTH].strip()
    with transaction.atomic():
        venue = None
        if venues.is_key(venue_key):
            venue, _ = Venue.objects.get_or_create(key=venue_key, defaults={"name": venue_key})
        paper = Paper.objects.create(
            title=title[:1000],
            title_key=title_key(title),
            authors=[n for n in (squeezed_line(a, 300) for a in meta.authors) if n][:200],
            year=meta.year,
            venue=venue,
            abstract=meta.abstract,
            url=meta.url[:1000],
            categories=meta.categories,
            field=fields.field_of(meta.categories),
            metadata_source=meta.source or "manual",
            metadata_updated_at=timezone.now(),
        )
        PaperIdentifier.objects.bulk_create(
            [PaperIdentifier(paper=paper, scheme=scheme, value=value) for scheme, value in idents],
            ignore_conflicts=True,
        )
        authors.papers_arrived([(paper.pk, meta.orcids)])
        events.papers_written([paper.pk])
    works.report_unlike(paper, settled.unlike, meta, by)
    return Added(paper, created=True)


@dataclass(frozen=True)
class Completed:
    """What `complete` did: the paper, the fields filled, and why nothing was ("" when the
    source answered), in plain words."""

    paper: Paper
    filled: list[str]
    problem: str = ""


def complete(token: str, by: User, fetch: FetchFn | None = None) -> Completed:
    """Fill the paper here that `token` ("<scheme>:<value>") names from that identifier's
    source with the refresh's rule (services/filling.py), within the add page's one deadline
    (with Semantic Scholar's enrichment, as a pick). A source that fails, is late or does not
    know the paper leaves it as it is, with `problem` saying so; a paper that lacks nothing is
    answered without asking. InvalidInput when no paper here holds the identifier."""
    standing.ensure_can_write(by)
    scheme, _, value = token.partition(":")
    try:
        ident = parsing.parse_as(scheme, value)
    except ValueError:  # no such scheme
        ident = None
    paper = identifiers.find_paper(ident.value) if ident is not None else None
    if ident is None or paper is None:
        raise InvalidInput("No paper here is known by that identifier.")
    source = _source_for(ident)
    if not source or not filling.wants(paper, list(paper.identifiers.all())):
        return Completed(paper, [])
    name = SOURCE_NAMES[source]
    try:
        meta = fetch_candidate(f"{ident.scheme}:{ident.value}", fetch)
    except SourceUnavailable:
        return Completed(paper, [], f"{name} did not answer: the paper keeps the details it has.")
    except InvalidInput:
        return Completed(paper, [], f"{name} does not know this paper: it keeps what it has.")
    done = filling.fill(paper, meta)
    kept = done.paper or identifiers.find_paper(ident.value) or paper  # merged meanwhile
    return Completed(kept, done.filled)


def already_here(meta: PaperMetadata) -> list[Paper]:
    """Papers already here that typed or pasted metadata may be (same folded title or any
    same identifier): offered before a second record of one paper is made."""
    return works.existing(meta)


def looks_like_bibtex(text: str) -> bool:
    """Pasted BibTeX (`@article{...`): the add page offers to read it instead of searching."""
    return text.lstrip().startswith("@")


def from_bibtex(text: str) -> PaperMetadata:
    """The paper of pasted BibTeX: its first entry (the add page makes one paper at a time)."""
    try:
        entries = parse_bibtex(text)
    except BibtexError as error:
        raise InvalidInput(f"That BibTeX could not be read: {error}") from error
    if not entries:
        raise InvalidInput("No BibTeX entry was found in what you pasted.")
    return entries[0]


def manual(title: str, authors: str, year: str, url: str = "") -> PaperMetadata:
    """Metadata typed by a writer when the sources cannot help."""
    parsed_year = parse_year(year)
    if year.strip() and parsed_year is None:
        raise InvalidInput("The year has four digits.", field_errors={"year": ["e.g. 2017"]})
    names = [a.strip() for a in authors.replace(";", "\n").splitlines() if a.strip()]
    if len(names) == 1 and "," in names[0] and " and " not in names[0]:
        names = [a.strip() for a in names[0].split(",") if a.strip()]
    # Typed here: a control character or a bidirectional override is refused, not mended.
    names = [one_line(name, field="authors", label="author's name") for name in names]
    idents = parsing.lookup_values(url) if url.strip() else []
    return PaperMetadata(
        title=one_line(title, field="title", label="title"),
        authors=names,
        year=parsed_year,
        url=url.strip() if url.strip().startswith(("http://", "https://")) else "",
        identifiers=idents[:1] if idents else [],
        source="manual",
    )


def add(
    by: User,
    *,
    identifier: str = "",
    bibtex: str = "",
    typed: PaperMetadata | None = None,
    fetch: FetchFn | None = None,
) -> Added:
    """The API's add: exactly one of an identifier (fetched from its source, as the add page's
    pick), BibTeX or typed metadata, with the add page's rules. A paper already here (by any
    identifier or alias; for BibTeX and typed metadata also by folded title, what the add page
    offers before creating) is answered, not made again."""
    given = [bool(identifier.strip()), bool(bibtex.strip()), typed is not None]
    if sum(given) != 1:
        raise InvalidInput("Send exactly one of identifier, bibtex, or the paper's fields.")
    standing.ensure_can_write(by)
    if typed is None and not bibtex.strip():
        return _add_identified(by, identifier.strip(), fetch)
    meta = typed if typed is not None else from_bibtex(bibtex)
    here = already_here(meta)
    if here:
        return Added(here[0], created=False)
    return _settle_or_create(meta, by)


def _add_identified(by: User, query: str, fetch: FetchFn | None) -> Added:
    found = plan(query)
    if found.identifier is None:
        raise InvalidInput(
            "That is not an arXiv id, DOI, DBLP key, OpenReview id or a URL naming one.",
            field_errors={"identifier": ["e.g. 1706.03762 or 10.1109/ICCV.2015.169"]},
        )
    ident = found.identifier
    if found.incomplete is not None:  # here, but lacking what its source may fill in
        return Added(complete(f"{ident.scheme}:{ident.value}", by, fetch).paper, created=False)
    if found.local:
        return Added(found.local[0], created=False)
    if not found.sources:
        raise InvalidInput(
            "No source can fetch a paper by that identifier: send its BibTeX or its fields.",
            field_errors={"identifier": ["Not fetchable."]},
        )
    return _settle_or_create(fetch_candidate(f"{ident.scheme}:{ident.value}", fetch), by)


def typed(
    title: str,
    authors: list[str],
    year: int | None = None,
    *,
    venue: str = "",
    url: str = "",
    abstract: str = "",
) -> PaperMetadata:
    """Metadata sent as fields (the API): the add page's manual rules, plus venue and abstract."""
    meta = manual(title, "\n".join(authors), "" if year is None else str(year), url)
    return replace(meta, venue=venue.strip(), abstract=abstract.strip())
