"""The add flow's rules in services/lookup.py that need no network (the sources' answers are
tested through the add page with recorded responses: tests/views/test_add.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from shortscience.metadata.http import FetchError
from shortscience.services import lookup
from shortscience.services.errors import InvalidInput
from tests.factories import make_paper, make_user
from tests.recorded import route

TWO_ENTRIES = """
@article{first, title={Attention Is All You Need}, author={Vaswani, Ashish}, year={2017}}
@inproceedings{second, title={Another One}, author={Doe, Jane}, year={2020}}
"""


@pytest.mark.parametrize(
    ("text", "bibtex"),
    [("@article{x,}", True), ("  \n@misc{y}", True), ("1706.03762", False), ("a @ title", False)],
)
def test_pasted_bibtex_is_told_from_a_search(text, bibtex):
    assert lookup.looks_like_bibtex(text) is bibtex


def test_the_first_entry_of_pasted_bibtex_is_the_paper():
    paper = lookup.from_bibtex(TWO_ENTRIES)
    assert paper.title == "Attention Is All You Need"
    assert paper.year == 2017


def test_unreadable_or_empty_bibtex_says_so():
    with pytest.raises(InvalidInput, match="could not be read"):
        lookup.from_bibtex("@article{oops, title={unclosed")
    with pytest.raises(InvalidInput, match="no BibTeX entry"):
        lookup.from_bibtex("just some words")


@pytest.mark.django_db
@pytest.mark.parametrize("venue", ["IEEE//ACM Trans. Netw.", "<b>ICCV</b>", "IC\nCV"])
def test_a_sources_venue_that_is_no_venue_key_leaves_the_paper_without_one(venue):
    from shortscience.metadata.types import PaperMetadata
    from shortscience.models import Venue

    paper = lookup.create(
        PaperMetadata(title="A paper", venue=venue, source="crossref"), make_user()
    )
    assert paper.venue is None and not Venue.objects.exists()


@pytest.mark.parametrize(
    ("title", "authors"),
    [
        ("A paper\u202e reversed", "Ada Lovelace"),
        ("A paper\x07 with a bell", "Ada Lovelace"),
        ("A paper", "Ada\u202eLovelace"),
        ("A paper", "Ada\tLovelace"),
    ],
)
def test_a_typed_title_or_name_with_a_control_or_bidi_character_is_refused(title, authors):
    with pytest.raises(InvalidInput, match="one line") as refused:
        lookup.manual(title, authors, "2020")
    assert set(refused.value.field_errors) <= {"title", "authors"}


@pytest.mark.django_db
def test_metadata_from_elsewhere_is_stored_one_line_without_bidi_overrides():
    meta = lookup.from_bibtex(
        "@article{x, title={Evil\u202e title\x07 here}, author={Ada\u202e Lovelace}, year={2020}}"
    )
    paper = lookup.create(meta, make_user())
    assert paper.title == "Evil title here"
    assert paper.authors == ["Ada Lovelace"]


# -- sources asked at once, one deadline, plain words ------------------------------------------


@pytest.fixture
def release():
    event = threading.Event()
    yield event
    event.set()  # the blocked source's thread ends with the test


def _fetch_where_arxiv_hangs(release):
    """A fetch function (the sources' HTTP edge) whose arXiv calls block until released and
    whose other calls get the recorded answers."""

    def fetch(url: str, params: dict[str, str]) -> bytes:
        if "arxiv.org" in url:
            release.wait(60)
            raise AssertionError("the lookup should not have waited for arXiv")
        response = route(httpx.Request("GET", url, params=params))
        if response.status_code != 200:
            raise FetchError("not found", url, response.status_code)
        return response.content

    return fetch


@pytest.mark.django_db
def test_a_title_lookup_answers_within_the_deadline_and_names_the_slow_source(settings, release):
    settings.METADATA_LOOKUP_SECONDS = 0.5
    started = time.monotonic()
    found = lookup.find("fast r-cnn", fetch=_fetch_where_arxiv_hangs(release))
    assert time.monotonic() - started < 30  # a generous bound: arXiv hangs for 60 s
    assert found.problems == ["arXiv did not answer within 0.5 seconds."]
    assert {c.metadata.source for c in found.remote} == {"crossref", "dblp"}
    messages = {report.source: report.message for report in found.reports}
    assert messages["crossref"].startswith("Crossref found ")


@pytest.mark.django_db
def test_a_source_that_is_down_or_knows_nothing_is_said_plainly():
    def fetch(url: str, params: dict[str, str]) -> bytes:
        if "crossref" in url:
            raise FetchError("ConnectError: [Errno -2] Name or service not known", url)
        if "dblp" in url:
            return b'{"result": {"hits": {"@total": "0"}}}'
        return b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>'

    found = lookup.find("a title nobody wrote", fetch=fetch)
    messages = [report.message for report in found.reports]
    assert messages == ["arXiv found nothing.", "Crossref did not answer.", "DBLP found nothing."]
    assert found.empty and found.prefill == {"url": "", "title": "a title nobody wrote"}


@pytest.mark.django_db
def test_a_pasted_identifier_that_no_source_knows_goes_into_the_manual_form_link():
    def fetch(url: str, params: dict[str, str]) -> bytes:
        return b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>'

    found = lookup.find("https://arxiv.org/abs/2401.00001v2", fetch=fetch)
    assert found.sources == ["arxiv"] and found.empty
    assert found.prefill == {"url": "https://arxiv.org/abs/2401.00001v2", "title": ""}


RESNET_DOI, ATTENTION_ARXIV = "10.1109/cvpr.2016.90", "1706.03762"


def _resnet_and_attention():
    from shortscience.models import PaperIdentifier
    from tests.factories import make_paper

    resnet = make_paper("Deep Residual Learning for Image Recognition")
    PaperIdentifier.objects.create(paper=resnet, scheme="doi", value=RESNET_DOI)
    attention = make_paper("Attention Is All You Need")
    PaperIdentifier.objects.filter(paper=attention).update(value=ATTENTION_ARXIV)
    return resnet, attention


@pytest.mark.django_db
def test_pasted_bibtex_naming_two_papers_merges_neither_and_adds_nothing():
    from shortscience.models import Flag, ModerationAction, Paper

    resnet, attention = _resnet_and_attention()
    before = {p.pk: set(p.identifiers.values_list("value", flat=True)) for p in (resnet, attention)}
    meta = lookup.from_bibtex(
        "@article{x, title={Anything}, doi={10.1109/CVPR.2016.90}, eprint={1706.03762}}"
    )
    assert lookup.create(meta, make_user()) == resnet  # the first paper known, unchanged
    assert set(Paper.objects.values_list("pk", flat=True)) == {resnet.pk, attention.pk}
    after = {p.pk: set(p.identifiers.values_list("value", flat=True)) for p in (resnet, attention)}
    assert after == before
    assert not Flag.objects.exists() and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_a_source_naming_a_held_identifier_under_another_title_makes_a_new_reported_paper():
    from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
    from shortscience.models import Flag, Paper

    resnet, attention = _resnet_and_attention()
    meta = PaperMetadata(  # arXiv's record of a paper whose doi field names ResNet's DOI
        title="Some Other Paper Entirely",
        identifiers=[Identifier(Scheme.ARXIV, "2001.00001")],
        same_work=[Identifier(Scheme.DOI, RESNET_DOI)],
        source="arxiv",
    )
    adder = make_user()
    made = lookup.create(meta, adder)
    assert made.pk not in (resnet.pk, attention.pk) and Paper.objects.count() == 3
    assert set(made.identifiers.values_list("scheme", flat=True)) == {"arxiv", "doi", "legacy"}
    assert not made.identifiers.filter(value=RESNET_DOI).exists()
    assert resnet.identifiers.filter(scheme="doi", value=RESNET_DOI).exists()
    flag = Flag.objects.get()
    assert (flag.target_id, flag.duplicate_of_id, flag.reporter) == (made.pk, resnet.pk, adder)
    assert flag.text.startswith("Automatic report")


@pytest.mark.django_db
def test_adding_takes_exactly_one_way_of_naming_the_paper():
    user = make_user()
    with pytest.raises(InvalidInput):
        lookup.add(user)
    with pytest.raises(InvalidInput):
        lookup.add(user, identifier="1706.03762", typed=lookup.typed("A title", []))


@pytest.mark.django_db
def test_adding_typed_fields_answers_a_paper_here_by_its_identifier_without_a_second():
    paper = make_paper("Some Title")
    arxiv_id = paper.identifiers.get().value
    typed = lookup.typed(
        "Another Title", ["A. Person"], 2020, url=f"https://arxiv.org/abs/{arxiv_id}"
    )
    added = lookup.add(make_user(), typed=typed)
    assert (added.paper, added.created) == (paper, False)
    fresh = lookup.add(make_user(), typed=lookup.typed("Brand New", ["B. Person"], 2021))
    assert fresh.created and fresh.paper.title == "Brand New" and fresh.paper.year == 2021


# -- a pasted identifier a placeholder holds: its source is still asked ---------------------


def _placeholder(key: str = "1706.03762", scheme: str = "arxiv"):
    from shortscience.models import Paper, PaperIdentifier

    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=key)
    return paper


@pytest.mark.django_db
def test_a_pasted_identifier_a_placeholder_holds_asks_its_source_and_offers_its_record():
    from shortscience.models import Paper
    from tests.recorded import recorded_fetcher

    paper = _placeholder()
    before = Paper.objects.values().get(pk=paper.pk)
    found = lookup.find("https://arxiv.org/abs/1706.03762v5", fetch=recorded_fetcher())
    assert found.local == [paper] and found.incomplete == paper and found.remote == []
    assert [report.message for report in found.reports] == ["arXiv found 1 paper."]
    assert found.refill is not None and found.refill.token == "arxiv:1706.03762"
    assert found.refill.metadata.title == "Attention Is All You Need"
    assert found.refill.fields[:3] == ["title", "authors", "year"]
    assert Paper.objects.values().get(pk=paper.pk) == before  # a lookup changes no paper


@pytest.mark.django_db
def test_a_complete_paper_pasted_by_identifier_asks_nobody():
    paper = make_paper("Known and complete")
    found = lookup.plan(paper.identifiers.get().value)
    assert found.local == [paper] and found.sources == [] and found.incomplete is None


@pytest.mark.django_db
def test_with_its_source_down_or_late_the_placeholder_is_listed_and_nothing_offered(
    settings, release
):
    from tests.recorded import down, recorded_fetcher

    paper = _placeholder()
    found = lookup.find("1706.03762", fetch=recorded_fetcher(down))
    assert found.local == [paper] and found.refill is None
    assert found.problems == ["arXiv did not answer."]
    settings.METADATA_LOOKUP_SECONDS = 0.5
    late = lookup.find("1706.03762", fetch=_fetch_where_arxiv_hangs(release))
    assert late.local == [paper] and late.refill is None
    assert late.problems == ["arXiv did not answer within 0.5 seconds."]


@pytest.mark.django_db
def test_completing_fills_the_placeholder_from_its_source_with_the_refreshs_rule():
    from tests.recorded import recorded_fetcher

    paper = _placeholder()
    done = lookup.complete("arxiv:1706.03762", make_user(), fetch=recorded_fetcher())
    assert done.paper == paper and done.problem == ""
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need" and "Ashish Vaswani" in paper.authors
    assert paper.metadata_source == "arxiv" and paper.metadata_check == "updated"
    assert lookup.plan("1706.03762").sources == []  # complete now: nobody is asked again


@pytest.mark.django_db
def test_completing_keeps_what_a_person_filled_in():
    from shortscience.models import Paper, PaperIdentifier
    from tests.recorded import recorded_fetcher

    paper = Paper.objects.create(title="Attention, as our admin wrote it", year=2016)
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value="1706.03762")
    done = lookup.complete("arxiv:1706.03762", make_user(), fetch=recorded_fetcher())
    paper.refresh_from_db()
    assert paper.title == "Attention, as our admin wrote it" and paper.year == 2016
    assert "Ashish Vaswani" in paper.authors and done.filled[0] == "authors"


@pytest.mark.django_db
def test_completing_with_the_source_down_keeps_the_paper_and_says_so_plainly():
    from tests.recorded import down, recorded_fetcher

    paper = _placeholder()
    done = lookup.complete("arxiv:1706.03762", make_user(), fetch=recorded_fetcher(down))
    assert done.paper == paper and done.filled == []
    assert done.problem == "arXiv did not answer: the paper keeps the details it has."
    paper.refresh_from_db()
    assert paper.title == "1706.03762"


@pytest.mark.django_db
def test_completing_an_identifier_no_paper_here_holds_is_refused():
    with pytest.raises(InvalidInput):
        lookup.complete("arxiv:1706.03762", make_user())
    with pytest.raises(InvalidInput):
        lookup.complete("nonsense", make_user())


@pytest.mark.django_db
def test_picking_a_sources_record_of_a_placeholders_identifier_fills_it_not_a_second_paper():
    from shortscience.models import Flag, Paper
    from tests.recorded import recorded_fetcher

    paper = _placeholder()
    meta = lookup.fetch_candidate("arxiv:1706.03762", recorded_fetcher())
    assert lookup.create(meta, make_user()) == paper
    assert Paper.objects.count() == 1 and not Flag.objects.exists()
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need"


@pytest.mark.django_db
def test_the_api_add_of_a_placeholders_identifier_answers_it_filled():
    from tests.recorded import down, recorded_fetcher

    paper = _placeholder()
    offline = lookup.add(make_user(), identifier="1706.03762", fetch=recorded_fetcher(down))
    assert (offline.paper, offline.created) == (paper, False)
    assert offline.paper.title == "1706.03762"  # as it was: nothing breaks
    added = lookup.add(make_user(), identifier="1706.03762", fetch=recorded_fetcher())
    assert (added.paper, added.created) == (paper, False)
    assert added.paper.title == "Attention Is All You Need"
