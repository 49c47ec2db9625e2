"""A person's own data as one zip to take elsewhere (the "Export my data" page).

The archive holds:

- `data.json`: the profile with e-mail addresses, every summary the person wrote (drafts,
  private and anonymous ones too) with all its revisions, their comments, votes, uploads,
  API tokens (names only), the flags they raised, their claims to have written papers and the
  errata they marked as an author, what they follow (papers, people, discussions and venues by
  id, arXiv categories and searches as text), the people they blocked (by id) and their
  notification e-mail setting;
  a comment shown to others as "the author (anonymous)" says so (`shown_as_anonymous_author`);
- `summaries/<paper-slug>-<id>.md`: each summary's Markdown after YAML front matter;
- `papers.bib`: BibTeX of the papers they summarised;
- `shortscience-legacy.csv`: their public, named summaries in the old site's format (paper key,
  text; no header), which `manage.py import_shortscience_csv` reads back. Only those: that
  command publishes every row under the importing person's name;
- `images/`: the files they uploaded.

Every query filters on the person's own id, so nothing private of anyone else gets in: other
people appear only as the ids of summaries and comments the person voted on or replied to.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import IO, Any

import yaml
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from shortscience.models import (
    ApiToken,
    AuthorClaim,
    Block,
    Comment,
    Erratum,
    Flag,
    Follow,
    Paper,
    ReadingList,
    Revision,
    SavedPaper,
    Summary,
    SummaryImage,
    User,
    Vote,
)
from shortscience.models.comments import with_anonymity
from shortscience.services import identifiers
from shortscience.services.links import absolute_url

FORMAT_VERSION = 1
_SPOOL = 8 * 1024 * 1024  # larger archives go to a temporary file instead of memory
_README = """\
Your data from ShortScience ({site}), exported {when}.

data.json                everything, machine-readable (format version {version})
summaries/*.md           each summary you wrote: YAML front matter, then your Markdown
papers.bib               BibTeX of the papers you summarised
shortscience-legacy.csv  your public, named summaries as (paper key, text) rows; another
                         ShortScience site imports them with
                         manage.py import_shortscience_csv FILE --user YOU
images/                  the images you uploaded
"""


def filename(user: User, today: date) -> str:
    return f"shortscience-{user.username}-{today.isoformat()}.zip"


def build(user: User) -> tuple[str, IO[bytes]]:
    """The archive in a rewound temporary file, with the name to download it under."""
    archive = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 -- returned open
    write_zip(user, archive)
    archive.seek(0)
    return filename(user, timezone.localdate()), archive


def write_zip(user: User, out: IO[bytes]) -> None:
    now = timezone.now()
    written = list(
        Summary.objects.filter(author=user)
        .select_related("paper", "paper__venue")
        .prefetch_related(
            "paper__identifiers",
            Prefetch("revisions", queryset=Revision.objects.order_by("number")),
        )
        .order_by("pk")
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        images = _add_images(archive, user)
        data = collect(user, written, images, now)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        for summary in written:
            archive.writestr(f"summaries/{summary_filename(summary)}", summary_file(summary))
        archive.writestr("papers.bib", bibtex([summary.paper for summary in written]))
        named = [s for s in written if s.is_public and not s.is_anonymous]
        archive.writestr("shortscience-legacy.csv", legacy_csv(named))
        archive.writestr(
            "README.txt",
            _README.format(site=settings.SITE_URL, when=_iso(now), version=FORMAT_VERSION),
        )


def collect(
    user: User, written: list[Summary], images: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The contents of data.json."""
    addresses = EmailAddress.objects.filter(user=user).order_by("pk")
    return {
        "format": "shortscience-personal-export",
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(now),
        "site": settings.SITE_URL,
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
            ],
            "description_markdown": user.description_markdown,
            "orcid": user.orcid,
            "orcid_verified": user.orcid_verified,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_notifications": user.email_notifications,
        },
        "summaries": [_summary_record(summary) for summary in written],
        "comments": [
            {
                "id": c.pk,
                "summary_id": c.summary_id,
                "parent_id": c.parent_id,
                "url": absolute_url(reverse("summary", args=[c.summary_id]) + f"#comment-{c.pk}"),
                "markdown": c.markdown,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "deleted_at": _iso(c.deleted_at),
                "hidden_by_moderator": c.is_hidden,
                # Shown to others as "the author (anonymous)" (only this export says it is you).
                "shown_as_anonymous_author": bool(c.by_anonymous_author),
            }
            for c in with_anonymity(Comment.objects.filter(author=user)).order_by("pk")
        ],
        "votes": [
            {
                "summary_id": v.summary_id,
                "value": v.value,
                "created_at": _iso(v.created_at),
                "updated_at": _iso(v.updated_at),
            }
            for v in Vote.objects.filter(user=user).order_by("pk")
        ],
        "follows": [
            {
                "paper_id": f.paper_id,
                "user_id": f.followed_user_id,
                "summary_id": f.summary_id,
                "venue_id": f.venue_id,
                "category": f.category,
                "query": f.query,
                "created_at": _iso(f.created_at),
            }
            for f in Follow.objects.filter(follower=user).order_by("pk")
        ],
        "library": {
            "lists": [
                {
                    "id": rl.pk,
                    "name": rl.name,
                    "is_default": rl.is_default,
                    "is_public": rl.is_public,
                    "created_at": _iso(rl.created_at),
                }
                for rl in ReadingList.objects.filter(owner=user).order_by("pk")
            ],
            "saved_papers": [
                {
                    "paper_id": sp.paper_id,
                    "list_id": sp.reading_list_id,
                    "status": sp.status,
                    "note_markdown": sp.note_markdown,
                    "created_at": _iso(sp.created_at),
                    "updated_at": _iso(sp.updated_at),
                }
                for sp in SavedPaper.objects.filter(owner=user).order_by("pk")
            ],
        },
        "blocks": [
            {"user_id": b.blocked_id, "created_at": _iso(b.created_at)}
            for b in Block.objects.filter(blocker=user).order_by("pk")
        ],
        "author_claims": [
            {
                "paper_id": c.paper_id,
                "paper_url": absolute_url(reverse("paper", args=[c.paper_id])),
                "orcid": c.orcid,
                "status": c.status,
                "source": c.source,
                "created_at": _iso(c.created_at),
                "decided_at": _iso(c.decided_at),
            }
            for c in AuthorClaim.objects.filter(user=user).order_by("pk")
        ],
        "errata_marked": [
            {
                "comment_id": e.comment_id,
                "status": e.status,
                "note": e.note,
                "marked_at": _iso(e.marked_at),
            }
            for e in Erratum.objects.filter(marked_by=user).order_by("pk")
        ],
        "images": images,
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "scope": t.scope,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user).order_by("pk")
        ],
        "flags_raised": [
            {
                "target_type": f.target_type,
                "target_id": f.target_id,
                "reason": f.reason,
                "text": f.text,
                "created_at": _iso(f.created_at),
                "resolved_at": _iso(f.resolved_at),
            }
            for f in Flag.objects.filter(reporter=user).order_by("pk")
        ],
    }


def _summary_record(summary: Summary) -> dict[str, Any]:
    token = summary.share_token
    return {
        "id": summary.pk,
        "url": absolute_url(summary.get_absolute_url()),
        "paper": _paper_record(summary.paper),
        "status": summary.status,
        "visibility": summary.visibility,
        "anonymous": summary.is_anonymous,
        "hidden_by_moderator": summary.is_hidden,
        "comments_locked": summary.comments_locked,
        "share_link": absolute_url(reverse("summary-shared", args=[token])) if token else None,
        "score": summary.score,
        "comment_count": summary.comment_count,
        "created_at": _iso(summary.created_at),
        "published_at": _iso(summary.published_at),
        "edited_at": _iso(summary.edited_at),
        "last_activity_at": _iso(summary.last_activity_at),
        "markdown": summary.markdown,
        "html": summary.html,
        # The unpublished draft (autosave or "Save draft"), theirs like the rest.
        "draft_markdown": summary.draft_markdown or None,
        "draft_saved_at": _iso(summary.draft_saved_at),
        "revisions": [
            {
                "number": r.number,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "markdown": r.markdown,
            }
            for r in summary.revisions.all()
        ],
    }


def _paper_record(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.pk,
        "url": absolute_url(paper.get_absolute_url()),
        "title": paper.title,
        "authors": paper.authors,
        "year": paper.year,
        "venue": paper.venue.key if paper.venue else None,
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in paper.identifiers.all()],
    }


def _add_images(archive: zipfile.ZipFile, user: User) -> list[dict[str, Any]]:
    listed = []
    for image in SummaryImage.objects.filter(uploader=user).order_by("pk"):
        name = PurePosixPath(image.file.name).name
        try:
            with image.file.storage.open(image.file.name, "rb") as stored:
                archive.writestr(f"images/{name}", stored.read())
            inside: str | None = f"images/{name}"
        except OSError:  # the row outlived its file; still say where it was
            inside = None
        listed.append(
            {
                "url": absolute_url(image.file.url),
                "file": inside,
                "width": image.width,
                "height": image.height,
                "created_at": _iso(image.created_at),
            }
        )
    return listed


# --- summaries/<slug>-<id>.md ---------------------------------------------------------------


def summary_filename(summary: Summary) -> str:
    return f"{slugify(summary.paper.title)[:60].strip('-') or 'paper'}-{summary.pk}.md"


def summary_file(summary: Summary) -> str:
    """The summary's Markdown after a YAML front matter block (written by PyYAML, which quotes
    and escapes whatever a title holds: colons, quotes, U+2028 and the like)."""
    paper = summary.paper
    front = {
        "title": paper.title,
        "paper": absolute_url(paper.get_absolute_url()),
        "year": paper.year,
        "identifiers": [f"{i.scheme}:{i.value}" for i in paper.identifiers.all()],
        "summary": absolute_url(summary.get_absolute_url()),
        "status": str(summary.status),
        "visibility": str(summary.visibility),
        "anonymous": summary.is_anonymous,
        "created": _iso(summary.created_at),
        "published": _iso(summary.published_at),
        "edited": _iso(summary.edited_at),
        "score": summary.score,
    }
    return front_matter(front) + "\n" + summary.markdown.rstrip("\n") + "\n"


def front_matter(fields: dict[str, Any]) -> str:
    """A YAML front matter block (`---` lines around it), keys in the order given."""
    header = yaml.dump(
        fields, Dumper=_FrontMatter, sort_keys=False, allow_unicode=True, width=2**31 - 1
    )
    return "---\n" + header + "---\n"


class _FrontMatter(yaml.SafeDumper):
    """PyYAML's safe dumper, with strings that hold a line break or an unprintable character
    double-quoted: there they are escapes, where a plain or single-quoted scalar would fold
    U+0085, U+2028 and U+2029 into spaces."""


def _front_matter_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None if value.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FrontMatter.add_representer(str, _front_matter_str)


# --- papers.bib --------------------------------------------------------------------------------
# Written here rather than by pybtex's writer (pybtex reads it back in the tests and in imports):
# the writer neither escapes LaTeX specials nor protects a name holding "and" or commas
# ("Research and Development Lab" would come back as two people), and pybtex's LaTeX backend
# turns every non-ASCII letter into a TeX macro where this file keeps UTF-8.

_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_INLINE_MATH = re.compile(r"\$[^$]+\$")


def bibtex(papers: Iterable[Paper]) -> str:
    entries: list[str] = []
    keys: set[str] = set()
    for paper in sorted({p.pk: p for p in papers}.values(), key=lambda p: p.pk):
        key = _cite_key(paper)
        key = f"{key}-{paper.pk}" if key in keys else key
        keys.add(key)
        entries.append(_bib_entry(paper, key))
    return "\n".join(entries)


def _bib_entry(paper: Paper, key: str) -> str:
    by_scheme: dict[str, str] = {}
    for ident in paper.identifiers.all():
        by_scheme.setdefault(ident.scheme, ident.value)
    fields = [("title", "{" + bib_escape(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_name(name) for name in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.venue:
        fields.append(("howpublished", bib_escape(paper.venue.name or paper.venue.key)))
    verbatim = [("doi", by_scheme.get("doi", "")), ("eprint", by_scheme.get("arxiv", ""))]
    if "arxiv" in by_scheme:
        verbatim.append(("archiveprefix", "arXiv"))
    verbatim.append(("url", paper.url or absolute_url(paper.get_absolute_url())))
    fields.extend((name, value) for name, value in verbatim if value and _is_verbatim(value))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def bib_escape(text: str) -> str:
    """Text for a braced BibTeX field: LaTeX specials escaped, each brace written so that the
    field's braces stay balanced, and inline math ($...$ with balanced braces) kept as math."""
    text = " ".join(text.split())
    out, position = [], 0
    for math in _INLINE_MATH.finditer(text):
        formula = math.group()
        if "%" in formula or not _balanced(formula):
            continue  # escaped below with the text around it
        out.append(_escape_plain(text[position : math.start()]))
        out.append(formula)
        position = math.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _escape_plain(text: str) -> str:
    """Escape LaTeX specials. BibTeX counts braces even after a backslash, so only braces that
    pair up become \\{ \\}; a lone one becomes \\textbraceleft{} or \\textbraceright{}."""
    pieces: list[str] = []
    opened: list[int] = []
    for char in text:
        if char == "{":
            opened.append(len(pieces))
            pieces.append(r"\textbraceleft{}")
        elif char == "}":
            if opened:
                pieces[opened.pop()] = r"\{"
                pieces.append(r"\}")
            else:
                pieces.append(r"\textbraceright{}")
        else:
            pieces.append(_BIB_SPECIAL.get(char, char))
    return "".join(pieces)


def _bib_name(name: str) -> str:
    escaped = bib_escape(name)
    # A comma or a bare "and" would split the name; braces keep it whole.
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + escaped + "}"
    return escaped


def _is_verbatim(value: str) -> bool:
    return not any(char in value for char in "{}\\\n")


def _cite_key(paper: Paper) -> str:
    surname = paper.authors[0].split()[-1] if paper.authors and paper.authors[0].split() else ""
    word = next((w for w in re.findall(r"\w+", paper.title) if len(w) > 3), "")
    key = f"{_ascii(surname)}{paper.year or ''}{_ascii(word)}".lower()
    return key or f"paper{paper.pk}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain)


# --- shortscience-legacy.csv ---------------------------------------------------------------


def legacy_csv(summaries: Iterable[Summary]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for summary in summaries:
        key = identifiers.portable_key(summary.paper.identifiers.all())
        if key is not None:
            writer.writerow([key, summary.markdown])
    return buffer.getvalue()


# --- helpers ---------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
