"""Cursor (keyset) pagination for API lists: the query parameters and the link to the next page.

The paging itself is `services/keyset.py`, shared with the HTML pages: a cursor is opaque to
clients (URL-safe base64 of JSON naming the ordering and the sort key of the last row served), the
next page continues strictly after that row, so paging through a list returns every row once even
while new rows arrive, and each page costs one query however deep it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

from shortscience.services import keyset
from shortscience.services.keyset import Page, encode

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "PageParams", "encode", "next_url", "paginate"]

M = TypeVar("M", bound=Model)
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class PageParams(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")


def paginate(rows: QuerySet[M], ordering: Sequence[str], cursor: str | None, limit: int) -> Page[M]:
    """One page of `rows` in `ordering` (e.g. `("-score", "-published_at", "-pk")`)."""
    return keyset.paginate(rows, ordering, limit=limit, after=cursor)


def next_url(request: HttpRequest, next_cursor: str | None) -> str | None:
    """The current URL with `cursor` replaced: the link to the next page."""
    if next_cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = next_cursor
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")
