"""What the sitemap lists: only public content, never private, draft or anonymous authorship.

Each section is a queryset Django's sitemap paginator slices (`limit` URLs per page, 50,000 by
default), plus the newest change of the section, computed with one aggregate so the sitemap index
never loads every row to find it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce

from shortscience.models import Paper, Summary, User


def public_summaries() -> QuerySet[Summary]:
    return Summary.objects.public().only("pk", "published_at", "edited_at").order_by("pk")


def papers_with_public_summaries() -> QuerySet[Paper]:
    return (
        Paper.objects.filter(pk__in=Summary.objects.public().values("paper_id"))
        .only("pk", "updated_at")
        .order_by("pk")
    )


def people_with_public_summaries() -> QuerySet[User]:
    named = Summary.objects.public().filter(is_anonymous=False).values("author_id")
    return User.objects.filter(pk__in=named, is_active=True).only("username").order_by("pk")


def summaries_last_changed() -> datetime | None:
    latest: datetime | None = Summary.objects.public().aggregate(
        latest=Max(Coalesce("edited_at", "published_at"))
    )["latest"]
    return latest


def papers_last_changed() -> datetime | None:
    latest: datetime | None = papers_with_public_summaries().aggregate(latest=Max("updated_at"))[
        "latest"
    ]
    return latest
