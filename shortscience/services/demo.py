"""The demo data set (shortscience/demo/demo.json) loaded into an empty or existing site.

Loading is idempotent: people, papers, summaries, votes and comments already present (matched by
username, identifier, author+paper and content) are left as they are, so running it twice is safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from shortscience.metadata.fields import field_of
from shortscience.metadata.titles import title_key
from shortscience.models import Comment, Paper, PaperIdentifier, Summary, User, Venue, Vote
from shortscience.services import comments, events, papers, summaries, venues, votes
from shortscience.services.text import clean_text
from shortscience.services.users import ProfileChange, update_profile

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "demo.json"
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 -- printed in the README for the local demo


@dataclass
class DemoCounts:
    users: int = 0
    papers: int = 0
    summaries: int = 0
    votes: int = 0
    comments: int = 0


def load(path: Path = DEMO_FILE) -> DemoCounts:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    counts = DemoCounts()
    with transaction.atomic():
        people = {u["username"]: _user(u, counts) for u in data["users"]}
        venues = {v["key"]: _venue(v) for v in data["venues"]}
        by_key = {p["identifiers"]["legacy"]: _paper(p, venues, counts) for p in data["papers"]}
        written: dict[tuple[str, str], Summary] = {}
        for item in data["summaries"]:
            written[(item["paper"], item["author"])] = _summary(item, by_key, people, counts)
        for item in data["votes"]:
            summary = written[(item["paper"], item["summary_author"])]
            voter = people[item["voter"]]
            if summary.is_public and not summary.votes.filter(user=voter).exists():
                votes.cast(voter, summary.pk, item["value"])
                _backdate_vote(summary, voter)
                counts.votes += 1
        made: dict[str, Comment] = {}
        for item in data["comments"]:
            summary = written[(item["paper"], item["summary_author"])]
            made[item["key"]] = _comment(item, summary, people, made, counts)
        # Dates were back-dated and papers made directly: re-derive rankings (reputation counts
        # the back-dated votes at once), index, neighbours.
        events.bulk_loaded()
    return counts


def staff_with_published_password(*, loading: bool) -> list[str]:
    """The demo's staff accounts that sign in with the README's password: those that exist with
    it still set, and, when the demo is about to be loaded, those that loading would create."""
    data: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    names = [item["username"] for item in data["users"] if item.get("is_staff")]
    existing = {user.username: user for user in User.objects.filter(username__in=names)}
    return [
        name
        for name in names
        if (name not in existing and loading)
        or (name in existing and existing[name].check_password(DEMO_PASSWORD))
    ]


def _user(item: dict[str, Any], counts: DemoCounts) -> User:
    user = User.objects.filter(username=item["username"]).first()
    if user is not None:
        return user
    user = User.objects.create_user(
        username=item["username"],
        email=item["email"],
        password=DEMO_PASSWORD,
        is_staff=item.get("is_staff", False),
        is_superuser=item.get("is_staff", False),
    )
    # Demo accounts can sign in at once: their e-mail addresses count as verified.
    EmailAddress.objects.create(user=user, email=item["email"], verified=True, primary=True)
    update_profile(
        user,
        ProfileChange(
            display_name=item.get("display_name", ""),
            description=item.get("description", ""),
            orcid=item.get("orcid", ""),
        ),
    )
    counts.users += 1
    return user


def _venue(item: dict[str, Any]) -> Venue:
    venue, created = Venue.objects.get_or_create(
        key=item["key"], defaults={"name": item["name"], "url": item.get("url", "")}
    )
    if created:
        venues.save_venue_description(venue, item.get("description", ""))
    return venue


def _paper(item: dict[str, Any], venues: dict[str, Venue], counts: DemoCounts) -> Paper:
    existing = papers.find_by_key(item["identifiers"]["legacy"])
    if existing is not None:
        return existing
    paper = Paper.objects.create(
        title=item["title"],
        title_key=title_key(item["title"]),
        authors=item["authors"],
        year=item.get("year"),
        venue=venues.get(item.get("venue", "")),
        abstract=item.get("abstract", ""),
        url=item.get("url", ""),
        categories=item.get("categories", []),
        field=field_of(item.get("categories", [])),
    )
    for scheme, value in item["identifiers"].items():
        PaperIdentifier.objects.get_or_create(
            scheme=scheme,
            value=value.lower() if scheme == "doi" else value,
            defaults={"paper": paper},
        )
    counts.papers += 1
    return paper


def _summary(
    item: dict[str, Any], by_key: dict[str, Paper], people: dict[str, User], counts: DemoCounts
) -> Summary:
    paper, author = by_key[item["paper"]], people[item["author"]]
    existing = summaries.get_own(paper, author)
    if existing is not None:
        return existing
    summary = summaries.save(
        author,
        paper,
        summaries.SaveRequest(
            markdown=item["markdown"],
            publish=True,
            private=item.get("private", False),
            anonymous=item.get("anonymous", False),
        ),
    )
    when = timezone.now() - timedelta(days=item.get("days_ago", 0))
    Summary.objects.filter(pk=summary.pk).update(
        created_at=when, published_at=when, last_activity_at=when
    )
    summary.refresh_from_db()
    counts.summaries += 1
    return summary


def _backdate_vote(summary: Summary, voter: User) -> None:
    """A demo vote dates from a day after its summary, so it is older than the 48 hours
    reputation waits for (services/rankings.py) and a fresh install shows reputations."""
    published = summary.published_at or timezone.now()
    when = min(published + timedelta(days=1), timezone.now() - timedelta(days=3))
    Vote.objects.filter(summary=summary, user=voter).update(created_at=when, updated_at=when)


def _comment(
    item: dict[str, Any],
    summary: Summary,
    people: dict[str, User],
    made: dict[str, Comment],
    counts: DemoCounts,
) -> Comment:
    author = people[item["author"]]
    parent = made.get(item["reply_to"]) if item.get("reply_to") else None
    existing = Comment.objects.filter(
        summary=summary, author=author, markdown=clean_text(item["markdown"])
    ).first()
    if existing is not None:
        return existing
    comment = comments.add(author, summary.pk, item["markdown"], parent.pk if parent else None)
    when = timezone.now() - timedelta(days=item.get("days_ago", 0))
    Comment.objects.filter(pk=comment.pk).update(created_at=when)
    counts.comments += 1
    return comment
