"""Crossref: REST API works (https://api.crossref.org/swagger-ui) turned into PaperMetadata.

This module owns the two Crossref calls we make: `/works/{doi}` (answer: `{"status": "ok",
"message-type": "work", "message": {...}}`) and `/works?query.bibliographic=...&rows=5`
(answer: `"message-type": "work-list"`, the works in `message.items`). The parser copes with the
documented traps: `title` and `container-title` are lists that may be empty; `author` entries
have `given`/`family`, or only `name` (organisations, consortia), or only `family`; dates in
`issued`, `published-print`, `published-online`, `published` as `date-parts` [[2015, 12]] that
may be [[null]]; abstracts in JATS XML (`<jats:p>`, `<jats:title>Abstract</jats:title>`) and
titles with inline HTML and entities. An author's `ORCID` (a URL, `authenticated-orcid` telling
whether ORCID confirmed it to Crossref) is kept as the bare iD beside the name.

Identifiers: the work's DOI, lower-cased. The venue key comes from the DOI prefix or the
container title (see `venues`). Its `relation` object names other versions of the same work:
`has-preprint` (a published work's preprint) and `is-preprint-of` (a preprint's published
version), each a list of `{"id-type": "doi" | "arxiv" | "uri", "id": ..., "asserted-by": ...}`;
those become `same_work`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shortscience.metadata import venues
from shortscience.metadata.http import FetchError, FetchFn, MalformedResponse
from shortscience.metadata.identifiers import parse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

API_URL = "https://api.crossref.org"
DATE_FIELDS = ("issued", "published-print", "published-online", "published", "posted", "created")
_TAG = re.compile(r"<[^>]*>")
_JATS_TITLE = re.compile(r"<(jats:)?title\b[^>]*>.*?</(jats:)?title>", re.S | re.I)
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_BLOCK_END = re.compile(r"</(jats:)?(p|sec|title|list-item)>|<br\s*/?>", re.I)


def load_json(body: bytes) -> Any:
    """A response body as JSON, or `MalformedResponse` (Crossref answers 404s in plain text)."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = body[:60].decode("utf-8", "replace").strip()
        raise MalformedResponse(f"not JSON ({exc.__class__.__name__}): {snippet!r}") from exc


def markup_to_text(text: str) -> str:
    """Inline HTML/JATS to plain text: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def jats_to_text(abstract: str) -> str:
    """A JATS abstract as plain text, without its "Abstract" heading."""
    abstract = _JATS_TITLE.sub(" ", abstract)
    return markup_to_text(_BLOCK_END.sub(" ", abstract))


def first_text(value: Any) -> str:
    """The first non-empty string of a Crossref list field (or the string itself), as text."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str) and item.strip():
            return markup_to_text(item)
    return ""


def author_name(author: Mapping[str, Any]) -> str:
    """ "Given Family", or an organisation's `name`, or whichever part is there."""
    given = author.get("given") if isinstance(author.get("given"), str) else ""
    family = author.get("family") if isinstance(author.get("family"), str) else ""
    name = author.get("name") if isinstance(author.get("name"), str) else ""
    text = f"{given or ''} {family or ''}" if (given or family) else (name or "")
    return " ".join(text.split())


def author_orcid(author: Mapping[str, Any]) -> str:
    """The author's ORCID iD as 0000-0002-1825-0097 (Crossref gives a URL), or "" when there is
    none or it is malformed. The check digit is checked where a person proves an iD."""
    raw = author.get("ORCID")
    if not isinstance(raw, str):
        return ""
    found = _ORCID.search(raw.upper())
    return "-".join(found.groups()) if found else ""


def year_of(work: Mapping[str, Any]) -> int | None:
    """The first usable year among the work's dates; [[null]] and junk are skipped."""
    for field in DATE_FIELDS:
        date = work.get(field)
        if not isinstance(date, Mapping):
            continue
        parts = date.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = parts[0][0]
            if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999:
                return year
            if isinstance(year, str) and year.isdigit() and len(year) == 4:
                return int(year)
    return None


def normalise_doi(text: str) -> Identifier | None:
    """A DOI (bare, doi:..., or a resolver URL) as a normalised identifier, or None."""
    for candidate in (text, f"doi:{text.strip()}"):
        found = parse(candidate)
        if found is not None and found.scheme is Scheme.DOI:
            return found
    return None


SAME_WORK_RELATIONS = ("has-preprint", "is-preprint-of")


def same_work(work: Mapping[str, Any]) -> list[Identifier]:
    """The identifiers `relation` gives for other versions of this work (preprint/published);
    entries of an unknown id-type or that parse as no identifier are skipped."""
    relation = work.get("relation")
    found: list[Identifier] = []
    if not isinstance(relation, Mapping):
        return found
    for kind in SAME_WORK_RELATIONS:
        entries = relation.get(kind)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
                continue
            id_type, value = entry.get("id-type"), entry["id"].strip()
            ident = None
            if id_type == "doi":
                ident = normalise_doi(value)
            elif id_type == "arxiv":
                ident = parse(f"arXiv:{value.removeprefix('arXiv:')}")
            elif id_type == "uri":
                ident = parse(value)
            if ident is not None and ident.scheme in (Scheme.DOI, Scheme.ARXIV):
                ident = Identifier(ident.scheme, ident.value)
                if ident not in found:
                    found.append(ident)
    return found


def work_to_metadata(work: Mapping[str, Any]) -> PaperMetadata:
    """One Crossref work object as PaperMetadata (title "" when Crossref has none)."""
    doi = normalise_doi(work["DOI"]) if isinstance(work.get("DOI"), str) else None
    identifiers = [doi] if doi is not None else []
    authors = work.get("author")
    abstract = work.get("abstract")
    event = work.get("event")
    event_name = event.get("name") if isinstance(event, Mapping) else None
    venue = venues.from_doi(doi.value) if doi else ""
    for text in (
        first_text(work.get("container-title")),
        first_text(event_name),
        first_text(work.get("short-container-title")),
    ):
        venue = venue or venues.from_text(text)
    return PaperMetadata(
        title=first_text(work.get("title")),
        authors=[
            name
            for author in (authors if isinstance(authors, list) else [])
            if isinstance(author, Mapping) and (name := author_name(author))
        ],
        year=year_of(work),
        abstract=jats_to_text(abstract) if isinstance(abstract, str) else "",
        venue=venue,
        url=f"https://doi.org/{doi.value}" if doi else str(work.get("URL") or ""),
        identifiers=identifiers,
        source="crossref",
        same_work=[i for i in same_work(work) if i not in identifiers],
        orcids=[
            (orcid, author_name(author))
            for author in (authors if isinstance(authors, list) else [])
            if isinstance(author, Mapping) and (orcid := author_orcid(author))
        ],
    )


def _message(body: bytes, expected_type: str) -> Mapping[str, Any]:
    data = load_json(body)
    if not isinstance(data, Mapping) or not isinstance(data.get("message"), Mapping):
        raise MalformedResponse("a Crossref answer has a 'message' object")
    message_type = data.get("message-type")
    if message_type is not None and message_type != expected_type:
        raise MalformedResponse(f"expected a Crossref {expected_type}, got {message_type}")
    message: Mapping[str, Any] = data["message"]
    return message


def parse_work(body: bytes) -> PaperMetadata:
    """The answer to /works/{doi}."""
    return work_to_metadata(_message(body, "work"))


def parse_works(body: bytes) -> list[PaperMetadata]:
    """The answer to a /works query: the items that have a title, in Crossref's order."""
    items = _message(body, "work-list").get("items")
    if not isinstance(items, list):
        raise MalformedResponse("a Crossref work-list has message.items")
    papers = [work_to_metadata(item) for item in items if isinstance(item, Mapping)]
    return [paper for paper in papers if paper.title]


def fetch_work(fetch: FetchFn, doi: str | Identifier) -> PaperMetadata | None:
    """The work with this DOI, or None when Crossref does not know it (404)."""
    value = doi.value if isinstance(doi, Identifier) else doi.strip()
    try:
        body = fetch(f"{API_URL}/works/{quote(value, safe='/:;()._-')}", {})
    except FetchError as error:
        if error.status == 404:
            return None
        raise
    return parse_work(body)


def search(fetch: FetchFn, text: str, rows: int = 5) -> list[PaperMetadata]:
    """Works matching a free-text citation or title, best first."""
    if not text.strip():
        return []
    params = {"query.bibliographic": " ".join(text.split()), "rows": str(rows)}
    return parse_works(fetch(f"{API_URL}/works", params))
