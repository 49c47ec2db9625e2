"""`python -m shortscience.manage mcp` speaks MCP on stdio: the SDK's client launches it as a
subprocess and lists its tools (nothing but protocol reaches stdout). Listing reads no data, so
the subprocess needs no test database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from asgiref.sync import async_to_sync
from mcp import Client, StdioServerParameters


def test_the_stdio_server_starts_and_lists_its_tools(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings",
        "ALLOW_DEV_SECRET_KEY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    command = StdioServerParameters(
        command=sys.executable, args=["-m", "shortscience.manage", "mcp"], env=env
    )

    async def scenario() -> list[str]:
        async with Client(command, cache=None) as client:
            listed = await client.list_tools()
            return sorted(tool.name for tool in listed.tools)

    names = async_to_sync(scenario)()
    assert names == ["get_paper", "get_summary", "save_draft_summary", "search_papers"]
