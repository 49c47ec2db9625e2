"""The OpenAPI document and the browsable docs page: complete, served from this site only, and
working under the site's Content-Security-Policy (checked in a real browser too)."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.browser import conftest as browser_conftest
from tests.factories import make_summary, make_user

# The browser fixtures of tests/browser/ (Debian's chromium driven by Playwright).
browser = browser_conftest.browser
page_factory = browser_conftest.page_factory

ROOT = Path(__file__).resolve().parent.parent.parent


def openapi() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_document_names_the_api_and_every_operation():
    document = openapi()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ShortScience API"
    assert document["info"]["version"] == "1"
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert operations == {
        "GET /papers/{paper_id}",
        "GET /papers/{paper_id}/summaries",
        "GET /papers/lookup",
        "POST /papers",
        "POST /papers/counts",
        "GET /search",
        "GET /summaries",
        "GET /activity",
        "GET /summaries/{summary_id}",
        "DELETE /summaries/{summary_id}",
        "PUT /papers/{paper_id}/summary",
        "POST /summaries/{summary_id}/vote",
        "GET /summaries/{summary_id}/comments",
        "POST /summaries/{summary_id}/comments",
        "PATCH /comments/{comment_id}",
        "DELETE /comments/{comment_id}",
        "GET /users/{username}",
        "GET /users/{username}/summaries",
        "GET /venues",
        "GET /venues/{key}",
        "GET /follows",
        "PUT /follows/papers/{paper_id}",
        "DELETE /follows/papers/{paper_id}",
        "PUT /follows/users/{username}",
        "DELETE /follows/users/{username}",
        "PUT /follows/summaries/{summary_id}",
        "DELETE /follows/summaries/{summary_id}",
        "PUT /follows/venues/{venue_key}",
        "DELETE /follows/venues/{venue_key}",
        "PUT /follows/categories/{category}",
        "DELETE /follows/categories/{category}",
        "PUT /follows/searches",
        "DELETE /follows/searches",
        "GET /notifications",
        "POST /notifications/{notification_id}/read",
        "POST /notifications/read-all",
        "GET /library/lists",
        "POST /library/lists",
        "GET /library/lists/{list_id}/papers",
        "GET /library/lists/{list_id}/export",
        "PUT /library/papers/{paper_id}",
        "DELETE /library/papers/{paper_id}",
    }
    assert set(document["components"]["securitySchemes"]) == {"BearerToken", "SignedInSession"}


def test_the_openapi_document_repeats_no_key():
    """Python's json keeps the last of two equal keys; Swagger UI's YAML parser refuses the
    whole document (an int and a str status are one key once written)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    response = Client().get("/api/v1/openapi.json")
    json.loads(response.content, object_pairs_hook=pairs)
    assert repeated == []


def test_every_operation_is_described_in_docs_api_md():
    guide = (ROOT / "docs" / "api.md").read_text()
    for path, methods in openapi()["paths"].items():
        for method in methods:
            heading = f"`{method.upper()} {path}"
            assert heading in guide, heading


def test_the_docs_page_loads_swagger_ui_from_this_site_without_inline_script(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert all(source.startswith("/static/") for source in sources), sources
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in tag or 'type="application/json"' in tag, tag
        assert "src=" not in tag or not body.strip()
    assert '"validatorUrl": null' in html  # no call to the public validator service


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_every_operation_with_no_policy_violation(live_server, page_factory):
    make_summary(author=make_user("docsauthor"))
    page = page_factory()
    page.add_init_script(
        """
        window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (e) => {
          window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
        });
        """
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(live_server.url + "/api/v1/docs")
    assert response is not None and response.status == 200
    page.locator(".opblock").first.wait_for()
    operations = sum(len(methods) for methods in openapi()["paths"].values())
    assert page.locator(".opblock").count() == operations
    assert "ShortScience API" in page.locator(".title").first.inner_text()
    browser_conftest.screenshot(page, "api-docs")
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
