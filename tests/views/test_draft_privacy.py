"""Unpublished drafts (autosave, "Save draft" on a published summary) leak through nothing.

The draft is saved beside a published summary and as a summary that exists only as a draft;
every reader-facing page, feed, search, the API and the public dump are read by strangers, by a
stranger served from the page cache and by another signed-in person, and none shows the draft's
text. Its author sees it in the editor and in their own export only.
"""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shortscience.services import exports, summaries
from tests.api.conftest import ApiClient, with_token
from tests.factories import make_paper, make_summary, make_user
from tests.views.test_privacy import CachedCopyClient

pytestmark = pytest.mark.django_db

BESIDE = "quokka-unpublished-rewrite"
ONLY_DRAFT = "narwhal-draft-only-text"
# Words of the drafts to search for: a search page repeats its query, never the marks above.
BESIDE_WORD, ONLY_WORD = "flibbertigibbet", "snollygoster"


@pytest.fixture
def world():
    writer = make_user("draftwriter")
    published = make_summary(author=writer, markdown="Published insight about quokkas")
    summaries.write(
        writer,
        published.paper,
        summaries.SaveRequest(
            f"{BESIDE} {BESIDE_WORD}", publish=False, private=False, anonymous=False
        ),
    )
    fresh = make_paper("A Fresh Paper")
    only = summaries.autosave(writer, fresh, f"{ONLY_DRAFT} {ONLY_WORD}", base_version=0)
    reader = make_user("curious")
    return {"writer": writer, "published": published, "only": only, "reader": reader}


def urls(world):
    published, only = world["published"], world["only"]
    return [
        "/",
        "/?tab=recent",
        published.paper.get_absolute_url(),
        only.paper.get_absolute_url(),
        published.get_absolute_url(),
        "/users/draftwriter/",
        f"/search/?q={BESIDE_WORD}",
        f"/search/?q={ONLY_WORD}",
        "/search/?q=quokkas",
        "/feeds/recent.atom",
        "/feeds/recent.rss",
        f"/papers/{published.paper_id}/feed.atom",
        f"/papers/{only.paper_id}/feed.rss",
        "/sitemap.xml",
        reverse("paper-markdown", args=[published.paper_id]),
        reverse("paper-markdown", args=[only.paper_id]),
        reverse("summary-markdown", args=[published.pk]),
        reverse("summary-markdown", args=[only.pk]),
    ]


def readers(world):
    signed_in = Client()
    signed_in.force_login(world["reader"])
    return {"stranger": Client(), "cached": CachedCopyClient(), "signed in": signed_in}


def test_no_page_feed_or_search_shows_a_draft_to_anyone_else(world):
    for who, client in readers(world).items():
        for url in urls(world):
            text = client.get(url, follow=True).content.decode()
            assert BESIDE not in text and ONLY_DRAFT not in text, (who, url)
        assert client.get(world["only"].get_absolute_url()).status_code == 404


def test_the_published_page_shows_the_published_text_even_to_its_author(world):
    owner = Client()
    owner.force_login(world["writer"])
    page = owner.get(world["published"].get_absolute_url()).content.decode()
    assert "Published insight about quokkas" in page
    assert BESIDE not in page
    assert "You have an unpublished draft" in page


def test_the_api_shows_a_draft_to_its_author_only(world):
    published, only = world["published"], world["only"]
    for client in (ApiClient(), with_token(world["reader"], "read")):
        for path in (
            f"/summaries/{published.pk}",
            "/summaries?text=full",
            "/activity?text=full",
            f"/papers/{published.paper_id}",
            f"/papers/{only.paper_id}",
            "/users/draftwriter",
            f"/search?q={BESIDE_WORD}",
            f"/search?q={ONLY_WORD}",
        ):
            body = json.dumps(client.get(path).json())
            assert BESIDE not in body and ONLY_DRAFT not in body, path
        other = client.get(f"/summaries/{published.pk}").json()
        assert other["draft"] is None and other["version"] is None
        assert client.get(f"/summaries/{only.pk}").status_code == 404
    mine = with_token(world["writer"], "read").get(f"/summaries/{published.pk}").json()
    assert mine["draft"]["markdown"] == f"{BESIDE} {BESIDE_WORD}"
    assert mine["markdown"] == "Published insight about quokkas"


def test_the_public_dump_carries_no_draft(world, tmp_path):
    call_command("dump_public", str(tmp_path))
    text = "".join(path.read_text() for path in sorted(tmp_path.iterdir()) if path.is_file())
    assert "Published insight about quokkas" in text
    assert BESIDE not in text and ONLY_DRAFT not in text


def test_the_authors_own_export_holds_their_drafts_and_nobody_elses_does(world):
    def export_text(user):
        buffer = io.BytesIO()
        exports.write_zip(user, buffer)
        archive = zipfile.ZipFile(buffer)
        return archive.read("data.json").decode()

    mine = export_text(world["writer"])
    assert BESIDE in mine and ONLY_DRAFT in mine
    theirs = export_text(world["reader"])
    assert BESIDE not in theirs and ONLY_DRAFT not in theirs
