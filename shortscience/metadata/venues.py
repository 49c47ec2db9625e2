"""Short venue keys ("ICCV", "NeurIPS", "CoRR", "arXiv cs.LG") and arXiv subject fields.

This module owns the knowledge of which venue a paper appeared at, derived from what the other
sources give: DBLP keys (`conf/iccv/Girshick15` -> ICCV), DOI prefixes (`10.1109/cvpr...` ->
CVPR), free venue text ("2015 IEEE International Conference on Computer Vision (ICCV)",
"ICLR 2019 Conference", "Neural Information Processing Systems") and arXiv primary categories
(`cs.LG` -> "arXiv cs.LG"). `field_of` maps an arXiv category to its top-level field ("cs",
"stat", "math", "physics", "q-bio", ...) for filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

CORR = "CoRR"
ARXIV = "arXiv"

# DBLP stream ids (conf/x/..., journals/x/...) whose key is not simply x.upper().
DBLP_CONFERENCES: dict[str, str] = {
    "nips": "NeurIPS", "iclr": "ICLR", "icml": "ICML", "cvpr": "CVPR", "iccv": "ICCV",
    "eccv": "ECCV", "aaai": "AAAI", "ijcai": "IJCAI", "kdd": "KDD", "aistats": "AISTATS",
    "uai": "UAI", "colt": "COLT", "corl": "CoRL", "interspeech": "Interspeech", "icra": "ICRA",
    "iros": "IROS", "wacv": "WACV", "bmvc": "BMVC", "miccai": "MICCAI", "sigir": "SIGIR",
    "www": "WWW", "chi": "CHI", "coling": "COLING", "icassp": "ICASSP", "recsys": "RecSys",
    "mlsys": "MLSys", "siggraph": "SIGGRAPH", "rss": "RSS", "acl": "ACL", "emnlp": "EMNLP",
    "naacl": "NAACL", "eacl": "EACL", "cikm": "CIKM", "wsdm": "WSDM", "icde": "ICDE",
}  # fmt: skip
DBLP_JOURNALS: dict[str, str] = {
    "corr": CORR, "pami": "TPAMI", "jmlr": "JMLR", "tmlr": "TMLR", "ijcv": "IJCV",
    "tacl": "TACL", "nature": "Nature", "science": "Science", "pnas": "PNAS", "tog": "TOG",
    "neco": "Neural Computation", "ml": "Machine Learning", "ai": "Artificial Intelligence",
    "tnn": "TNNLS", "tip": "TIP", "cacm": "CACM", "jair": "JAIR",
}  # fmt: skip

# DOI prefixes (lower-case, matched with startswith), most specific first.
DOI_PREFIXES: tuple[tuple[str, str], ...] = (
    ("10.1109/cvprw", "CVPRW"), ("10.1109/cvpr", "CVPR"), ("10.1109/iccvw", "ICCVW"),
    ("10.1109/iccv", "ICCV"), ("10.1109/wacv", "WACV"), ("10.1109/icra", "ICRA"),
    ("10.1109/iros", "IROS"), ("10.1109/icassp", "ICASSP"), ("10.1109/tpami", "TPAMI"),
    ("10.1109/34.", "TPAMI"), ("10.1109/tip", "TIP"), ("10.1109/tnnls", "TNNLS"),
    ("10.1007/s11263", "IJCV"), ("10.1038/s41586", "Nature"), ("10.1038/nature", "Nature"),
    ("10.1126/science", "Science"), ("10.1073/pnas", "PNAS"), ("10.1162/tacl", "TACL"),
    ("10.1162/neco", "Neural Computation"), ("10.1613/jair", "JAIR"), ("10.48550/", ARXIV),
)  # fmt: skip

# ACL Anthology DOIs: 10.18653/v1/N19-1423 (old letter ids) or 10.18653/v1/2020.acl-main.1.
ACL_LETTERS = {"p": "ACL", "n": "NAACL", "d": "EMNLP", "e": "EACL", "q": "TACL", "c": "COLING"}

# Unambiguous acronyms in free venue text, matched as whole words, case-insensitive.
ACRONYMS: dict[str, str] = {
    key.lower(): key
    for key in (
        "NeurIPS", "ICLR", "ICML", "CVPR", "ICCV", "ECCV", "AAAI", "IJCAI", "KDD", "AISTATS",
        "UAI", "COLT", "CoRL", "Interspeech", "ICRA", "IROS", "WACV", "BMVC", "MICCAI",
        "SIGIR", "COLING", "ICASSP", "RecSys", "MLSys", "SIGGRAPH", "ACL", "EMNLP", "NAACL",
        "EACL", "CIKM", "WSDM", "ICDE", "TPAMI", "JMLR", "TMLR", "IJCV", "TACL", CORR, ARXIV,
    )
}  # fmt: skip
ACRONYMS.update({"nips": "NeurIPS", "pami": "TPAMI"})
# Whole venue texts that are a key themselves ("Nature", but not "Nature Communications").
EXACT_NAMES = {key.lower(): key for key in (*DBLP_JOURNALS.values(), *ACRONYMS.values())}

# Long names (lower-case substrings), most specific first.
LONG_NAMES: tuple[tuple[str, str], ...] = (
    ("neural information processing systems", "NeurIPS"),
    ("international conference on learning representations", "ICLR"),
    ("international conference on machine learning", "ICML"),
    ("computer vision and pattern recognition", "CVPR"),
    ("european conference on computer vision", "ECCV"),
    ("international conference on computer vision", "ICCV"),
    ("pattern analysis and machine intelligence", "TPAMI"),
    ("pattern anal. mach. intell", "TPAMI"),
    ("journal of machine learning research", "JMLR"),
    ("transactions on machine learning research", "TMLR"),
    ("empirical methods in natural language processing", "EMNLP"),
    ("north american chapter of the association for computational linguistics", "NAACL"),
    ("annual meeting of the association for computational linguistics", "ACL"),
    ("transactions of the association for computational linguistics", "TACL"),
    ("aaai conference on artificial intelligence", "AAAI"),
    ("international joint conference on artificial intelligence", "IJCAI"),
    ("artificial intelligence and statistics", "AISTATS"),
    ("uncertainty in artificial intelligence", "UAI"),
    ("knowledge discovery and data mining", "KDD"),
    ("conference on robot learning", "CoRL"),
    ("computing research repository", CORR),
)

# arXiv archives (the part before the dot) and their top-level field.
PHYSICS_ARCHIVES = frozenset({
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
    "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph", "chao-dyn", "solv-int", "patt-sol",
    "adap-org", "comp-gas", "mtrl-th", "supr-con", "atom-ph", "chem-ph", "plasm-ph",
    "acc-phys", "ao-sci", "bayes-an",
})  # fmt: skip
OTHER_ARCHIVES: dict[str, str] = {
    "cs": "cs", "cmp-lg": "cs", "stat": "stat", "math": "math", "alg-geom": "math",
    "dg-ga": "math", "funct-an": "math", "q-alg": "math", "q-bio": "q-bio", "q-fin": "q-fin",
    "eess": "eess", "econ": "econ",
}  # fmt: skip
FIELDS = ("cs", "stat", "math", "physics", "q-bio", "q-fin", "eess", "econ")

# A venue key names a page (/venues/<key>/) and a filter: letters, digits, single spaces and
# . , & ' + : ( ) - (Unicode letters too: "Künstliche Intell."), beginning with a letter or digit.
# A "/" may join two such parts ("Vision/Graphics", the old site's "conf/nips"): the venue routes
# take the rest of the path as the key, and no part can be "." or ".." (each begins with a letter
# or digit) nor empty. No markup, quotes or control characters.
KEY_MAX_LENGTH = 100
_KEY_PART = r"[^\W_](?:[\w.,&'+:()-]| (?! ))*"
_KEY = re.compile(rf"{_KEY_PART}(?:/{_KEY_PART})*")
_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?", re.ASCII)


def is_key(key: str) -> bool:
    """Whether ``key`` is a venue key as stored (see above)."""
    return (
        len(key) <= KEY_MAX_LENGTH
        and bool(_KEY.fullmatch(key))
        and not key.endswith(" ")
        and " /" not in key
    )


def is_category(category: str) -> bool:
    """Whether ``category`` has the shape of an arXiv category: "cs.LG", "hep-th", "q-bio.NC"."""
    return bool(_CATEGORY.fullmatch(category))


def field_of(category: str) -> str:
    """The top-level field of an arXiv category: "cs.LG" -> "cs", "hep-th" -> "physics"."""
    archive = category.strip().split(".", 1)[0].lower()
    if archive in PHYSICS_ARCHIVES:
        return "physics"
    return OTHER_ARCHIVES.get(archive, "")


def from_dblp_key(key: str) -> str:
    """ "conf/iccv/Girshick15" -> "ICCV", "journals/corr/abs-1906-02425" -> "CoRR"."""
    parts = key.strip().removeprefix("DBLP:").split("/")
    if len(parts) < 2 or not parts[1]:
        return ""
    kind, stream = parts[0].lower(), parts[1].lower()
    if kind == "conf":
        return DBLP_CONFERENCES.get(stream, stream.upper())
    if kind == "journals":
        return DBLP_JOURNALS.get(stream, stream.upper())
    return ""


def from_doi(doi: str) -> str:
    """ "10.1109/ICCV.2015.169" -> "ICCV", "10.48550/arXiv.1706.03762" -> "arXiv"."""
    doi = doi.strip().lower()
    if doi.startswith("10.18653/v1/"):
        rest = doi.removeprefix("10.18653/v1/")
        modern = re.match(r"\d{4}\.([a-z]+)-", rest)
        if modern:
            return ACRONYMS.get(modern.group(1), "")
        return ACL_LETTERS.get(rest[:1], "")
    for prefix, key in DOI_PREFIXES:
        if doi.startswith(prefix):
            return key
    return ""


def from_text(text: str) -> str:
    """A key named in free venue text: "2015 IEEE ... (ICCV)" -> "ICCV", "" if none is known."""
    lowered = " ".join(text.lower().split())
    if not lowered:
        return ""
    if lowered.rstrip(".") in EXACT_NAMES:
        return EXACT_NAMES[lowered.rstrip(".")]
    for words in re.findall(r"\(([^()]+)\)", lowered):
        for word in re.findall(r"[a-z][a-z-]*", words):
            if word in ACRONYMS:
                return ACRONYMS[word]
    for name, key in LONG_NAMES:
        if name in lowered:
            return key
    for word in re.findall(r"[a-z][a-z-]*", lowered):
        if word in ACRONYMS:
            return ACRONYMS[word]
    return ""


def from_category(category: str) -> str:
    """ "cs.LG" -> "arXiv cs.LG"; "" for an empty category."""
    category = category.strip()
    return f"{ARXIV} {category}" if category else ""


def venue_key_for(
    meta: PaperMetadata | None = None,
    *,
    identifiers: Iterable[Identifier] = (),
    categories: Sequence[str] = (),
) -> str:
    """The best short venue key for a paper, from its metadata and/or identifiers.

    Publication venues named by a DBLP key or a DOI win; then the venue the source already
    put on the metadata; then preprint venues: CoRR (a DBLP `journals/corr` key), "arXiv
    <primary category>" (first category), plain "arXiv" for an arXiv id or arXiv DOI alone.
    """
    ids = [*(meta.identifiers if meta else ()), *identifiers]
    cats = [*categories, *(meta.categories if meta else ())]
    preprint = ""
    for ident in ids:
        if ident.scheme is Scheme.DBLP:
            key = from_dblp_key(ident.value)
        elif ident.scheme is Scheme.DOI:
            key = from_doi(ident.value)
        else:
            key = ARXIV if ident.scheme is Scheme.ARXIV else ""
        if key in (CORR, ARXIV):
            preprint = CORR if CORR in (key, preprint) else key
        elif key:
            return key
    if meta is not None and meta.venue and not meta.venue.startswith(ARXIV):
        return meta.venue
    if preprint == CORR:
        return CORR
    if cats:
        return from_category(cats[0])
    if meta is not None and meta.venue:
        return meta.venue
    return preprint


# The old site named venues by DBLP stream (`conf/nips`, `journals/corr`), sometimes with a
# volume or year segment (`conf/nips/2017`, `conf/cvpr/cvpr2016`), and by DOI prefix
# (`10.1109/cvpr`, `10.1109/CVPR.2016`); a few by a short key as today (`ICCV`).
_TRAILING_YEAR = re.compile(r"(?:[a-z-]*)((?:19|20)\d\d)", re.IGNORECASE)
_DOI_YEAR = re.compile(r"[./-]((?:19|20)\d\d)(?:[./-]|$)")


@dataclass(frozen=True)
class OldVenueKey:
    """What an old-site venue key may name here: `keys` to try, best first (the key itself,
    then the venue of its DBLP stream or DOI prefix), the `year` it carries, and `words` to
    search for when none of them is a venue."""

    keys: tuple[str, ...]
    year: int | None
    words: str


def old_site_key(key: str) -> OldVenueKey:
    """ "conf/nips/2017" -> keys ("conf/nips/2017", "NeurIPS"), year 2017, words "nips"."""
    key = key.strip()
    keys = [key]
    year: int | None = None
    words = key
    parts = key.removeprefix("DBLP:").split("/")
    if key.lower().startswith("10.") and len(parts) >= 2:
        keys.append(from_doi(key))
        found = _DOI_YEAR.search(parts[1])
        year = int(found.group(1)) if found else None
        words = " ".join(w for w in re.split(r"[./_-]+", parts[1]) if w and not w.isdigit())
    elif len(parts) >= 2 and parts[0].lower() in ("conf", "journals"):
        keys.append(from_dblp_key(key))
        trailing = _TRAILING_YEAR.fullmatch(parts[-1]) if len(parts) > 2 else None
        year = int(trailing.group(1)) if trailing else None
        words = parts[1]
    unique = tuple(dict.fromkeys(k for k in keys if k))
    return OldVenueKey(keys=unique, year=year, words=words)
