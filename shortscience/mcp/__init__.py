"""The MCP server for agents (docs/agents.md): tools that read public papers and summaries and
save a draft summary with an API token, over stdio (`manage.py mcp`) or streamable HTTP
(`manage.py mcp --http`). It sits beside the views: it calls services, never views."""
