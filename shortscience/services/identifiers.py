"""Finding a paper by one of its names: arXiv id (any form), DOI, DBLP key, OpenReview id or
old ShortScience.org key, given bare or as a URL, and the keys that name a paper to the old
site and to another ShortScience. Parsing lives in metadata.identifiers; this module owns the
database lookup every caller shares."""

from __future__ import annotations

from collections.abc import Iterable

from shortscience.metadata import identifiers as parsing
from shortscience.metadata.types import Identifier, Scheme
from shortscience.models import Paper, PaperIdentifier
from shortscience.services.errors import InvalidInput

# The old site's export named a paper by its bibtexKey; these stand in for it, best first.
PORTABLE_KEY_SCHEMES = ("legacy", "arxiv", "doi", "dblp")


def old_site_key(identifiers: Iterable[PaperIdentifier]) -> str:
    """The bibtexKey the old site used for a paper (its feeds carry it): the stored legacy key,
    else the one derived from its arXiv id (`journals/corr/<id>`), else its DBLP key; empty
    when it had none."""
    by_scheme = {i.scheme: i.value for i in identifiers}
    if PaperIdentifier.Scheme.LEGACY in by_scheme:
        return by_scheme[PaperIdentifier.Scheme.LEGACY]
    if PaperIdentifier.Scheme.ARXIV in by_scheme:
        arxiv = Identifier(Scheme.ARXIV, by_scheme[PaperIdentifier.Scheme.ARXIV])
        derived = parsing.legacy_key_for(arxiv)
        if derived:
            return derived
    return by_scheme.get(PaperIdentifier.Scheme.DBLP, "")


def portable_key(identifiers: Iterable[PaperIdentifier]) -> str | None:
    """The key a paper goes by in an exported `shortscience-legacy.csv`, which
    `import_shortscience_csv` on any ShortScience resolves; None when it has no usable one."""
    by_scheme: dict[str, str] = {}
    for ident in identifiers:
        by_scheme.setdefault(ident.scheme, ident.value)
    for scheme in PORTABLE_KEY_SCHEMES:
        if scheme in by_scheme:
            return by_scheme[scheme]
    if "openreview" in by_scheme:
        return f"openreview:{by_scheme['openreview']}"
    return None


SCHEME_NAMES = {
    "arxiv": "an arXiv id (1706.03762, hep-th/9901001)",
    "doi": "a DOI (10.1109/iccv.2015.169)",
    "dblp": "a DBLP key (conf/iccv/Girshick15)",
    "openreview": "an OpenReview id (rJ4km2R5t7)",
    "legacy": "a ShortScience key (letters, digits and . _ / + ( ) ' ; -)",
}


def checked(scheme: str, value: str) -> str:
    """The stored form of ``value`` as an identifier of ``scheme`` (the admin's edits), or
    InvalidInput when it is outside that scheme's grammar."""
    found = parsing.parse_as(scheme, value) if scheme in SCHEME_NAMES else None
    if found is None or len(found.value) > 300:
        raise InvalidInput(
            f"That is not {SCHEME_NAMES.get(scheme, 'a known identifier')}.",
            field_errors={"value": [f"Not {SCHEME_NAMES.get(scheme, 'an identifier')}."]},
        )
    return found.value


def candidates(key: str) -> list[str]:
    """Stored values a pasted key may match: its normalised form and every alias of it (an
    arXiv id and its DOI, a legacy key and its arXiv id ...), then the key exactly as given."""
    forms = [ident.value for ident in parsing.lookup_values(key)]
    stripped = key.strip()
    return [*dict.fromkeys([*forms, stripped, stripped.lower()])]


def find_paper(key: str) -> Paper | None:
    ident = (
        PaperIdentifier.objects.select_related("paper")
        .filter(value__in=candidates(key))
        .order_by("scheme")
        .first()
    )
    return ident.paper if ident else None


def find_papers(keys: list[str]) -> dict[str, int]:
    """Paper ids for many keys at once (one query); keys that name no paper are left out."""
    wanted = {key: candidates(key) for key in keys}
    values = {value for forms in wanted.values() for value in forms}
    owner: dict[str, int] = {}
    rows = PaperIdentifier.objects.filter(value__in=values).order_by("-scheme")
    for value, paper_id in rows.values_list("value", "paper_id"):
        owner[value] = paper_id
    found = {}
    for key, forms in wanted.items():
        match = next((owner[form] for form in forms if form in owner), None)
        if match is not None:
            found[key] = match
    return found


def identifiers_for(key: str) -> list[tuple[str, str]]:
    """What to store for a key that names no known paper yet: its normalised form and its
    aliases (a legacy `journals/corr/<id>` key also gives the arXiv id and the arXiv DOI), else
    the key as an old-site key; [] when it fits no scheme's grammar (markup, `javascript:`,
    whitespace or control characters inside), which is then not stored at all."""
    found = [(str(ident.scheme), ident.value) for ident in parsing.lookup_values(key)]
    if found:
        return found
    legacy = parsing.parse_as(Scheme.LEGACY, key.strip())
    return [(str(legacy.scheme), legacy.value)] if legacy else []
