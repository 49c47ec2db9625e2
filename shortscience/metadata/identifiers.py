"""Recognising and normalising the identifiers a paper goes by, pure (no Django, no I/O).

This module owns two questions: "which identifier did the person (or tool) paste?" and "which
other identifiers must, without any lookup, name the same paper?". The schemes are those of
``types.Scheme``; values are normalised so that equal papers give equal strings.

Public API::

    parse(text) -> Identifier | None          # one pasted identifier, normalised; None for prose
    aliases(identifier) -> list[Identifier]   # identifiers derivable offline, never itself
    lookup_values(text) -> list[Identifier]   # parse(text) plus its aliases, [] for prose
    arxiv_url(id, version=None) / doi_url(doi) / dblp_url(key) / openreview_url(id) -> str
    legacy_key_for(identifier) -> str | None  # the old site's bibtexKey ``journals/corr/<id>``
    parse_as(scheme, value) -> Identifier | None  # a stored or imported value of one scheme
    shown(value) -> str                       # a value quoted for a report, control chars escaped

Decisions on ambiguous input:

* The whole string must be one identifier (after stripping whitespace, quotes, ``<..>``,
  wrapping brackets and trailing ``.,;:`` or an unbalanced closing bracket). An identifier
  inside a sentence is not searched for: prose, including a title with numbers, is None, and
  so is anything longer than 2000 characters.
* arXiv: new-style ids are checked against the calendar (``YYMM`` from 0704, month 01-12;
  4-digit numbers up to 1412, 5-digit from 1501); old-style ids need a known pre-2007 archive
  and ``YYMMNNN`` from 1991 to 2007. The subject class of an old-style id (``math.GT/0309136``)
  is not part of the id and is dropped (``math/0309136``), as arXiv itself does. Versions
  start at v1; ``v0`` is not an id. The ``arXiv:ID [cs.CL] 6 Dec 2017`` stamp is accepted.
* DOIs: lower-cased, percent-escapes decoded once (unless decoding would leave another
  ``%XX``, then the text is kept as given, so normalisation stays idempotent). In a resolver
  URL the query and fragment belong to the URL, not the DOI (``?foo=bar`` is dropped); a bare
  DOI keeps them. Publisher pages of the form ``https://host/doi/[abs|full|pdf/]10.x/y`` give
  the DOI too. ``10.48550/arXiv.<id>`` stays a DOI; ``aliases`` links it to the arXiv id.
* Keys: ``journals/corr/<valid arXiv id>`` is the old ShortScience bibtexKey (LEGACY, as
  given, even with a version; its aliases drop the version); other three-segment
  ``journals/``, ``conf/``, ``books/``, ... keys are DBLP keys (case preserved), also after
  ``DBLP:``. An old site URL ``shortscience.org/paper?bibtexKey=K`` parses K; a K nothing
  else recognises is LEGACY.
* OpenReview ids only with a URL or an ``openreview:`` prefix: bare, they look like words.
* Each scheme has a grammar, and a value outside it is not an identifier of that scheme,
  whoever supplies it (a paste, a dump, the admin): arXiv ids and DBLP keys as above,
  OpenReview ids ``[A-Za-z0-9_-]{4,64}``, DOIs ``10.NNNN/suffix`` of printable characters
  without whitespace, quotes or markup (``<`` before a letter, ``/``, ``!`` or ``?``: the
  ``<`` and ``>`` of SICI DOIs stay), old-site keys ``[A-Za-z0-9][A-Za-z0-9._/+()';-]*`` of at
  most 300 characters (no ``:``, so no ``javascript:``). ``parse_as`` checks a value that
  claims its scheme: exactly the value, no surrounding text to strip.
* aliases: arXiv id, its DOI and its legacy key all name each other; a DBLP CoRR key
  (``journals/corr/abs-1906-02425``, or ``journals/corr/cs-AI-0101001`` for old style)
  names its arXiv id, but no DBLP key is made up from an arXiv id (DBLP may use another).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

from shortscience.metadata.types import Identifier, Scheme

__all__ = [
    "aliases",
    "arxiv_url",
    "dblp_url",
    "doi_url",
    "legacy_key_for",
    "lookup_values",
    "openreview_url",
    "parse",
    "parse_as",
    "shown",
]

ARXIV_DOI_PREFIX = "10.48550/arxiv."
LEGACY_PREFIX = "journals/corr/"
_MAX_LENGTH = 2000  # longer pastes are prose, and this bounds the work done on them

# Archives that had old-style identifiers (archive/YYMMNNN, until March 2007).
_ARCHIVE = (  # a regular-expression alternation; backtracking picks math-ph over math
    "acc-phys|adap-org|alg-geom|ao-sci|astro-ph|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg|"
    "comp-gas|cond-mat|cs|dg-ga|funct-an|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math|math-ph|"
    "mtrl-th|nlin|nucl-ex|nucl-th|patt-sol|physics|plasm-ph|q-alg|q-bio|quant-ph|solv-int|"
    "supr-con"
)
_VERSION = r"(?:v(?P<version>[1-9][0-9]{0,3}))?"
_OLD_NUMBER = r"(?:9[1-9]|0[0-7])(?:0[1-9]|1[0-2])[0-9]{3}"
_FLAGS = re.ASCII | re.IGNORECASE

_NEW_ID = re.compile(rf"(?P<yymm>[0-9]{{4}})\.(?P<number>[0-9]{{4,5}}){_VERSION}", _FLAGS)
_OLD_ID = re.compile(
    rf"(?P<archive>{_ARCHIVE})(?:\.[a-z]+(?:-[a-z]+)*)?/(?P<number>{_OLD_NUMBER}){_VERSION}",
    _FLAGS,
)
# "[cs.CL]" after an id, and the "6 Dec 2017" of the stamp in the margin of arXiv PDFs.
_CATEGORY = re.compile(r"\s*\[[a-z-]+(?:\.[a-z-]+)?\]$", _FLAGS)
_STAMP = re.compile(
    r"(?P<id>\S+)(?:\s*\[[a-z-]+(?:\.[a-z-]+)?\])?\s+[0-9]{1,2}\s+[a-z]{3}\s+[0-9]{4}", _FLAGS
)

_DOI = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+")
_MARKUP = re.compile(r"<[A-Za-z/!?]|[\"`\\]")
_LEGACY_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+()';-]{0,299}", re.ASCII)
_ESCAPE = re.compile(r"%[0-9a-f]{2}", _FLAGS)

_DBLP_KEY = re.compile(
    # Mostly three segments; handbook chapters have four (books/el/leeuwen90/Boas90).
    r"(?:journals|conf|books|series|reference|phd|tr|ms)(?:/[A-Za-z0-9][A-Za-z0-9_'+-]*){2,3}",
    re.ASCII,
)
_DBLP_CORR_NEW = re.compile(r"journals/corr/abs-(?P<yymm>[0-9]{4})-(?P<number>[0-9]{4,5})")
_DBLP_CORR_OLD = re.compile(
    rf"journals/corr/(?P<archive>{_ARCHIVE})-[A-Za-z]+(?:-[A-Za-z]+)*-(?P<number>[0-9]{{7}})"
)
_OPENREVIEW_ID = re.compile(r"[A-Za-z0-9_-]{4,64}", re.ASCII)

_PREFIX = re.compile(r"(?P<scheme>arxiv|doi|dblp|openreview)\s*:\s*(?P<rest>\S.*)", re.I | re.S)
_HTTP = re.compile(r"https?://", re.I)
_ARXIV_PATH = re.compile(r"/(?:abs|pdf|html|format|ps|src|e-print)/(?P<id>.+?)(?:\.pdf)?/?", re.I)
_DBLP_PATH = re.compile(
    r"/rec/(?:(?:bibtex|bib[0-2]?|xml|html|ris|rdf|nt|ttl)/)?(?P<key>.+?)"
    r"(?:\.(?:html|xml|bib|ris|rdf|nt|ttl))?/?",
    re.I,
)
_OPENREVIEW_PATH = re.compile(r"/(?:forum|pdf|attachment|revisions)/?", re.I)
_PUBLISHER_DOI = re.compile(
    r"/doi/(?:(?:abs|full|pdf|epdf|pdfdirect|epub|reader|book)/)?(?P<doi>10\..+)", re.I
)

_ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org", "ar5iv.org", "ar5iv.labs.arxiv.org"}
_DOI_HOSTS = {"doi.org", "dx.doi.org"}
_DBLP_HOSTS = {"dblp.org", "dblp.uni-trier.de", "dblp.dagstuhl.de"}
_OPENREVIEW_HOSTS = {"openreview.net", "api.openreview.net", "api2.openreview.net"}
_SHORTSCIENCE_HOSTS = {"shortscience.org"}
_KNOWN_HOSTS = _ARXIV_HOSTS | _DOI_HOSTS | _DBLP_HOSTS | _OPENREVIEW_HOSTS | _SHORTSCIENCE_HOSTS

_WRAPPERS = {"<": ">", "(": ")", "[": "]"}  # quotes are stripped one by one
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRAILING = ".,;:" + _QUOTES
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


# --- parsing ------------------------------------------------------------------------------


def parse(text: str) -> Identifier | None:
    """The one identifier ``text`` is, normalised, or None when it is not exactly one."""
    if len(text) > _MAX_LENGTH:
        return None
    text = _clean(text)
    if not text:
        return None
    prefixed = _PREFIX.fullmatch(text)
    if prefixed is not None:
        return _parse_prefixed(prefixed["scheme"].lower(), prefixed["rest"])
    if _HTTP.match(text) or _host_of(text) in _KNOWN_HOSTS:
        return _parse_url(text)
    return _parse_bare(text)


def _clean(text: str) -> str:
    """Strip what surrounds a pasted identifier: blanks, quotes, ``<..>``, end punctuation."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(_INVISIBLE).strip(_QUOTES)
        if len(text) >= 2 and _WRAPPERS.get(text[0]) == text[-1]:
            text = text[1:-1]
        text = _trim(text)
    return text


def _trim(text: str) -> str:
    """Drop trailing punctuation and closing brackets that nothing in ``text`` opened."""
    while text:
        last = text[-1]
        opener = _CLOSERS.get(last)
        if last in _TRAILING or (opener and text.count(last) > text.count(opener)):
            text = text[:-1].rstrip()
        else:
            break
    return text


def _host_of(text: str) -> str:
    return text.split("/", 1)[0].lower().removeprefix("www.")


def _parse_prefixed(scheme: str, rest: str) -> Identifier | None:
    if scheme == "arxiv":
        stamp = _STAMP.fullmatch(rest)
        return _arxiv(stamp["id"] if stamp else _CATEGORY.sub("", rest))
    if scheme == "doi":
        return _doi(rest)
    if scheme == "dblp":
        return _key(rest)
    return _openreview(rest)


def _parse_bare(text: str) -> Identifier | None:
    return _arxiv(_CATEGORY.sub("", text)) or _doi(text) or _key(text)


def _parse_url(text: str) -> Identifier | None:
    if not _HTTP.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" where an IPv6 host would be
        return None
    host = (parts.hostname or "").removeprefix("www.")
    path, query = parts.path, parse_qs(parts.query)
    if host in _ARXIV_HOSTS:
        found = _ARXIV_PATH.fullmatch(unquote(path))
        return _arxiv(found["id"]) if found else None
    if host in _DOI_HOSTS:
        return _doi(path[1:])
    if host in _DBLP_HOSTS:
        found = _DBLP_PATH.fullmatch(unquote(path))
        return _key(found["key"]) if found else None
    if host in _OPENREVIEW_HOSTS:
        ids = query.get("id")
        return _openreview(ids[0]) if ids and _OPENREVIEW_PATH.fullmatch(path) else None
    if host in _SHORTSCIENCE_HOSTS:
        keys = query.get("bibtexKey")
        return _old_site_key(keys[0].strip()) if keys and path.rstrip("/") == "/paper" else None
    found = _PUBLISHER_DOI.fullmatch(path)
    return _doi(found["doi"]) if found else None


def _arxiv(text: str) -> Identifier | None:
    """An arXiv id with optional version, or None when it is not a valid one."""
    found = _NEW_ID.fullmatch(text)
    if found is not None and _new_style_exists(found["yymm"], found["number"]):
        value = f"{found['yymm']}.{found['number']}"
    else:
        found = _OLD_ID.fullmatch(text)
        if found is None:
            return None
        value = f"{found['archive'].lower()}/{found['number']}"
    version = int(found["version"]) if found["version"] else None
    return Identifier(Scheme.ARXIV, value, version)


def _new_style_exists(yymm: str, number: str) -> bool:
    if not 1 <= int(yymm[2:]) <= 12 or yymm < "0704":
        return False
    return len(number) == (4 if yymm <= "1412" else 5)


def _doi(text: str) -> Identifier | None:
    if _ESCAPE.search(text):
        decoded = unquote(text)
        if not _ESCAPE.search(decoded):
            text = decoded
    text = _trim(text.strip())
    if not _DOI.fullmatch(text) or not text.isprintable() or _MARKUP.search(text):
        return None
    return Identifier(Scheme.DOI, text.lower())


def _key(text: str) -> Identifier | None:
    """A DBLP key, or the old site's ``journals/corr/<arXiv id>`` bibtexKey."""
    if text.startswith(LEGACY_PREFIX) and _arxiv(text[len(LEGACY_PREFIX) :]) is not None:
        return Identifier(Scheme.LEGACY, text)
    if _DBLP_KEY.fullmatch(text):
        return Identifier(Scheme.DBLP, text)
    return None


def _old_site_key(key: str) -> Identifier | None:
    known = _parse_bare(key)
    if known is not None:
        return known
    return Identifier(Scheme.LEGACY, key) if _LEGACY_KEY.fullmatch(key) else None


def _openreview(text: str) -> Identifier | None:
    return Identifier(Scheme.OPENREVIEW, text) if _OPENREVIEW_ID.fullmatch(text) else None


def parse_as(scheme: Scheme | str, value: str) -> Identifier | None:
    """``value`` as an identifier of ``scheme``, normalised, or None when it is outside that
    scheme's grammar. For values that say what they are (a dump's arXiv id field, an admin
    form's scheme and value), so nothing around them is stripped or guessed."""
    if not value or len(value) > _MAX_LENGTH or value != value.strip() or not value.isprintable():
        return None
    scheme = Scheme(scheme)
    if scheme is Scheme.ARXIV:
        return _arxiv(value)
    if scheme is Scheme.DOI:
        return _doi(value)
    if scheme is Scheme.DBLP:
        return Identifier(Scheme.DBLP, value) if _DBLP_KEY.fullmatch(value) else None
    if scheme is Scheme.OPENREVIEW:
        return _openreview(value)
    return Identifier(Scheme.LEGACY, value) if _LEGACY_KEY.fullmatch(value) else None


def shown(value: str, limit: int = 60) -> str:
    """``value`` for a report line: quoted, control characters escaped, at most ``limit``."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return repr(cut)


# --- aliases ------------------------------------------------------------------------------


def aliases(identifier: Identifier) -> list[Identifier]:
    """Identifiers that necessarily name the same paper, derived offline; never ``identifier``.

    Order: arXiv id, arXiv DOI, legacy key. Aliases carry no version.
    """
    arxiv_id = _arxiv_id_of(identifier)
    if arxiv_id is None:
        return []
    family = [
        Identifier(Scheme.ARXIV, arxiv_id),
        Identifier(Scheme.DOI, ARXIV_DOI_PREFIX + arxiv_id),
        Identifier(Scheme.LEGACY, LEGACY_PREFIX + arxiv_id),
    ]
    own = (identifier.scheme, identifier.value)
    return [alias for alias in family if (alias.scheme, alias.value) != own]


def _arxiv_id_of(identifier: Identifier) -> str | None:
    """The version-less arXiv id ``identifier`` stands for, if it necessarily stands for one."""
    scheme, value = identifier.scheme, identifier.value
    if scheme is Scheme.ARXIV:
        return value
    if scheme is Scheme.DOI and value.startswith(ARXIV_DOI_PREFIX):
        suffix = value[len(ARXIV_DOI_PREFIX) :]
        found = _arxiv(suffix)
        return suffix if found is not None and found.value == suffix else None
    if scheme is Scheme.LEGACY and value.startswith(LEGACY_PREFIX):
        found = _arxiv(value[len(LEGACY_PREFIX) :])
        return found.value if found is not None else None
    if scheme is Scheme.DBLP:
        new = _DBLP_CORR_NEW.fullmatch(value)
        old = _DBLP_CORR_OLD.fullmatch(value)
        if new is not None:
            found = _arxiv(f"{new['yymm']}.{new['number']}")
        elif old is not None:
            found = _arxiv(f"{old['archive']}/{old['number']}")
        else:
            return None
        return found.value if found is not None else None
    return None


def lookup_values(text: str) -> list[Identifier]:
    """What a database lookup for ``text`` should try: the parsed identifier and its aliases."""
    identifier = parse(text)
    return [] if identifier is None else [identifier, *aliases(identifier)]


def legacy_key_for(identifier: Identifier) -> str | None:
    """The old ShortScience bibtexKey of a paper known by ``identifier``, if it had an arXiv id."""
    if identifier.scheme is Scheme.LEGACY:
        return identifier.value
    arxiv_id = _arxiv_id_of(identifier)
    return None if arxiv_id is None else LEGACY_PREFIX + arxiv_id


# --- outside links ------------------------------------------------------------------------


def arxiv_url(arxiv_id: str, version: int | None = None) -> str:
    """The arXiv abstract page, of one version when ``version`` is given."""
    return f"https://arxiv.org/abs/{arxiv_id}" + (f"v{version}" if version else "")


def doi_url(doi: str) -> str:
    """The doi.org resolver link, with the characters a URL cannot carry percent-encoded."""
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def dblp_url(key: str) -> str:
    """DBLP's persistent record link."""
    return f"https://dblp.org/rec/{key}"


def openreview_url(forum_id: str) -> str:
    """The OpenReview forum page."""
    return "https://openreview.net/forum?id=" + quote(forum_id, safe="")
