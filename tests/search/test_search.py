"""search(): what words, phrases, fields and filters find, in which order, with which snippet.

Every test runs unchanged on SQLite (FTS5) and PostgreSQL (tsvector); DATABASE_URL picks one.
"""

import pytest

from shortscience import search
from shortscience.models import PaperIdentifier, Venue
from shortscience.services import comments, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def found(query, viewer=None, **options):
    return [
        (hit.kind, hit.paper.title) for hit in search.search(query, viewer=viewer, **options).hits
    ]


def kinds(query, viewer=None):
    return sorted(hit.kind for hit in search.search(query, viewer=viewer).hits)


@pytest.fixture
def library():
    neurips = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    cvpr = Venue.objects.create(key="CVPR", name="Computer Vision and Pattern Recognition")
    attention = make_paper("Attention Is All You Need", venue=neurips, year=2017)
    attention.authors = ["Ashish Vaswani", "Noam Shazeer"]
    attention.abstract = "The dominant sequence transduction models use recurrent networks."
    attention.save()
    resnet = make_paper("Deep Residual Learning for Image Recognition", venue=cvpr, year=2016)
    rcnn = make_paper("Fast R-CNN", venue=cvpr, year=2015)
    search.index_papers([attention.pk, resnet.pk, rcnn.pk])
    return {"attention": attention, "resnet": resnet, "rcnn": rcnn}


def test_a_word_of_a_title_finds_the_paper(library):
    assert found("residual") == [("paper", "Deep Residual Learning for Image Recognition")]


def test_every_word_must_match(library):
    assert found("residual attention") == []


def test_a_word_of_the_abstract_finds_the_paper_and_stems_match(library):
    assert found("network transduction") == [("paper", "Attention Is All You Need")]


def test_a_summary_is_found_by_its_text_and_a_comment_by_its_text(library):
    summary = make_summary(paper=library["resnet"], markdown="Skip connections ease optimisation.")
    comments.add(make_user(), summary.pk, "Do skip connections help transformers too?")
    assert kinds("skip connections") == ["comment", "summary"]
    assert kinds("optimisation") == ["summary"]


def test_a_phrase_matches_only_those_words_in_that_order(library):
    make_summary(
        paper=library["rcnn"], markdown="Proposals from regions, then detection of objects."
    )
    make_summary(paper=library["resnet"], markdown="Better object detection as a side effect.")
    assert found('"object detection"') == [
        ("summary", "Deep Residual Learning for Image Recognition")
    ]
    assert len(found("object detection")) == 2


def test_a_hyphenated_title_is_found_as_typed(library):
    assert found("fast r-cnn") == [("paper", "Fast R-CNN")]
    assert found('"fast r-cnn"') == [("paper", "Fast R-CNN")]


def test_an_excluded_word_removes_what_contains_it(library):
    make_summary(paper=library["rcnn"], markdown="Regions of interest are pooled.")
    make_summary(paper=library["resnet"], markdown="Regions do not matter here; depth does.")
    assert found("regions -pooled") == [("summary", "Deep Residual Learning for Image Recognition")]
    assert found('regions -"regions of interest"') == [
        ("summary", "Deep Residual Learning for Image Recognition")
    ]


def test_exclusions_alone_with_a_filter_work(library):
    assert found("venue:cvpr -residual") == [("paper", "Fast R-CNN")]


def test_title_restricts_a_word_to_the_title(library):
    make_summary(paper=library["rcnn"], markdown="Unlike attention models, this is about boxes.")
    assert set(found("attention")) == {
        ("paper", "Attention Is All You Need"),
        ("summary", "Fast R-CNN"),
    }
    titles = {title for _, title in found("title:attention")}
    assert titles == {"Attention Is All You Need"}


def test_author_matches_the_papers_authors(library):
    make_summary(paper=library["rcnn"], markdown="Vaswani would disagree.")
    assert found("author:vaswani") == [("paper", "Attention Is All You Need")]


def test_venue_and_year_filter_and_ranges_include_both_ends(library):
    assert {t for _, t in found("venue:CVPR")} == {
        "Fast R-CNN",
        "Deep Residual Learning for Image Recognition",
    }
    assert {t for _, t in found("year:2016..2017")} == {
        "Attention Is All You Need",
        "Deep Residual Learning for Image Recognition",
    }
    assert found("year:..2015") == [("paper", "Fast R-CNN")]
    assert found("recognition year:2015") == []


def test_user_finds_what_a_person_wrote_and_has_summary_keeps_summarised_papers(library):
    ada = make_user("ada")
    make_summary(author=ada, paper=library["rcnn"], markdown="Pooled regions.")
    assert found("user:ada") == [("summary", "Fast R-CNN")]
    assert {(k, t) for k, t in found("has:summary")} == {
        ("paper", "Fast R-CNN"),
        ("summary", "Fast R-CNN"),
    }


def test_a_person_is_found_by_their_name(library):
    ada = make_user("ada", display_name="Ada Lovelace-Byron")
    make_summary(author=ada, paper=library["rcnn"], markdown="Pooled regions.")
    assert found("lovelace byron") == [("summary", "Fast R-CNN")]


def test_sorting_by_score_and_by_date(library):
    low = make_summary(paper=library["rcnn"], markdown="Boxes, first summary.")
    high = make_summary(paper=library["resnet"], markdown="Boxes, second summary.")
    votes.cast(make_user(), high.pk, 1)
    by_score = search.search("boxes", viewer=None, sort="score").hits
    assert [h.summary.pk if h.summary else None for h in by_score] == [high.pk, low.pk]
    by_date = search.search("boxes", viewer=None, sort="date").hits
    assert [h.summary.pk if h.summary else None for h in by_date] == [high.pk, low.pk]
    assert by_score[0].score == 1


def test_results_come_in_pages(library):
    for i in range(5):
        make_summary(paper=make_paper(f"Study {i}"), markdown="Leafing through chapters.")
    first = search.search("leafing", viewer=None, per_page=2)
    third = search.search("leafing", viewer=None, per_page=2, page=3)
    assert (first.total, first.has_next, len(first.hits)) == (5, True, 2)
    assert (third.has_next, len(third.hits)) == (False, 1)


def test_the_snippet_escapes_the_text_and_marks_the_matches(library):
    make_summary(
        paper=library["rcnn"], markdown="Pooling <script>alert(1)</script> regions & boxes."
    )
    hit = search.search("regions", viewer=None).hits[0]
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<mark>regions</mark>" in hit.snippet_html
    assert "&amp; boxes" in hit.snippet_html


@pytest.mark.parametrize(
    "key",
    [
        "1706.03762",
        "arXiv:1706.03762v2",
        "https://arxiv.org/abs/1706.03762",
        "10.5555/3295222",
        "https://doi.org/10.5555/3295222",
    ],
)
def test_an_identifier_of_a_known_paper_gives_its_page(library, key):
    paper = library["attention"]
    PaperIdentifier.objects.filter(paper=paper).delete()
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value="1706.03762")
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.5555/3295222")
    assert search.search(key, viewer=None).redirect_url == paper.get_absolute_url()


def test_an_unknown_identifier_is_searched_as_words(library):
    results = search.search("2999.99999", viewer=None)
    assert results.redirect_url is None and results.hits == []


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "a AND OR NOT NEAR",
        "* ^ : ( ) {} [] + ~",
        "NEAR(fast cnn, 2)",
        "title: author: venue: year: user: has:",
        "-",
        "--fast",
        "title:-fast",
        "fast" * 2000,
        " ".join(["fast"] * 3000),
        "year:abc..def",
        "year:99999",
        "nul\x00byte",
        "'; DROP TABLE shortscience_paper; --",
        'fast"r"cnn',
        "\ud800 lone surrogate",
        "ünïcödé naïve café",
    ],
)
def test_malformed_input_never_raises(library, query):
    results = search.search(query, viewer=make_user())
    assert results.total >= 0


def test_nothing_searchable_finds_nothing(library):
    assert search.search("   ", viewer=None).total == 0
    assert search.search("*** ()", viewer=None).hits == []
