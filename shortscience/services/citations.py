"""Citing and sharing a paper: its BibTeX and plain-text citation, the structured data its page
and its summaries' pages carry in <head> (Open Graph, Google Scholar's `citation_*`, JSON-LD).

Everything here reads only public things: a paper's own metadata and its public summaries
(`Summary.is_public`, the one public rule). A page's copy may be shared between readers (the
page cache, services/neutralpages.py), so nothing here depends on who reads. URLs are absolute
on the configured `SITE_URL` (services/links.py), never on the request's host.

BibTeX is written, never parsed here (metadata/bibtex.py reads it): every field value is put in
braces, with the characters BibTeX or LaTeX give a meaning to written as LaTeX commands whose own
braces balance, so a title from elsewhere can never end a field or an entry early.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from shortscience.metadata.venues import ARXIV, CORR, DBLP_JOURNALS
from shortscience.models import Paper, PaperIdentifier, Summary
from shortscience.search.snippets import document_text
from shortscience.services.links import absolute_url
from shortscience.services.text import squeezed_line

SITE_NAME = "ShortScience"
DESCRIPTION_MAX = 300  # characters of a description (Open Graph readers show about 200)
_JOURNAL_WORDS = re.compile(r"\b(journal|transactions|letters|review|magazine)\b", re.I)
_JOURNALS = frozenset(DBLP_JOURNALS.values())
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])")
_MARKERS = re.compile("[\x0e\x0f\x10]")


@dataclass(frozen=True)
class Citation:
    """What a citation of a paper says, gathered once for every format."""

    paper_id: int
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str  # the venue's name, "" when unknown or only arXiv
    venue_kind: str  # "journal", "conference" or ""
    doi: str
    arxiv_id: str
    pdf_url: str
    url: str  # the paper's page here, absolute
    same_as: tuple[str, ...]  # the paper's pages elsewhere (arXiv, DOI, DBLP, OpenReview)


@dataclass(frozen=True)
class PaperSharing:
    """The paper page's <head> data and its cite box."""

    citation: Citation
    description: str
    bibtex: str
    text: str
    json_ld: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SummarySharing:
    """A summary page's <head> data. A summary that is not public (read by its author, or by
    share link) gets only a title: no canonical URL, description or JSON-LD."""

    title: str
    public: bool
    url: str = ""
    description: str = ""
    json_ld: dict[str, Any] = field(default_factory=dict)


def citation(paper: Paper, identifiers: Iterable[PaperIdentifier]) -> Citation:
    """The citation of `paper`, given its identifiers (already loaded by the page)."""
    by_scheme: dict[str, str] = {}
    same_as = []
    for identifier in identifiers:
        by_scheme.setdefault(identifier.scheme, identifier.value)
        if identifier.link:
            same_as.append(identifier.link)
    arxiv_id = by_scheme.get(PaperIdentifier.Scheme.ARXIV, "")
    venue_name, kind = _venue(paper)
    return Citation(
        paper_id=paper.pk,
        title=squeezed_line(paper.title, 1000),
        authors=tuple(squeezed_line(name, 300) for name in paper.authors if name.strip()),
        year=paper.year,
        venue=venue_name,
        venue_kind=kind,
        doi=by_scheme.get(PaperIdentifier.Scheme.DOI, ""),
        arxiv_id=arxiv_id,
        pdf_url=pdf_url(paper, arxiv_id, by_scheme.get(PaperIdentifier.Scheme.OPENREVIEW, "")),
        url=absolute_url(reverse("paper", args=[paper.pk])),
        same_as=tuple(same_as),
    )


def pdf_url(paper: Paper, arxiv_id: str, openreview_id: str = "") -> str:
    """Where the paper's PDF is, when known: arXiv's, OpenReview's, else a metadata URL that is
    a PDF."""
    if arxiv_id:
        return f"https://arxiv.org/pdf/{arxiv_id}"
    if openreview_id:
        return f"https://openreview.net/pdf?id={openreview_id}"
    url = paper.url.strip()
    if url.startswith(("https://", "http://")) and url.split("?")[0].lower().endswith(".pdf"):
        return url
    return ""


def _venue(paper: Paper) -> tuple[str, str]:
    venue = paper.venue
    if venue is None or venue.key in (CORR, ARXIV) or venue.key.startswith(ARXIV + " "):
        return "", ""
    name = squeezed_line(venue.name or venue.key, 300)
    if venue.key in _JOURNALS or _JOURNAL_WORDS.search(name):
        return name, "journal"
    return name, "conference"


def for_paper_page(
    paper: Paper, identifiers: Iterable[PaperIdentifier], summaries: Sequence[Summary]
) -> PaperSharing:
    """Everything the paper page shares; `summaries` are those the page shows, best first (only
    public ones are ever read here)."""
    cited = citation(paper, identifiers)
    description = first_sentence(paper.abstract)
    if not description:
        top = next((s for s in summaries if s.is_public), None)
        if top is not None:
            description = summary_sentence(top)
    return PaperSharing(
        citation=cited,
        description=description,
        bibtex=bibtex(cited),
        text=plain_text(cited),
        json_ld=scholarly_article(cited, description),
    )


def for_summary_page(summary: Summary, paper: Paper) -> SummarySharing:
    title = f"Summary of {squeezed_line(paper.title, 1000)}"
    if not summary.is_public:
        return SummarySharing(title=title, public=False)
    url = absolute_url(summary.get_absolute_url())
    description = summary_sentence(summary)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": title,
        "url": url,
        "itemReviewed": _article(citation(paper, ()), ""),
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    if description:
        review["description"] = description
    if summary.published_at is not None:
        review["datePublished"] = summary.published_at.date().isoformat()
    if not summary.is_anonymous:
        review["author"] = {"@type": "Person", "name": summary.author.shown_name}
    return SummarySharing(
        title=title, public=True, url=url, description=description, json_ld=review
    )


def first_sentence(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """The first sentence of a text as one line, cut to `limit` characters."""
    line = squeezed_line(_MARKERS.sub(" ", text), 100_000)
    if not line:
        return ""
    return squeezed_line(_SENTENCE_END.split(line, maxsplit=1)[0], limit)


def summary_sentence(summary: Summary) -> str:
    """A summary's first sentence as a reader sees it (no Markdown marks)."""
    return first_sentence(document_text(summary.markdown))


# JSON-LD (schema.org)


def scholarly_article(cited: Citation, description: str) -> dict[str, Any]:
    return {"@context": "https://schema.org", **_article(cited, description)}


def _article(cited: Citation, description: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "ScholarlyArticle",
        "name": cited.title,
        "headline": cited.title[:110],
        "url": cited.url,
        "author": [{"@type": "Person", "name": name} for name in cited.authors],
    }
    if cited.year is not None:
        data["datePublished"] = str(cited.year)
    if cited.same_as:
        data["sameAs"] = list(cited.same_as)
    if cited.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": cited.doi}
    if cited.venue:
        data["isPartOf"] = {"@type": "Periodical" if cited.venue_kind == "journal" else "Event"}
        data["isPartOf"]["name"] = cited.venue
    if description:
        data["description"] = description
    return data


# BibTeX and plain text

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_ESCAPE = str.maketrans(_BIBTEX_SPECIAL)
_KEY_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with"})


def bibtex_value(text: str) -> str:
    """`text` as the inside of a braced BibTeX field: one line, every special character escaped
    (braces as commands whose own braces balance, so the field always closes where it should)."""
    return squeezed_line(text, 5000).translate(_BIBTEX_ESCAPE)


# doi, eprint and url are read verbatim (biblatex, the url package): LaTeX escapes would show in
# the link, so only what would unbalance the field is percent-encoded, as in any URL.
_VERBATIM_ESCAPE = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


def bibtex_verbatim(text: str) -> str:
    return squeezed_line(text, 5000).replace(" ", "%20").translate(_VERBATIM_ESCAPE)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bibtex_key(cited: Citation) -> str:
    """`lovelace2017things`: first author's last name, year, first significant title word, in
    [a-z0-9] only (valid in every BibTeX and biber); `paper<id>` when nothing is left."""
    surname = _ascii_word(cited.authors[0].split()[-1]) if cited.authors else ""
    words = [_ascii_word(w) for w in cited.title.split()]
    word = next((w for w in words if w and w not in _KEY_STOPWORDS), "")
    key = f"{surname}{cited.year or ''}{word}"
    return key if surname or word else f"paper{cited.paper_id}"


def _bibtex_name(name: str) -> str:
    value = bibtex_value(name)
    # " and " separates names in BibTeX: a name containing it is kept whole in braces.
    return f"{{{value}}}" if re.search(r"\sand\s", value, re.I) else value


def bibtex(cited: Citation) -> str:
    """One BibTeX entry: @inproceedings, @article or (arXiv only, or unknown) @misc."""
    kind = {"conference": "inproceedings", "journal": "article"}.get(cited.venue_kind, "misc")
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_value(cited.title) + "}")]
    if cited.authors:
        fields.append(("author", " and ".join(_bibtex_name(name) for name in cited.authors)))
    if kind == "inproceedings":
        fields.append(("booktitle", bibtex_value(cited.venue)))
    elif kind == "article":
        fields.append(("journal", bibtex_value(cited.venue)))
    if cited.year is not None:
        fields.append(("year", str(cited.year)))
    if cited.doi:
        fields.append(("doi", bibtex_verbatim(cited.doi)))
    if cited.arxiv_id:
        fields += [
            ("eprint", bibtex_verbatim(cited.arxiv_id)),
            ("archiveprefix", "arXiv"),
        ]
    fields.append(("url", bibtex_verbatim(cited.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(cited)},\n{body}\n}}\n"


def plain_text(cited: Citation) -> str:
    """`A. Author, B. Author (2017). Title. Venue. doi:… arXiv:… <url>` on one line."""
    parts = []
    names = ", ".join(cited.authors)
    if names:
        parts.append(f"{names} ({cited.year})." if cited.year else f"{names}.")
    elif cited.year:
        parts.append(f"({cited.year}).")
    parts.append(cited.title.rstrip(".") + ".")
    if cited.venue:
        parts.append(cited.venue + ".")
    if cited.doi:
        parts.append(f"https://doi.org/{cited.doi}")
    if cited.arxiv_id:
        parts.append(f"arXiv:{cited.arxiv_id}")
    parts.append(cited.url)
    return " ".join(parts)


def for_download(paper: Paper) -> tuple[Citation, str, str]:
    """The citation of `paper` with its BibTeX and plain text, for /papers/<id>/cite.bib|txt."""
    cited = citation(paper, paper.identifiers.all())
    return cited, bibtex(cited), plain_text(cited)
