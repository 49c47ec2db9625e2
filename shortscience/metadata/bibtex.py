"""BibTeX pasted by people: parsed with pybtex, LaTeX decoded with latexcodec, as PaperMetadata.

This module owns reading BibTeX (one or several entries, from Google Scholar, DBLP, arXiv,
publishers, hand-written): `parse_bibtex(text) -> list[PaperMetadata]`. pybtex does the
parsing proper (nested braces, quotes, `@string` macros and `#` concatenation, `@comment`,
`@preamble`, and names: `Last, First`, `First von Last`, `Last, Jr, First`, `{Org Name}`,
`and others`); latexcodec decodes the LaTeX: accents in every spelling (`{\\"u}ber`,
`Schr{\\"o}dinger`, `\\'{E}cole`, `{\\ss}`, `Na\\"{\\i}ve`), dashes, quotes, escaped specials.
Protective braces go (`{BERT}: Pre-training` -> `BERT: Pre-training`), font commands keep their
text (`\\emph{Deep}` -> `Deep`) and inline math (`$\\ell_1$`) is kept verbatim for KaTeX.

Per entry: title, authors as "First Last", year (int), abstract, venue key (from a DBLP key,
DOI prefix or the journal/booktitle text, see `venues`; "" when not recognised), url, arXiv
primary class, and identifiers from `doi`, `eprint`/`arxivid` (arXiv), `url`, `biburl`, a
`DBLP:` entry key and a CoRR `volume = {abs/...}`. Input pybtex cannot parse, or an entry
without title, raises `BibtexError` (with the line number when pybtex gives one).
"""

from __future__ import annotations

import codecs
import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import latexcodec  # noqa: F401 - registers the "ulatex" codec
import pybtex.errors
from pybtex.database import BibliographyData
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError

from shortscience.metadata import venues
from shortscience.metadata.crossref import normalise_doi
from shortscience.metadata.identifiers import parse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

_MATH = re.compile(r"(?<!\\)\$(?:\\.|[^$\\])*(?<!\\)\$")
_FONT_COMMAND = re.compile(
    r"\\(?:emph|text(?:it|bf|sc|tt|rm|sf|up|sl|md|normal)?|mbox|hbox|url|mathrm|mathbf)\s*(?=\{)"
)
_FONT_SWITCH = re.compile(r"\{\\(?:em|it|bf|sc|tt|rm|sf|sl|normalfont)(?![a-zA-Z])\s*")
_DOTLESS = re.compile(r"\\([ij])(?![a-zA-Z])")
_BRACE = re.compile(r"(?<!\\)[{}]")
_ESCAPED = re.compile(r"\\([{}$&%#_])")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_CORR_VOLUME = re.compile(r"abs/(?P<id>\S+)")
_LATEX_DECODE = cast(Callable[[str], tuple[str, int]], codecs.lookup("ulatex").decode)
_parse_lock = threading.Lock()  # pybtex.errors.capture() keeps its list in a module global


class BibtexError(ValueError):
    """BibTeX that cannot be read: a clear message, and the line when it is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def latex_to_text(text: str) -> str:
    """LaTeX-flavoured BibTeX text as plain Unicode; inline math is left as it is."""
    pieces: list[str] = []
    position = 0
    for math in _MATH.finditer(text):
        pieces.append(_decode(text[position : math.start()]))
        pieces.append(math.group(0))
        position = math.end()
    pieces.append(_decode(text[position:]))
    return " ".join("".join(pieces).split())


def _decode(text: str) -> str:
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return lead + _decode_core(core) + trail


def _decode_core(text: str) -> str:
    text = _FONT_SWITCH.sub("{", _FONT_COMMAND.sub("", text))
    text = _DOTLESS.sub(r"\1", text)
    with contextlib.suppress(ValueError, UnicodeError):  # undecodable LaTeX stays as typed
        text = _LATEX_DECODE(text)[0]
    text = _ESCAPED.sub(r"\1", _BRACE.sub("", text))
    return text.replace("\u00a0", " ")


def person_name(person: Any) -> str:
    """A pybtex Person as "First Middle von Last, Jr."."""
    parts = [
        *person.first_names,
        *person.middle_names,
        *person.prelast_names,
        *person.last_names,
    ]
    name = latex_to_text(" ".join(str(part) for part in parts))
    lineage = latex_to_text(" ".join(str(part) for part in person.lineage_names))
    return f"{name}, {lineage}" if lineage else name


def _field(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return str(value).strip() if value is not None else ""


def _plain(value: str) -> str:
    """A field meant to be an identifier or URL: braces and escapes gone, no decoding."""
    return "".join(_ESCAPED.sub(r"\1", _BRACE.sub("", value)).split())


def entry_identifiers(key: str, fields: Mapping[str, Any]) -> list[Identifier]:
    """Identifiers named by an entry's key and its doi/eprint/arxivid/url/biburl/volume."""
    candidates: list[Identifier | None] = []
    if key.lower().startswith("dblp:"):
        candidates.append(parse(key))
    doi = _plain(_field(fields, "doi"))
    candidates.append(normalise_doi(doi) if doi else None)
    archive = _plain(_field(fields, "archiveprefix") or _field(fields, "eprinttype")).lower()
    for name in ("eprint", "arxivid"):
        value = _plain(_field(fields, name))
        if value and archive in ("", "arxiv"):
            candidates.append(parse(f"arXiv:{value.removeprefix('arXiv:')}"))
    for name in ("url", "biburl"):
        value = _plain(_field(fields, name))
        candidates.append(parse(value) if value else None)
    corr = _CORR_VOLUME.fullmatch(_plain(_field(fields, "volume")))
    if corr and _plain(_field(fields, "journal")).lower() == "corr":
        candidates.append(parse(f"arXiv:{corr['id']}"))
    found: list[Identifier] = []
    for ident in candidates:
        if ident is None or ident.scheme is Scheme.LEGACY:
            continue
        if all((ident.scheme, ident.value) != (f.scheme, f.value) for f in found):
            found.append(ident)
    return found


def _year(fields: Mapping[str, Any]) -> int | None:
    for name in ("year", "date"):
        found = _YEAR.search(_field(fields, name))
        if found:
            return int(found.group(1))
    return None


def _url(fields: Mapping[str, Any], identifiers: Iterable[Identifier]) -> str:
    url = _plain(_field(fields, "url"))
    if url.startswith(("http://", "https://")):
        return url
    for ident in identifiers:
        if ident.scheme is Scheme.DOI:
            return f"https://doi.org/{ident.value}"
        if ident.scheme is Scheme.ARXIV:
            return f"https://arxiv.org/abs/{ident.value}"
    return ""


def entry_to_metadata(key: str, entry: Any) -> PaperMetadata:
    """One pybtex entry as PaperMetadata; BibtexError without a title."""
    fields = entry.fields
    title = latex_to_text(_field(fields, "title"))
    if not title:
        raise BibtexError(f"entry '{key}' has no title")
    identifiers = entry_identifiers(key, fields)
    venue_text = latex_to_text(_field(fields, "booktitle") or _field(fields, "journal"))
    primary_class = _plain(_field(fields, "primaryclass"))
    categories = [primary_class] if venues.field_of(primary_class) else []
    venue = venues.venue_key_for(identifiers=identifiers, categories=categories)
    if not venue or venue.startswith(venues.ARXIV) or venue == venues.CORR:
        venue = venues.from_text(venue_text) or venue
    authors = [person_name(person) for person in entry.persons.get("author", [])]
    return PaperMetadata(
        title=title,
        authors=[name for name in authors if name and name.lower() != "others"],
        year=_year(fields),
        abstract=latex_to_text(_field(fields, "abstract")),
        venue=venue,
        url=_url(fields, identifiers),
        identifiers=identifiers,
        categories=categories,
        source="bibtex",
    )


def _parse(text: str) -> BibliographyData:
    with _parse_lock, pybtex.errors.capture() as errors:
        try:
            data = Parser().parse_string(text)
        except PybtexError as exc:
            errors.append(exc)
            data = None
    if errors:
        first = errors[0]
        line = getattr(first, "lineno", None)
        message = str(first.args[0]) if first.args else str(first)
        if isinstance(line, int):
            message = f"{getattr(first, 'error_type', 'syntax error')}: {message}"
        if message.startswith("repeated bibliography entry"):
            message = f"two entries share the key {message.split(':', 1)[1].strip()!r}"
        raise BibtexError(message, line if isinstance(line, int) else None) from first
    return data


def parse_bibtex(text: str) -> list[PaperMetadata]:
    """Every entry of a BibTeX paste, in order; BibtexError if any of it cannot be read."""
    data = _parse(text)
    if not data.entries:
        raise BibtexError(
            "no BibTeX entry found (entries start with @article{, @inproceedings{...)"
        )
    return [entry_to_metadata(str(key), entry) for key, entry in data.entries.items()]
