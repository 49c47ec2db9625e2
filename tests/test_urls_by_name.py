"""URLs are built by name (docs/architecture.md, "URLs by name"): templates use `{% url %}` or
`get_absolute_url`, Python uses `reverse()`, so a route changes in shortscience/urls.py alone.

These tests fail when a literal internal path comes back: in a template attribute, glued after a
base URL (`{{ site_url }}/notifications/`), or as a string literal in the package that starts
with one of the site's routes. The routes are read from the URL map itself, so a new route is
covered the day it is added. What may stay literal is listed below, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shortscience.models import Paper, Summary, User, Venue
from shortscience.views import robots

PACKAGE = Path(__file__).resolve().parent.parent / "shortscience"
TEMPLATES = PACKAGE / "templates"

# An attribute that holds a URL, with a value starting with one "/" (a second one would make it
# protocol-relative, which is external): href="/", action="/add/", hx-post="/summaries/...".
_URL_ATTRIBUTE = re.compile(
    r"""\b(?:href|src|action|formaction|poster|hx-(?:get|post|put|patch|delete)|data-[\w-]*url)"""
    r"""\s*=\s*["']/(?!/)""",
    re.IGNORECASE,
)
# A variable followed by a path: a base URL with a literal route glued on.
_GLUED_PATH = re.compile(r"\}\}/[A-Za-z0-9_~-]")

TEMPLATE_ALLOWED = {
    # The 500 page is rendered when something is already broken, possibly the URL map itself,
    # so it needs nothing but the template engine.
    "500.html": {'href="/'},
}

# Packages and files that never build this site's URLs from literals for a reason:
PYTHON_SKIPPED = {
    # The URL map: route patterns are where the paths are declared.
    "urls.py",
    # Pure packages (no Django, so no reverse()): other sites' URL shapes (metadata) and the
    # path prefixes user content may link to without a scheme (rendering), passed in as data.
    "metadata",
    "rendering",
    # Migrations are history: they must not import the URL map.
    "migrations",
}
PYTHON_ALLOWED: dict[str, set[str]] = {
    # LOGIN_REDIRECT_URL and LOGIN_URL: Django and allauth read them and some readers use the
    # value as a path without resolving a name; MEDIA_URL's default: the media route is
    # declared from it (urls.py), not the other way round.
    "settings.py": {"/media/"},
    "settings_accounts.py": {"/", "/accounts/login/"},
    # The probes answer before URL resolution (docs/deploy.md): matched on the raw path.
    "views/health.py": {"/healthz", "/healthz/", "/readyz", "/readyz/"},
    # A prefix test on the request's path (any API version), not a URL that is built.
    "views/errors.py": {"/api/"},
    # robots.txt Disallow lines are path patterns with wildcards, not links.
    "views/robots.py": set(robots.DISALLOWED),
}
THIRD_PARTY = ("admin/", "accounts/")
# API routers declare their routes with paths relative to /api/v1/: they are route patterns.
_ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "api_operation"}


def _patterns(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def _route_heads() -> set[str]:
    """The literal first segment of every top-level route: "papers", "settings", "rss.xml"."""
    heads = set()
    for entry in get_resolver().url_patterns:
        literal = re.split(r"[<(\[\\?$*+]", str(entry.pattern).lstrip("^"), maxsplit=1)[0]
        head = literal.split("/", 1)[0]
        if head:
            heads.add(head)
    return heads


def _looks_like_route(text: str, heads: set[str]) -> bool:
    if text.startswith("/?"):  # the home page with a query string
        return True
    alternatives = "|".join(sorted(map(re.escape, heads), key=len, reverse=True))
    return re.match(rf"/(?:{alternatives})(?:$|[/?#.])", text) is not None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _route_declarations(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _ROUTE_DECORATORS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "router"
            and node.args
        ):
            ids.add(id(node.args[0]))
    return ids


def literal_paths(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal (or an f-string's opening) that names a site route."""
    tree = ast.parse(source)
    skipped = _docstrings(tree) | _route_declarations(tree)
    heads = _route_heads()
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            first = node.values[0] if node.values else None
            text = first.value if isinstance(first, ast.Constant) else ""
            for part in node.values:
                skipped.add(id(part))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if isinstance(text, str) and _looks_like_route(text, heads):
            found.append((node.lineno, text))
    return found


def test_templates_build_internal_links_by_name():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".txt", ".xml"}:
            continue
        name = str(path.relative_to(TEMPLATES))
        allowed = TEMPLATE_ALLOWED.get(name, set())
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for found in [*_URL_ATTRIBUTE.finditer(line), *_GLUED_PATH.finditer(line)]:
                if found.group(0).replace(" ", "") not in allowed:
                    offenders.append(f"{name}:{number}: {line.strip()[:120]}")
    assert offenders == [], "Build these with {% url %} or get_absolute_url:\n" + "\n".join(
        offenders
    )


def test_python_builds_internal_urls_with_reverse():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name in PYTHON_SKIPPED or name.split("/", 1)[0] in PYTHON_SKIPPED:
            continue
        allowed = PYTHON_ALLOWED.get(name, set())
        for number, text in literal_paths(path.read_text()):
            if text not in allowed:
                offenders.append(f"{name}:{number}: {text!r}")
    assert offenders == [], "Build these with reverse() or get_absolute_url:\n" + "\n".join(
        offenders
    )


def test_the_scans_catch_a_literal_path():
    """The checks above would see a regression: a literal route in Python and in a template."""
    assert literal_paths('redirect(f"/summaries/{pk}/")') == [(1, "/summaries/")]
    assert literal_paths('url = "/?tab=recent"') == [(1, "/?tab=recent")]
    assert literal_paths('x = "/settings/profile/"') == [(1, "/settings/profile/")]
    assert literal_paths('path.split("/")') == []
    assert literal_paths('@router.get("/papers/{int:paper_id}")\ndef f(): ...') == []
    assert _URL_ATTRIBUTE.search('<a class="x" href="/papers/1/">')
    assert _URL_ATTRIBUTE.search("<form hx-post='/summaries/1/vote/'>")
    assert not _URL_ATTRIBUTE.search("<a href=\"{% url 'home' %}\">")
    assert not _URL_ATTRIBUTE.search('<a href="//cdn.example.org/x.js">')
    assert not _URL_ATTRIBUTE.search('<a href="#comment-3">')
    assert _GLUED_PATH.search('<a href="{{ site_url }}/notifications/">')


def test_every_route_has_a_name_and_lives_in_the_url_map():
    routes = _patterns(get_resolver().url_patterns)
    # The admin's and allauth's own patterns are theirs to name.
    ours = [(route, entry) for route, entry in routes if not route.startswith(THIRD_PARTY)]
    assert [route for route, entry in ours if not entry.name] == []
    # Only the API (its own ninja routers) and the third-party apps keep their own URL modules.
    included = {
        getattr(entry.urlconf_name, "__name__", entry.app_name)
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver)
    }
    assert included == {"shortscience.views.api.urls", "allauth.urls", "admin"}


def test_objects_with_a_page_name_it_as_before():
    assert Paper(pk=3).get_absolute_url() == "/papers/3/"
    assert Summary(pk=5).get_absolute_url() == "/summaries/5/"
    assert User(username="ada.l-9_x").get_absolute_url() == "/users/ada.l-9_x/"
    assert User(username="~deleted").get_absolute_url() == "/users/~deleted/"
    assert Venue(key="NeurIPS").get_absolute_url() == "/venues/NeurIPS/"
    assert reverse("tokens") == "/settings/tokens/"
    assert reverse("token-revoke", args=[7]) == "/settings/tokens/7/revoke/"
    assert reverse("api-v1:user", kwargs={"username": "ada"}) == "/api/v1/users/ada"
