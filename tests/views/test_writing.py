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


# Autosave, drafts beside the published text, conflicts, limits, formula problems (issue 12).

JSON = {"HTTP_ACCEPT": "application/json"}


def _editor(client, paper):
    return client.get(f"/papers/{paper.pk}/write/").content.decode()


def test_an_autosave_is_restored_in_the_editor_with_a_notice_and_a_way_to_discard_it(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    saved = client.post(
        f"/papers/{paper.pk}/autosave/", {"markdown": "Half-written idea", "base_version": "0"}
    )
    assert saved.status_code == 200 and saved.json()["version"] == 1
    html = _editor(client, paper)
    assert "Half-written idea" in html
    assert "Restored your unpublished draft" in html
    summary = Summary.objects.get(author=author, paper=paper)
    assert f'formaction="/summaries/{summary.pk}/discard/"' in html
    assert 'name="base_version" id="base-version" value="1"' in html
    assert not summary.is_public


def test_discarding_the_draft_brings_back_the_published_text(client_for):
    summary = make_summary(markdown="Published words.")
    client = client_for(summary.author)
    client.post(f"/papers/{summary.paper_id}/autosave/", {"markdown": "Rewrite in progress"})
    response = client.post(f"/summaries/{summary.pk}/discard/")
    assert response.status_code == 302
    html = _editor(client, summary.paper)
    assert "Rewrite in progress" not in html and "Published words." in html


def test_save_draft_on_a_published_summary_keeps_the_published_version_live(client_for, client):
    summary = make_summary(markdown="Published words.")
    owner = client_for(summary.author)
    response = owner.post(
        f"/papers/{summary.paper_id}/write/",
        {"markdown": "Secret rewrite", "action": "draft", "base_version": summary.version},
        follow=True,
    )
    assert "The published version stays as it is until you publish" in response.content.decode()
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "Published words." in page and "Secret rewrite" not in page
    own = owner.get(summary.get_absolute_url()).content.decode()
    assert "Published words." in own and "Secret rewrite" not in own
    assert "You have an unpublished draft" in own
    assert "You have an unpublished draft" not in page


def test_a_save_from_a_stale_editor_gets_a_conflict_with_both_texts_and_saves_nothing(client_for):
    summary = make_summary(markdown="Text from the first tab.")
    client = client_for(summary.author)
    opened = summary.version
    url = f"/papers/{summary.paper_id}/write/"
    client.post(url, {"markdown": "Text from the second tab.", "action": "publish",
                      "base_version": opened})  # fmt: skip
    response = client.post(
        url, {"markdown": "My stale text.", "action": "publish", "base_version": opened}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This summary changed elsewhere since you opened it" in html
    assert "My stale text." in html  # kept in the form
    assert "Text from the second tab." in html  # the newer one, shown
    summary.refresh_from_db()
    assert summary.markdown == "Text from the second tab."
    current = f'name="base_version" id="base-version" value="{summary.version}"'
    assert current in html  # saving again, knowingly, replaces it
    again = client.post(
        url, {"markdown": "My stale text.", "action": "publish", "base_version": summary.version}
    )
    assert again.status_code == 302


def test_a_stale_autosave_is_a_409_with_a_message(client_for):
    summary = make_summary()
    client = client_for(summary.author)
    url = f"/papers/{summary.paper_id}/autosave/"
    client.post(url, {"markdown": "one", "base_version": summary.version})
    refused = client.post(url, {"markdown": "two", "base_version": summary.version}, **JSON)
    assert refused.status_code == 409
    assert "changed elsewhere" in refused.json()["message"]


def test_autosave_needs_a_signed_in_author_and_a_post(client, client_for):
    paper = make_paper()
    assert (
        client.post(f"/papers/{paper.pk}/autosave/", {"markdown": "x"}, **JSON).status_code == 401
    )
    assert client_for(make_user()).get(f"/papers/{paper.pk}/autosave/").status_code == 405
    assert not Summary.objects.exists()


def test_the_editor_shows_a_character_counter_against_the_limit(client_for, settings):
    settings.SUMMARY_MAX_CHARS = 60_000
    summary = make_summary(markdown="12345")
    html = _editor(client_for(summary.author), summary.paper)
    assert 'data-max-chars="60000"' in html
    assert "5 / 60,000 characters" in html


def test_the_preview_refuses_a_text_over_the_limit_with_a_clear_message(client_for, settings):
    settings.SUMMARY_MAX_CHARS = 100
    response = client_for(make_user()).post("/preview/", {"markdown": "x" * 101}, **JSON)
    assert response.status_code == 400
    assert "101 characters long; the limit is 100" in response.json()["message"]


def test_the_preview_is_rate_limited_like_saving(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "previewing": "2/3600"}
    client = client_for(make_user())
    for _ in range(2):
        assert client.post("/preview/", {"markdown": "x"}).status_code == 200
    refused = client.post("/preview/", {"markdown": "x"}, **JSON)
    assert refused.status_code == 429 and refused["Retry-After"]


def test_the_preview_lists_failed_formulas_beside_the_html(client_for):
    response = client_for(make_user()).post(
        "/preview/", {"markdown": "Fine $x$\n\nbroken $\\nosuch$"}, **JSON
    )
    body = response.json()
    assert "math-error" in body["html"]
    assert body["formula_problems"] == [
        {"line": 3, "formula": "\\nosuch", "message": body["formula_problems"][0]["message"]}
    ]
    assert "\\nosuch" in body["formula_problems"][0]["message"]


def test_saving_with_failed_formulas_names_them_and_lists_them_in_the_editor(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    response = client.post(
        f"/papers/{paper.pk}/write/",
        {"markdown": "Intro\n\n$\\nosuch$\n\nAnd $\\frac{1}$", "action": "publish"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/papers/{paper.pk}/write/"
    assert "Published. 2 formulas failed: line 3:" in html
    assert "line 5:" in html
    assert 'data-line="3"' in html and 'data-line="5"' in html
    assert Summary.objects.get(author=author).is_public


def test_unpublish_is_still_a_button_on_a_published_summary(client_for):
    summary = make_summary()
    client = client_for(summary.author)
    assert 'value="unpublish"' in _editor(client, summary.paper)
    client.post(
        f"/papers/{summary.paper_id}/write/",
        {"markdown": summary.markdown, "action": "unpublish", "base_version": summary.version},
    )
    summary.refresh_from_db()
    assert not summary.is_public


def test_the_preview_lists_at_most_50_failed_formulas_and_tells_the_total(client_for):
    text = "\n\n".join(f"broken $\\nosuch{n}$" for n in range(60))
    body = client_for(make_user()).post("/preview/", {"markdown": text}, **JSON).json()
    assert len(body["formula_problems"]) == 50 and body["formula_problem_count"] == 60


def test_the_editors_opening_preview_of_a_draft_counts_as_a_preview(client_for, settings):
    from shortscience.services import summaries

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "previewing": "2/3600"}
    summary = make_summary(markdown="Published words.")
    summaries.autosave(summary.author, summary.paper, "Draft $\\nosuch$", base_version=None)
    client = client_for(summary.author)
    url = f"/papers/{summary.paper_id}/write/"
    assert "math-error" in client.get(url).content.decode()
    assert client.post("/preview/", {"markdown": "x"}).status_code == 200
    opened = client.get(url)
    assert opened.status_code == 200
    html = opened.content.decode()
    assert "No preview now" in html and "math-error" not in html
    assert "Draft $\\nosuch$" in html  # the text is all there
