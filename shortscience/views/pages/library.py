"""The reader's library pages: "My library", a list's page (its owner's, or anyone's when it
is public), the saved-state partial of the paper page, and the forms that change them. Every
write is a plain form post that redirects back, or an htmx post that swaps the partial."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shortscience.services import library, papers
from shortscience.services.errors import InvalidInput, NotFound
from shortscience.views.pages.common import (
    login_required_or_401,
    rate_limited,
    safe_next,
    signed_in,
    viewer,
)


def _optional_id(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("That is not a list.", field_errors={"list": [raw[:20]]})
    return int(raw)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/library/`: the reader's lists and saved papers, filtered by list and status."""
    user = signed_in(request)
    status = request.GET.get("status") or None
    list_id = _optional_id(request.GET.get("list"))
    shown = list(library.entries(user, list_id=list_id, status=status)[:500])
    context = {
        "lists": library.lists_of(user),
        "entries": shown,
        "status": status,
        "list_id": list_id,
        "statuses": library.STATUS_CHOICES,
    }
    return render(request, "library/home.html", context)


@require_GET
def list_page(request: HttpRequest, list_id: int, slug: str) -> HttpResponse:
    """A list: its owner sees notes and the forms; anyone else only a public list's papers."""
    found, owner = library.visible_list(viewer(request), list_id)
    if slug != found.slug:
        return redirect(found.get_absolute_url(), permanent=False)
    context = {"list": found, "owner": owner, "max_import": library.IMPORT_MAX_ENTRIES}
    if owner:
        context["entries"] = list(library.entries(signed_in(request), list_id=found.pk))
    else:
        context["papers"] = library.papers_of(found)
    response = render(request, "library/list.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def export(request: HttpRequest, list_id: int, fmt: str) -> HttpResponse:
    """`.bib` or `.json` (CSL-JSON) download of a list the viewer may see."""
    if fmt not in ("bib", "json"):
        raise NotFound("There is no such export.")
    found, _owner = library.visible_list(viewer(request), list_id)
    if fmt == "bib":
        body, kind = library.export_bibtex(found), "application/x-bibtex; charset=utf-8"
    else:
        body, kind = library.export_csl(found), "application/vnd.citationstyles.csl+json"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{found.slug}.{fmt}"'
    return response


@login_required_or_401
@require_POST
@rate_limited("library")
def create_list(request: HttpRequest) -> HttpResponse:
    found = library.create_list(
        signed_in(request), request.POST.get("name", ""), public=bool(request.POST.get("public"))
    )
    paper_id = _optional_id(request.POST.get("paper"))
    if paper_id is not None:
        library.save(signed_in(request), paper_id, found.pk)
    return redirect(safe_next(request, found.get_absolute_url()))


@login_required_or_401
@require_POST
@rate_limited("library")
def edit_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """`action=rename` (with `name`), `public`, `private` or `delete`."""
    user = signed_in(request)
    action = request.POST.get("action", "")
    if action == "delete":
        library.delete_list(user, list_id)
        return redirect(reverse("library"))
    if action == "rename":
        found = library.update_list(user, list_id, name=request.POST.get("name", ""))
    elif action in ("public", "private"):
        found = library.update_list(user, list_id, public=action == "public")
    else:
        raise InvalidInput("Unknown action.", field_errors={"action": [action[:20]]})
    return redirect(found.get_absolute_url())


@login_required_or_401
@require_POST
@rate_limited("library")
def import_bibtex(request: HttpRequest, list_id: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > library.IMPORT_MAX_BYTES:
            raise InvalidInput(f"A BibTeX file here has at most {library.IMPORT_MAX_BYTES} bytes.")
        text = upload.read(library.IMPORT_MAX_BYTES + 1).decode("utf-8", errors="replace")
    else:
        text = request.POST.get("bibtex", "")
    user = signed_in(request)
    report = library.import_bibtex(user, list_id, text)
    found = library.own_list(user, list_id)
    return render(request, "library/imported.html", {"list": found, "report": report})


def _state(request: HttpRequest, paper_id: int) -> HttpResponse:
    user = signed_in(request)
    context = {
        "paper_id": paper_id,
        "entry": library.saved(user, paper_id),
        "lists": library.lists_of(user),
    }
    return render(request, "library/_state.html", context)


@login_required_or_401
@rate_limited("library")
def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    """GET: the reader's saved state of a paper (the partial htmx loads into the paper page).
    POST `action=save` (optional `list`: save into or move to it), `unsave`, `status` (with
    `status`) or `note` (with `note`)."""
    if request.method != "POST":
        return _state(request, paper_id)
    user = signed_in(request)
    action = request.POST.get("action", "save")
    if action == "unsave":
        library.unsave(user, paper_id)
    elif action == "status":
        library.set_status(user, paper_id, request.POST.get("status", ""))
    elif action == "note":
        library.set_note(user, paper_id, request.POST.get("note", ""))
    else:
        library.save(user, paper_id, _optional_id(request.POST.get("list")))
    if getattr(request, "htmx", False):
        return _state(request, paper_id)
    return redirect(safe_next(request, reverse("paper", args=[paper_id])))


@login_required
@require_GET
def note(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The note editor of one saved (or to-be-saved) paper."""
    found = papers.get(paper_id)
    entry = library.saved(signed_in(request), paper_id)
    return render(request, "library/note.html", {"paper": found, "entry": entry})
