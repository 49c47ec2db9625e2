"""Run the MCP server for agents (docs/agents.md): on stdio by default, which is how a desktop
client launches it (`python -m shortscience.manage mcp`), or over streamable HTTP with `--http`
(`/mcp` on `--host`, `--port`; loopback unless told otherwise)."""

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from shortscience.mcp import server


class Command(BaseCommand):
    help = "Serve the MCP tools on stdio, or over streamable HTTP with --http."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--http", action="store_true", help="Streamable HTTP, not stdio")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["http"]:
            # Writes need each request's own Authorization header: no server-wide token.
            uvicorn.run(server.http_app(), host=options["host"], port=options["port"])
        else:
            server.build(token=settings.SHORTSCIENCE_API_TOKEN or None).run()
