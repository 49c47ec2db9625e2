"""In a real browser: paste an arXiv URL, pick the paper, write, publish, read it on its page; paste
the id of a placeholder paper here, see what arXiv knows of it and fill it in; and the same page
when the sources are down (it answers within the deadline, says so plainly and opens the manual
form filled in)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from shortscience.metadata.http import Fetcher
from shortscience.models import Paper, PaperIdentifier, Summary
from shortscience.services import outbound
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_user
from tests.recorded import recorded_fetcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_pasted_arxiv_url_to_a_published_summary(live_server, page_factory, monkeypatch):
    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    make_user("adder")
    page = page_factory()
    sign_in(page, live_server.url, "adder")
    page.click("header >> text=Add a summary")
    page.fill("main input[name=q]", "https://arxiv.org/abs/1706.03762v7")
    page.click("text=Find the paper")
    page.locator(".candidates li", has_text="Attention Is All You Need").wait_for()
    screenshot(page, "add-summary-candidates")
    page.click("text=Summarise this paper")
    page.wait_for_url(re.compile(r"/papers/\d+/write/$"))
    page.fill(
        "#editor-source", "Scaled dot-product attention: $\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$."
    )
    page.locator("#editor-preview math").first.wait_for()
    page.click("button[value=publish]")
    page.wait_for_url(re.compile(r"/summaries/\d+/$"))
    summary = Summary.objects.get(author__username="adder")
    page.goto(f"{live_server.url}/arxiv/1706.03762")
    assert page.url.endswith(f"/papers/{summary.paper_id}/")
    assert page.locator("h1.paper-title").inner_text() == "Attention Is All You Need"
    assert page.locator(f"#summary-{summary.pk} math").count() == 1
    screenshot(page, "paper-after-add")


def test_a_pasted_id_of_a_placeholder_shows_the_sources_record_and_fills_it_on_a_click(
    live_server, page_factory, monkeypatch
):
    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    placeholder = Paper.objects.create(title="1706.03762", metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=placeholder, scheme="arxiv", value="1706.03762")
    make_user("adder")
    page = page_factory()
    sign_in(page, live_server.url, "adder")
    page.goto(f"{live_server.url}/add/")
    page.fill("main input[name=q]", "https://arxiv.org/abs/1706.03762v7")
    page.click("text=Find the paper")
    offer = page.locator("#refill-offer")
    offer.get_by_text("arXiv knows this paper as").wait_for()
    assert "Attention Is All You Need" in offer.inner_text()
    assert page.locator(".lookup-sources li").all_inner_texts() == ["arXiv found 1 paper."]
    assert page.locator(".candidates li").count() == 1  # the paper here, no second one
    assert not page.locator("#add-manual").get_attribute("open")
    placeholder.refresh_from_db()
    assert placeholder.title == "1706.03762"  # showing it wrote nothing
    screenshot(page, "add-placeholder-offer")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, "add-placeholder-offer-390")
    page.click("text=Fill it in and write")
    page.wait_for_url(re.compile(rf"/papers/{placeholder.pk}/write/$"))
    placeholder.refresh_from_db()
    assert placeholder.title == "Attention Is All You Need"
    page.goto(f"{live_server.url}/papers/{placeholder.pk}/")
    assert page.locator("h1.paper-title").inner_text() == "Attention Is All You Need"
    screenshot(page, "add-placeholder-filled")


# -- sources down: a local stand-in that hangs (arXiv, DBLP) and a port that refuses (Crossref) --


class _Hangs(BaseHTTPRequestHandler):
    """Accepts the request and never answers (until the test ends)."""

    release = threading.Event()

    def do_GET(self) -> None:
        self.release.wait(60)

    def log_message(self, *args: Any) -> None:
        pass


class _ToStandIns(httpx.BaseTransport):
    """The HTTP edge: each source's host is sent to a local port instead of the internet."""

    def __init__(self, ports: dict[str, int]) -> None:
        self._ports = ports
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_with(
            scheme="http", host="127.0.0.1", port=self._ports[request.url.host]
        )
        local = httpx.Request(
            request.method, url, headers=request.headers, extensions=request.extensions
        )
        return self._inner.handle_request(local)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sources_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hangs)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hangs = int(server.server_address[1])
    ports = {
        "export.arxiv.org": hangs,
        "dblp.org": hangs,
        "api.crossref.org": _closed_port(),
        "api.semanticscholar.org": hangs,
    }
    fetcher = Fetcher("tests@example.org", transport=_ToStandIns(ports), min_intervals={})
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    _Hangs.release.clear()
    yield
    _Hangs.release.set()
    server.shutdown()
    server.server_close()
    thread.join()
    fetcher.close()


#: The page must answer within the deadline (3 s) plus this: a bound, not a benchmark.
MARGIN = 12.0


def test_with_sources_down_the_page_shows_each_outcome_and_opens_the_filled_in_form(
    live_server, page_factory, sources_down
):
    make_user("adder")
    page = page_factory()
    sign_in(page, live_server.url, "adder")
    page.goto(f"{live_server.url}/add/")
    page.fill("main input[name=q]", "Residual learning on sources that are down")
    started = time.monotonic()
    page.click("text=Find the paper")
    page.locator(".source-report.pending", has_text="Asking arXiv…").wait_for()
    screenshot(page, "add-sources-asking")
    page.locator("#add-manual[open]").wait_for(timeout=(3 + MARGIN) * 1000)
    assert time.monotonic() - started < 3 + MARGIN
    reports = page.locator(".lookup-sources li").all_inner_texts()
    assert reports == [
        "arXiv did not answer within 3 seconds.",
        "Crossref did not answer.",
        "DBLP did not answer within 3 seconds.",
    ]
    assert page.locator("#m-title").input_value() == "Residual learning on sources that are down"
    assert page.locator(".lookup-fallback").is_visible()
    assert "Error" not in page.locator("main").inner_text()
    # The address says what was looked up, so a reload (or a link) answers the same.
    assert unquote(page.url).endswith("/add/?q=Residual learning on sources that are down")
    screenshot(page, "add-sources-down")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, "add-sources-down-390")
    page.fill("#m-authors", "Kaiming He")
    page.click("#add-manual >> text=Add this paper")
    page.wait_for_url(re.compile(r"/papers/\d+/write/$"))


def test_without_javascript_the_page_answers_within_the_deadline_with_the_form_filled_in(
    live_server, page_factory, sources_down
):
    make_user("adder")
    page = page_factory(java_script_enabled=False)
    sign_in(page, live_server.url, "adder")
    started = time.monotonic()
    page.goto(f"{live_server.url}/add/?q=https://arxiv.org/abs/2401.01234v2")
    assert time.monotonic() - started < 3 + MARGIN
    assert page.locator(".lookup-sources li").all_inner_texts() == [
        "arXiv did not answer within 3 seconds."
    ]
    assert page.locator("#add-manual").get_attribute("open") is not None
    assert page.locator("#m-url").input_value() == "https://arxiv.org/abs/2401.01234v2"
    screenshot(page, "add-sources-down-no-js")
