"""The OpenAPI document tells the truth: schemathesis generates requests for every operation
from it (valid and invalid ones, its coverage cases, unsupported methods, missing credentials)
and sends them to the WSGI app with a write token; every built-in check runs (the default
configuration enables them all) and every answer must be one the document describes.

Bounded to run in well under a minute on an idle machine: a few examples per operation, with
hypothesis derandomized (a fixed seed per operation) and no example database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from shortscience.services import comments, outbound
from shortscience.wsgi import application
from tests.api.conftest import token_for
from tests.factories import make_summary, make_user
from tests.recorded import down, recorded_fetcher

# Requests the schema allows may still be refused with a 400 the schema cannot foresee: an
# opaque cursor that is not one of ours, a Markdown text of only spaces; every other default of
# positive_data_acceptance stands.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def kept_connection() -> Iterator[None]:
    """The raw WSGI app closes the database connection after each request, which would end the
    test's transaction; Django's test client keeps it open the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(db: Any, kept_connection: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    fetcher = recorded_fetcher(down)  # POST /papers never reaches the network
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    summary = make_summary()
    comments.add(make_user(), summary.pk, "A comment with $x$")
    return {
        "Authorization": f"Bearer {token_for(make_user('fuzzer'))}",
        # The WSGI transport does not undo the site's gzip.
        "Accept-Encoding": "identity",
    }


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_one_the_openapi_document_describes(
    case: Any, world: dict[str, str]
) -> None:
    case.call_and_validate(headers=world)
