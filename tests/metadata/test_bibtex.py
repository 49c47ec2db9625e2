"""BibTeX pastes, recorded under tests/data/metadata/bibtex/, parsed into PaperMetadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shortscience.metadata.bibtex import BibtexError, latex_to_text, parse_bibtex
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "bibtex"


def load(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_a_dblp_inproceedings_entry():
    [paper] = parse_bibtex(load("dblp_conf_iccv_Girshick15.bib"))
    assert paper.title == "Fast R-CNN"
    assert paper.authors == ["Ross B. Girshick"]
    assert paper.year == 2015
    assert paper.venue == "ICCV"
    assert paper.url == "https://doi.org/10.1109/ICCV.2015.169"
    assert paper.identifiers == [
        Identifier(Scheme.DBLP, "conf/iccv/Girshick15"),
        Identifier(Scheme.DOI, "10.1109/iccv.2015.169"),
    ]
    assert paper.source == "bibtex"


def test_a_dblp_corr_entry_gives_the_arxiv_id_once():
    [paper] = parse_bibtex(load("dblp_journals_corr_VaswaniSPUJGKP17.bib"))
    assert paper.title == "Attention Is All You Need"
    assert len(paper.authors) == 8
    assert paper.authors[5] == "Aidan N. Gomez"
    assert paper.venue == "CoRR"
    assert paper.identifiers == [
        Identifier(Scheme.DBLP, "journals/corr/VaswaniSPUJGKP17"),
        Identifier(Scheme.ARXIV, "1706.03762"),
    ]


def test_an_arxiv_export_entry_gives_eprint_and_primary_class():
    [paper] = parse_bibtex(load("arxiv_1810.04805.bib"))
    assert paper.title == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert paper.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert paper.identifiers == [Identifier(Scheme.ARXIV, "1810.04805")]
    assert paper.categories == ["cs.CL"]
    assert paper.url == "https://arxiv.org/abs/1810.04805"
    assert paper.venue == "arXiv cs.CL"


def test_several_entries_in_one_paste_keep_their_order():
    papers = parse_bibtex(load("scholar_several.bib"))
    assert [p.year for p in papers] == [2019, 1931, 1926, 2010]


def test_last_first_authors_become_first_last_and_protective_braces_go():
    bert = parse_bibtex(load("scholar_several.bib"))[0]
    assert bert.title.startswith("BERT: Pre-training of Deep")
    assert bert.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert bert.venue == "NAACL"
    assert bert.identifiers == []


def test_accents_are_decoded_in_titles_authors_and_venues():
    _, godel, schrodinger, bottou = parse_bibtex(load("scholar_several.bib"))
    assert godel.title == (
        "Über formal unentscheidbare Sätze der Principia Mathematica und verwandter Systeme I"
    )
    assert godel.authors == ["Kurt Gödel"]
    assert godel.identifiers == [Identifier(Scheme.DOI, "10.1007/bf01700692")]
    assert godel.url == "https://doi.org/10.1007/bf01700692"
    assert schrodinger.authors == ["Erwin Schrödinger"]
    assert bottou.authors == ["Léon Bottou"]


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber", "über"),
        (r"Schr{\"o}dinger", "Schrödinger"),
        (r"\'{E}cole", "École"),
        (r"Stra{\ss}e", "Straße"),
        (r"Na\"{\i}ve", "Naïve"),
        (r"{\L}ukasz Erd\H{o}s \v{S}koda", "Łukasz Erdős Škoda"),
        (r"{BERT}: Pre-training", "BERT: Pre-training"),
        (r"{{Deep}} {R}esidual", "Deep Residual"),
        (r"\emph{Deep} {\em nets} \textbf{now}", "Deep nets now"),
        (r"pages 1--2 --- ``quoted''", "pages 1\u20132 \u2014 \u201cquoted\u201d"),
        (r"50\% R\&D \{set\}", "50% R&D {set}"),
        (r"the $\ell_1$ {norm}", r"the $\ell_1$ norm"),
        ("two\n   lines", "two lines"),
    ],
)
def test_latex_is_decoded_to_plain_text(latex: str, text: str):
    assert latex_to_text(latex) == text


def test_name_forms_von_jr_organisations_and_others():
    [paper] = parse_bibtex(
        "@techreport{x, title = {T}, year = 1945,"
        " author = {von Neumann, John and King, Jr, Martin Luther and {Google Research}"
        " and Ada Lovelace and others}}"
    )
    assert paper.authors == [
        "John von Neumann",
        "Martin Luther King, Jr",
        "Google Research",
        "Ada Lovelace",
    ]
    assert paper.year == 1945


def test_string_macros_and_month_names_are_expanded():
    [paper] = parse_bibtex(
        '@string{iclr = "International Conference on Learning Representations"}\n'
        "@inproceedings{k, title = {T}, booktitle = iclr, month = may, year = {2019},"
        " url = {https://openreview.net/forum?id=rJ4km2R5t7}}"
    )
    assert paper.venue == "ICLR"
    assert paper.identifiers == [Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7")]
    assert paper.url == "https://openreview.net/forum?id=rJ4km2R5t7"


def test_a_malformed_entry_raises_with_its_line_number():
    with pytest.raises(BibtexError) as caught:
        parse_bibtex(load("malformed.bib"))
    assert caught.value.line == 8
    assert str(caught.value).startswith("line 8: syntax error")


def test_an_unclosed_entry_raises():
    with pytest.raises(BibtexError, match="premature end of file"):
        parse_bibtex("@article{x, title = {Never closed")


def test_text_without_entries_raises():
    with pytest.raises(BibtexError, match="no BibTeX entry"):
        parse_bibtex("Attention is all you need, Vaswani et al. 2017")


def test_an_entry_without_title_raises():
    with pytest.raises(BibtexError, match="'x' has no title"):
        parse_bibtex("@article{x, author = {A. Author}, year = 2020}")


def test_an_undefined_string_macro_raises_clearly():
    with pytest.raises(BibtexError, match="undefined string: nips"):
        parse_bibtex("@inproceedings{x, title = {T}, booktitle = nips}")


def test_two_entries_with_one_key_raise():
    with pytest.raises(BibtexError, match="share the key 'x'"):
        parse_bibtex("@misc{x, title = {A}}\n@misc{x, title = {B}}")


def test_an_escaped_underscore_in_a_doi_is_read():
    [paper] = parse_bibtex(r"@article{x, title = {T}, doi = {10.5555/abc\_def}}")
    assert paper.identifiers == [Identifier(Scheme.DOI, "10.5555/abc_def")]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("@{}\\\"'$%&#,=~ \nabcAB01-^_")), max_size=80))
def test_any_text_is_either_read_or_refused_with_bibtex_error(text: str):
    assert isinstance(latex_to_text(text), str)
    try:
        papers = parse_bibtex(text)
    except BibtexError:
        return
    assert all(paper.title for paper in papers)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}\\\"'$%&#,=~ \nabcAB01-^_")), max_size=60))
def test_any_title_survives_inside_an_entry(title: str):
    try:
        papers = parse_bibtex("@misc{k, title = {" + title + "}}")
    except BibtexError:
        return
    assert [paper.source for paper in papers] == ["bibtex"]
