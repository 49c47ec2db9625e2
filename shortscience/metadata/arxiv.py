"""arXiv: the export API's Atom feed turned into PaperMetadata, and the two queries we make.

This module owns the arXiv API (https://info.arxiv.org/help/api/user-manual.html): lookups by
`id_list` and title searches by `search_query=ti:"..."`, both answered with an Atom feed. The
parser copes with what the feed really contains: `<id>` URLs with a version suffix, http or
https, new-style (1706.03762v7) and old-style (hep-th/9711200v3) ids; hard-wrapped titles and
abstracts; `arxiv:primary_category` plus `<category>` terms (ACM/MSC class terms are dropped);
`arxiv:doi` (sometimes several) and `arxiv:journal_ref`; the single "Error" entry the API
answers with for a malformed id; an empty feed. A body that is not an Atom feed (arXiv answers
"Rate exceeded." in plain text when throttling) raises `MalformedResponse`.

Identifiers: the arXiv id (without version in `value`; the latest version in `version`) and
any DOI the authors registered. The arXiv DOI alias (10.48550/arXiv.<id>) is left to
`identifiers.aliases`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from shortscience.metadata import venues
from shortscience.metadata.http import FetchFn, MalformedResponse
from shortscience.metadata.identifiers import parse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

API_URL = "https://export.arxiv.org/api/query"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
ERROR_ID_MARK = "/api/errors"
_CATEGORY = re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?")
_QUERY_JUNK = re.compile(r"[^\w\s]+")


def parse_xml(body: bytes) -> ET.Element:
    """Parse a response body as XML, refusing entity declarations.

    Python 3.11's expat already refuses billion-laughs expansion and ElementTree never loads
    external entities; refusing `<!ENTITY` outright leaves no entity tricks at all.
    """
    if b"<!ENTITY" in body:
        raise MalformedResponse("XML with entity declarations refused")
    try:
        return ET.fromstring(body)  # noqa: S314 - guarded above
    except ET.ParseError as exc:
        snippet = body[:60].decode("utf-8", "replace").strip()
        raise MalformedResponse(f"not XML ({exc}): {snippet!r}") from exc


def collapse(text: str | None) -> str:
    """Whitespace runs (the feed's hard wraps included) to single spaces, ends stripped."""
    return " ".join((text or "").split())


def parse_feed(body: bytes) -> list[PaperMetadata]:
    """Every paper in an API answer, in feed order; error entries and empty entries skipped."""
    root = parse_xml(body)
    if root.tag != f"{ATOM}feed":
        raise MalformedResponse(f"not an Atom feed: <{root.tag}>")
    papers = []
    for entry in root.iter(f"{ATOM}entry"):
        paper = parse_entry(entry)
        if paper is not None:
            papers.append(paper)
    return papers


def feed_errors(body: bytes) -> list[str]:
    """The messages of the API's error entries ("incorrect id format for 1234.12345")."""
    root = parse_xml(body)
    return [
        collapse(entry.findtext(f"{ATOM}summary")) or "error"
        for entry in root.iter(f"{ATOM}entry")
        if is_error_entry(entry)
    ]


def is_error_entry(entry: ET.Element) -> bool:
    entry_id = entry.findtext(f"{ATOM}id") or ""
    return ERROR_ID_MARK in entry_id or (
        collapse(entry.findtext(f"{ATOM}title")) == "Error"
        and entry.find(f"{ATOM}published") is None
    )


def parse_entry(entry: ET.Element) -> PaperMetadata | None:
    """One `<entry>` as PaperMetadata, or None for an error entry or one without id/title."""
    if is_error_entry(entry):
        return None
    arxiv_id = parse(collapse(entry.findtext(f"{ATOM}id")))
    title = collapse(entry.findtext(f"{ATOM}title"))
    if arxiv_id is None or arxiv_id.scheme is not Scheme.ARXIV or not title:
        return None
    identifiers = [arxiv_id]
    for doi_text in collapse(entry.findtext(f"{ARXIV}doi")).split():
        doi = parse(f"doi:{doi_text}")
        if doi is not None and doi not in identifiers:
            identifiers.append(doi)
    categories = entry_categories(entry)
    journal_ref = collapse(entry.findtext(f"{ARXIV}journal_ref"))
    published_at = [venues.from_doi(doi.value) for doi in identifiers[1:]]
    published_at.append(venues.from_text(journal_ref))
    preprint = venues.from_category(categories[0]) if categories else venues.ARXIV
    venue = next((key for key in published_at if key and key != venues.ARXIV), preprint)
    return PaperMetadata(
        title=title,
        authors=[
            name
            for author in entry.findall(f"{ATOM}author")
            if (name := collapse(author.findtext(f"{ATOM}name")))
        ],
        year=_year(entry.findtext(f"{ATOM}published")),
        abstract=collapse(entry.findtext(f"{ATOM}summary")),
        venue=venue,
        url=f"https://arxiv.org/abs/{arxiv_id.value}",
        identifiers=identifiers,
        categories=categories,
        source="arxiv",
    )


def entry_categories(entry: ET.Element) -> list[str]:
    """The primary category first, then the others; ACM ("I.2.7") and MSC terms dropped."""
    terms = []
    primary = entry.find(f"{ARXIV}primary_category")
    if primary is not None:
        terms.append(primary.get("term", ""))
    terms.extend(category.get("term", "") for category in entry.findall(f"{ATOM}category"))
    found: list[str] = []
    for term in terms:
        term = term.strip()
        if _CATEGORY.fullmatch(term) and venues.field_of(term) and term not in found:
            found.append(term)
    return found


def _year(published: str | None) -> int | None:
    found = re.match(r"\s*(\d{4})-", published or "")
    return int(found.group(1)) if found else None


def title_query(title: str) -> str:
    """A `search_query` for a title phrase: ti:"words", punctuation (which arXiv rejects) gone."""
    words = _QUERY_JUNK.sub(" ", title).split()
    return f'ti:"{" ".join(words)}"'


def fetch_by_id(fetch: FetchFn, arxiv_id: str | Identifier) -> PaperMetadata | None:
    """The paper with this arXiv id (a version in the id asks for that version), or None."""
    papers = fetch_by_ids(fetch, [arxiv_id])
    return papers[0] if papers else None


def fetch_by_ids(fetch: FetchFn, arxiv_ids: list[str | Identifier]) -> list[PaperMetadata]:
    """The papers with these ids, one request; unknown or malformed ids are simply missing."""
    values = [_id_text(arxiv_id) for arxiv_id in arxiv_ids]
    if not values:
        return []
    params = {"id_list": ",".join(values), "max_results": str(len(values))}
    return parse_feed(fetch(API_URL, params))


def search_by_title(fetch: FetchFn, title: str, max_results: int = 5) -> list[PaperMetadata]:
    """Papers whose title contains the phrase, best match first."""
    if not title.strip():
        return []
    params = {"search_query": title_query(title), "start": "0", "max_results": str(max_results)}
    return parse_feed(fetch(API_URL, params))


def _id_text(arxiv_id: str | Identifier) -> str:
    if isinstance(arxiv_id, Identifier):
        if arxiv_id.scheme is not Scheme.ARXIV:
            raise ValueError(f"not an arXiv identifier: {arxiv_id}")
        return arxiv_id.value + (f"v{arxiv_id.version}" if arxiv_id.version else "")
    return arxiv_id.strip()
