"""The streamable HTTP transport on a local port: the SDK's client connects by URL, reads, and
writes with the `Authorization: Bearer` header of its requests (never a token of the server's).
The server runs in a thread of its own, so the data it reads is committed (transactional_db)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn
from asgiref.sync import SyncToAsync, async_to_sync
from django.db import connections
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from shortscience.mcp import server
from shortscience.models import Summary
from tests.api.conftest import token_for
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def url() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(server.http_app(), log_level="warning", lifespan="on")
    http = uvicorn.Server(config)
    thread = threading.Thread(target=http.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http.started:
        assert time.monotonic() < deadline, "the MCP server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/mcp"
    http.should_exit = True
    thread.join(timeout=10)
    sock.close()
    # The tools ran in asgiref's one thread for sync work: its connection must go before the
    # test database can be dropped.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


def call(url: str, tool: str, arguments: dict[str, object], token: str = "") -> CallToolResult:
    async def scenario() -> CallToolResult:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http), cache=None) as client,
        ):
            return await client.call_tool(tool, arguments)

    return async_to_sync(scenario)()


def test_a_client_reads_and_saves_a_draft_over_http(url):
    paper = make_paper()
    make_summary(make_user(display_name="Ada Writer"), paper, "Public *source*.")
    read = call(url, "get_paper", {"paper": str(paper.pk)})
    assert not read.is_error
    assert isinstance(read.structured_content, dict)
    assert read.structured_content["summaries"][0]["markdown"] == "Public *source*."

    writer = make_user()
    nobody = call(url, "save_draft_summary", {"paper": str(paper.pk), "markdown": "mine"})
    assert nobody.is_error
    saved = call(
        url,
        "save_draft_summary",
        {"paper": str(paper.pk), "markdown": "mine"},
        token=token_for(writer, "write"),
    )
    assert not saved.is_error
    assert Summary.objects.get(paper=paper, author=writer).draft_markdown == "mine"


def test_a_host_the_site_does_not_answer_is_refused(url):
    request = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Host": "evil.example", "Accept": "application/json, text/event-stream"}
    answer = httpx2.post(url, json=request, headers=headers, timeout=10)
    assert answer.status_code in (400, 403, 421)
