"""Finding a paper to summarise from whatever a writer pastes: an id, a URL, a DOI, a title or a
BibTeX entry. Local papers come first; then arXiv, Crossref, DBLP and OpenReview are asked
through the shared fetcher. A source that fails is reported by name and the rest still answer,
and the writer can always enter the paper by hand or paste BibTeX instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from shortscience.metadata import arxiv, crossref, dblp, fields, openreview, semanticscholar, venues
from shortscience.metadata import identifiers as parsing
from shortscience.metadata.bibtex import BibtexError, parse_bibtex
from shortscience.metadata.http import FetchError, FetchFn
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
from shortscience.models import Paper, PaperIdentifier, Venue
from shortscience.services import events, identifiers, outbound, papers
from shortscience.services.errors import InvalidInput
from shortscience.services.text import parse_year

logger = logging.getLogger(__name__)
SOURCE_NAMES = {
    "arxiv": "arXiv",
    "crossref": "Crossref",
    "dblp": "DBLP",
    "openreview": "OpenReview",
}


@dataclass
class Candidate:
    metadata: PaperMetadata
    token: str  # what the "pick" form posts back: "<scheme>:<value>" of its first identifier


@dataclass
class Lookup:
    query: str
    local: list[Paper] = field(default_factory=list)
    remote: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    identifier: Identifier | None = None


def find(query: str, fetch: FetchFn | None = None) -> Lookup:
    query = query.strip()
    result = Lookup(query=query)
    if not query:
        return result
    result.identifier = parsing.parse(query)
    if result.identifier is not None:
        local = identifiers.find_paper(query)
        if local is not None:
            result.local = [local]
            return result
        found = _ask(result, lambda f: _by_identifier(f, result.identifier), fetch)
    else:
        result.local = papers.title_search(query, limit=10)
        found = []
        for search in (arxiv.search_by_title, crossref.search, dblp.search):
            # mypy cannot infer a lambda whose default binds the loop variable.
            found += _ask(result, lambda f, s=search: s(f, query), fetch)  # type: ignore[misc]  # see above
    result.remote = _new_candidates(found, result.local)
    return result


def _ask(
    result: Lookup,
    call: Callable[[FetchFn], PaperMetadata | list[PaperMetadata] | None],
    fetch: FetchFn | None,
) -> list[PaperMetadata]:
    try:
        answer = call(fetch or outbound.fetcher())
    except FetchError as error:
        where = SOURCE_NAMES.get(_source_of(error.url), "A metadata source")
        logger.warning("metadata lookup failed: %s", error)
        result.problems.append(f"{where} could not be reached ({error}).")
        return []
    if answer is None:
        return []
    return answer if isinstance(answer, list) else [answer]


def _source_of(url: str) -> str:
    for host, name in (
        ("arxiv.org", "arxiv"),
        ("crossref.org", "crossref"),
        ("dblp", "dblp"),
        ("openreview", "openreview"),
    ):
        if host in url:
            return name
    return ""


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


def fetch_candidate(token: str, fetch: FetchFn | None = None) -> PaperMetadata:
    """Re-fetch (from the local cache, usually) the candidate a writer picked."""
    scheme, _, value = token.partition(":")
    try:
        ident = Identifier(Scheme(scheme), value)
    except ValueError as exc:
        raise InvalidInput("That choice is not a paper identifier.") from exc
    result = Lookup(query=token)
    found = _ask(result, lambda f: _by_identifier(f, ident), fetch)
    if not found:
        reason = " ".join(result.problems) or "The source does not know that paper."
        raise InvalidInput(f"{reason} You can enter the paper by hand or paste its BibTeX.")
    return _enriched(found[0], fetch)


def _enriched(meta: PaperMetadata, fetch: FetchFn | None) -> PaperMetadata:
    """Fill in what Crossref, DBLP or OpenReview left out from Semantic Scholar: the abstract,
    and the paper's other identifiers (a DOI's arXiv id), so every alias reaches one page.
    Fails soft: without Semantic Scholar the paper is created from what we have."""
    if meta.source in ("arxiv", "semanticscholar"):
        return meta  # arXiv records carry their abstract and DOI alias already
    ident = next((i for i in meta.identifiers if semanticscholar.paper_id_for(i)), None)
    if ident is None:
        return meta
    try:
        extra = semanticscholar.fetch_paper(fetch or outbound.fetcher(), ident)
    except FetchError as error:
        logger.warning("semantic scholar enrichment failed: %s", error)
        return meta
    if extra is None or _words(extra.title) != _words(meta.title):
        return meta  # a different paper behind the same id would merge two papers wrongly
    known = {(i.scheme, i.value) for i in meta.identifiers}
    more = [i for i in extra.identifiers if (i.scheme, i.value) not in known]
    return replace(
        meta,
        abstract=meta.abstract or extra.abstract,
        identifiers=[*meta.identifiers, *more],
    )


def _words(title: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in title.casefold()).split()


def create(meta: PaperMetadata) -> Paper:
    """The paper for this metadata: an existing record if any identifier (or alias) is known,
    otherwise a new one carrying every identifier and alias."""
    idents = {(i.scheme, i.value): i for i in meta.identifiers}
    for ident in list(idents.values()):
        for alias in parsing.aliases(ident):
            idents.setdefault((alias.scheme, alias.value), alias)
    known = identifiers.find_papers([value for _, value in idents])
    if known:
        return Paper.objects.get(pk=next(iter(known.values())))
    title = " ".join(meta.title.split())
    if not title:
        raise InvalidInput("A paper needs a title.", field_errors={"title": ["Required."]})
    venue_key = venues.venue_key_for(meta)
    with transaction.atomic():
        venue = None
        if venue_key:
            venue, _ = Venue.objects.get_or_create(
                key=venue_key[:100], defaults={"name": venue_key}
            )
        paper = Paper.objects.create(
            title=title[:1000],
            authors=[a for a in meta.authors if a][:200],
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
            [
                PaperIdentifier(paper=paper, scheme=str(scheme), value=value[:300])
                for scheme, value in idents
            ],
            ignore_conflicts=True,
        )
        events.papers_written([paper.pk])
    return paper


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
    idents = parsing.lookup_values(url) if url.strip() else []
    return PaperMetadata(
        title=title.strip(),
        authors=names,
        year=parsed_year,
        url=url.strip() if url.strip().startswith(("http://", "https://")) else "",
        identifiers=idents[:1] if idents else [],
        source="manual",
    )
