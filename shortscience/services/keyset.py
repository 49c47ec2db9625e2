"""Keyset ("seek") paging for every list of the site: pages and API alike.

A list has an ordering that ends with a unique column (usually the primary key), so every row has
one place in it. A page is "the next `limit` rows strictly after this row's sort key", which an
index on the ordering serves by seeking to the key and reading forward: a page costs one query of
`limit + 1` rows however deep it is and however many rows exist, and no page ever counts the
whole list. Previous pages read the same index backwards.

The seek condition is written as `k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND ...))` rather than a
row-value comparison: Django has no portable row-value lookup, and the leading `k1 <= v1` term is a
range both SQLite and PostgreSQL use to start the index scan.

Rows whose sort key is NULL have no place in such an order, so they are left out (`NULLS LAST` on
one database is `NULLS FIRST` on the other, and no plain index serves it): orderings should name
columns that are set on every listed row (a public summary always has `published_at`).

A cursor is opaque to clients: URL-safe base64 of JSON naming the ordering and the sort key of the
row it points at; `decode` checks it was made by this ordering.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models import Field as DjangoField
from django.db.models.expressions import OrderBy

from shortscience.services.errors import InvalidInput

M = TypeVar("M", bound=Model)
BIGINT = 2**63
# Old numbered links (`?page=N`) are served by OFFSET up to this page; deeper numbers show this
# page, from which the keyset links go on, and numbers past the end show the first page. Bounded
# so that no request reads more than MAX_OFFSET_PAGE * limit index entries to skip them.
MAX_OFFSET_PAGE = 10


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool

    @classmethod
    def parse(cls, spec: str) -> Key:
        return cls(spec.lstrip("-"), spec.startswith("-"))

    def order(self, *, reverse: bool = False) -> OrderBy:
        # No NULLS FIRST/LAST modifier: null keys are filtered out, and a modifier that differs
        # from the index's own null order makes PostgreSQL sort instead of reading the index.
        column = F(self.field)
        return column.asc() if self.descending == reverse else column.desc()

    def lookup(self, *, strict: bool, reverse: bool) -> str:
        downwards = self.descending != reverse
        return f"{self.field}__{'lt' if downwards else 'gt'}{'' if strict else 'e'}"


def seek(keys: Sequence[Key], values: Sequence[Any], *, reverse: bool = False) -> Q:
    """Rows strictly after `values` in the order of `keys` (before them when `reverse`)."""
    condition = Q(**{keys[-1].lookup(strict=True, reverse=reverse): values[-1]})
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{key.lookup(strict=True, reverse=reverse): value}) | (
            Q(**{key.field: value}) & condition
        )
    # The leading non-strict range is implied by the rest; it is there for the index scan.
    return Q(**{keys[0].lookup(strict=False, reverse=reverse): values[0]}) & condition


@dataclass
class Page(Generic[M]):
    """One page: its rows and the cursors of the pages beside it (None at either end)."""

    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None = None

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def paginate(
    rows: QuerySet[M],
    ordering: Sequence[str],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    number: int = 1,
    strict: bool = True,
) -> Page[M]:
    """One page of `rows` in `ordering` (e.g. `("-score", "-published_at", "-pk")`): the rows
    after the cursor `after`, before the cursor `before`, or else the `number`-th page from the
    start (an OFFSET, bounded by MAX_OFFSET_PAGE). A cursor not made by this list raises
    InvalidInput, or when not `strict` (pages, where a mangled link should still show something)
    gives the first page."""
    if not strict:
        try:
            return paginate(rows, ordering, limit=limit, after=after, before=before, number=number)
        except InvalidInput:
            return paginate(rows, ordering, limit=limit)
    keys = [Key.parse(spec) for spec in ordering]
    rows = rows.filter(_present(keys, rows.model))
    if before:
        values = decode(before, ordering, rows.model)
        backwards = rows.filter(seek(keys, values, reverse=True))
        found = list(backwards.order_by(*[k.order(reverse=True) for k in keys])[: limit + 1])
        items = found[:limit][::-1]
        if not items:  # the rows before were deleted meanwhile: start again
            return paginate(rows, ordering, limit=limit)
        earlier = encode(ordering, items[0]) if len(found) > limit else None
        return Page(items, encode(ordering, items[-1]), earlier)
    rows = rows.order_by(*[k.order() for k in keys])
    skip = 0
    if after:
        rows = rows.filter(seek(keys, decode(after, ordering, rows.model)))
    else:
        skip = (min(max(number, 1), MAX_OFFSET_PAGE) - 1) * limit
    found = list(rows[skip : skip + limit + 1])
    if skip and not found:  # an old page number beyond the end: the list from its start
        return paginate(rows, ordering, limit=limit)
    items = found[:limit]
    later = encode(ordering, items[-1]) if len(found) > limit and items else None
    earlier = encode(ordering, items[0]) if items and (after or skip) else None
    return Page(items, later, earlier)


def parse_number(raw: str | int | None) -> int:
    """An old `?page=N` value; anything unreadable is the first page."""
    try:
        return max(int(raw or 1), 1)
    except (TypeError, ValueError):
        return 1


def _present(keys: Sequence[Key], model: type[Model]) -> Q:
    condition = Q()
    for key in keys:
        if key.field != "pk" and _field(model, key.field).null:
            condition &= Q(**{f"{key.field}__isnull": False})
    return condition


def _field(model: type[Model], name: str) -> DjangoField[Any, Any]:
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise ValueError(f"{name} is not a column") from exc
    if not isinstance(field, DjangoField):
        raise ValueError(f"{name} is not a column")
    return field


def encode(ordering: Sequence[str], row: Model) -> str:
    values = [_plain(getattr(row, Key.parse(spec).field)) for spec in ordering]
    raw = json.dumps({"o": ",".join(ordering), "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


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
        raise ValueError("a sort key is never null")
    typed = _field(model, name).to_python(value)
    if isinstance(typed, bool) or not isinstance(typed, int | float | date | str):
        raise ValueError("unexpected value in cursor")
    # Floats (hotness) survive JSON exactly; NaN and infinities would never match a row.
    if isinstance(typed, float) and not math.isfinite(typed):
        raise ValueError("non-finite number in cursor")
    if isinstance(typed, int) and not -BIGINT <= typed < BIGINT:
        raise ValueError("integer out of range")
    if isinstance(typed, datetime) and typed.tzinfo is None:
        raise ValueError("naive datetime")
    return typed
