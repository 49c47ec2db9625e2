"""`/papers/<id>.md` and `/summaries/<id>.md` through HTTP: the type, the alternate link in the
HTML pages, 404 for what is not public, and the anonymous page cache."""

import pytest
from django.test import Client
from django.urls import reverse

from shortscience.services import merging
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_the_paper_twin_is_markdown_with_its_summaries(client):
    summary = make_summary(markdown="Plain *source* here.")
    response = client.get(reverse("paper-markdown", args=[summary.paper_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    body = response.content.decode()
    assert "Plain *source* here." in body
    assert f"http://testserver/summaries/{summary.pk}/" in body


def test_the_summary_twin_has_its_comments(client):
    summary = make_summary(markdown="The summary text.")
    client.force_login(make_user(display_name="Commenter"))
    client.post(reverse("comment-add", args=[summary.pk]), {"markdown": "A fine comment."})
    response = Client().get(reverse("summary-markdown", args=[summary.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "The summary text." in body
    assert "### Commenter" in body and "A fine comment." in body


def test_a_private_or_draft_summarys_twin_is_404_even_for_its_author(client):
    writer = make_user()
    private = make_summary(writer, markdown="private", private=True)
    draft = make_summary(writer, markdown="draft", publish=False)
    client.force_login(writer)
    for hidden in (private, draft):
        assert client.get(reverse("summary-markdown", args=[hidden.pk])).status_code == 404
        assert Client().get(reverse("summary-markdown", args=[hidden.pk])).status_code == 404


def test_the_html_pages_name_their_markdown_twin(client):
    summary = make_summary()
    paper_page = client.get(reverse("paper", args=[summary.paper_id])).content.decode()
    assert (
        f'<link rel="alternate" type="text/markdown" title="{summary.paper.title} (Markdown)" '
        f'href="{reverse("paper-markdown", args=[summary.paper_id])}">' in paper_page
    )
    summary_page = client.get(reverse("summary", args=[summary.pk])).content.decode()
    assert f'href="{reverse("summary-markdown", args=[summary.pk])}"' in summary_page


def test_a_private_summarys_page_names_no_twin(client):
    writer = make_user()
    private = make_summary(writer, private=True)
    client.force_login(writer)
    page = client.get(reverse("summary", args=[private.pk])).content.decode()
    assert "text/markdown" not in page


def test_a_merged_papers_twin_leads_to_the_kept_one(client):
    kept, merged = make_paper(), make_paper()
    merging.merge(merged.pk, kept.pk)
    response = client.get(reverse("paper-markdown", args=[merged.pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("paper-markdown", args=[kept.pk])


def test_the_twin_is_served_from_the_page_cache_and_refreshed_by_a_write(client):
    summary = make_summary(markdown="first words")
    url = reverse("summary-markdown", args=[summary.pk])
    first = client.get(url)
    assert first.status_code == 200 and "ETag" in first
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    commenter = Client()
    commenter.force_login(make_user())
    commenter.post(reverse("comment-add", args=[summary.pk]), {"markdown": "new comment"})
    fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200
    assert "new comment" in fresh.content.decode()


def test_a_signed_in_reader_gets_the_same_cached_twin(client_for, django_assert_num_queries):
    summary = make_summary(markdown="shared words")
    url = reverse("summary-markdown", args=[summary.pk])
    stranger = Client().get(url)
    reader = client_for(make_user())
    with django_assert_num_queries(0):
        signed_in = reader.get(url)
    assert signed_in.content == stranger.content
    assert signed_in["ETag"] == stranger["ETag"]
