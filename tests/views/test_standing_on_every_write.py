"""Suspension and bans on every write: each route of the URL map and each non-GET operation of
the API's OpenAPI document, tried by a suspended and by a banned person, is refused and changes
nothing in the database (docs/moderation.md, "Suspension and bans on every write").

The lists below classify every route and operation; a new one that is in none of them fails
`test_every_route_and_api_operation_is_classified`, and a new write without the standing check
fails the walks. Routes under /accounts/ (allauth: sign-out, password, e-mail, 2FA, sessions)
and /admin/ (staff only, Django's own permission checks) are outside the walk.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from shortscience.models import (
    ApiToken,
    AuthorClaim,
    Comment,
    Paper,
    ReadingList,
    Summary,
    User,
    Venue,
)
from shortscience.services import comments, library, moderation
from shortscience.views.api.app import api
from tests.api.conftest import ApiClient, token_for
from tests.factories import just_proved_identity, make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

# Pages that only read (any method); they are posted to as well, and must change nothing.
READS = {
    # reading pages
    "home",
    "about",
    "random",
    "paper",
    "cite",
    "search",
    "paper-counts",
    "paper-cite-bib",  # Issue 14: sharing and citation
    "paper-cite-txt",
    "paper-markdown",  # Issue 14: the pages as Markdown
    "summary-markdown",
    "summary",
    "summary-shared",
    # The view beacon adds to a counter in the cache and writes no row (docs/rankings.md, "Views")
    "view-beacon",
    "users",
    "user",
    "venues",
    "venue",
    "new-papers-index",  # Issue 14: new papers by arXiv category
    "new-papers",
    "following",
    "notifications",
    "summary-history",
    "summary-diff",
    "moderation-queue",
    "moderation-hidden",
    "moderation-people",
    "moderation-log",
    "add-source",  # one source's answer to the add page's lookup (GET only)
    # aliases and legacy URLs
    "alias-arxiv",
    "alias-doi",
    "alias-dblp",
    "alias-openreview",
    "alias-lookup",
    "legacy-paper",
    "legacy-user",
    "legacy-users",
    "legacy-venue",
    "legacy-random",
    "legacy-vignette",
    "legacy-internalsearch",
    "legacy-login",
    "legacy-signup",
    "legacy-logout",
    "legacy-recover",
    "legacy-settings",
    "legacy-export",
    "legacy-welcome",
    # feeds and sitemaps
    "feed-recent-atom",
    "feed-recent-rss",
    "feed-paper-atom",
    "feed-paper-rss",
    "feed-user-atom",
    "feed-user-rss",
    "feed-venue-atom",
    "feed-venue-rss",
    "feed-search-atom",
    "feed-search-rss",
    "rss-legacy",
    "rss-legacy-all",
    "rss-legacy-full",
    "sitemap",
    "django.contrib.sitemaps.views.sitemap",
    # operations and files
    "healthz",
    "readyz",
    "metrics",
    "robots",
    "favicon",
    "media",
    # A POST only because the Markdown is long: renders a preview and stores nothing.
    "preview",
    "comment-preview",
    "blocks",  # the list of people you blocked
    # Issue 14: library (GET only; the owner's pages, a public list, its exports)
    "library",
    "library-list",
    "library-export",
    "library-note",
    "wanted",
    "wanted-state",  # the reader's own request button
}

# Writes a suspended or banned person must still be able to make: they end sessions, protect
# the account, take the person's data away or make them hear less; none publishes anything.
ALLOWED = {
    "session-end",  # signing out a lost device
    "token-revoke",  # a leaked token must be revocable by its owner at any time
    "account-export",  # their data is theirs (GDPR)
    "account-delete",  # leaving is always possible
    "notification-settings",  # fewer e-mails
    "unsubscribe",  # the one-click link in every e-mail
    "mark-read",
    "notifications-read-all",
    # Blocking only makes the person hear less (nobody is told); unblocking undoes it.
    "user-block",
    "user-unblock",
}

API_READS = {"counts"}  # POST /papers/counts: a read that is a POST because the list is long
API_ALLOWED = {
    "notification_read",
    "notification_read_all",
    # Unfollowing only makes the person hear less; it shows nothing to anyone.
    "unfollow_paper",
    "unfollow_user",
    "unfollow_summary",
    "unfollow_venue",
    "unfollow_category",
    "unfollow_search",
    # Issue 14: removing a paper from your own library shows nothing to anyone.
    "library_unsave",
}


@dataclass
class World:
    me: User
    other: User
    paper: Paper  # has `theirs`; I am its verified author
    fresh: Paper  # I have no summary and no claim here
    theirs: Summary
    mine: Summary
    my_comment: Comment
    their_comment: Comment
    claimed: Paper  # I have a pending claim on it
    pending_claim: AuthorClaim  # someone else's, for a moderator to decide
    token: str
    reading_list: ReadingList  # my own library list
    venue: Venue  # nobody follows it; one of its papers has the arXiv category cs.LG


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return SimpleUploadedFile("dot.png", out.getvalue(), content_type="image/png")


def _page_writes(w: World) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each write route: its URL arguments and a POST body that an active person's request
    would carry out (so a refusal is the standing check, not a bad request)."""
    return {
        "add": (
            {},
            {"action": "manual", "title": "A new paper", "authors": "A. B.", "year": "2024"},
        ),
        "summary-write": (
            {"paper_id": w.fresh.pk},
            {"markdown": "Fresh spam", "action": "publish"},
        ),
        "summary-autosave": ({"paper_id": w.fresh.pk}, {"markdown": "Draft spam"}),
        "summary-discard": ({"summary_id": w.mine.pk}, {}),
        "image-upload": ({}, {"image": _png()}),
        "summary-delete": ({"summary_id": w.mine.pk}, {}),
        "summary-share": ({"summary_id": w.mine.pk}, {"enabled": "1"}),
        "summary-restore": ({"summary_id": w.mine.pk, "number": 1}, {}),
        "vote": ({"summary_id": w.theirs.pk}, {"value": "up"}),
        "comment-add": ({"summary_id": w.theirs.pk}, {"markdown": "spam comment"}),
        "comment-edit": ({"comment_id": w.my_comment.pk}, {"markdown": "edited into spam"}),
        "comment-delete": ({"comment_id": w.my_comment.pk}, {}),
        "follow": ({"kind": "paper", "key": str(w.fresh.pk)}, {}),
        "follow-search": ({}, {"q": "attention"}),
        "wanted-toggle": ({"paper_id": w.fresh.pk}, {"action": "want"}),
        "author-claim": ({"paper_id": w.fresh.pk}, {}),
        "author-withdraw": ({"paper_id": w.claimed.pk}, {}),
        "author-claim-decide": (
            {"claim_id": w.pending_claim.pk},
            {"decision": "approve", "reason": "listed"},
        ),
        "comment-erratum": ({"comment_id": w.their_comment.pk}, {"status": "fixed"}),
        "flag": ({"kind": "summary", "pk": w.theirs.pk}, {"reason": "spam"}),
        "moderation-act": (
            {},
            {"action": "hide", "kind": "summary", "pk": w.theirs.pk, "reason": "x"},
        ),
        "tokens": ({}, {"name": "spam bot", "scope": "write"}),
        "profile": (
            {},
            {"display_name": "BUY PILLS", "description": "spam.example", "orcid": ""},
        ),
        # Issue 14: library
        "library-paper": ({"paper_id": w.fresh.pk}, {"action": "save"}),
        "library-list-create": ({}, {"name": "Spam list"}),
        "library-list-edit": ({"list_id": w.reading_list.pk}, {"action": "rename", "name": "x"}),
        "library-import": (
            {"list_id": w.reading_list.pk},
            {"bibtex": "@article{a, title={Spam paper}, year={2020}}"},
        ),
    }


def _api_url(path: str, params: dict[str, Any]) -> str:
    """The operation's path with its parameters in, and "_query" (if any) as its query."""
    url = path.removeprefix("/api/v1").format(**{k: v for k, v in params.items() if k != "_query"})
    return f"{url}?{params['_query']}" if "_query" in params else url


def _api_writes(w: World) -> dict[str, tuple[dict[str, Any], Any]]:
    return {
        "write": ({"paper_id": w.fresh.pk}, {"markdown": "Fresh spam"}),
        "delete": ({"summary_id": w.mine.pk}, None),
        "vote": ({"summary_id": w.theirs.pk}, {"value": "up"}),
        "comment_add": ({"summary_id": w.theirs.pk}, {"markdown": "spam"}),
        "comment_edit": ({"comment_id": w.my_comment.pk}, {"markdown": "spam"}),
        "comment_delete": ({"comment_id": w.my_comment.pk}, None),
        "follow_paper": ({"paper_id": w.fresh.pk}, None),
        "follow_user": ({"username": w.other.username}, None),
        "follow_summary": ({"summary_id": w.theirs.pk}, None),
        "follow_venue": ({"venue_key": w.venue.key}, None),
        "follow_category": ({"category": "cs.LG"}, None),
        "follow_search": ({"_query": "q=residual+networks"}, None),
        "library_list_create": ({}, {"name": "Spam list"}),
        "library_save": ({"paper_id": w.fresh.pk}, {"note": "spam"}),
        "paper_add": ({}, {"title": "A spam paper", "authors": ["Spammer"]}),
    }


# Any route argument of a read, by its name.
def _read_kwargs(w: World, names: Iterator[str]) -> dict[str, Any]:
    known: dict[str, Any] = {
        "paper_id": w.paper.pk,
        "summary_id": w.theirs.pk,
        "comment_id": w.their_comment.pk,
        "username": w.other.username,
        "key": "1706.00001",
        "token": "no-such-token",
        "section": "summaries",
        "path": "nothing.png",
        "kind": "paper",
        "list_id": w.reading_list.pk,
        "slug": w.reading_list.slug,
        "fmt": "bib",
        "object_id": w.paper.pk,  # the view beacon's (with kind "paper")
        "category": "cs.LG",
    }
    return {name: known[name] for name in names}


def _routes() -> list[tuple[str, URLPattern]]:
    """Every named route of the site, outside /accounts/, /admin/ and the API."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("accounts/", "admin/", "api/v1/", "^accounts/")):
                    continue
                walk(entry.url_patterns, route)
            elif entry.name:
                found.append((entry.name, entry))

    walk(get_resolver().url_patterns, "")
    return found


def _operations() -> list[tuple[str, str, str]]:
    """(operationId, method, path) of every non-GET operation in the OpenAPI document."""
    schema = api.get_openapi_schema()
    return [
        (operation["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method.lower() != "get"
    ]


_IGNORED_MODELS = {Session}
_IGNORED_FIELDS = {
    (User, "last_login"),
    (ApiToken, "last_used_at"),  # a usage hint the token's owner reads; not content
}


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the project owns (sessions and usage hints aside)."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if model in _IGNORED_MODELS or model._meta.app_label == "usersessions":
            continue
        fields = [
            f.attname for f in model._meta.concrete_fields if (model, f.name) not in _IGNORED_FIELDS
        ]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        state[model._meta.label] = [tuple(str(v) for v in row) for row in rows]
    return state


def _changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


@pytest.fixture
def world() -> World:
    orcid = "0000-0002-1825-0097"
    me = make_user("spammer", orcid=orcid, orcid_verified=True)
    # A moderator too, so that the moderators' own writes are walked as well.
    me.groups.add(Group.objects.get(name="moderators"))
    other = make_user("other")
    paper, fresh, claimed = make_paper(), make_paper(), make_paper()
    theirs = make_summary(author=other, paper=paper)
    mine = make_summary(author=me, paper=claimed)
    make_summary(author=me, paper=claimed, markdown="A second revision, to restore the first.")
    my_comment = comments.add(me, theirs.pk, "my comment")
    their_comment = comments.add(other, theirs.pk, "their comment")
    AuthorClaim.objects.create(
        paper=paper, user=me, orcid=orcid, status=AuthorClaim.Status.APPROVED
    )
    AuthorClaim.objects.create(paper=claimed, user=me, orcid=orcid)
    third = make_user("third", orcid="0000-0001-5109-3700", orcid_verified=True)
    pending = AuthorClaim.objects.create(paper=fresh, user=third, orcid=third.orcid)
    token = token_for(me)  # made before the suspension, which refuses new tokens
    reading_list = library.create_list(me, "Mine")
    venue = Venue.objects.create(key="SPAMCONF", name="Spam Conference")
    make_paper(venue=venue, categories=["cs.LG"])  # a venue and a category to follow
    return World(
        me,
        other,
        paper,
        fresh,
        theirs,
        mine,
        my_comment,
        their_comment,
        claimed,
        pending,
        token,
        reading_list,
        venue,
    )


def _sanction(person: User, standing: str) -> None:
    mod = make_user("mod")
    mod.groups.add(Group.objects.get(name="moderators"))
    action = "suspend" if standing == "suspended" else "ban"
    moderation.act(mod, action, "user", person.pk, "spam wave", days=3)


def _signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return just_proved_identity(client, person)


def test_every_route_and_api_operation_is_classified(world):
    names = {name for name, _ in _routes()}
    writes = set(_page_writes(world))
    assert not (READS & ALLOWED) and not (READS & writes) and not (ALLOWED & writes)
    unknown = names - READS - ALLOWED - writes
    assert not unknown, (
        f"Classify these routes here (a write needs standing.ensure_can_write): {unknown}"
    )
    assert not (READS | ALLOWED | writes) - names - {"media"}, "a listed route no longer exists"
    operations = {op for op, _, _ in _operations()}
    api_writes = set(_api_writes(world))
    unknown_ops = operations - API_READS - API_ALLOWED - api_writes
    assert not unknown_ops, f"Classify these API operations here: {unknown_ops}"
    assert not (API_READS | API_ALLOWED | api_writes) - operations


def _refused_page(response: Any, standing: str) -> bool:
    if standing == "suspended":
        return response.status_code == 403 and "suspended until" in response.content.decode()
    # A banned person's session ended: the sign-in page, or a 401 for fetch and htmx callers.
    location = response.headers.get("Location", "")
    return (response.status_code == 302 and "/accounts/login/" in location) or (
        response.status_code == 401
    )


@pytest.mark.parametrize("standing", ["suspended", "banned"])
def test_every_write_page_refuses_a_suspended_or_banned_person_and_changes_nothing(world, standing):
    _sanction(world.me, standing)
    client = _signed_in(world.me)
    writes = _page_writes(world)
    failures = []
    for name, route in _routes():
        if name in ALLOWED or (name == "media" and name not in writes):
            continue
        if name in writes:
            kwargs, data = writes[name]
        else:
            kwargs, data = _read_kwargs(world, iter(route.pattern.converters)), {}
        before = _snapshot()
        response = client.post(reverse(name, kwargs=kwargs), data)
        changed = _changed(before, _snapshot())
        if changed:
            failures.append(f"{name}: changed {changed}")
        if name in writes and not _refused_page(response, standing):
            failures.append(f"{name}: answered {response.status_code}, not a refusal")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("standing", ["suspended", "banned"])
@pytest.mark.parametrize("caller", ["token", "session"])
def test_every_api_write_refuses_a_suspended_or_banned_person_and_changes_nothing(
    world, standing, caller
):
    _sanction(world.me, standing)
    client = ApiClient(world.token) if caller == "token" else ApiClient(client=_signed_in(world.me))
    writes = _api_writes(world)
    failures = []
    for operation_id, method, path in _operations():
        if operation_id not in writes:
            continue
        params, body = writes[operation_id]
        url = _api_url(path, params)
        before = _snapshot()
        response = client._call(method.lower(), url, body)
        changed = _changed(before, _snapshot())
        if changed:
            failures.append(f"{operation_id}: changed {changed}")
        expected = 403 if standing == "suspended" else 401
        if response.status_code != expected:
            failures.append(f"{operation_id}: answered {response.status_code}, not {expected}")
        elif standing == "suspended" and "suspended" not in response.json()["message"]:
            failures.append(f"{operation_id}: refused for another reason: {response.json()}")
    assert not failures, "\n".join(failures)


def test_the_walks_are_real_an_active_person_makes_every_listed_write(world):
    """The same requests by a person in good standing succeed, so each refusal above is the
    standing check and not a bad sample."""
    client = _signed_in(world.me)
    failures = []
    for name, (kwargs, data) in _page_writes(world).items():
        if name in {"summary-delete", "comment-delete", "comment-edit", "author-withdraw"}:
            continue  # they would remove the rows other samples use; tried last, below
        before = _snapshot()
        response = client.post(reverse(name, kwargs=kwargs), data)
        if not _changed(before, _snapshot()):
            failures.append(f"{name}: {response.status_code} changed nothing")
    for name in ("comment-edit", "comment-delete", "author-withdraw", "summary-delete"):
        kwargs, data = _page_writes(world)[name]
        before = _snapshot()
        response = client.post(reverse(name, kwargs=kwargs), data)
        if not _changed(before, _snapshot()):
            failures.append(f"{name}: {response.status_code} changed nothing")
    assert not failures, "\n".join(failures)


def test_the_api_walk_is_real_an_active_person_makes_every_listed_write(world):
    client = ApiClient(world.token)
    writes = _api_writes(world)
    last = ("comment_edit", "comment_delete", "delete")
    order = [op for op in _operations() if op[0] in writes and op[0] not in last]
    order += sorted((op for op in _operations() if op[0] in last), key=lambda op: last.index(op[0]))
    failures = []
    for operation_id, method, path in order:
        params, body = writes[operation_id]
        before = _snapshot()
        response = client._call(method.lower(), _api_url(path, params), body)
        if not _changed(before, _snapshot()):
            failures.append(f"{operation_id}: {response.status_code} changed nothing")
    assert not failures, "\n".join(failures)
