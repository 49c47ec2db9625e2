"""The API object: title and version, the OpenAPI document and browsable docs, the routers of
each feature, the error mapping, and ETags on every successful GET."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from shortscience.views.api import (
    auth,
    comments,
    errors,
    follows,
    library,
    notifications,
    papers,
    summaries,
    users,
    venues,
    votes,
)
from shortscience.views.api.schemas import NAMESPACE

DESCRIPTION = """\
Read papers, summaries, comments, people and venues; add papers; write summaries, votes and
comments with a personal token (`Authorization: Bearer ss_...`, made at /settings/tokens/) or a
signed-in session. Lists page with opaque cursors; every GET answers with an ETag. The guide is
docs/api.md in the source.
"""


class ObjectBodies(Parser):
    """Every request body of this API is a JSON object: a string, a number or a list is a 400
    (ninja would otherwise validate the body's fields from nothing and take their defaults)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data


class ShortScienceAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # What a GET shows depends on who asks (their own private summaries, their votes).
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if request.method == "GET" and response.status_code == 200:
            set_response_etag(response)
            conditional = get_conditional_response(
                request, etag=response["ETag"], response=response
            )
            assert isinstance(conditional, HttpResponse)
            return conditional
        return response

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        errors.describe_common(document)
        return document

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's name ("summary_list"), unique across the API, instead of its module path.
        return str(operation.view_func.__name__)


api = ShortScienceAPI(
    title="ShortScience API",
    version="1",
    description=DESCRIPTION,
    urls_namespace=NAMESPACE,
    parser=ObjectBodies(),
    # Routers set their own auth; this one tells the docs page to send the CSRF token.
    auth=auth.READ,
    # Swagger UI from ninja's own static files (no CDN, no inline script); no call to the
    # public schema validator.
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
)
errors.install(api)
api.add_router("", papers.router, tags=["papers"])
api.add_router("", summaries.router, tags=["summaries"])
api.add_router("", votes.router, tags=["votes"])
api.add_router("", comments.router, tags=["comments"])
api.add_router("", users.router, tags=["users"])
api.add_router("", venues.router, tags=["venues"])
api.add_router("", follows.router, tags=["follows"])
api.add_router("", notifications.router, tags=["notifications"])
api.add_router("", library.router, tags=["library"])  # Issue 14: library
