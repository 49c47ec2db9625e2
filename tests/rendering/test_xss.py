"""No payload in tests/data/rendering/xss_payloads.txt produces anything executable.

Every payload goes through ``render_markdown`` (the real path: raw HTML off, KaTeX
with ``trust: false``, then nh3) and, separately, straight through ``sanitize_html``
(the backstop on its own, as if an upstream layer had let raw HTML through).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shortscience.rendering import render_markdown
from shortscience.rendering.sanitize import sanitize_html

from .html_checks import assert_safe_html, problems

PAYLOAD_FILE = Path(__file__).resolve().parents[1] / "data" / "rendering" / "xss_payloads.txt"


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("%%"):
            continue
        payloads.append(line.replace("⏎", "\n"))
    return payloads


PAYLOADS = load_payloads()
IDS = [f"{n:03d}-{p[:40]}" for n, p in enumerate(PAYLOADS, start=1)]


def test_there_are_at_least_sixty_payloads() -> None:
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_rendered_payload_is_not_executable(payload: str) -> None:
    assert_safe_html(render_markdown(payload).html)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_sanitiser_alone_neutralises_payload(payload: str) -> None:
    assert_safe_html(sanitize_html(payload))


def test_javascript_links_are_not_links_at_all() -> None:
    for payload in ("[x](javascript:alert(1))", "[x](&#106;avascript:alert(1))", "<javascript:x>"):
        assert "<a" not in render_markdown(payload).html


def test_trust_only_commands_never_produce_links_or_ids() -> None:
    html = render_markdown(r"$\href{javascript:alert(1)}{x}$ $\htmlId{evil}{y}$").html
    assert "href=" not in html
    assert 'id="evil"' not in html


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<img src="data:image/svg+xml,x">',
        '<svg><a xlink:href="javascript:x">y</a></svg>',
        '<span style="background:url(x)">y</span>',
        '<span style="width:EXPRESSION(alert(1))">y</span>',
        "<svg><foreignObject></foreignObject></svg>",
        "<iframe srcdoc=x>",
        "<form><input></form>",
    ],
)
def test_the_checker_itself_catches_executable_html(html: str) -> None:
    assert problems(html)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://e.com">x</a>',
        '<a href="/cite/a">x</a>',
        '<a href="#fn1">x</a>',
        '<a href="mailto:a@b.org">x</a>',
        '<span style="height:1em;color:red">x</span>',
    ],
)
def test_the_checker_accepts_safe_html(html: str) -> None:
    assert problems(html) == []
