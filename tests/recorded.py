"""Serving recorded responses at the HTTP edge: a real Fetcher over an httpx.MockTransport that
answers from tests/data/metadata/, so lookups run offline with the real parsing code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from shortscience.metadata.http import Fetcher

DATA = Path(__file__).resolve().parent / "data" / "metadata"


def route(request: httpx.Request) -> httpx.Response:
    url = request.url
    params = dict(url.params)
    if url.host == "export.arxiv.org":
        if params.get("id_list", "").startswith("1706.03762"):
            return _file("arxiv/id_list_1706.03762.xml")
        if "search_query" in params:
            return _file("arxiv/search_ti_bert.xml")
        return _file("arxiv/empty.xml")
    if url.host == "api.crossref.org":
        if url.path.lower() == "/works/10.1109/iccv.2015.169":
            return _file("crossref/works_10.1109_iccv.2015.169.json")
        if url.path == "/works":
            return _file("crossref/query_fast_rcnn.json")
        return httpx.Response(404, text="Resource not found.")
    if url.host == "api.semanticscholar.org":
        if url.path.lower() == "/graph/v1/paper/doi:10.1109/iccv.2015.169":
            return _file("semanticscholar/paper_DOI_10.1109_ICCV.2015.169.json")
        return httpx.Response(404, content=(DATA / "semanticscholar/error_404.json").read_bytes())
    if url.host == "dblp.org":
        if url.path.startswith("/search"):
            return _file("dblp/search_fast_rcnn.json")
        return _file("dblp/record_conf_iccv_Girshick15.xml")
    return httpx.Response(404)


def _file(name: str) -> httpx.Response:
    return httpx.Response(200, content=(DATA / name).read_bytes())


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def recorded_fetcher(handler: Callable[[httpx.Request], httpx.Response] = route) -> Fetcher:
    return Fetcher(
        "tests@example.org",
        transport=httpx.MockTransport(handler),
        min_intervals={},
        default_interval=0.0,
        sleep=lambda seconds: None,
        max_attempts=2,
    )
