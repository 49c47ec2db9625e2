"""The values every metadata module exchanges: identifiers and paper metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Scheme(StrEnum):
    ARXIV = "arxiv"  # new style 1706.03762 or old style hep-th/9901001, without version
    DOI = "doi"  # lower-cased, e.g. 10.1109/iccv.2015.169
    DBLP = "dblp"  # conf/iccv/Girshick15, journals/corr/abs-1906-02425
    OPENREVIEW = "openreview"  # forum id, case preserved, e.g. rJ4km2R5t7
    LEGACY = "legacy"  # the old ShortScience.org bibtexKey, case preserved


@dataclass(frozen=True)
class Identifier:
    scheme: Scheme
    value: str  # normalised: the form stored in PaperIdentifier.value
    version: int | None = None  # arXiv version when one was given (never stored)


@dataclass
class PaperMetadata:
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    abstract: str = ""
    venue: str = ""  # short venue key when known: "NeurIPS", "ICCV", "CoRR", "" if unknown
    url: str = ""
    identifiers: list[Identifier] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # arXiv categories, e.g. ["cs.LG"]
    source: str = ""  # "arxiv", "crossref", "dblp", "openreview", "semanticscholar", "bibtex"
    # (ORCID iD as 0000-0002-1825-0097, author name) for the authors the source gives one;
    # only Crossref does (OpenReview's `authorids` are its own profile ids, arXiv has none).
    orcids: list[tuple[str, str]] = field(default_factory=list)
    # Identifiers of other versions of this same work, when the source says so: Crossref's
    # `has-preprint` / `is-preprint-of` relations (a published DOI and its arXiv preprint).
    # They name one paper here (services/works.py), not separate ones.
    same_work: list[Identifier] = field(default_factory=list)
