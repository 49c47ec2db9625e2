"""What the sitemap lists: only public content, never private, draft or anonymous authorship."""

from __future__ import annotations

from django.db.models import QuerySet

from shortscience.models import Paper, Summary, User
from shortscience.services.summaries import public_summaries as _public


def public_summaries() -> QuerySet[Summary]:
    return _public().only("pk", "published_at", "edited_at").order_by("pk")


def papers_with_public_summaries() -> QuerySet[Paper]:
    return (
        Paper.objects.filter(pk__in=_public().values("paper_id"))
        .only("pk", "updated_at")
        .order_by("pk")
    )


def people_with_public_summaries() -> QuerySet[User]:
    named = _public().filter(is_anonymous=False).values("author_id")
    return User.objects.filter(pk__in=named, is_active=True).only("username").order_by("pk")
