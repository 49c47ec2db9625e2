"""API test helpers: a client per kind of caller (stranger, token, session) that speaks JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shortscience.models import User
from shortscience.services import tokens

API = "/api/v1"


class ApiClient:
    """Django's test client, with the API prefix, JSON bodies and an optional bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        headers = {**self.headers, **extra.pop("headers", {})}
        kwargs: dict[str, Any] = {"headers": headers, **extra}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)(API + path, **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self._call("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._call("post", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._call("put", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._call("patch", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._call("delete", path, **extra)


def token_for(user: User, scope: str = "write") -> str:
    return tokens.create(user, f"test {scope}", scope)[1]


def with_token(user: User, scope: str = "write") -> ApiClient:
    return ApiClient(token_for(user, scope))


def with_session(user: User, *, enforce_csrf: bool = False) -> ApiClient:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return ApiClient(client=client)


@pytest.fixture
def stranger() -> ApiClient:
    return ApiClient()


def error_shape(response: Any) -> dict[str, Any]:
    """The body of an error, checked to have exactly the documented keys."""
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    return body
