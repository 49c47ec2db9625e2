"""Edge cases found in review: uploads, odd query strings, htmx when signed out, error pages."""

import io

import pytest
from PIL import Image

from shortscience.models import Summary, SummaryImage, Venue
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def upload(client, image_bytes: bytes, name: str = "photo.jpg"):
    buffer = io.BytesIO(image_bytes)
    buffer.name = name
    return client.post("/images/", {"image": buffer}, HTTP_ACCEPT="application/json")


def test_uploaded_images_lose_their_metadata_and_get_unguessable_names(
    client_for, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x013B] = "Secret Author Name"  # Artist
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG", exif=exif.tobytes())
    assert b"Secret Author Name" in buffer.getvalue()
    response = upload(client_for(make_user()), buffer.getvalue())
    assert response.status_code == 201
    stored = SummaryImage.objects.get()
    data = (tmp_path / stored.file.name).read_bytes()
    assert b"Secret Author Name" not in data
    assert len(stored.file.name.rsplit("/", 1)[-1].split(".")[0]) == 32


def test_a_decompression_bomb_is_refused_cleanly(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    response = upload(client_for(make_user()), buffer.getvalue(), "bomb.png")
    assert response.status_code == 400
    assert "too many pixels" in response.json()["message"]


@pytest.mark.parametrize("year", ["²", "20x1", "99999", "-1", ""])
def test_odd_years_never_break_venue_pages(client, year):
    Venue.objects.create(key="ICML", name="ICML")
    assert client.get("/venues/ICML/", {"year": year}).status_code == 200
    assert client.get("/venue", {"key": "ICML", "year": year}).status_code == 301


def test_windows_line_endings_do_not_count_against_the_limit(client_for, settings):
    settings.SUMMARY_MAX_CHARS = 100
    author, paper = make_user(), make_paper()
    text = "\r\n".join(["x" * 9] * 9)  # 81 characters written, 97 with CRLF, 89 after
    response = client_for(author).post(
        f"/papers/{paper.pk}/write/", {"markdown": text, "action": "publish"}
    )
    assert response.status_code == 302
    assert "\r" not in Summary.objects.get(author=author).markdown


def test_a_private_draft_offers_no_dead_share_link(client_for):
    summary = make_summary(private=True, publish=False)
    html = client_for(summary.author).get(f"/summaries/{summary.pk}/").content.decode()
    assert "Create share link" not in html and "Publish this private summary to share it" in html


def test_signed_out_htmx_vote_gets_401_with_a_login_redirect(client):
    summary = make_summary()
    response = client.post(
        f"/summaries/{summary.pk}/vote/",
        {"value": "up"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/papers/{summary.paper_id}/",
    )
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_signed_out_preview_gets_401_json(client):
    response = client.post("/preview/", {"markdown": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 401 and response.json()["code"] == "NotSignedIn"


def test_a_refused_htmx_vote_is_shown_in_the_error_region(client_for):
    summary = make_summary()
    response = client_for(summary.author).post(
        f"/summaries/{summary.pk}/vote/", {"value": "up"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#htmx-errors" and "own summary" in response.content.decode()


def test_unknown_urls_get_a_plain_404_page(client, db):
    html = client.get("/no/such/page/").content.decode()
    assert "Resolver404" not in html and "There is nothing at this address." in html


def test_non_authors_get_404_not_403_for_private_summaries(client_for):
    summary = make_summary(private=True)
    other = client_for(make_user())
    for url in (
        f"/summaries/{summary.pk}/revisions/",
        f"/summaries/{summary.pk}/diff/?old=1&new=1",
    ):
        assert other.get(url).status_code == 404
    for url in (f"/summaries/{summary.pk}/share/", f"/summaries/{summary.pk}/delete/"):
        assert other.post(url, {"enabled": "1"}).status_code == 404
