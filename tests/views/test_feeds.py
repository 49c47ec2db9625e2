"""Atom/RSS feeds and the old site's /rss*.xml files, read back with feedparser through HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client

import shortscience.search
from shortscience.models import PaperIdentifier, Summary, Venue
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

NS = "{https://shortscience.org/rss/}"
FEED_PATHS = ["/feeds/recent.atom", "/feeds/recent.rss"]


def fetch(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return parsed


def links(parsed: Any) -> set[str]:
    return {entry.link.removeprefix("http://example.com") for entry in parsed.entries}


@pytest.mark.parametrize("url", FEED_PATHS)
def test_the_recent_feed_lists_public_summaries_newest_first_with_their_details(client, url):
    venue = Venue.objects.create(key="ICLR", name="ICLR")
    older = make_summary(
        author=make_user("ada", display_name="Ada L."),
        paper=make_paper("Attention is all you need", venue=venue, categories=["cs.CL"]),
        markdown="Older text about **attention**.",
    )
    newer = make_summary(markdown="Newer text.")
    parsed = fetch(client, url)
    assert [e.link.removeprefix("http://example.com") for e in parsed.entries] == [
        f"/summaries/{newer.pk}/",
        f"/summaries/{older.pk}/",
    ]
    entry = parsed.entries[1]
    assert entry.title == "Summary of Attention is all you need"
    assert entry.author == "Ada L."
    assert entry.published_parsed is not None
    assert entry.id == entry.link  # a permanent, absolute id
    assert "<strong>attention</strong>" in (entry.get("summary") or "")
    assert {t.term for t in entry.tags} == {"cs.CL", "ICLR"}


def test_atom_entries_carry_an_updated_date_after_an_edit(client):
    summary = make_summary(author=make_user("editor"), markdown="First version.")
    assert summary.published_at is not None
    Summary.objects.filter(pk=summary.pk).update(edited_at=summary.published_at.replace(year=2031))
    entry = fetch(client, "/feeds/recent.atom").entries[0]
    assert entry.updated_parsed.tm_year == 2031 and entry.published_parsed.tm_year != 2031


@pytest.mark.parametrize("suffix", ["atom", "rss"])
def test_a_paper_feed_lists_only_that_papers_public_summaries(client, suffix):
    paper = make_paper("The paper")
    mine = make_summary(paper=paper)
    make_summary()  # another paper
    parsed = fetch(client, f"/papers/{paper.pk}/feed.{suffix}")
    assert links(parsed) == {f"/summaries/{mine.pk}/"}
    assert "The paper" in parsed.feed.title


@pytest.mark.parametrize("suffix", ["atom", "rss"])
def test_a_person_feed_lists_only_their_named_public_summaries(client, suffix):
    author = make_user("writer")
    named = make_summary(author=author)
    anonymous = make_summary(author=author, anonymous=True)
    make_summary()  # someone else's
    parsed = fetch(client, f"/users/writer/feed.{suffix}")
    assert links(parsed) == {f"/summaries/{named.pk}/"}
    assert (
        f"/summaries/{anonymous.pk}/"
        not in client.get(f"/users/writer/feed.{suffix}").content.decode()
    )


@pytest.mark.parametrize("suffix", ["atom", "rss"])
def test_a_venue_feed_lists_public_summaries_of_its_papers_whatever_the_key_case(client, suffix):
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    inside = make_summary(paper=make_paper(venue=venue))
    make_summary()
    parsed = fetch(client, f"/venues/neurips/feed.{suffix}")
    assert links(parsed) == {f"/summaries/{inside.pk}/"}


@pytest.mark.parametrize(
    "url",
    [
        "/papers/999999/feed.atom",
        "/papers/999999/feed.rss",
        "/users/nobody/feed.atom",
        "/users/nobody/feed.rss",
        "/venues/NOPE/feed.atom",
        "/venues/NOPE/feed.rss",
    ],
)
def test_a_feed_about_something_unknown_is_404(client, url):
    assert client.get(url).status_code == 404


def test_a_deactivated_persons_feed_is_404(client):
    gone = make_user("gone")
    make_summary(author=gone)
    gone.is_active = False
    gone.save()
    assert client.get("/users/gone/feed.atom").status_code == 404


def _unlisted_and_anonymous() -> tuple[list[Summary], Summary, Any]:
    """Private, draft, hidden and anonymous summaries of one venue's papers by a named person."""
    venue = Venue.objects.create(key="SECRETCONF", name="Secret Conference")
    author = make_user("zqhiddenauthor", display_name="Ximena Secretwriter")
    private = make_summary(author, make_paper(venue=venue), "private words", private=True)
    draft = make_summary(author, make_paper(venue=venue), "draft words", publish=False)
    hidden = make_summary(author, make_paper(venue=venue), "hidden words")
    Summary.objects.filter(pk=hidden.pk).update(is_hidden=True)
    anonymous = make_summary(author, make_paper(venue=venue), "anonymous words", anonymous=True)
    return [private, draft, hidden], anonymous, author


def test_private_draft_and_hidden_summaries_are_in_no_feed_and_anonymous_ones_name_nobody(
    client,
):
    unlisted, anonymous, author = _unlisted_and_anonymous()
    urls = [
        "/feeds/recent.atom",
        "/feeds/recent.rss",
        "/venues/SECRETCONF/feed.atom",
        "/venues/SECRETCONF/feed.rss",
        "/rss.xml",
        "/rss-all.xml",
        "/rss-full.xml",
        *[f"/papers/{s.paper_id}/feed.atom" for s in [*unlisted, anonymous]],
        *[f"/papers/{s.paper_id}/feed.rss" for s in [*unlisted, anonymous]],
    ]
    for url in urls:
        xml = client.get(url).content.decode()
        for summary in unlisted:
            assert f"/summaries/{summary.pk}/" not in xml, url
        assert "private words" not in xml and "draft words" not in xml, url
        assert "hidden words" not in xml, url
        assert "zqhiddenauthor" not in xml and "Ximena" not in xml, url
    paper_feed = fetch(client, f"/papers/{anonymous.paper_id}/feed.atom")
    assert [e.author for e in paper_feed.entries] == ["Anonymous"]
    named = make_summary(author, markdown="a named public one")
    own = client.get("/users/zqhiddenauthor/feed.atom").content.decode()
    assert f"/summaries/{named.pk}/" in own
    assert f"/summaries/{anonymous.pk}/" not in own and "anonymous words" not in own


def test_the_search_feed_keeps_only_public_summaries_whatever_search_returns(client, monkeypatch):
    # A stand-in with the search package's interface, returning too much on purpose.
    unlisted, anonymous, _ = _unlisted_and_anonymous()
    public = make_summary(markdown="public words")
    paper_only = make_summary(paper=make_paper("A matching title"))

    @dataclass
    class Hit:
        kind: str
        paper: Any = None
        summary: Any = None
        comment: Any = None

    @dataclass
    class Results:
        hits: list[Hit]

    def fake_search(q: str, viewer: Any = None, **options: Any) -> Results:
        assert q == "words" and viewer is None and options["sort"] == "date"
        hits = [Hit("summary", s.paper, s) for s in [*unlisted, anonymous, public]]
        return Results([*hits, Hit("paper", paper_only.paper), Hit("comment")])

    monkeypatch.setattr(shortscience.search, "search", fake_search, raising=False)
    for suffix in ["atom", "rss"]:
        parsed = fetch(client, f"/search/feed.{suffix}", q="words")
        assert links(parsed) == {
            f"/summaries/{public.pk}/",
            f"/summaries/{anonymous.pk}/",
            f"/summaries/{paper_only.pk}/",
        }
        assert "Ximena" not in str(parsed)


def test_an_empty_search_feed_is_a_valid_empty_feed(client, monkeypatch):
    monkeypatch.setattr(shortscience.search, "search", lambda *a, **k: 1 / 0, raising=False)
    assert fetch(client, "/search/feed.atom", q="  ").entries == []


@pytest.mark.skipif(
    not hasattr(shortscience.search, "search"), reason="shortscience.search.search not written yet"
)
def test_the_search_feed_finds_a_summary_with_the_real_search(client):
    summary = make_summary(markdown="Zygomorphic flowers attract bees.")
    parsed = fetch(client, "/search/feed.atom", q="zygomorphic")
    assert f"/summaries/{summary.pk}/" in links(parsed)


def test_the_old_rss_file_carries_the_shortscience_namespace_fields(client):
    paper = make_paper("Old paper")
    PaperIdentifier.objects.create(paper=paper, scheme="legacy", value="journals/corr/OldKey")
    summary = make_summary(paper=paper)
    Summary.objects.filter(pk=summary.pk).update(score=7)
    no_legacy = make_summary()
    response = client.get("/rss.xml")
    assert response.status_code == 200
    assert 'xmlns:shortscience="https://shortscience.org/rss/"' in response.content.decode()
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0 and parsed.version == "rss20"
    root = ET.fromstring(response.content)  # noqa: S314 -- our own response, in a test
    items = {item.findtext("link"): item for item in root.iter("item")}
    old = items[f"http://example.com/summaries/{summary.pk}/"]
    arxiv_id = paper.identifiers.get(scheme="arxiv").value
    assert old.findtext(f"{NS}arxivid") == arxiv_id
    assert old.findtext(f"{NS}bibtexkey") == "journals/corr/OldKey"
    assert old.findtext(f"{NS}votes") == "7"
    derived = items[f"http://example.com/summaries/{no_legacy.pk}/"]
    assert derived.findtext(f"{NS}bibtexkey") == "journals/corr/" + (
        no_legacy.paper.identifiers.get(scheme="arxiv").value
    )


def test_the_old_files_give_an_excerpt_or_the_full_text(client):
    long_text = " ".join(f"word{i}" for i in range(300)) + " **THE END**"
    make_summary(markdown=long_text)
    excerpt = feedparser.parse(client.get("/rss-all.xml").content).entries[0].summary
    full = feedparser.parse(client.get("/rss-full.xml").content).entries[0].summary
    assert "word0" in excerpt and "THE END" not in excerpt and "<" not in excerpt
    assert "<strong>THE END</strong>" in full


def test_the_old_rss_file_lists_the_newest_hundred(client):
    author = make_user()
    for _ in range(3):
        make_summary(author)
    from shortscience.services import feeds

    assert feeds.LEGACY_RECENT_SIZE == 100 and feeds.LEGACY_ALL_SIZE == 1000
    assert len(fetch(client, "/rss.xml").entries) == 3


def test_a_second_request_is_served_from_the_cache(client, django_assert_num_queries):
    make_summary()
    first = client.get("/rss.xml")
    with django_assert_num_queries(0):
        second = client.get("/rss.xml")
    assert second.content == first.content


def test_a_new_summary_is_in_the_feed_at_the_next_request(client):
    make_summary()
    client.get("/rss.xml")
    late = make_summary()
    assert f"/summaries/{late.pk}/" in client.get("/rss.xml").content.decode()


def test_there_is_no_public_regenerate_url(client):
    for url in ["/rss/regenerate", "/rss.xml/regenerate", "/feeds/regenerate", "/regenerate"]:
        assert client.post(url).status_code == 404


def _paper_with(count: int, venue: Venue) -> tuple[str, str]:
    paper = make_paper(venue=venue)
    first = make_user()
    for i in range(count):
        make_summary(first if i == 0 else make_user(), paper, anonymous=i % 2 == 1)
    return f"/papers/{paper.pk}/feed.atom", f"/users/{first.username}/feed.rss"


@pytest.mark.parametrize("count", [3, 30])
def test_every_feed_costs_the_same_few_queries_with_3_or_30_summaries(
    client, django_assert_max_num_queries, count
):
    venue = Venue.objects.create(key=f"V{count}", name="A venue")
    paper_url, user_url = _paper_with(count, venue)
    urls = [
        "/feeds/recent.atom",
        "/feeds/recent.rss",
        paper_url,
        user_url,
        f"/venues/V{count}/feed.atom",
        "/rss.xml",
        "/rss-all.xml",
        "/rss-full.xml",
    ]
    client.get("/feeds/recent.atom")  # the Site row is cached after its first lookup
    cache.clear()
    for url in urls:
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


def test_pages_announce_their_feeds_in_the_head(client):
    venue = Venue.objects.create(key="ICML", name="ICML")
    summary = make_summary(author=make_user("announcer"), paper=make_paper(venue=venue))
    pages = {
        "/": "/feeds/recent.atom",
        f"/papers/{summary.paper_id}/": f"/papers/{summary.paper_id}/feed.atom",
        "/users/announcer/": "/users/announcer/feed.atom",
        "/venues/ICML/": "/venues/ICML/feed.atom",
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        head = html.split("</head>", 1)[0]
        assert 'rel="alternate" type="application/atom+xml"' in head, page
        assert f'href="{feed}"' in head, page


def _formula(n: int, terms: int) -> str:
    return "+".join(f"a_{{{n}{i}}}" for i in range(terms))


@pytest.mark.parametrize(
    "url", ["/feeds/recent.atom", "/feeds/recent.rss", "/rss-all.xml", "/rss-full.xml"]
)
def test_every_entry_is_under_the_cap_with_each_formula_once_as_mathml(client, url):
    from shortscience.services.feeds import ENTRY_MAX_BYTES

    # A first block that is one huge display formula (the excerpt always takes it, whole), and
    # a long summary of paragraphs each with a formula (whole in /rss-full.xml).
    huge = make_summary(markdown=f"$$\n{_formula(0, 3000)}\n$$\n\nAfter.")
    paragraphs = "\n\n".join(f"Step {n}: ${_formula(n, 40)}$ holds." for n in range(1, 120))
    long = make_summary(markdown=paragraphs)
    small = make_summary(markdown="Just $x^2$ and $$y$$ here.")
    entries = {
        entry.link.removeprefix("http://example.com"): entry for entry in fetch(client, url).entries
    }
    assert set(entries) >= {s.get_absolute_url() for s in (huge, long, small)}
    for link, entry in entries.items():
        html = entry.summary
        assert len(html.encode()) <= ENTRY_MAX_BYTES, (link, len(html.encode()))
        # MathML only, each formula once: no TeX annotation, no source text beside it.
        assert html.count("<math") == html.count("</math>")
        assert "annotation" not in html and "a_{" not in html and "$" not in html
    small_html = entries[small.get_absolute_url()].summary
    if url != "/rss-all.xml":  # the old excerpt file is plain text
        assert small_html.count("<math") == 2 and "Read the whole summary" not in small_html
        cut = entries[huge.get_absolute_url()].summary
        assert "Read the whole summary" in cut and huge.get_absolute_url() in cut
    if url == "/rss-full.xml":
        whole = entries[long.get_absolute_url()].summary
        assert "Step 1:" in whole and "Step 119:" not in whole
        assert whole.count("<math") == whole.count("Step ") and "Read the whole summary" in whole
