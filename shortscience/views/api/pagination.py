"""Cursor (keyset) pagination for API lists.

A cursor is opaque to clients: URL-safe base64 of JSON naming the ordering and the sort key of
the last row served (for example its score, publication time and id). The next page continues
strictly after that row, so paging through a list returns every row once even while new rows
arrive, and each page costs one query however deep it is. The ordering always ends with a
unique field (the primary key), so that ties cannot skip or repeat rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models import Field as DjangoField
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from ninja import Field, Schema

from shortscience.services.errors import InvalidInput

M = TypeVar("M", bound=Model)
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
BIGINT = 2**63


class PageParams(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool

    @classmethod
    def parse(cls, spec: str) -> Key:
        return cls(spec.lstrip("-"), spec.startswith("-"))

    def order(self) -> OrderBy:
        # NULLs last in both directions, on SQLite and PostgreSQL alike.
        column = F(self.field)
        return column.desc(nulls_last=True) if self.descending else column.asc(nulls_last=True)

    def after(self, value: Any) -> Q:
        """Rows strictly after `value` in this key's direction (NULLs come last)."""
        if value is None:
            return Q(pk__in=[])
        beyond = Q(**{f"{self.field}__lt" if self.descending else f"{self.field}__gt": value})
        return beyond | Q(**{f"{self.field}__isnull": True})

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.field}__isnull": True}) if value is None else Q(**{self.field: value})


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def paginate(rows: QuerySet[M], ordering: Sequence[str], cursor: str | None, limit: int) -> Page[M]:
    """One page of `rows` in `ordering` (e.g. `("-score", "-published_at", "-pk")`)."""
    keys = [Key.parse(spec) for spec in ordering]
    rows = rows.order_by(*[key.order() for key in keys])
    if cursor:
        rows = rows.filter(_after(keys, decode(cursor, ordering, rows.model)))
    found = list(rows[: limit + 1])
    items = found[:limit]
    more = len(found) > limit
    return Page(items, encode(ordering, items[-1]) if more and items else None)


def _after(keys: list[Key], values: list[Any]) -> Q:
    condition = Q(pk__in=[])
    ties = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= ties & key.after(value)
        ties &= key.equal(value)
    return condition


def encode(ordering: Sequence[str], row: Model) -> str:
    values = [_plain(getattr(row, Key.parse(spec).field)) for spec in ordering]
    raw = json.dumps({"o": ",".join(ordering), "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def decode(cursor: str, ordering: Sequence[str], model: type[Model]) -> list[Any]:
    """The sort key a cursor holds, checked against this list's ordering; InvalidInput if the
    cursor was not made by this list."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["o"] != ",".join(ordering) or len(payload["v"]) != len(ordering):
            raise ValueError("cursor of another list")
        return [
            _typed(model, Key.parse(spec).field, value)
            for spec, value in zip(ordering, payload["v"], strict=True)
        ]
    except (
        ValueError,
        TypeError,
        KeyError,
        binascii.Error,
        UnicodeDecodeError,
        DjangoValidationError,
    ) as exc:
        raise InvalidInput(
            "This cursor is not valid here; start again without one.",
            field_errors={"cursor": ["Use the next_cursor of the previous page."]},
        ) from exc


def _typed(model: type[Model], name: str, value: Any) -> Any:
    if value is None:
        return None
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, DjangoField):
        raise ValueError(f"{name} is not a column")
    typed = field.to_python(value)
    if isinstance(typed, bool) or not isinstance(typed, int | float | datetime | str):
        raise ValueError("unexpected value in cursor")
    # Floats (hotness) survive JSON exactly; NaN and infinities would never match a row.
    if isinstance(typed, float) and not math.isfinite(typed):
        raise ValueError("non-finite number in cursor")
    if isinstance(typed, int) and not -BIGINT <= typed < BIGINT:
        raise ValueError("integer out of range")
    if isinstance(typed, datetime) and typed.tzinfo is None:
        raise ValueError("naive datetime")
    return typed


def next_url(request: HttpRequest, next_cursor: str | None) -> str | None:
    """The current URL with `cursor` replaced: the link to the next page."""
    if next_cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = next_cursor
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")
