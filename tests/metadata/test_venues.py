"""Venue keys from DBLP keys, DOIs, venue text and arXiv categories; arXiv fields."""

from __future__ import annotations

import pytest

from shortscience.metadata import venues
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme


@pytest.mark.parametrize(
    ("key", "venue"),
    [
        ("conf/iccv/Girshick15", "ICCV"),
        ("conf/nips/VaswaniSPUJGKP17", "NeurIPS"),
        ("conf/iclr/KingmaB14", "ICLR"),
        ("conf/icml/IoffeS15", "ICML"),
        ("conf/cvpr/HeZRS16", "CVPR"),
        ("journals/corr/abs-1906-02425", "CoRR"),
        ("journals/pami/RenHG017", "TPAMI"),
        ("journals/jmlr/SrivastavaHKSS14", "JMLR"),
        ("conf/soda/ArthurV07", "SODA"),
        ("DBLP:conf/naacl/DevlinCLT19", "NAACL"),
        ("journals/access/Smith20", "ACCESS"),
        ("books/daglib/0001", ""),
        ("nonsense", ""),
    ],
)
def test_dblp_keys_name_their_venue(key: str, venue: str):
    assert venues.from_dblp_key(key) == venue


@pytest.mark.parametrize(
    ("doi", "venue"),
    [
        ("10.1109/cvpr.2016.90", "CVPR"),
        ("10.1109/ICCV.2015.169", "ICCV"),
        ("10.1109/cvprw.2017.123", "CVPRW"),
        ("10.1109/tpami.2016.2577031", "TPAMI"),
        ("10.48550/arxiv.1706.03762", "arXiv"),
        ("10.18653/v1/n19-1423", "NAACL"),
        ("10.18653/v1/2020.acl-main.463", "ACL"),
        ("10.18653/v1/2021.emnlp-main.1", "EMNLP"),
        ("10.1038/nature14539", "Nature"),
        ("10.1093/nar/gkaa1113", ""),
    ],
)
def test_doi_prefixes_name_their_venue(doi: str, venue: str):
    assert venues.from_doi(doi) == venue


@pytest.mark.parametrize(
    ("text", "venue"),
    [
        ("2015 IEEE International Conference on Computer Vision (ICCV)", "ICCV"),
        ("ICLR 2019 Conference", "ICLR"),
        ("Neural Information Processing Systems", "NeurIPS"),
        ("Advances in Neural Information Processing Systems 30 (NIPS 2017)", "NeurIPS"),
        ("Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition", "CVPR"),
        ("IEEE Trans. Pattern Anal. Mach. Intell.", "TPAMI"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "TPAMI"),
        ("CoRR", "CoRR"),
        ("Nature", "Nature"),
        ("Nature Communications", ""),
        ("Journal of Computer Science", ""),
        ("", ""),
    ],
)
def test_free_venue_text_names_a_venue_only_when_it_is_clear(text: str, venue: str):
    assert venues.from_text(text) == venue


def test_arxiv_categories_are_preprint_venues():
    assert venues.from_category("cs.LG") == "arXiv cs.LG"
    assert venues.from_category("") == ""


def test_a_publication_venue_wins_over_corr_and_arxiv():
    ids = [
        Identifier(Scheme.ARXIV, "1706.03762"),
        Identifier(Scheme.DBLP, "journals/corr/VaswaniSPUJGKP17"),
        Identifier(Scheme.DBLP, "conf/nips/VaswaniSPUJGKP17"),
    ]
    assert venues.venue_key_for(identifiers=ids, categories=["cs.CL"]) == "NeurIPS"


def test_corr_wins_over_an_arxiv_category():
    ids = [
        Identifier(Scheme.ARXIV, "1706.03762"),
        Identifier(Scheme.DBLP, "journals/corr/VaswaniSPUJGKP17"),
    ]
    assert venues.venue_key_for(identifiers=ids, categories=["cs.CL"]) == "CoRR"


def test_an_arxiv_only_paper_gets_its_primary_category_or_plain_arxiv():
    ids = [Identifier(Scheme.ARXIV, "1706.03762")]
    assert venues.venue_key_for(identifiers=ids, categories=["cs.CL", "cs.LG"]) == "arXiv cs.CL"
    assert venues.venue_key_for(identifiers=ids) == "arXiv"


def test_metadata_venue_is_kept_unless_an_identifier_names_a_publication_venue():
    meta = PaperMetadata(title="GLUE", venue="ICLR", categories=["cs.CL"])
    assert venues.venue_key_for(meta) == "ICLR"
    meta.identifiers = [Identifier(Scheme.DOI, "10.18653/v1/w18-5446")]
    assert venues.venue_key_for(meta) == "ICLR"  # a workshop DOI names no key we know
    meta.identifiers = [Identifier(Scheme.DBLP, "conf/emnlp/WangSMHLB18")]
    assert venues.venue_key_for(meta) == "EMNLP"


def test_nothing_known_gives_an_empty_key():
    assert venues.venue_key_for() == ""
    assert venues.venue_key_for(identifiers=[Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7")]) == ""


@pytest.mark.parametrize(
    ("category", "field"),
    [
        ("cs.LG", "cs"),
        ("stat.ML", "stat"),
        ("math.CO", "math"),
        ("math-ph", "physics"),
        ("hep-th", "physics"),
        ("astro-ph.CO", "physics"),
        ("cond-mat.str-el", "physics"),
        ("quant-ph", "physics"),
        ("physics.optics", "physics"),
        ("nlin.CD", "physics"),
        ("q-bio.NC", "q-bio"),
        ("q-fin.ST", "q-fin"),
        ("eess.IV", "eess"),
        ("econ.EM", "econ"),
        ("cmp-lg", "cs"),
        ("alg-geom", "math"),
        ("I.2.7", ""),
        ("", ""),
    ],
)
def test_field_of_maps_categories_to_top_level_fields(category: str, field: str):
    assert venues.field_of(category) == field
    assert field == "" or field in venues.FIELDS


@pytest.mark.parametrize(
    "key",
    [
        "NeurIPS",
        "arXiv cs.LG",
        "IEEE Trans. Pattern Anal. Mach. Intell.",
        "Künstliche Intell.",
        "ICLR (Poster)",
        "AT&T Tech. J.",
        "Vision/Graphics",
        "conf/nips",
    ],
)
def test_venue_keys_are_names_a_url_segment_can_carry(key):
    assert venues.is_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        " ICCV",
        "ICCV ",
        "IC  CV",
        "Vision//Graphics",
        "/ICCV",
        "ICCV/",
        "Vision /Graphics",
        "Vision/ Graphics",
        "a/../b",
        "a/./b",
        "<b>ICCV</b>",
        'I"CCV',
        "IC\nCV",
        "IC\u202eCV",
        "_x",
        "x" * 101,
    ],
)
def test_anything_else_is_not_a_venue_key(key):
    assert not venues.is_key(key)


def test_arxiv_categories_have_their_shape():
    assert all(map(venues.is_category, ["cs.LG", "hep-th", "q-bio.NC", "cond-mat.stat-mech"]))
    assert not any(map(venues.is_category, ["<i>cs</i>", "cs/LG", "cs.LG;", "CS LG"]))


def test_an_old_site_venue_key_says_what_to_search_for_when_it_names_no_venue():
    assert venues.old_site_key("conf/obscure/2014").words == "obscure"
    assert venues.old_site_key("10.1109/CVPR.2016").words == "CVPR"
    assert venues.old_site_key("10.1145/some-long_prefix.2001").words == "some long prefix"
    assert venues.old_site_key("Workshop X").words == "Workshop X"


@pytest.mark.parametrize(
    ("key", "keys", "year"),
    [
        ("conf/nips", ("conf/nips", "NeurIPS"), None),
        ("conf/nips/2017", ("conf/nips/2017", "NeurIPS"), 2017),
        ("conf/cvpr/cvpr2016", ("conf/cvpr/cvpr2016", "CVPR"), 2016),
        ("journals/corr", ("journals/corr", "CoRR"), None),
        ("journals/pami/HeZRS15", ("journals/pami/HeZRS15", "TPAMI"), None),
        ("10.1109/cvpr", ("10.1109/cvpr", "CVPR"), None),
        ("10.1109/CVPR.2016", ("10.1109/CVPR.2016", "CVPR"), 2016),
        ("ICCV", ("ICCV",), None),
        ("10.1145/unknown", ("10.1145/unknown",), None),
    ],
)
def test_old_site_venue_keys_name_the_key_then_its_stream_or_doi_prefix(key, keys, year):
    old = venues.old_site_key(key)
    assert old.keys == keys
    assert old.year == year
