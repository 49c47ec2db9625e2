"""Who may call what: bearer tokens and their scopes, sessions with CSRF, strangers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import ApiToken, Summary, Vote
from shortscience.services import tokens
from tests.api.conftest import ApiClient, error_shape, token_for, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_reading_needs_no_credentials(stranger):
    summary = make_summary()
    assert stranger.get(f"/summaries/{summary.pk}").status_code == 200


def test_writing_without_credentials_is_a_401(stranger):
    summary = make_summary()
    for response in (
        stranger.post(f"/summaries/{summary.pk}/vote", {"value": "up"}),
        stranger.post(f"/summaries/{summary.pk}/comments", {"markdown": "hi"}),
        stranger.put(f"/papers/{summary.paper_id}/summary", {"markdown": "x"}),
        stranger.delete(f"/summaries/{summary.pk}"),
    ):
        assert response.status_code == 401
        assert error_shape(response)["code"] == "NotAuthenticated"
    assert Summary.objects.count() == 1


def test_a_read_token_reads_but_gets_403_on_every_write():
    summary = make_summary()
    client = with_token(make_user(), "read")
    assert client.get(f"/summaries/{summary.pk}").status_code == 200
    for response in (
        client.post(f"/summaries/{summary.pk}/vote", {"value": "up"}),
        client.post(f"/summaries/{summary.pk}/comments", {"markdown": "hi"}),
        client.put(f"/papers/{make_paper().pk}/summary", {"markdown": "x"}),
        with_token(summary.author, "read").delete(f"/summaries/{summary.pk}"),
    ):
        assert response.status_code == 403
        body = error_shape(response)
        assert body["code"] == "PermissionDenied" and "write scope" in body["message"]
    assert not Vote.objects.exists()
    assert Summary.objects.count() == 1


def test_a_write_token_writes():
    summary = make_summary()
    response = with_token(make_user()).post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    assert response.status_code == 200


def test_a_wrong_token_is_a_401_even_for_reads():
    summary = make_summary()
    for token in ("ss_not-a-real-token", "ghp_something", ""):
        response = ApiClient(token).get(f"/summaries/{summary.pk}")
        if token == "":
            # No token at all is a stranger, who may read.
            assert response.status_code == 200
            continue
        assert response.status_code == 401, token
        assert error_shape(response)["code"] == "InvalidToken"


def test_an_empty_bearer_token_is_refused():
    summary = make_summary()
    response = ApiClient().get(f"/summaries/{summary.pk}", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_a_revoked_token_stops_working_at_once():
    user = make_user()
    plaintext = token_for(user)
    client = ApiClient(plaintext)
    summary = make_summary()
    assert client.post(f"/summaries/{summary.pk}/vote", {"value": "up"}).status_code == 200
    tokens.revoke(user, ApiToken.objects.get(user=user).pk)
    assert client.get(f"/summaries/{summary.pk}").status_code == 401
    assert client.post(f"/summaries/{summary.pk}/vote", {"value": "down"}).status_code == 401


def test_a_banned_persons_token_authenticates_nobody():
    user = make_user()
    client = with_token(user)
    user.is_active = False
    user.save()
    assert client.get("/summaries").status_code == 401


def test_the_token_is_stored_only_as_its_sha256_digest():
    import hashlib

    user = make_user()
    token, plaintext = tokens.create(user, "script", "read")
    assert plaintext.startswith("ss_") and len(plaintext) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {stored.digest, stored.prefix, stored.name}
    assert plaintext.startswith(stored.prefix) and len(stored.prefix) <= 12


def test_last_used_is_recorded_at_most_once_a_minute():
    user = make_user()
    token, plaintext = tokens.create(user, "script", "read")
    client = ApiClient(plaintext)
    client.get("/summaries")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/summaries")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/summaries")
    last_used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert last_used is not None
    assert first - timedelta(seconds=1) < last_used <= timezone.now()


def test_a_session_write_needs_the_csrf_token():
    summary = make_summary()
    user = make_user()
    client = with_session(user, enforce_csrf=True)
    refused = client.post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    assert refused.status_code == 403
    assert "CSRF" in error_shape(refused)["message"]
    # The token a page of the site would have embedded for this browser.
    client.client.get("/settings/tokens/")
    csrf = client.client.cookies["csrftoken"].value
    accepted = client.post(
        f"/summaries/{summary.pk}/vote", {"value": "up"}, headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 200, accepted.content
    assert Vote.objects.filter(user=user).count() == 1


def test_a_session_read_needs_no_csrf_token():
    summary = make_summary(private=True)
    client = with_session(summary.author, enforce_csrf=True)
    assert client.get(f"/summaries/{summary.pk}").status_code == 200


def test_a_token_write_needs_no_csrf_token():
    summary = make_summary()
    client = with_token(make_user())
    client.client = type(client.client)(enforce_csrf_checks=True)
    assert client.post(f"/summaries/{summary.pk}/vote", {"value": "up"}).status_code == 200


def test_another_authorization_scheme_is_treated_as_no_credentials(stranger):
    summary = make_summary()
    headers = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert stranger.get(f"/summaries/{summary.pk}", headers=headers).status_code == 200
    vote = stranger.post(f"/summaries/{summary.pk}/vote", {"value": "up"}, headers=headers)
    assert vote.status_code == 401
