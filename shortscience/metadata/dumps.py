"""Parsers for bulk dumps, one record at a time: the arXiv metadata snapshot (JSON Lines) and
DBLP's XML. Pure: records in, PaperMetadata out; the import service does the storing.

Every identifier, category and venue key a record carries must fit its grammar
(metadata.identifiers.parse_as, venues.is_key): a record with one that does not is refused
whole, with the reason, so nothing half-checked is stored (docs/papers.md, "Bulk imports").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import IO, Any
from xml.etree import ElementTree

from shortscience.metadata import venues
from shortscience.metadata.identifiers import parse, parse_as, shown
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HTTP_LINK = re.compile(r"https?://\S+\Z", re.ASCII)
_NEW_ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_ARXIV = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}$")
_DBLP_RECORDS = {"article", "inproceedings", "proceedings", "incollection", "book"}
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NAMES = {
    Scheme.ARXIV: "arXiv id",
    Scheme.DOI: "DOI",
    Scheme.DBLP: "DBLP key",
    Scheme.OPENREVIEW: "OpenReview id",
    Scheme.LEGACY: "ShortScience key",
}


class DumpError(ValueError):
    """A record that cannot be imported; the message says why."""


def _clean(text: str | None) -> str:
    """One line of text: whitespace runs made one space, other control characters dropped (a
    NUL, which JSON's \\u0000 gives, cannot even be stored in PostgreSQL)."""
    return _CONTROL.sub("", _SPACE.sub(" ", text or "")).strip()


def _year_from_arxiv_id(arxiv_id: str) -> int | None:
    match = _NEW_ARXIV.match(arxiv_id) or _OLD_ARXIV.match(arxiv_id)
    if not match:
        return None
    yy = int(match.group(1))
    return 2000 + yy if yy < 91 else 1900 + yy


def _authors_from_snapshot(record: dict[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not parts:
                continue
            last, first = str(parts[0]), str(parts[1]) if len(parts) > 1 else ""
            suffix = str(parts[2]) if len(parts) > 2 else ""
            names.append(_clean(" ".join(p for p in (first, last, suffix) if p)))
        return [n for n in names if n]
    raw = _clean(record.get("authors"))
    return [a.strip() for a in re.split(r",\s*|\s+and\s+", raw) if a.strip()]


def parse_arxiv_snapshot_line(line: str) -> PaperMetadata:
    """One line of the arXiv metadata snapshot (Kaggle/S3 `arxiv-metadata-oai-snapshot.json`)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DumpError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise DumpError("not a JSON object")
    # Identifiers are checked as given (only their ends stripped): a NUL inside is not cleaned
    # away into a plausible id, it makes the line wrong.
    arxiv_id = str(record.get("id") or "").strip()
    title = _clean(record.get("title"))
    if not arxiv_id:
        raise DumpError("no id")
    arxiv = parse_as(Scheme.ARXIV, arxiv_id)
    if arxiv is None:
        raise DumpError(f"{shown(arxiv_id)} is not an arXiv id")
    arxiv_id = arxiv.value
    if not title:
        raise DumpError(f"{arxiv_id}: no title")
    year = None
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        try:
            year = parsedate_to_datetime(str(versions[0].get("created", ""))).year
        except (TypeError, ValueError):
            year = None
    identifiers = [Identifier(Scheme.ARXIV, arxiv_id)]
    doi = next(iter(str(record.get("doi") or "").split()), "")
    if doi:
        identifiers.append(_checked(arxiv_id, Scheme.DOI, doi))
    categories = str(record.get("categories") or "").split()
    for category in categories:
        if not venues.is_category(category):
            raise DumpError(f"{arxiv_id}: {shown(category)} is not an arXiv category")
    return _with_checked_venue(
        PaperMetadata(
            title=title,
            authors=_authors_from_snapshot(record),
            year=year or _year_from_arxiv_id(arxiv_id),
            abstract=_clean(record.get("abstract")),
            url=f"https://arxiv.org/abs/{arxiv_id}",
            identifiers=identifiers,
            categories=categories,
            source="arxiv",
        )
    )


def _checked(record: str, scheme: Scheme, value: str) -> Identifier:
    found = parse_as(scheme, value)
    if found is None:
        raise DumpError(f"{record}: {shown(value)} is not a {_NAMES[scheme]}")
    return Identifier(found.scheme, found.value)


def _with_checked_venue(meta: PaperMetadata) -> PaperMetadata:
    """The record, unless the venue key it would be stored under breaks the key grammar (the
    import keeps a key's first 100 characters, as the column does)."""
    key = venues.venue_key_for(meta).strip()[: venues.KEY_MAX_LENGTH].strip()
    if key and not venues.is_key(key):
        name = meta.identifiers[0].value if meta.identifiers else meta.title
        raise DumpError(f"{name}: {shown(key)} is not a venue key")
    return meta


class _EntityDecodingReader:
    """Wraps DBLP's XML so the stdlib parser accepts it without dblp.dtd: named HTML entities
    (&uuml; &eacute; ...) become numeric character references as the bytes stream through."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else 1 << 16)
        data = self._tail + chunk
        self._tail = b""
        if chunk:
            cut = data.rfind(b"&")
            if cut != -1 and b";" not in data[cut:]:
                data, self._tail = data[:cut], data[cut:]
        return re.sub(rb"&([A-Za-z][A-Za-z0-9]*);", self._replace, data)

    @staticmethod
    def _replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("ascii")
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};".encode("ascii")


def _dblp_record(element: ElementTree.Element) -> PaperMetadata:
    key = element.get("key", "")
    title_element = element.find("title")
    title = _clean("".join(title_element.itertext()) if title_element is not None else "")
    title = title.rstrip(".")
    if not key:
        raise DumpError("(no key): no key")
    if parse_as(Scheme.DBLP, key) is None:
        raise DumpError(f"{shown(key)} is not a DBLP key")
    if not title:
        raise DumpError(f"{key}: no title")
    authors = [re.sub(r"\s+\d{4}$", "", _clean(a.text)) for a in element.findall("author")]
    year_text = _clean(element.findtext("year"))
    identifiers = [Identifier(Scheme.DBLP, key)]
    url = ""
    for ee in element.findall("ee"):
        link = _clean(ee.text)
        url = url or (link if _HTTP_LINK.match(link) else "")
        if "doi.org/10." in link:
            identifiers.append(_checked(key, Scheme.DOI, link.split("doi.org/", 1)[1]))
        elif "arxiv.org/abs/" in link:
            found = parse(link)
            if found is None or found.scheme is not Scheme.ARXIV:
                raise DumpError(f"{key}: {shown(link)} is not an arXiv link")
            identifiers.append(Identifier(Scheme.ARXIV, found.value))
    venue = _clean(element.findtext("booktitle") or element.findtext("journal"))
    return _with_checked_venue(
        PaperMetadata(
            title=title,
            authors=[a for a in authors if a],
            year=int(year_text) if year_text.isdigit() else None,
            venue=venue,
            url=url,
            identifiers=identifiers,
            source="dblp",
        )
    )


def iter_dblp_records(stream: IO[bytes]) -> Iterator[tuple[int, PaperMetadata | DumpError]]:
    """Yield (record number, metadata or the error for that record), streaming with flat memory."""
    number = 0
    # The dump is a file the operator chose, and expat (>= 2.4.1) bounds entity amplification.
    context = ElementTree.iterparse(  # noqa: S314 -- operator-supplied file, see above
        _EntityDecodingReader(stream), events=("start", "end")
    )
    root: ElementTree.Element | None = None
    for event, element in context:
        if event == "start":
            if root is None:
                root = element
            continue
        if element.tag not in _DBLP_RECORDS or element is root:
            continue
        number += 1
        try:
            yield number, _dblp_record(element)
        except DumpError as error:
            yield number, error
        element.clear()
        if root is not None:
            root.clear()
