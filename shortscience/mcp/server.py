"""The MCP server: the tools of tools.py registered with the official Python SDK's `MCPServer`
(docs/decisions/0021-mcp-sdk.md), and the two transports `manage.py mcp` starts.

The SDK runs on an event loop and Django's ORM does not: each tool hands its work to asgiref's
`sync_to_async` (thread-sensitive, so one thread holds the database connection, the thread of
the caller when a test drives the server through `async_to_sync`).

Who writes: over HTTP, the `Authorization: Bearer ss_...` header of the request; over stdio,
the token the server was started with (the `SHORTSCIENCE_API_TOKEN` setting). An HTTP server
never falls back to a token of its own: it serves whoever connects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations
from starlette.applications import Starlette

from shortscience.mcp import tools

NAME = "shortscience"
INSTRUCTIONS = (
    "ShortScience holds short, plain-language summaries of research papers. Find papers with "
    "search_papers, read one with get_paper (its public summaries and their comments, in "
    "Markdown) or a single summary with get_summary. save_draft_summary keeps Markdown as the "
    "token owner's draft of a paper; it never publishes."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
DRAFT_WRITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

T = TypeVar("T")


async def _in_django(work: Callable[[], T]) -> T:
    run = functools.partial(_as_a_request, work)
    result: T = await sync_to_async(run, thread_sensitive=True)()
    return result


def _as_a_request(work: Callable[[], T]) -> T:
    """`work` between the connection hygiene Django's request signals give a view: a connection
    past CONN_MAX_AGE or broken is dropped before and after (never one inside a transaction,
    which is a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()
    try:
        return tools.domain_errors_as_tool_errors(work)
    finally:
        if not connection.in_atomic_block:
            close_old_connections()


def bearer_token(headers: Mapping[str, str] | None) -> str | None:
    """The token of an `Authorization: Bearer` header, if the request carried one."""
    value = (headers or {}).get("authorization", "")
    scheme, _, token = value.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def build(*, token: str | None = None) -> MCPServer:
    """A server whose writes use `token` when a request carries none (stdio and tests)."""
    server: MCPServer = MCPServer(name=NAME, instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    async def search_papers(query: str) -> dict[str, Any]:
        """Search papers, summaries and comments (words, "a phrase", an arXiv id or a DOI).
        Returns up to 20 papers with their public summary counts and links."""
        return await _in_django(lambda: tools.search_papers(query))

    @server.tool(annotations=READ_ONLY)
    async def get_paper(paper: str) -> dict[str, Any]:
        """One paper by its ShortScience id or any identifier (arXiv id, DOI, DBLP key, old
        ShortScience key): its metadata, and its public summaries (Markdown source, author or
        "Anonymous", score, date, link) best first, each with its comments."""
        return await _in_django(lambda: tools.get_paper(paper))

    @server.tool(annotations=READ_ONLY)
    async def get_summary(summary_id: int) -> dict[str, Any]:
        """One public summary by id: its Markdown source, author, score, dates, link, comments
        and its paper's metadata."""
        return await _in_django(lambda: tools.get_summary(summary_id))

    @server.tool(annotations=DRAFT_WRITE)
    async def save_draft_summary(paper: str, markdown: str, ctx: Context) -> dict[str, Any]:
        """Save Markdown (with $math$) as your draft summary of a paper (id or identifier).
        Needs an API token with the write scope. Nothing is published: you review and publish
        the draft on the site. Saving again replaces the draft."""
        plaintext = bearer_token(ctx.headers) if ctx.headers is not None else token
        ip = _client_ip(ctx)
        return await _in_django(lambda: tools.save_draft(plaintext, paper, markdown, ip=ip))

    return server


def http_app() -> Starlette:
    """The streamable HTTP app (MCP at `/mcp`), answering the host names the site answers
    (`ALLOWED_HOSTS`, and loopback): the SDK's check of Host and Origin against DNS rebinding."""
    hosts = ["127.0.0.1", "localhost", "[::1]"] + [
        h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"
    ]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection="*" not in settings.ALLOWED_HOSTS,
        allowed_hosts=[form for h in hosts for form in (h, f"{h}:*")],
        allowed_origins=[
            f"{scheme}://{h}{port}"
            for h in hosts
            for scheme in ("http", "https")
            for port in ("", ":*")
        ],
    )
    return build().streamable_http_app(transport_security=security)


def _client_ip(ctx: Context) -> str:
    """The HTTP client's address for the rate limits; a stdio client is this machine."""
    client = getattr(ctx.request_context.request, "client", None)
    host = getattr(client, "host", None)
    return str(host) if host else "127.0.0.1"
