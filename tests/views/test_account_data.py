"""The "Your data" pages: export as a download, account deletion with password confirmation."""

import io
import json
import zipfile

import pytest
from django.utils import timezone

from shortscience.models import Summary, User
from shortscience.services import comments
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_the_profile_page_links_to_export_and_deletion(client_for):
    page = client_for(make_user()).get("/settings/profile/").content.decode()
    assert 'href="/settings/export/">Export my data</a>' in page
    assert 'href="/settings/delete-account/">Delete my account</a>' in page


@pytest.mark.parametrize("url", ["/settings/export/", "/settings/delete-account/"])
def test_the_data_pages_need_a_signed_in_person(client, url):
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302


def test_export_shows_a_button_then_downloads_the_zip(client_for):
    ada = make_user("ada")
    make_summary(ada, markdown="Mine.", publish=False)
    client = client_for(ada)
    page = client.get("/settings/export/")
    assert page.status_code == 200 and b'<form method="post">' in page.content
    response = client.post("/settings/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    today = timezone.localdate().isoformat()
    assert f'filename="shortscience-ada-{today}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"data.json", "papers.bib", "shortscience-legacy.csv", "README.txt"} <= set(
        archive.namelist()
    )
    assert json.loads(archive.read("data.json"))["summaries"][0]["markdown"] == "Mine."


def test_exporting_is_rate_limited(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "exporting": "1/3600"}
    client = client_for(make_user())
    exported = client.post("/settings/export/")
    assert exported.status_code == 200
    # The archive streams from a temporary file, closed once sent: read it, as a server would.
    b"".join(exported.streaming_content)
    refused = client.post("/settings/export/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_deleting_with_a_wrong_password_keeps_the_account(client_for):
    ada = make_user("ada")
    client = client_for(ada)
    response = client.post(
        "/settings/delete-account/", {"mode": "delete", "password": "not-my-password"}
    )
    assert response.status_code == 400 and b"That is not your password" in response.content
    assert User.objects.filter(username="ada").exists()
    assert client.get("/settings/profile/").status_code == 200


def test_password_guesses_on_the_deletion_form_are_rate_limited(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_deletion": "2/3600"}
    ada = make_user("ada")
    client = client_for(ada)
    for _ in range(2):
        wrong = client.post("/settings/delete-account/", {"mode": "delete", "password": "guess"})
        assert wrong.status_code == 400
    refused = client.post("/settings/delete-account/", {"mode": "delete", "password": "guess"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert User.objects.filter(username="ada").exists()


def test_deleting_signs_out_and_keeps_public_summaries_anonymously_when_asked(client_for):
    ada = make_user("ada")
    summary = make_summary(ada, markdown="Worth keeping.")
    client = client_for(ada)
    assert client.get("/settings/delete-account/").status_code == 200
    response = client.post(
        "/settings/delete-account/", {"mode": "anonymise", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(username="ada").exists()
    assert client.get("/settings/profile/").status_code == 302
    kept = Summary.objects.get(pk=summary.pk)
    assert kept.is_anonymous
    page = client.get(f"/summaries/{summary.pk}/").content.decode()
    assert "Worth keeping." in page and "Anonymous" in page and "ada" not in page


def test_deleting_everything_through_the_page(client_for):
    ada = make_user("ada")
    make_summary(ada)
    response = client_for(ada).post(
        "/settings/delete-account/", {"mode": "delete", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and not Summary.objects.exists()


def test_comments_of_a_deleted_account_read_as_deleted(client_for, client):
    ada, bob = make_user("ada", display_name="Countess Byron"), make_user("bob")
    bobs = make_summary(bob)
    comments.add(ada, bobs.pk, "Ada's remark stays.")
    client_for(ada).post(
        "/settings/delete-account/", {"mode": "anonymise", "password": "a-long-test-password"}
    )
    page = client.get(f"/summaries/{bobs.pk}/").content.decode()
    assert "Ada&#x27;s remark stays." in page or "Ada's remark stays." in page
    assert "[deleted]" in page and "Countess Byron" not in page
