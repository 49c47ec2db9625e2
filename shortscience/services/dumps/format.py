"""What a public dump is: its format name and version, its files, the plain fields each file
copies, the licence text, and the error every malformed dump raises."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shortscience.services.errors import InvalidInput

FORMAT = "shortscience-public-dump"
FORMAT_VERSION = 1
CHUNK = 2000


def _kinds(spec: str) -> dict[str, str]:
    return {key: kind or "text" for key, _, kind in (item.partition(":") for item in spec.split())}


# The fields each file copies as they are (dump key = model field) with their JSON kinds:
# text (the default), texts (list of text), count (int >= 0), signed, flag, time (ISO 8601);
# "?" allows null. The other keys (author, venue, identifiers, deleted, vote counts) are
# written and read by hand in writing.py and loading.py.
# Plain fields added to a file within this format version, with the value a dump written
# before them loads with.
ADDED: dict[str, dict[str, Any]] = {
    "users.jsonl": {"orcid_verified": False},
    "comments.jsonl": {"by_summary_author": False},  # read by hand (loading.py)
}

PLAIN = {
    "venues.jsonl": _kinds("id:count key name url description_markdown description_html"),
    "users.jsonl": _kinds(
        "username display_name description_markdown description_html orcid orcid_verified:flag"
    ),
    "papers.jsonl": _kinds(
        "id:count title authors:texts year:count? abstract url categories:texts"
    ),
    "summaries.jsonl": _kinds(
        "id:count paper_id:count markdown html renderer_version:count score:signed "
        "comment_count:count comments_locked:flag created_at:time published_at:time? "
        "edited_at:time? last_activity_at:time"
    ),
    "comments.jsonl": _kinds(
        "id:count summary_id:count parent_id:count? markdown html renderer_version:count "
        "created_at:time edited_at:time?"
    ),
}
LICENSE = """\
ShortScience public data dump from {site}

Licence: {license}

The summaries and comments in this dump were written by members of the site and are shared
under {license}. Credit each one to its author as given (the "author" username; a summary
whose author is null is credited to "Anonymous", a comment whose author is null to
"the author (anonymous)" when its "by_summary_author" is true and to "[deleted]"
otherwise) and link to {site}/summaries/<id>/.

Paper metadata (titles, author lists, abstracts, identifiers, venues) comes from arXiv,
Crossref, DBLP, OpenReview and Semantic Scholar and stays under those sources' terms.

The dump holds only what every visitor of the site can see: no e-mail addresses, no draft,
private or moderator-hidden summaries, no share links, and vote counts without voters.
"""


class DumpError(InvalidInput):
    """A dump that cannot be loaded; the message names the file and line when there is one."""


# --- writing -------------------------------------------------------------------------------

# In dependency order: loading reads them in this order.
FILES = (
    "venues.jsonl",
    "users.jsonl",
    "papers.jsonl",
    "summaries.jsonl",
    "comments.jsonl",
    "votes.jsonl",
)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
