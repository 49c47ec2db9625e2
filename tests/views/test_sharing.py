"""What the paper and summary pages share in <head> (Open Graph, Twitter card, citation_*,
JSON-LD, canonical), parsed as a crawler would; the cite box and the citation downloads."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shortscience.metadata.bibtex import parse_bibtex
from shortscience.models import PaperIdentifier, PaperRedirect, Venue
from shortscience.services import events
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

SITE = "https://shortscience.example"
HOSTILE = 'Evil </script><script>alert("x")</script> & "quotes" \'too\' <b>'


class Head(HTMLParser):
    """The meta tags, links and JSON-LD blocks of a page, as a crawler reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.ld: list[dict[str, Any]] = []
        self.scripts: list[dict[str, str | None]] = []
        self._in_ld = False
        self._ld_text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and "content" in found:
            name = found.get("property") or found.get("name") or ""
            self.meta.append((name, found["content"] or ""))
        elif tag == "link":
            self.links.append((found.get("rel") or "", found.get("href") or ""))
        elif tag == "script":
            self.scripts.append(found)
            self._in_ld = found.get("type") == "application/ld+json"
            self._ld_text = ""

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self._ld_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_ld:
            self.ld.append(json.loads(self._ld_text))
            self._in_ld = False

    def one(self, name: str) -> str:
        (value,) = [content for key, content in self.meta if key == name]
        return value

    def all(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]

    def canonical(self) -> list[str]:
        return [href for rel, href in self.links if rel == "canonical"]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE + "/"


def head_of(url: str, client: Client | None = None) -> Head:
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return Head(response.content.decode())


def cited_paper(**extra: object):
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper("Attention Is All You Need", venue=venue, **extra)
    paper.abstract = "The dominant models are recurrent. We propose a new one."
    paper.authors = ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    paper.save()
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.5555/3295222.3295349")
    return paper


def test_the_paper_page_carries_canonical_open_graph_and_twitter_tags():
    paper = cited_paper()
    head = head_of(paper.get_absolute_url())
    url = SITE + paper.get_absolute_url()
    assert head.canonical() == [url]
    assert head.one("og:type") == "article"
    assert head.one("og:title") == "Attention Is All You Need"
    assert head.one("og:description") == "The dominant models are recurrent."
    assert head.one("og:url") == url
    assert head.one("og:site_name") == "ShortScience"
    assert head.one("twitter:card") == "summary"
    assert head.one("twitter:title") == "Attention Is All You Need"


def test_the_paper_page_carries_google_scholar_citation_tags():
    paper = cited_paper()
    arxiv = paper.identifiers.get(scheme="arxiv").value
    head = head_of(paper.get_absolute_url())
    assert head.one("citation_title") == "Attention Is All You Need"
    assert head.all("citation_author") == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert head.one("citation_publication_date") == "2017"
    assert head.one("citation_doi") == "10.5555/3295222.3295349"
    assert head.one("citation_arxiv_id") == arxiv
    assert head.one("citation_pdf_url") == f"https://arxiv.org/pdf/{arxiv}"
    assert head.one("citation_conference_title") == "Neural Information Processing Systems"
    assert head.all("citation_journal_title") == []


def test_the_paper_page_carries_a_scholarly_article_in_json_ld():
    paper = cited_paper()
    arxiv = paper.identifiers.get(scheme="arxiv").value
    (data,) = head_of(paper.get_absolute_url()).ld
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Attention Is All You Need"
    assert [a["name"] for a in data["author"]] == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert data["datePublished"] == "2017"
    assert data["url"] == SITE + paper.get_absolute_url()
    assert set(data["sameAs"]) == {
        f"https://arxiv.org/abs/{arxiv}",
        "https://doi.org/10.5555/3295222.3295349",
    }


def test_hostile_metadata_stays_escaped_in_meta_tags_and_json_ld():
    paper = make_paper(HOSTILE)
    paper.authors = ['Mallory "</script>" O\'Neil']
    paper.abstract = HOSTILE
    paper.save()
    response = Client().get(paper.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert" not in html
    head = Head(html)
    assert head.one("og:title") == HOSTILE
    assert head.one("citation_author") == 'Mallory "</script>" O\'Neil'
    (data,) = head.ld  # the JSON-LD element was not closed early: it parses whole
    assert data["name"] == HOSTILE
    ld_text = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in ld_text and ">" not in ld_text and "&" not in ld_text
    # No script element other than the page's own files and the one JSON-LD block.
    assert all(s.get("src") or s.get("type") == "application/ld+json" for s in head.scripts)


def test_without_an_abstract_the_paper_shares_its_top_public_summarys_first_sentence():
    paper = cited_paper()
    paper.abstract = ""
    paper.save()
    make_summary(paper=paper, markdown="The *key idea* is attention. Everything else follows.")
    head = head_of(paper.get_absolute_url())
    assert head.one("og:description") == "The key idea is attention."


def test_a_private_or_draft_summarys_text_never_reaches_the_paper_pages_meta():
    paper = cited_paper()
    paper.abstract = ""
    paper.save()
    writer = make_user("writer")
    make_summary(author=writer, paper=paper, markdown="Secret private words.", private=True)
    other = make_user("drafter")
    make_summary(author=other, paper=make_paper(), markdown="x")
    make_summary(author=other, paper=paper, markdown="Secret draft words.", publish=False)
    signed_in = Client()
    signed_in.force_login(writer)
    for reader in (Client(), signed_in):
        response = reader.get(paper.get_absolute_url())
        head = Head(response.content.decode())
        shared = " ".join(content for _, content in head.meta) + json.dumps(head.ld)
        assert "Secret" not in shared
        assert head.all("og:description") == []


def test_a_summary_page_shares_its_first_sentence_and_a_review_by_its_author():
    paper = cited_paper()
    author = make_user("reviewer", display_name="Rita Reviewer")
    summary = make_summary(author=author, paper=paper, markdown="Attention **wins**. Details.")
    head = head_of(summary.get_absolute_url())
    url = SITE + summary.get_absolute_url()
    assert head.canonical() == [url]
    assert head.one("og:title") == "Summary of Attention Is All You Need"
    assert head.one("og:description") == "Attention wins."
    assert head.one("twitter:description") == "Attention wins."
    assert head.one("og:url") == url
    (data,) = head.ld
    assert data["@type"] == "Review"
    assert data["author"] == {"@type": "Person", "name": "Rita Reviewer"}
    assert data["itemReviewed"]["@type"] == "ScholarlyArticle"
    assert data["itemReviewed"]["name"] == "Attention Is All You Need"
    assert data["itemReviewed"]["url"] == SITE + paper.get_absolute_url()


def test_an_anonymous_summarys_page_names_no_author_in_any_meta_or_json_ld():
    author = make_user("hiddenwriter", display_name="Hidden Writer")
    summary = make_summary(author=author, paper=cited_paper(), anonymous=True)
    head = head_of(summary.get_absolute_url())
    shared = " ".join(content for _, content in head.meta) + json.dumps(head.ld)
    assert "hiddenwriter" not in shared.lower()
    assert "Hidden Writer" not in shared
    assert "author" not in head.ld[0]


def test_a_private_summary_read_by_share_link_is_noindex_without_description_or_json_ld():
    author = make_user("privatewriter")
    summary = make_summary(author=author, paper=cited_paper(), markdown="Private words here.")
    summary.visibility = "private"
    summary.share_token = "tok" * 8
    summary.save()
    response = Client().get(reverse("summary-shared", args=[summary.share_token]))
    assert response.status_code == 200
    head = Head(response.content.decode())
    assert head.one("robots") == "noindex"
    assert head.all("og:description") == [] and head.all("twitter:description") == []
    assert head.ld == [] and head.canonical() == []
    assert head.one("og:title") == "Summary of Attention Is All You Need"


def test_the_paper_page_shows_a_pdf_link_and_a_cite_box_that_needs_no_script():
    paper = cited_paper()
    html = Client().get(paper.get_absolute_url()).content.decode()
    arxiv = paper.identifiers.get(scheme="arxiv").value
    assert f'href="https://arxiv.org/pdf/{arxiv}"' in html
    assert '<details class="cite-box">' in html
    assert "@inproceedings{vaswani2017attention," in html
    assert reverse("paper-cite-bib", args=[paper.pk]) in html
    assert reverse("paper-cite-txt", args=[paper.pk]) in html


def test_the_bibtex_download_is_one_entry_bibtex_reads_back(django_assert_max_num_queries):
    paper = cited_paper()
    client = Client()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("paper-cite-bib", args=[paper.pk]))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="vaswani2017attention.bib"' in response["Content-Disposition"]
    (entry,) = parse_bibtex(response.content.decode())
    assert entry.title == "Attention Is All You Need"
    assert len(entry.authors) == 3


def test_the_text_download_is_the_plain_citation():
    paper = cited_paper()
    response = Client().get(reverse("paper-cite-txt", args=[paper.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(
        "Ashish Vaswani, Noam Shazeer, Niki Parmar (2017). Attention Is All You Need."
    )


def test_citation_downloads_are_cached_for_readers_and_refreshed_when_the_paper_changes():
    paper = cited_paper()
    url = reverse("paper-cite-txt", args=[paper.pk])
    first = Client().get(url)
    assert "public" in first["Cache-Control"]
    paper.title = "A New Title"
    paper.save()
    events.papers_written([paper.pk])
    assert "A New Title" in Client().get(url).content.decode()


def test_a_missing_paper_has_no_citation():
    assert Client().get(reverse("paper-cite-bib", args=[999999])).status_code == 404


def test_a_merged_papers_old_citation_address_leads_to_the_kept_papers():
    kept = cited_paper()
    PaperRedirect.objects.create(old_id=kept.pk + 1000, paper=kept)
    response = Client().get(reverse("paper-cite-bib", args=[kept.pk + 1000]))
    assert response.status_code == 301
    assert response["Location"] == reverse("paper-cite-bib", args=[kept.pk])
