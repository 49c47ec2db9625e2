"""The API tokens settings page and the token service behind it: create (shown once), list,
revoke."""

import re

import pytest
from django.test import Client

from shortscience.models import ApiToken
from shortscience.services import tokens
from shortscience.services.errors import InvalidInput, NotFound
from tests.api.conftest import ApiClient
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'value="(ss_[A-Za-z0-9_-]{40,})"')


def test_the_tokens_page_needs_a_sign_in():
    response = Client().get("/settings/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_profile_page_links_to_the_tokens_page(client_for):
    html = client_for(make_user()).get("/settings/profile/").content.decode()
    assert 'href="/settings/tokens/"' in html


def test_creating_a_token_shows_it_once_and_it_works(client_for):
    user = make_user()
    client = client_for(user)
    response = client.post("/settings/tokens/", {"name": "reading list", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    shown = TOKEN_RE.search(html)
    assert shown is not None, html
    plaintext = shown.group(1)
    assert "shown only this once" in html
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope) == ("reading list", "write")
    assert token.prefix in html
    again = client.get("/settings/tokens/").content.decode()
    assert plaintext not in again
    assert "reading list" in again and token.prefix in again
    assert ApiClient(plaintext).get("/summaries").status_code == 200


def test_the_list_shows_name_prefix_scope_created_and_last_used(client_for):
    user = make_user()
    _, plaintext = tokens.create(user, "laptop", "read")
    ApiClient(plaintext).get("/summaries")
    html = client_for(user).get("/settings/tokens/").content.decode()
    assert "laptop" in html and plaintext[:11] in html and "Read" in html
    assert "never" not in html
    assert plaintext not in html


def test_a_token_needs_a_name(client_for):
    response = client_for(make_user()).post("/settings/tokens/", {"name": "", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused(client_for):
    response = client_for(make_user()).post("/settings/tokens/", {"name": "x", "scope": "admin"})
    assert response.status_code == 400
    with pytest.raises(InvalidInput):
        tokens.create(make_user(), "x", "admin")


def test_revoking_a_token_removes_it_from_the_list_and_from_use(client_for):
    user = make_user()
    token, plaintext = tokens.create(user, "old script", "read")
    client = client_for(user)
    response = client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/settings/tokens/"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert "old script" not in client.get("/settings/tokens/").content.decode().split("<h2")[1]
    assert ApiClient(plaintext).get("/summaries").status_code == 401


def test_revoking_needs_a_post(client_for):
    user = make_user()
    token, _ = tokens.create(user, "x", "read")
    assert client_for(user).get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_nobody_revokes_someone_elses_token(client_for):
    token, _ = tokens.create(make_user(), "theirs", "read")
    response = client_for(make_user()).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    with pytest.raises(NotFound):
        tokens.revoke(make_user(), token.pk)


def test_the_create_form_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post("/settings/tokens/", {"name": "x", "scope": "read"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_there_is_a_limit_on_live_tokens():
    user = make_user()
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create(user, f"t{n}", "read")
    with pytest.raises(InvalidInput):
        tokens.create(user, "one more", "read")
    oldest = tokens.active(user).first()
    assert oldest is not None
    tokens.revoke(user, oldest.pk)
    tokens.create(user, "one more", "read")


def test_a_token_name_must_be_one_line(client_for):
    response = client_for(make_user()).post(
        "/settings/tokens/", {"name": "laptop\r\nsecond line", "scope": "read"}
    )
    assert response.status_code == 400
    assert "no line breaks, tabs or control characters" in response.content.decode()
    with pytest.raises(InvalidInput, match="one line"):
        tokens.create(make_user(), "tab\there", "read")
    assert not ApiToken.objects.exists()
