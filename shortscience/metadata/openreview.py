"""OpenReview: submission notes from API v2 and API v1 turned into PaperMetadata.

This module owns the OpenReview notes endpoints: `https://api2.openreview.net/notes?id=...` or
`?forum=...` (API v2: every content field wrapped as `{"value": ...}`) and the legacy
`https://api.openreview.net/notes?...` (API v1: plain content values), both answering
`{"notes": [...], "count": n}`. A forum query returns the submission and all its replies
(reviews, comments, decisions); only the submission (the note whose id is its forum) is a paper.

Venue and year come from `venueid` ("ICLR.cc/2019/Conference") and `venue` ("ICLR 2019
Conference", "ICLR 2024 oral"), the year falling back to the publication or creation date
(`pdate`, `odate`, `cdate`: epoch milliseconds). Submissions that were not accepted ("Submitted
to ICLR 2024", `.../Rejected_Submission`, withdrawn) get no venue. The identifier is the forum
id, case preserved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shortscience.metadata import venues
from shortscience.metadata.crossref import load_json
from shortscience.metadata.http import FetchError, FetchFn, MalformedResponse
from shortscience.metadata.types import Identifier, PaperMetadata, Scheme

API_V2 = "https://api2.openreview.net/notes"
API_V1 = "https://api.openreview.net/notes"
DATE_FIELDS = ("pdate", "odate", "cdate", "tcdate")
NOT_ACCEPTED = re.compile(
    r"submitted to|withdrawn|rejected|/submission$|blind_submission$|under review", re.I
)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def content_value(content: Mapping[str, Any], key: str) -> Any:
    """A content field in either API version: v2 wraps it as {"value": ...}, v1 does not."""
    value = content.get(key)
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def venue_key(venue: str, venueid: str) -> str:
    """The venue key of an accepted paper ("ICLR 2019 Conference" -> "ICLR"), else ""."""
    if NOT_ACCEPTED.search(venue) or NOT_ACCEPTED.search(venueid):
        return ""
    return venues.from_text(venue) or venues.from_text(re.sub(r"[/._]", " ", venueid))


def year_of(venue: str, venueid: str, note: Mapping[str, Any]) -> int | None:
    """The year the venue names, else the year of the first date the note carries."""
    for text in (venueid, venue):
        found = _YEAR.search(text)
        if found:
            return int(found.group(1))
    for field in DATE_FIELDS:
        stamp = note.get(field)
        if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
            return datetime.fromtimestamp(stamp / 1000, tz=UTC).year
    return None


def is_submission(note: Mapping[str, Any]) -> bool:
    """The forum's root note: its id is its forum (replies have their own ids)."""
    forum = note.get("forum")
    return forum is None or forum == note.get("id")


def note_to_metadata(note: Mapping[str, Any]) -> PaperMetadata | None:
    """A submission note (v1 or v2) as PaperMetadata, or None without a title or id."""
    content = note.get("content")
    forum = note.get("forum") or note.get("id")
    if not isinstance(content, Mapping) or not isinstance(forum, str) or not forum:
        return None
    title = _text(content_value(content, "title"))
    if not title:
        return None
    authors = content_value(content, "authors")
    venue = _text(content_value(content, "venue"))
    venueid = _text(content_value(content, "venueid"))
    return PaperMetadata(
        title=title,
        authors=[
            name
            for name in (_text(a) for a in (authors if isinstance(authors, list) else []))
            if name
        ],
        year=year_of(venue, venueid, note),
        abstract=_text(content_value(content, "abstract")),
        venue=venue_key(venue, venueid),
        url=f"https://openreview.net/forum?id={forum}",
        identifiers=[Identifier(Scheme.OPENREVIEW, forum)],
        source="openreview",
    )


def parse_notes(body: bytes) -> list[PaperMetadata]:
    """The submissions among the notes of an answer (replies are skipped), in order."""
    data = load_json(body)
    notes = data.get("notes") if isinstance(data, Mapping) else None
    if not isinstance(notes, list):
        raise MalformedResponse("an OpenReview answer has a 'notes' list")
    papers = []
    for note in notes:
        if isinstance(note, Mapping) and is_submission(note):
            paper = note_to_metadata(note)
            if paper is not None:
                papers.append(paper)
    return papers


def fetch_forum(fetch: FetchFn, forum_id: str | Identifier) -> PaperMetadata | None:
    """The submission of this forum: API v2 first, then v1 for older venues; None if neither."""
    value = forum_id.value if isinstance(forum_id, Identifier) else forum_id.strip()
    for url in (API_V2, API_V1):
        try:
            body = fetch(url, {"id": value})
        except FetchError as error:
            if error.status in (400, 403, 404):
                continue  # not in this API version (or not public)
            raise
        papers = [p for p in parse_notes(body) if p.identifiers[0].value == value]
        if papers:
            return papers[0]
    return None
