"""Semantic Scholar: Academic Graph API papers turned into PaperMetadata.

This module owns the Graph API calls we make (https://api.semanticscholar.org/api-docs/graph):
`/graph/v1/paper/{id}?fields=...` where id is `arXiv:1706.03762`, `DOI:10...`, `CorpusId:...`
or a paperId, and `/graph/v1/paper/search?query=...` (papers in `data`). Any field may be null
or missing: `abstract` (often withheld for licensing), `year`, `venue` (may be ""),
`publicationVenue`, `externalIds` and its members (ArXiv, DOI, DBLP, MAG, CorpusId, ...).

A 404 (`{"error": "Paper with id ... not found"}`) is "not known": None. Everything else,
notably 429 (the unauthenticated pool is small), surfaces as `FetchError` with its status so
callers can fail soft. Identifiers: arXiv id, DOI and DBLP key from `externalIds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shortscience.metadata import venues
from shortscience.metadata.crossref import load_json, normalise_doi
from shortscience.metadata.http import FetchError, FetchFn, MalformedResponse
from shortscience.metadata.identifiers import parse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

API_URL = "https://api.semanticscholar.org/graph/v1"
FIELDS = "title,authors,year,abstract,venue,externalIds,url,publicationVenue"


def paper_id_for(identifier: Identifier) -> str | None:
    """The Graph API's name for a paper known by `identifier`, or None if it has none."""
    if identifier.scheme is Scheme.ARXIV:
        return f"arXiv:{identifier.value}"
    if identifier.scheme is Scheme.DOI:
        return f"DOI:{identifier.value}"
    return None


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def external_identifiers(external_ids: Any) -> list[Identifier]:
    """arXiv id, DOI and DBLP key from `externalIds` (null members and junk skipped)."""
    if not isinstance(external_ids, Mapping):
        return []
    found: list[Identifier] = []
    arxiv_id = parse(f"arXiv:{_text(external_ids.get('ArXiv'))}")
    if arxiv_id is not None and arxiv_id.scheme is Scheme.ARXIV:
        found.append(Identifier(Scheme.ARXIV, arxiv_id.value))
    doi = normalise_doi(_text(external_ids.get("DOI"))) if external_ids.get("DOI") else None
    if doi is not None:
        found.append(doi)
    dblp_key = _text(external_ids.get("DBLP"))
    dblp_id = parse(f"dblp:{dblp_key}") if dblp_key else None
    if dblp_id is not None and dblp_id.scheme in (Scheme.DBLP, Scheme.LEGACY):
        found.append(Identifier(Scheme.DBLP, dblp_key))
    return found


def venue_of(paper: Mapping[str, Any], identifiers: list[Identifier]) -> str:
    """DBLP/DOI-derived key first, then `publicationVenue` names, then the `venue` text."""
    key = venues.venue_key_for(identifiers=[i for i in identifiers if i.scheme is not Scheme.ARXIV])
    if key and key not in (venues.CORR, venues.ARXIV):
        return key
    publication_venue = paper.get("publicationVenue")
    names: list[str] = []
    if isinstance(publication_venue, Mapping):
        names.append(_text(publication_venue.get("name")))
        alternates = publication_venue.get("alternate_names")
        if isinstance(alternates, list):
            names.extend(_text(name) for name in alternates)
    names.append(_text(paper.get("venue")))
    for name in names:
        found = venues.from_text(name)
        if found and found != venues.ARXIV:
            return found
    return key


def paper_to_metadata(paper: Mapping[str, Any]) -> PaperMetadata | None:
    """One Graph API paper object as PaperMetadata, or None without a title."""
    title = _text(paper.get("title"))
    if not title:
        return None
    identifiers = external_identifiers(paper.get("externalIds"))
    authors = paper.get("authors")
    year = paper.get("year")
    return PaperMetadata(
        title=title,
        authors=[
            name
            for author in (authors if isinstance(authors, list) else [])
            if isinstance(author, Mapping) and (name := _text(author.get("name")))
        ],
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        abstract=_text(paper.get("abstract")),
        venue=venue_of(paper, identifiers),
        url=_text(paper.get("url")),
        identifiers=identifiers,
        source="semanticscholar",
    )


def parse_paper(body: bytes) -> PaperMetadata | None:
    """The answer to /paper/{id}; None when it carries no paper."""
    data = load_json(body)
    if not isinstance(data, Mapping):
        raise MalformedResponse("a Semantic Scholar paper is a JSON object")
    if "error" in data and "title" not in data:
        return None
    return paper_to_metadata(data)


def parse_search(body: bytes) -> list[PaperMetadata]:
    """The answer to /paper/search: the papers in `data`, in order; [] when none matched."""
    data = load_json(body)
    if not isinstance(data, Mapping):
        raise MalformedResponse("a Semantic Scholar search answer is a JSON object")
    items = data.get("data") or []
    if not isinstance(items, list):
        raise MalformedResponse("a Semantic Scholar search answer has a 'data' list")
    papers = (paper_to_metadata(item) for item in items if isinstance(item, Mapping))
    return [paper for paper in papers if paper is not None]


def fetch_paper(fetch: FetchFn, paper_id: str | Identifier) -> PaperMetadata | None:
    """The paper named by an identifier or Graph API id; None when unknown (or unnameable)."""
    if isinstance(paper_id, Identifier):
        name = paper_id_for(paper_id)
        if name is None:
            return None
    else:
        name = paper_id.strip()
    try:
        body = fetch(f"{API_URL}/paper/{quote(name, safe=':/')}", {"fields": FIELDS})
    except FetchError as error:
        if error.status == 404:
            return None
        raise
    return parse_paper(body)


def search(fetch: FetchFn, query: str, limit: int = 5) -> list[PaperMetadata]:
    """Papers matching a free-text query (title words), best first."""
    if not query.strip():
        return []
    params = {"query": " ".join(query.split()), "fields": FIELDS, "limit": str(limit)}
    return parse_search(fetch(f"{API_URL}/paper/search", params))
