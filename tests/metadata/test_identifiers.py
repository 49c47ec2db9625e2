"""What a pasted identifier parses to, which aliases it has, and the links we build from it.

The table spells out every accepted form and the ambiguous cases decided in the module's
docstring; the properties check round trips through our own links and prefixes, idempotent
normalisation, symmetric aliases and that no text makes ``parse`` raise.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shortscience.metadata.identifiers import (
    aliases,
    arxiv_url,
    dblp_url,
    doi_url,
    legacy_key_for,
    lookup_values,
    openreview_url,
    parse,
    parse_as,
    shown,
)
from shortscience.metadata.types import Identifier, Scheme

ARXIV, DOI, DBLP, OPENREVIEW, LEGACY = (
    Scheme.ARXIV,
    Scheme.DOI,
    Scheme.DBLP,
    Scheme.OPENREVIEW,
    Scheme.LEGACY,
)
SICI = "10.1002/(SICI)1097-4636(199901)44:1<33::AID-JBM5>3.0.CO;2-W"
SICI_VALUE = SICI.lower()
GIRSHICK = (DBLP, "conf/iccv/Girshick15", None)

CASES: list[tuple[str, tuple[Scheme, str, int | None] | None]] = [
    # arXiv, new style
    ("1706.03762", (ARXIV, "1706.03762", None)),
    ("1706.03762v5", (ARXIV, "1706.03762", 5)),
    ("1706.03762v12", (ARXIV, "1706.03762", 12)),
    ("0704.0001", (ARXIV, "0704.0001", None)),
    ("1412.6980", (ARXIV, "1412.6980", None)),
    ("1501.00001", (ARXIV, "1501.00001", None)),
    ("arXiv:1706.03762", (ARXIV, "1706.03762", None)),
    ("arxiv:1706.03762v2", (ARXIV, "1706.03762", 2)),
    ("ARXIV:1706.03762", (ARXIV, "1706.03762", None)),
    ("arXiv: 1706.03762", (ARXIV, "1706.03762", None)),
    ("arXiv:1706.03762 [cs.CL]", (ARXIV, "1706.03762", None)),
    ("arXiv:1706.03762v5  [cs.CL]  6 Dec 2017", (ARXIV, "1706.03762", 5)),
    ("https://arxiv.org/abs/1706.03762v2", (ARXIV, "1706.03762", 2)),
    ("http://arxiv.org/pdf/1706.03762v1", (ARXIV, "1706.03762", 1)),
    ("https://arxiv.org/pdf/1706.03762.pdf", (ARXIV, "1706.03762", None)),
    ("https://arxiv.org/pdf/1706.03762v3.pdf", (ARXIV, "1706.03762", 3)),
    ("arxiv.org/html/1706.03762v3", (ARXIV, "1706.03762", 3)),
    ("http://export.arxiv.org/abs/1706.03762", (ARXIV, "1706.03762", None)),
    ("https://www.arxiv.org/abs/1706.03762/", (ARXIV, "1706.03762", None)),
    ("https://arxiv.org/abs/1706.03762?context=cs#section", (ARXIV, "1706.03762", None)),
    ("https://ar5iv.labs.arxiv.org/html/1706.03762", (ARXIV, "1706.03762", None)),
    # arXiv, old style: subject class dropped, archive lower-cased
    ("hep-th/9901001", (ARXIV, "hep-th/9901001", None)),
    ("math.GT/0309136", (ARXIV, "math/0309136", None)),
    ("math/0309136v2", (ARXIV, "math/0309136", 2)),
    ("cond-mat.stat-mech/0102536", (ARXIV, "cond-mat/0102536", None)),
    ("math-ph/0001001", (ARXIV, "math-ph/0001001", None)),
    ("arXiv:hep-th/9901001", (ARXIV, "hep-th/9901001", None)),
    ("https://arxiv.org/abs/hep-th/9901001v3", (ARXIV, "hep-th/9901001", 3)),
    ("https://arxiv.org/pdf/math.GT/0309136v1.pdf", (ARXIV, "math/0309136", 1)),
    # DOIs: lower-cased, decoded, trailing punctuation dropped
    ("10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("doi:10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("DOI: 10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("https://doi.org/10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("http://dx.doi.org/10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("doi.org/10.1109/ICCV.2015.169", (DOI, "10.1109/iccv.2015.169", None)),
    ("10.1109/ICCV.2015.169.", (DOI, "10.1109/iccv.2015.169", None)),
    ("10.1109/ICCV.2015.169,", (DOI, "10.1109/iccv.2015.169", None)),
    ("10.1109/ICCV.2015.169)", (DOI, "10.1109/iccv.2015.169", None)),
    ("(doi:10.1109/ICCV.2015.169)", (DOI, "10.1109/iccv.2015.169", None)),
    (SICI, (DOI, SICI_VALUE, None)),
    ("10.1002%2F(SICI)1097-4636(199901)44:1%3C33::AID-JBM5%3E3.0.CO;2-W", (DOI, SICI_VALUE, None)),
    ("https://doi.org/" + SICI, (DOI, SICI_VALUE, None)),
    ("10.1016/S0140-6736(97)11096-0", (DOI, "10.1016/s0140-6736(97)11096-0", None)),
    # a resolver URL's query is the URL's, a bare DOI keeps everything
    ("https://doi.org/10.1145/3292500.3330701?foo=bar", (DOI, "10.1145/3292500.3330701", None)),
    ("10.1145/3292500.3330701?foo=bar", (DOI, "10.1145/3292500.3330701?foo=bar", None)),
    ("https://dl.acm.org/doi/abs/10.1145/3292500.3330701", (DOI, "10.1145/3292500.3330701", None)),
    ("10.48550/arXiv.1706.03762", (DOI, "10.48550/arxiv.1706.03762", None)),
    ("https://doi.org/10.48550/arXiv.1706.03762", (DOI, "10.48550/arxiv.1706.03762", None)),
    # DBLP keys, case preserved
    ("conf/iccv/Girshick15", GIRSHICK),
    ("journals/corr/abs-1906-02425", (DBLP, "journals/corr/abs-1906-02425", None)),
    ("journals/pami/HeZRS15", (DBLP, "journals/pami/HeZRS15", None)),
    ("journals/corr/HeZRS15", (DBLP, "journals/corr/HeZRS15", None)),
    ("DBLP:conf/iccv/Girshick15", GIRSHICK),
    ("https://dblp.org/rec/conf/iccv/Girshick15", GIRSHICK),
    ("https://dblp.org/rec/conf/iccv/Girshick15.html", GIRSHICK),
    ("https://dblp.org/rec/conf/iccv/Girshick15.xml", GIRSHICK),
    ("https://dblp.org/rec/conf/iccv/Girshick15.bib?param=1", GIRSHICK),
    ("https://dblp.uni-trier.de/rec/bibtex/conf/iccv/Girshick15", GIRSHICK),
    ("https://dblp.org/db/conf/iccv/index.html", None),
    # the old site's bibtexKey
    ("journals/corr/1608.06993", (LEGACY, "journals/corr/1608.06993", None)),
    ("journals/corr/cs/0112017", (LEGACY, "journals/corr/cs/0112017", None)),
    (
        "https://www.shortscience.org/paper?bibtexKey=journals/corr/1608.06993",
        (LEGACY, "journals/corr/1608.06993", None),
    ),
    ("https://shortscience.org/paper?bibtexKey=conf/iccv/Girshick15", GIRSHICK),
    ("http://www.shortscience.org/paper?bibtexKey=oldkey2016", (LEGACY, "oldkey2016", None)),
    # OpenReview, only with a URL or prefix
    ("https://openreview.net/forum?id=rJ4km2R5t7", (OPENREVIEW, "rJ4km2R5t7", None)),
    ("openreview.net/pdf?id=rJ4km2R5t7", (OPENREVIEW, "rJ4km2R5t7", None)),
    ("https://openreview.net/forum?id=S1-B2A4g-&noteId=xyz", (OPENREVIEW, "S1-B2A4g-", None)),
    ("openreview:rJ4km2R5t7", (OPENREVIEW, "rJ4km2R5t7", None)),
    ("rJ4km2R5t7", None),
    ("https://openreview.net/group?id=ICLR.cc/2019/Conference", None),
    # surroundings ignored
    ("  <https://arxiv.org/abs/1706.03762>  ", (ARXIV, "1706.03762", None)),
    ('"1706.03762"', (ARXIV, "1706.03762", None)),
    ("'10.1109/ICCV.2015.169'", (DOI, "10.1109/iccv.2015.169", None)),
    ("\u201carXiv:1706.03762\u201d", (ARXIV, "1706.03762", None)),
    ("\t1706.03762v2\n", (ARXIV, "1706.03762", 2)),
    # not identifiers
    ("Attention is all you need", None),
    ("GPT-4 Technical Report", None),
    ("ResNet 50 results 1706", None),
    ("1706", None),
    ("", None),
    ("   ", None),
    ("<>", None),
    ("1706.03762v0", None),
    ("1501.0001", None),  # 4-digit numbers ended in 2014
    ("1412.00001", None),  # 5-digit numbers started in 2015
    ("0703.0001", None),  # new style started in April 2007
    ("1713.03762", None),  # no month 13
    ("foo-th/9901001", None),  # no such archive
    ("hep-th/0813001", None),  # old style ended in 2007
    ("10.1109", None),
    ("10.12/abc", None),  # registrant codes have 4 to 9 digits
    ("arXiv:10.1109/ICCV.2015.169", None),
    ("doi:1706.03762", None),
    ("https://example.org/abs/1706.03762", None),
    ("arxiv.org/list/cs.LG/recent", None),
    ("http://[::1", None),
    ("conf/iccv", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_pasted_form_parses_to_its_normalised_identifier(text, expected):
    assert parse(text) == (Identifier(*expected) if expected else None)


def test_the_table_covers_at_least_sixty_inputs():
    assert len(CASES) >= 60


def test_an_arxiv_id_aliases_its_doi_and_legacy_key():
    assert aliases(Identifier(ARXIV, "1706.03762", 5)) == [
        Identifier(DOI, "10.48550/arxiv.1706.03762"),
        Identifier(LEGACY, "journals/corr/1706.03762"),
    ]


def test_an_arxiv_doi_aliases_the_arxiv_id_and_legacy_key():
    assert aliases(Identifier(DOI, "10.48550/arxiv.hep-th/9901001")) == [
        Identifier(ARXIV, "hep-th/9901001"),
        Identifier(LEGACY, "journals/corr/hep-th/9901001"),
    ]


def test_a_legacy_key_aliases_the_arxiv_id_and_its_doi():
    assert aliases(Identifier(LEGACY, "journals/corr/1608.06993")) == [
        Identifier(ARXIV, "1608.06993"),
        Identifier(DOI, "10.48550/arxiv.1608.06993"),
    ]


def test_dblp_corr_keys_alias_the_arxiv_paper_they_index():
    new = aliases(Identifier(DBLP, "journals/corr/abs-1906-02425"))
    old = aliases(Identifier(DBLP, "journals/corr/cs-DS-0310049"))
    assert new[0] == Identifier(ARXIV, "1906.02425")
    assert old[0] == Identifier(ARXIV, "cs/0310049")
    assert len(new) == len(old) == 3


def test_other_identifiers_have_no_offline_aliases():
    assert aliases(Identifier(DBLP, "journals/corr/HeZRS15")) == []
    assert aliases(Identifier(DBLP, "journals/corr/abs-1713-02425")) == []
    assert aliases(Identifier(DOI, "10.1109/iccv.2015.169")) == []
    assert aliases(Identifier(DOI, "10.48550/arxiv.1706.03762v2")) == []
    assert aliases(Identifier(OPENREVIEW, "rJ4km2R5t7")) == []
    assert aliases(Identifier(LEGACY, "oldkey2016")) == []


def test_lookup_values_are_the_parsed_identifier_then_its_aliases():
    assert lookup_values("https://arxiv.org/abs/1706.03762v2") == [
        Identifier(ARXIV, "1706.03762", 2),
        Identifier(DOI, "10.48550/arxiv.1706.03762"),
        Identifier(LEGACY, "journals/corr/1706.03762"),
    ]
    assert lookup_values("conf/iccv/Girshick15") == [Identifier(DBLP, "conf/iccv/Girshick15")]
    assert lookup_values("Attention is all you need") == []


def test_legacy_keys_exist_for_arxiv_papers_only():
    assert legacy_key_for(Identifier(ARXIV, "1706.03762", 3)) == "journals/corr/1706.03762"
    assert legacy_key_for(Identifier(DOI, "10.48550/arxiv.math/0309136")) == (
        "journals/corr/math/0309136"
    )
    assert legacy_key_for(Identifier(LEGACY, "oldkey2016")) == "oldkey2016"
    assert legacy_key_for(Identifier(DOI, "10.1109/iccv.2015.169")) is None
    assert legacy_key_for(Identifier(DBLP, "conf/iccv/Girshick15")) is None


def test_outside_links_are_canonical():
    assert arxiv_url("1706.03762") == "https://arxiv.org/abs/1706.03762"
    assert arxiv_url("hep-th/9901001", 3) == "https://arxiv.org/abs/hep-th/9901001v3"
    assert doi_url("10.1109/iccv.2015.169") == "https://doi.org/10.1109/iccv.2015.169"
    assert doi_url(SICI_VALUE) == (
        "https://doi.org/10.1002/(sici)1097-4636(199901)44:1%3C33::aid-jbm5%3E3.0.co;2-w"
    )
    assert dblp_url("conf/iccv/Girshick15") == "https://dblp.org/rec/conf/iccv/Girshick15"
    assert openreview_url("rJ4km2R5t7") == "https://openreview.net/forum?id=rJ4km2R5t7"


def test_overlong_pastes_are_not_identifiers():
    assert parse("1706.03762" + " " * 3000) is None


# --- properties ---------------------------------------------------------------------------

OLD_ARCHIVES = ["hep-th", "hep-ph", "astro-ph", "cond-mat", "quant-ph", "gr-qc", "math", "cs"]
SUBJECT_CLASSES = {"math": ["GT", "AG", "CO"], "cs": ["AI", "LG"], "cond-mat": ["stat-mech"]}


@st.composite
def new_style_ids(draw):
    yymm = draw(st.integers(704, 9912).filter(lambda n: 1 <= n % 100 <= 12))
    digits = 4 if yymm <= 1412 else 5
    number = draw(st.integers(1, 10**digits - 1))
    value = f"{yymm:04d}.{number:0{digits}d}"
    return value, value


@st.composite
def old_style_ids(draw):
    """(as written, normalised): the subject class is optional and normalised away."""
    archive = draw(st.sampled_from(OLD_ARCHIVES))
    year = draw(st.sampled_from([*range(91, 100), *range(8)]))
    number = f"{year:02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 999)):03d}"
    subject = draw(st.sampled_from(["", *SUBJECT_CLASSES.get(archive, [])]))
    written = f"{archive}.{subject}/{number}" if subject else f"{archive}/{number}"
    return written, f"{archive}/{number}"


arxiv_ids = st.one_of(new_style_ids(), old_style_ids())
versions = st.integers(1, 99)

DOI_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._;()/:<>[]"
dois = st.builds(
    lambda registrant, middle, last: f"10.{registrant}/{middle}{last}",
    st.from_regex(r"[1-9][0-9]{3,8}", fullmatch=True),
    st.text(alphabet=DOI_ALPHABET, max_size=30),
    st.sampled_from("abcXYZ0789"),
).filter(lambda doi: not re.search(r"<[A-Za-z/!?]", doi))  # markup is not a DOI
dblp_keys = st.builds(
    lambda kind, venue, name: f"{kind}/{venue}/{name}",
    st.sampled_from(["conf", "journals", "books", "series", "phd"]),
    st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True),
    st.from_regex(r"[A-Z][A-Za-z]{0,8}[0-9]{2}[a-z]?|abs-[0-9]{4}-[0-9]{5}", fullmatch=True),
)


@given(arxiv_ids, versions)
def test_arxiv_ids_survive_our_links_and_prefixes(arxiv_id, version):
    written, value = arxiv_id
    assert parse(arxiv_url(written)) == Identifier(ARXIV, value)
    assert parse(arxiv_url(written, version)) == Identifier(ARXIV, value, version)
    assert parse(f"arXiv:{written}v3") == Identifier(ARXIV, value, 3)
    assert parse(f"https://arxiv.org/pdf/{written}v{version}.pdf") == (
        Identifier(ARXIV, value, version)
    )
    assert parse(written) == parse(value) == Identifier(ARXIV, value)


@given(dois)
def test_dois_survive_our_links_and_prefixes_in_any_case(doi):
    expected = Identifier(DOI, doi.lower())
    assert parse(doi_url(doi)) == expected
    assert parse("doi:" + doi.upper()) == expected
    assert parse("https://doi.org/" + doi.replace("/", "%2F", 1)) == expected
    assert parse(doi) == parse(expected.value) == expected


@given(dblp_keys)
def test_dblp_keys_survive_our_links_and_prefixes(key):
    expected = Identifier(DBLP, key)
    assert parse(key) == expected
    assert parse(dblp_url(key)) == expected
    assert parse(dblp_url(key) + ".html") == expected
    assert parse("DBLP:" + key) == expected


@given(arxiv_ids)
def test_arxiv_aliases_are_symmetric(arxiv_id):
    arxiv = Identifier(ARXIV, arxiv_id[1])
    doi = Identifier(DOI, "10.48550/arxiv." + arxiv_id[1])
    legacy = Identifier(LEGACY, "journals/corr/" + arxiv_id[1])
    assert aliases(arxiv) == [doi, legacy]
    for alias in aliases(arxiv):
        assert arxiv in aliases(alias)
        assert parse(alias.value) == alias
        assert legacy_key_for(alias) == legacy.value


SEEDS = [
    "",
    "arXiv:",
    "doi:",
    "DBLP:",
    "openreview:",
    "https://arxiv.org/abs/",
    "arxiv.org/pdf/",
    "https://doi.org/",
    "10.1234/",
    "https://dblp.org/rec/",
    "journals/corr/",
    "https://openreview.net/forum?id=",
    "https://shortscience.org/paper?bibtexKey=",
    "https://dl.acm.org/doi/",
    "<",
    "(",
    "hep-th/",
]
NOISE = st.text(alphabet="0123456789./:-%<>()[]\"' vVabcdhtpsxrioj?=#&\u201c\u00a0", max_size=30)
pastes = st.one_of(
    st.text(),
    st.builds(lambda seed, rest: seed + rest, st.sampled_from(SEEDS), NOISE),
    st.builds(lambda seed, rest: seed + rest, st.sampled_from(SEEDS), st.text(max_size=30)),
)


@given(pastes)
def test_parse_never_raises_and_normalisation_is_idempotent(text):
    identifier = parse(text)
    if identifier is None:
        return
    assert identifier.value
    assert identifier.value == identifier.value.strip()
    if identifier.scheme in (ARXIV, DOI, DBLP):
        assert parse(identifier.value) == Identifier(identifier.scheme, identifier.value)
    assert identifier not in aliases(identifier)


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        (ARXIV, "1706.03762v2", "1706.03762"),
        (ARXIV, "hep-th/9901001", "hep-th/9901001"),
        (DOI, "10.1109/ICCV.2015.169", "10.1109/iccv.2015.169"),
        (DOI, "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", None),
        (DBLP, "conf/iccv/Girshick15", "conf/iccv/Girshick15"),
        (OPENREVIEW, "rJ4km2R5t7", "rJ4km2R5t7"),
        (LEGACY, "oldkey2016", "oldkey2016"),
        (LEGACY, "journals/corr/1608.06993", "journals/corr/1608.06993"),
    ],
)
def test_a_value_that_says_its_scheme_is_checked_against_that_grammar(scheme, value, expected):
    found = parse_as(scheme, value)
    assert (found.value if found else None) == (expected or value.lower())


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        (ARXIV, "javascript:alert(1)"),
        (ARXIV, " 1706.03762"),
        (ARXIV, "arXiv:1706.03762"),  # a paste; parse() takes it, a stored value is bare
        (DOI, "javascript:alert(1)"),
        (DOI, "10.1234/<script>alert(1)</script>"),
        (DOI, "10.1234/%3Cscript%3E"),
        (DOI, '10.1234/a"b'),
        (DOI, "10.1234/a\u202eb"),
        (DBLP, "conf/iccv/Girshick15\n"),
        (DBLP, "conf/iccv/<b>"),
        (OPENREVIEW, "rJ4km2R5t7<"),
        (LEGACY, "javascript:alert(1)"),
        (LEGACY, "old key"),
        (LEGACY, "<b>key</b>"),
        (LEGACY, "x" * 301),
    ],
)
def test_values_outside_their_schemes_grammar_are_not_identifiers(scheme, value):
    assert parse_as(scheme, value) is None


def test_markup_in_a_pasted_doi_is_not_a_doi():
    assert parse("10.1234/<img src=x onerror=alert(1)>") is None
    assert parse("https://shortscience.org/paper?bibtexKey=javascript:alert(1)") is None


def test_values_in_reports_are_quoted_escaped_and_bounded():
    assert shown("a\nb") == "'a\\nb'"
    assert len(shown("x" * 500)) < 70


def test_a_four_segment_dblp_key_parses():
    assert parse("books/el/leeuwen90/Boas90") == Identifier(DBLP, "books/el/leeuwen90/Boas90")
