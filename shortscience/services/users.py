"""People: profile pages, the users list, reputation and profile editing (with ORCID checks).

Reputation follows the old site: the mean net votes per public named summary, counting only votes
older than two days. It is stored on the user by services/rankings.py (formula in
docs/rankings.md); anonymous, private and draft summaries never count, so reputation cannot reveal
who wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from shortscience.models import Paper, Summary, User
from shortscience.models.summaries import public_q
from shortscience.services import (
    authors,
    cards,
    events,
    keyset,
    markup,
    neutralpages,
    rankings,
    standing,
)
from shortscience.services.errors import InvalidInput, NotFound
from shortscience.services.text import clean_text, one_line

ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")


def normalise_orcid(raw: str) -> str:
    """Return the ORCID iD as 0000-0000-0000-000X, or raise InvalidInput.

    Accepts the bare form, with or without hyphens, or an orcid.org URL; checks the ISO 7064
    MOD 11-2 check digit (which may be X).
    """
    value = raw.strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    match = ORCID_RE.match(value)
    if not match:
        raise InvalidInput(
            "An ORCID iD has 16 characters like 0000-0002-1825-0097.",
            field_errors={"orcid": ["Use the form 0000-0002-1825-0097."]},
        )
    digits = "".join(match.groups())
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise InvalidInput(
            "That ORCID iD's check digit is wrong; please copy it again from orcid.org.",
            field_errors={"orcid": ["The check digit does not match."]},
        )
    return "-".join(match.groups())


def public_authored(user: User) -> QuerySet[Summary]:
    return Summary.objects.filter(public_q(), author=user, is_anonymous=False)


@dataclass
class UserPage:
    person: User
    reputation: float
    summary_count: int
    page: keyset.Page[Summary]
    cards: list[cards.SummaryCard]
    own_unlisted: list[Summary]
    papers: list[Paper] = field(default_factory=list)  # verified author of (services/authors)


# Newest publication first; the API's user summaries use the same order and cursors.
ORDER = ("-published_at", "-pk")
USERS_ORDER = ("-reputation", "username")
USERS_PAGE_SIZE = 50


def page(
    username: str,
    viewer: User | None,
    number: str | int | None = 1,
    *,
    after: str | None = None,
    before: str | None = None,
    whole: bool = False,
) -> UserPage:
    """A person's page; `whole` loads each summary's full text (the API), else its excerpt."""
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise NotFound("There is no such user.")
    # Counted from the partial index on (author, published_at) of named public summaries alone,
    # so the cost is this person's summaries, not everybody's.
    summary_count = public_authored(person).count()
    rows = public_authored(person).select_related("paper", "paper__venue", "author")
    listed = keyset.paginate(
        rows if whole else rows.defer(*rankings.LIST_DEFERRED),
        ORDER,
        limit=settings.PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=whole,
    )
    own: list[Summary] = []
    neutralpages.note_person(person.pk)
    if viewer is not None and viewer.is_authenticated and viewer.pk == person.pk:
        own = list(
            Summary.objects.filter(author=person)
            .exclude(public_q(), is_anonymous=False)
            .select_related("paper")
            .order_by("-created_at")
        )
    return UserPage(
        person=person,
        reputation=round(person.reputation, 2),
        summary_count=summary_count,
        page=listed,
        cards=cards.build(list(listed), viewer),
        own_unlisted=own,
        papers=authors.papers_of(person),
    )


def listing(
    number: str | int | None = 1, *, after: str | None = None, before: str | None = None
) -> keyset.Page[User]:
    """Active people with named public summaries, by stored reputation then username, each
    annotated with summary_count. The list reads the reputation index and checks each person
    for a summary through the author index, and counts only the people on the page: nothing
    aggregates every summary per request."""
    named = Summary.objects.filter(public_q(), is_anonymous=False, author=OuterRef("pk"))
    counted = named.order_by().values("author").annotate(n=Count("pk")).values("n")
    people = (
        User.objects.filter(Exists(named), is_active=True)
        .annotate(summary_count=Subquery(counted))
        .order_by(*USERS_ORDER)
    )
    return keyset.paginate(
        people,
        USERS_ORDER,
        limit=USERS_PAGE_SIZE,
        after=after,
        before=before,
        number=keyset.parse_number(number),
        strict=False,
    )


@dataclass(frozen=True)
class ProfileChange:
    display_name: str
    description: str
    orcid: str


def update_profile(user: User, change: ProfileChange) -> User:
    standing.ensure_can_write(user)  # a suspended person's name and description stay as they were
    name = one_line(change.display_name, field="display_name", label="display name")
    if len(name) > 100:
        raise InvalidInput(
            "The display name is too long.", field_errors={"display_name": ["At most 100."]}
        )
    description = clean_text(change.description)
    if len(description) > settings.COMMENT_MAX_CHARS:
        raise InvalidInput(
            "The description is too long.",
            field_errors={"description": [f"At most {settings.COMMENT_MAX_CHARS} characters."]},
        )
    user.orcid = normalise_orcid(change.orcid) if change.orcid.strip() else ""
    # Typing an iD proves nothing; it stays verified only if a connected ORCID account proved it.
    user.orcid_verified = (
        bool(user.orcid)
        and SocialAccount.objects.filter(user=user, provider="orcid", uid=user.orcid).exists()
    )
    user.display_name = name
    user.description_markdown = description
    user.description_html = markup.render(description, heading_offset=3).html
    with transaction.atomic():
        user.save(
            update_fields=[
                "display_name",
                "description_markdown",
                "description_html",
                "orcid",
                "orcid_verified",
            ]
        )
        events.users_changed([user.pk])
    return user
