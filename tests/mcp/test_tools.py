"""The MCP tools through the SDK's own client, over in-memory streams with the initialize
handshake and JSON-RPC framing (mode="legacy"): what they answer, and what they never show."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from mcp import Client
from mcp.types import CallToolResult, TextContent

from shortscience.mcp import server
from shortscience.models import Summary
from shortscience.services import comments, moderation
from tests.api.conftest import token_for
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """An async scenario run from this test's thread, which holds the test's transaction."""
    return async_to_sync(scenario)()


def call(tool: str, arguments: dict[str, Any], *, token: str | None = None) -> CallToolResult:
    async def scenario() -> CallToolResult:
        async with Client(server.build(token=token), mode="legacy") as client:
            return await client.call_tool(tool, arguments)

    return run(scenario)


def answer(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def text(result: CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, TextContent))


def test_the_client_lists_the_four_tools():
    async def scenario() -> list[str]:
        async with Client(server.build(), mode="legacy") as client:
            listed = await client.list_tools()
            return sorted(tool.name for tool in listed.tools)

    assert run(scenario) == ["get_paper", "get_summary", "save_draft_summary", "search_papers"]


def test_search_finds_a_paper_by_words_and_by_its_arxiv_id():
    paper = make_paper("Gradient descent for quokkas")
    make_summary(paper=paper, markdown="Quokkas descend gradients.")
    by_words = answer(call("search_papers", {"query": "quokkas"}))
    assert [p["id"] for p in by_words["papers"]] == [paper.pk]
    assert by_words["papers"][0]["markdown_url"].endswith(f"/papers/{paper.pk}.md")
    arxiv = paper.identifiers.get().value
    assert answer(call("search_papers", {"query": arxiv}))["papers"][0]["id"] == paper.pk


def test_get_paper_by_id_or_alias_gives_summaries_in_markdown_with_comments():
    paper = make_paper()
    summary = make_summary(make_user(display_name="Ada Writer"), paper, "Some *source*.")
    comments.add(make_user(display_name="Rita Reader"), summary.pk, "Nice.")
    by_id = answer(call("get_paper", {"paper": str(paper.pk)}))
    by_alias = answer(call("get_paper", {"paper": paper.identifiers.get().value}))
    assert by_id == by_alias
    [item] = by_id["summaries"]
    assert item["markdown"] == "Some *source*." and item["author"] == "Ada Writer"
    assert item["comments"][0]["author"] == "Rita Reader"
    assert item["comments"][0]["markdown"] == "Nice."


def test_an_unknown_paper_is_a_tool_error_not_a_crash():
    result = call("get_paper", {"paper": "no-such-thing"})
    assert result.is_error and "No paper here" in text(result)


def test_private_draft_hidden_and_anonymous_never_leak():
    writer = make_user("secretwriter", display_name="Quentin Zanzibar")
    paper = make_paper("Leaky paper")
    anonymous = make_summary(writer, paper, "anonymous insight", anonymous=True)
    comments.add(writer, anonymous.pk, "the anonymous author replies")
    private = make_summary(make_user(), paper, "private words", private=True)
    draft = make_summary(make_user(), paper, "draft words", publish=False)
    hidden = make_summary(make_user(), paper, "hidden words")
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="moderators"))
    moderation.act(moderator, "hide", "summary", hidden.pk, "spam")
    # The owner's own token does not open their private summary or draft either.
    owner_token = token_for(private.author)
    answers = [
        call("get_paper", {"paper": str(paper.pk)}, token=owner_token),
        call("get_summary", {"summary_id": anonymous.pk}),
        call("search_papers", {"query": "words"}),
        call("search_papers", {"query": "Zanzibar"}),
    ]
    seen = json.dumps([a.structured_content for a in answers]) + "".join(map(text, answers))
    assert "anonymous insight" in seen
    for secret in ("private words", "draft words", "hidden words", "Quentin", "secretwriter"):
        assert secret not in seen
    for summary in (private, draft, hidden):
        result = call("get_summary", {"summary_id": summary.pk}, token=owner_token)
        assert result.is_error and "not public" in text(result)


def test_a_write_token_saves_a_draft_that_nobody_else_reads():
    writer = make_user()
    paper = make_paper()
    saved = answer(
        call(
            "save_draft_summary",
            {"paper": str(paper.pk), "markdown": "My *draft* about $x$."},
            token=token_for(writer, "write"),
        )
    )
    draft = Summary.objects.get(pk=saved["summary_id"])
    assert (draft.author, draft.status, draft.draft_markdown) == (
        writer,
        Summary.Status.DRAFT,
        "My *draft* about $x$.",
    )
    assert answer(call("get_paper", {"paper": str(paper.pk)}))["summaries"] == []


def test_a_read_only_token_or_none_cannot_save():
    writer = make_user()
    paper = make_paper()
    read_only = call(
        "save_draft_summary",
        {"paper": str(paper.pk), "markdown": "words"},
        token=token_for(writer, "read"),
    )
    assert read_only.is_error and "only read" in text(read_only)
    nobody = call("save_draft_summary", {"paper": str(paper.pk), "markdown": "words"})
    assert nobody.is_error and "API token" in text(nobody)
    wrong = call(
        "save_draft_summary", {"paper": str(paper.pk), "markdown": "words"}, token="ss_wrong"
    )
    assert wrong.is_error and "not valid" in text(wrong)
    assert not Summary.objects.filter(paper=paper).exists()


def test_saving_drafts_counts_against_the_publishing_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "publishing": "1/3600"}
    token = token_for(make_user(), "write")
    first, second = make_paper(), make_paper()
    assert not call(
        "save_draft_summary", {"paper": str(first.pk), "markdown": "a"}, token=token
    ).is_error
    refused = call("save_draft_summary", {"paper": str(second.pk), "markdown": "b"}, token=token)
    assert refused.is_error and "Too many publishing requests" in text(refused)
    assert not Summary.objects.filter(paper=second).exists()
