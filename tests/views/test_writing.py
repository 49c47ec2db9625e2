"""Writing through the pages: the editor, preview, publish, drafts, edits, share links, delete."""

import pytest

from shortscience.models import Summary
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_the_editor_requires_signing_in(client):
    paper = make_paper()
    response = client.get(f"/papers/{paper.pk}/write/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_publishing_through_the_editor(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    assert client.get(f"/papers/{paper.pk}/write/").status_code == 200
    response = client.post(
        f"/papers/{paper.pk}/write/", {"markdown": "Result: $a^2+b^2=c^2$", "action": "publish"}
    )
    summary = Summary.objects.get(author=author, paper=paper)
    assert response.status_code == 302
    assert response["Location"] == f"/summaries/{summary.pk}/"
    assert summary.is_public
    assert "<math" in summary.html


def test_saving_a_draft_keeps_it_off_the_paper_page(client_for, client):
    author, paper = make_user(), make_paper()
    client_for(author).post(
        f"/papers/{paper.pk}/write/", {"markdown": "draft text", "action": "draft"}
    )
    assert "draft text" not in client.get(paper.get_absolute_url()).content.decode()
    assert "draft text" in client_for(author).get(paper.get_absolute_url()).content.decode()


def test_the_editor_opens_with_the_existing_summary(client_for):
    summary = make_summary(markdown="already written")
    html = client_for(summary.author).get(f"/papers/{summary.paper_id}/write/").content.decode()
    assert "already written" in html


def test_a_failed_save_keeps_the_text_and_says_why(client_for, settings):
    settings.SUMMARY_MAX_CHARS = 50
    author, paper = make_user(), make_paper()
    text = "My carefully written text " * 5
    response = client_for(author).post(
        f"/papers/{paper.pk}/write/", {"markdown": text, "action": "publish"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "My carefully written text" in html
    assert "50" in html
    assert not Summary.objects.filter(author=author).exists()


def test_an_empty_summary_gets_a_clear_message(client_for):
    response = client_for(make_user()).post(
        f"/papers/{make_paper().pk}/write/", {"markdown": "", "action": "publish"}
    )
    assert response.status_code == 400
    assert "The summary is empty" in response.content.decode()


def test_invalid_utf8_in_a_post_does_not_crash_the_editor(client_for):
    author, paper = make_user(), make_paper()
    body = b"markdown=caf%E9+%FF%FE+ok&action=publish"
    response = client_for(author).post(
        f"/papers/{paper.pk}/write/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "ok" in Summary.objects.get(author=author).markdown


def test_a_double_submit_publishes_once(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    for _ in range(2):
        client.post(f"/papers/{paper.pk}/write/", {"markdown": "same", "action": "publish"})
    summary = Summary.objects.get(author=author, paper=paper)
    assert summary.revisions.count() == 1


def test_preview_returns_the_rendered_html(client_for):
    response = client_for(make_user()).post("/preview/", {"markdown": "**bold** $x$"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html
    assert "<math" in html


def test_preview_refuses_get_and_strangers(client, client_for):
    assert client_for(make_user()).get("/preview/?markdown=x").status_code == 405
    assert client.post("/preview/", {"markdown": "x"}).status_code == 302


def test_history_and_diff_pages(client_for):
    summary = make_summary(markdown="one")
    client = client_for(summary.author)
    client.post(f"/papers/{summary.paper_id}/write/", {"markdown": "two", "action": "publish"})
    assert "#2" in client.get(f"/summaries/{summary.pk}/revisions/").content.decode()
    html = client.get(f"/summaries/{summary.pk}/diff/?old=1&new=2").content.decode()
    assert '<span class="removed">- one' in html
    assert '<span class="added">+ two' in html
    assert client.get(f"/summaries/{summary.pk}/diff/?old=x&new=2").status_code == 400
    assert client_for(make_user()).get(f"/summaries/{summary.pk}/revisions/").status_code == 403


def test_share_link_lifecycle_through_the_pages(client_for, client):
    summary = make_summary(private=True, markdown="secret findings")
    owner = client_for(summary.author)
    owner.post(f"/summaries/{summary.pk}/share/", {"enabled": "1"})
    summary.refresh_from_db()
    shared = client.get(f"/s/{summary.share_token}/")
    assert shared.status_code == 200
    assert "secret findings" in shared.content.decode()
    assert shared["X-Robots-Tag"] == "noindex"
    token = summary.share_token
    owner.post(f"/summaries/{summary.pk}/share/", {"enabled": "0"})
    assert client.get(f"/s/{token}/").status_code == 404


def test_deleting_through_the_page_needs_post_and_the_author(client_for):
    summary = make_summary()
    assert client_for(summary.author).get(f"/summaries/{summary.pk}/delete/").status_code == 405
    assert client_for(make_user()).post(f"/summaries/{summary.pk}/delete/").status_code == 403
    response = client_for(summary.author).post(f"/summaries/{summary.pk}/delete/")
    assert response.status_code == 302
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_image_upload_stores_the_file_and_returns_markdown(client_for, tmp_path, settings):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "plot.png"
    response = client_for(make_user()).post("/images/", {"image": buffer})
    assert response.status_code == 201
    data = response.json()
    assert data["url"].startswith("/media/summary-images/")
    assert data["markdown"] == f"![]({data['url']})"
    assert (tmp_path / data["url"].removeprefix("/media/")).exists()


def test_uploading_something_that_is_not_an_image_is_refused(client_for):
    import io

    fake = io.BytesIO(b"<svg onload=alert(1)></svg>")
    fake.name = "evil.svg"
    response = client_for(make_user()).post(
        "/images/", {"image": fake}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "not a PNG" in response.json()["message"]
