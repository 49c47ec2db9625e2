"""DBLP: publication search (JSON) and record export (XML) turned into PaperMetadata.

This module owns the two DBLP calls we make (https://dblp.org/faq/How+to+use+the+dblp+search+API
.html): `https://dblp.org/search/publ/api?q=...&format=json` (hits in `result.hits.hit[]`,
each with an `info` object) and `https://dblp.org/rec/{key}.xml` (one `<article>`,
`<inproceedings>`, ... inside `<dblp>`). The parsers cope with DBLP's shapes: `authors.author`
is one object for a single author and a list otherwise; `venue` and `ee` are a string or a list;
`year` is a string; no `hit` key at all when nothing matched; author names carry a homonym
number ("Kaiming He 0001") that is not part of the name; titles end with a period and, in XML,
may contain `<i>`/`<sub>`/`<sup>` markup.

Identifiers: the DBLP key; the DOI (from `doi` or a doi.org `ee`); the arXiv id for CoRR
records (`journals/corr/...`: from an arxiv.org `ee`, the `abs/...` volume, or an
`abs-YYMM-NNNNN` key). Venue keys come from the DBLP key (see `venues`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from shortscience.metadata import venues
from shortscience.metadata.arxiv import collapse, parse_xml
from shortscience.metadata.crossref import load_json
from shortscience.metadata.http import FetchError, FetchFn, MalformedResponse
from shortscience.metadata.identifiers import aliases, parse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

SEARCH_URL = "https://dblp.org/search/publ/api"
RECORD_URL = "https://dblp.org/rec/{key}.xml"
RECORD_TAGS = frozenset(
    {"article", "inproceedings", "proceedings", "book", "incollection", "phdthesis",
     "mastersthesis", "www", "data"}
)  # fmt: skip
_HOMONYM = re.compile(r"\s+\d{4}$")
_CORR_VOLUME = re.compile(r"abs/(?P<id>\S+)")


def author_name(text: str) -> str:
    """ "Kaiming He 0001" -> "Kaiming He": DBLP's homonym number is not part of the name."""
    return _HOMONYM.sub("", collapse(text))


def clean_title(text: str) -> str:
    """DBLP ends every title with a period; "Fast R-CNN." -> "Fast R-CNN" (but keep "...")."""
    title = collapse(text)
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def as_list(value: Any) -> list[Any]:
    """DBLP JSON gives one object for one item and a list for several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("text", "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return collapse(str(value))


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) == 4 else None


def record_identifiers(
    key: str, doi: str = "", ees: Iterable[str] = (), volume: str = ""
) -> list[Identifier]:
    """The DBLP key, then DOI and arXiv id found in `doi`, the `ee` links or a CoRR volume."""
    found: list[Identifier] = []
    key_id = parse(f"dblp:{key}") if key else None
    if key_id is not None and key_id.scheme in (Scheme.DBLP, Scheme.LEGACY):
        found.append(Identifier(Scheme.DBLP, key))
        found.extend(alias for alias in aliases(key_id) if alias.scheme is Scheme.ARXIV)
    candidates = [f"doi:{doi}" if doi else "", *ees]
    corr_volume = _CORR_VOLUME.fullmatch(volume.strip())
    if corr_volume:
        candidates.append(f"arXiv:{corr_volume['id']}")
    for text in candidates:
        ident = parse(text) if text else None
        if ident is None or ident.scheme not in (Scheme.DOI, Scheme.ARXIV):
            continue
        ident = Identifier(ident.scheme, ident.value)  # a link's version is not the paper's
        if ident not in found:
            found.append(ident)
    return found


def _metadata(
    key: str, title: str, authors: list[str], year: int | None, identifiers: list[Identifier]
) -> PaperMetadata:
    return PaperMetadata(
        title=clean_title(title),
        authors=[name for name in (author_name(a) for a in authors) if name],
        year=year,
        venue=venues.venue_key_for(identifiers=identifiers),
        url=f"https://dblp.org/rec/{key}" if key else "",
        identifiers=identifiers,
        source="dblp",
    )


def hit_to_metadata(info: Mapping[str, Any]) -> PaperMetadata:
    """One search hit's `info` object as PaperMetadata."""
    key = _text(info.get("key"))
    authors = info.get("authors")
    names = [
        _text(a) for a in as_list(authors.get("author") if isinstance(authors, Mapping) else None)
    ]
    identifiers = record_identifiers(
        key,
        doi=_text(info.get("doi")),
        ees=[_text(ee) for ee in as_list(info.get("ee"))],
        volume=_text(info.get("volume")),
    )
    return _metadata(
        key, _text(info.get("title")), names, _year(_text(info.get("year"))), identifiers
    )


def parse_search(body: bytes) -> list[PaperMetadata]:
    """The hits of a publication search, in DBLP's order; [] when nothing matched."""
    data = load_json(body)
    result = data.get("result") if isinstance(data, Mapping) else None
    if not isinstance(result, Mapping):
        raise MalformedResponse("a DBLP search answer has a 'result' object")
    hits = result.get("hits")
    hit_list = as_list(hits.get("hit")) if isinstance(hits, Mapping) else []
    return [
        hit_to_metadata(hit["info"])
        for hit in hit_list
        if isinstance(hit, Mapping) and isinstance(hit.get("info"), Mapping)
    ]


def element_to_metadata(record: ET.Element) -> PaperMetadata:
    """One `<article>`/`<inproceedings>`/... record element as PaperMetadata."""
    key = record.get("key", "")

    def texts(tag: str) -> list[str]:
        return [collapse("".join(el.itertext())) for el in record.findall(tag)]

    title = texts("title")
    year = texts("year")
    volume = texts("volume")
    identifiers = record_identifiers(key, ees=texts("ee"), volume=volume[0] if volume else "")
    return _metadata(
        key,
        title[0] if title else "",
        texts("author"),
        _year(year[0]) if year else None,
        identifiers,
    )


def parse_record(body: bytes) -> PaperMetadata:
    """The answer to https://dblp.org/rec/{key}.xml."""
    root = parse_xml(body)
    records = [child for child in root if child.tag in RECORD_TAGS]
    if root.tag in RECORD_TAGS:
        records = [root]
    if not records:
        raise MalformedResponse(f"no DBLP record in <{root.tag}>")
    return element_to_metadata(records[0])


def search(fetch: FetchFn, query: str, max_hits: int = 5) -> list[PaperMetadata]:
    """Publications matching a free-text query (title words, author names), best first."""
    if not query.strip():
        return []
    params = {"q": " ".join(query.split()), "format": "json", "h": str(max_hits)}
    return parse_search(fetch(SEARCH_URL, params))


def fetch_record(fetch: FetchFn, key: str | Identifier) -> PaperMetadata | None:
    """The record with this DBLP key, or None when DBLP does not know it (404)."""
    value = key.value if isinstance(key, Identifier) else key.strip().removeprefix("DBLP:")
    try:
        body = fetch(RECORD_URL.format(key=quote(value, safe="/")), {})
    except FetchError as error:
        if error.status in (404, 410):
            return None
        raise
    return parse_record(body)
