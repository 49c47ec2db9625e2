"""`{% summary_card card show_paper=True clip=True %}`: summary cards rendered once and reused,
a memo of `summaries/_card.html`.

Django's templates cost about 3 ms a card, so a signed-in home page of 20 cards spent 70 ms in
them. A card's HTML is a pure function of what it shows (the summary's, paper's, author's and
comments' fields) and of a few facts about the viewer (signed in, their vote, whether they wrote
it or follow it, which of its comments are theirs, the page's URL for `next` links). The key is a
hash of all of those, so a stored card can never be stale or belong to someone else: any change
to what it shows gives a new key, and there is nothing to invalidate. That also means every
process can keep its own copy (an LRU bounded by size, `MAX_BYTES`), with no cache round trip.

CSRF tokens are the one thing a card holds that is the viewer's own: the memo renders them as a
placeholder derived from SECRET_KEY (so no text written by a user can contain it) and each page
puts its own token in place (a shared signed-in copy, services/neutralpages.py, keeps the
placeholder for each request to fill).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django import template
from django.db.models import Model
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from shortscience.services import authors, neutralpages, pageviews
from shortscience.services.cards import SummaryCard

register = template.Library()

TEMPLATE = "summaries/_card.html"
MAX_BYTES = 48 * 1024 * 1024
# Fields no card shows: never part of the key (hashing Markdown would cost for nothing).
_UNSHOWN = {"markdown", "share_token", "password", "email"}
_HASHED = {"html", "excerpt_html", "description_html"}

_lock = threading.Lock()
_store: OrderedDict[str, str] = OrderedDict()
_size = 0


def _row(obj: Model | None) -> tuple[Any, ...]:
    """The loaded fields of a row that a card may show; deferred ones are left alone (reading
    them would cost a query each)."""
    if obj is None:
        return ()
    deferred = obj.get_deferred_fields()
    values: list[Any] = [type(obj).__name__]
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name in deferred or name in _UNSHOWN:
            continue
        value = getattr(obj, name)
        if name in _HASHED and value:
            value = hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
        values.append((name, value))
    return tuple(values)


def _comments(comments: Iterable[Any]) -> tuple[Any, ...]:
    # `shown_hidden`: a moderator's card shows a hidden comment's text (services/comments.py),
    # so it is never the card a reader gets.
    return tuple(
        (
            _row(comment),
            _row(authors.erratum_of(comment)),
            _row(comment.author) if not comment.is_deleted or _shown_hidden(comment) else (),
            _shown_hidden(comment),
            _comments(getattr(comment, "thread_replies", ())),
        )
        for comment in comments
    )


def _shown_hidden(comment: Any) -> bool:
    return bool(getattr(comment, "shown_hidden", False))


def _own_comment_ids(comments: Iterable[Any], user_id: int) -> tuple[int, ...]:
    found: list[int] = []
    for comment in comments:
        if comment.author_id == user_id:
            found.append(comment.pk)
        found.extend(_own_comment_ids(getattr(comment, "thread_replies", ()), user_id))
    return tuple(found)


def _key(
    card: SummaryCard, request: HttpRequest, context: dict[str, Any], options: dict[str, bool]
) -> str:
    summary, user = card.summary, context["user"]
    signed_in = bool(user.is_authenticated)
    with_comments = options["with_comments"]
    following = context.get("following")
    followed = bool(
        signed_in and with_comments and following and summary.pk in following.summary_ids
    )
    material = (
        TEMPLATE,
        tuple(sorted(options.items())),
        request.get_full_path(),
        signed_in,
        (card.my_vote, card.can_vote, card.is_mine, followed),
        (tuple(sorted(card.paper_authors)), card.can_mark_errata),
        _own_comment_ids(card.comments, user.pk) if signed_in and with_comments else (),
        _row(summary),
        () if summary.is_anonymous else _row(summary.author),
        _row(summary.paper) if options["show_paper"] else (),
        timesince(summary.edited_at) if summary.edited_at else "",
        _comments(card.comments) if with_comments else (),
    )
    return hashlib.sha256(repr(material).encode()).hexdigest()


def _remember(key: str, html: str) -> None:
    global _size
    with _lock:
        if key in _store:
            return
        _store[key] = html
        _size += len(html)
        while _size > MAX_BYTES and _store:
            _, dropped = _store.popitem(last=False)
            _size -= len(dropped)


def _recall(key: str) -> str | None:
    with _lock:
        html = _store.get(key)
        if html is not None:
            _store.move_to_end(key)
        return html


@register.simple_tag(takes_context=True)
def summary_card(
    context: template.Context,
    card: SummaryCard,
    *,
    show_paper: bool = False,
    clip: bool = False,
    with_comments: bool = False,
    popular: bool = False,
) -> SafeString:
    flat: dict[str, Any] = context.flatten()  # type: ignore[assignment]  # our keys are str
    return render_card(
        flat, card, show_paper=show_paper, clip=clip, with_comments=with_comments, popular=popular
    )


def render_card(
    context: dict[str, Any],
    card: SummaryCard,
    *,
    show_paper: bool = False,
    clip: bool = False,
    with_comments: bool = False,
    popular: bool = False,
) -> SafeString:
    """The card's HTML with this request's CSRF token, from the memo when it has it."""
    request: HttpRequest = context["request"]
    options = {
        "show_paper": show_paper,
        "clip": clip,
        "with_comments": with_comments,
        "popular": popular,
    }
    key = _key(card, request, context, options)
    html = _recall(key)
    if html is None:
        html = get_template(TEMPLATE).render(
            {
                "card": card,
                "request": request,
                "user": context["user"],
                "following": context.get("following"),
                "csrf_token": neutralpages.csrf_placeholder(),
                **options,
            }
        )
        _remember(key, html)
    placeholder = neutralpages.csrf_placeholder()
    if placeholder not in html or getattr(request, "neutral_render", False):
        # A shared signed-in copy keeps the placeholder: each request puts its own token in.
        return mark_safe(html)  # noqa: S308 -- our own template's output, escaped when rendered
    return mark_safe(html.replace(placeholder, _token(request, context["user"])))  # noqa: S308


@register.filter
def views_label(views: int) -> str:
    return pageviews.label(views)


def _token(request: HttpRequest, user: Any) -> str:
    """One CSRF token for all the cards of a page (masking a token costs 0.4 ms). Anonymous
    cards hold no form; asking for a token would set a cookie on a shared page."""
    if not user.is_authenticated:
        return ""
    token = getattr(request, "_card_csrf_token", None)
    if token is None:
        token = str(format_html("{}", get_token(request)))
        request._card_csrf_token = token  # type: ignore[attr-defined]  # per-request memo
    return token


def forget_all() -> None:
    """Empty this process's memo (tests that count renders)."""
    global _size
    with _lock:
        _store.clear()
        _size = 0
