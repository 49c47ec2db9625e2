"""Every API error has one shape, {"code", "message", "fields"}, whatever raised it."""

import pytest

from shortscience.models import Summary
from tests.api.conftest import ApiClient, error_shape, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_each_error_status_has_the_same_shape_and_a_stable_code(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/3600"}
    summary = make_summary()
    writer = with_token(make_user())
    writer.post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    cases = {
        400: writer.put(f"/papers/{summary.paper_id}/summary", {"markdown": ""}),
        401: ApiClient().post(f"/summaries/{summary.pk}/vote", {"value": "up"}),
        403: with_token(make_user(), "read").delete(f"/summaries/{summary.pk}"),
        404: ApiClient().get("/summaries/424242"),
        422: ApiClient().get("/summaries?limit=nope"),
        429: writer.post(f"/summaries/{summary.pk}/vote", {"value": "down"}),
    }
    codes = {
        400: "InvalidInput",
        401: "NotAuthenticated",
        403: "PermissionDenied",
        404: "NotFound",
        422: "ValidationError",
        429: "RateLimited",
    }
    for status, response in cases.items():
        assert response.status_code == status, (status, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert error_shape(response)["code"] == codes[status]


def test_a_conflict_is_a_409_in_the_same_shape(monkeypatch):
    from shortscience.services import summaries
    from shortscience.services.errors import Conflict

    def refuse(*args, **kwargs):
        raise Conflict("Someone else saved first.", field_errors={"markdown": ["Reload."]})

    monkeypatch.setattr(summaries, "write", refuse)
    response = with_token(make_user()).put(f"/papers/{make_paper().pk}/summary", {"markdown": "x"})
    assert response.status_code == 409
    assert error_shape(response) == {
        "code": "Conflict",
        "message": "Someone else saved first.",
        "fields": {"markdown": ["Reload."]},
    }


def test_validation_errors_name_each_bad_field():
    paper = make_paper()
    response = with_token(make_user()).put(
        f"/papers/{paper.pk}/summary", {"markdown": 5, "publish": "perhaps"}
    )
    assert response.status_code == 422
    body = error_shape(response)
    assert set(body["fields"]) == {"markdown", "publish"}
    assert body["message"].startswith("The request is not valid")


def test_an_unknown_api_url_is_a_json_404_not_the_html_page(stranger):
    for url in ("/nothing-here", "/summaries/abc", "/papers/1/", "/summaries/1/nope"):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert error_shape(response)["code"] == "NotFound"


def test_a_number_too_large_for_the_database_is_a_validation_error(stranger):
    response = stranger.get(f"/summaries/{10**30}")
    assert response.status_code == 422
    assert "summary_id" in error_shape(response)["fields"]


def test_nul_bytes_in_text_are_harmless(stranger):
    summary = make_summary()
    for url in ("/search?q=a%00b", "/papers/lookup?id=17%0006", "/users/a%00b", "/venues/A%00"):
        assert stranger.get(url).status_code in (200, 404), url
    response = with_token(make_user()).post(
        f"/summaries/{summary.pk}/comments", {"markdown": "nul\u0000 and \ud800 lone"}
    )
    assert response.status_code == 201
    assert Summary.objects.get(pk=summary.pk).comment_count == 1


def test_a_long_query_reaches_the_api_and_gets_a_json_answer(stranger):
    # Up to gunicorn's --limit-request-line 8190 (tests/deploy/test_request_line.py).
    response = stranger.get("/papers/lookup?id=" + "x" * 7000)
    assert response.status_code == 422
    assert "id" in error_shape(response)["fields"]
