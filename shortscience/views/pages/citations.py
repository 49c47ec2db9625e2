"""A paper's citation as a file: `/papers/<id>/cite.bib` (BibTeX) and `/papers/<id>/cite.txt`
(one plain-text line). Public and cached like the paper page (services/pagecache.PAGES)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shortscience.services import citations, papers
from shortscience.services.errors import NotFound


def bibtex(request: HttpRequest, paper_id: int) -> HttpResponse:
    return _download(request, paper_id, "paper-cite-bib", "bib", "application/x-bibtex")


def text(request: HttpRequest, paper_id: int) -> HttpResponse:
    return _download(request, paper_id, "paper-cite-txt", "txt", "text/plain")


def _download(
    request: HttpRequest, paper_id: int, route: str, extension: str, content_type: str
) -> HttpResponse:
    try:
        paper = papers.get(paper_id)
    except NotFound:
        kept = papers.moved_to(paper_id)  # a merged paper's old address leads to the kept one
        if kept is None:
            raise
        return redirect(route, kept.pk, permanent=True)
    cited, bib, plain = citations.for_download(paper)
    response = HttpResponse(
        bib if extension == "bib" else plain + "\n", content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'inline; filename="{citations.bibtex_key(cited)}.{extension}"'
    )
    return response
