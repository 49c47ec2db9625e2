"""The Django admin: staff moderate papers, summaries, comments and users here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from shortscience.models import (
    Comment,
    Paper,
    PaperIdentifier,
    Revision,
    Summary,
    SummaryImage,
    User,
    Venue,
)
from shortscience.services import counts, events, merging, pagecache, venues


class RefreshesPages:
    """Admin edits bypass the services and their events; every change the admin logs makes the
    anonymous page cache start afresh, so the edit shows at the next request."""

    def log_addition(self, *args: Any, **kwargs: Any) -> Any:
        pagecache.touch_everything()
        return super().log_addition(*args, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        pagecache.touch_everything()
        return super().log_change(*args, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin

    def log_deletions(self, *args: Any, **kwargs: Any) -> Any:
        pagecache.touch_everything()
        return super().log_deletions(*args, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin


@admin.register(User)
class SiteUserAdmin(RefreshesPages, UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "description_markdown", "orcid")}),
    )
    list_display = ("username", "email", "display_name", "is_active", "is_staff", "date_joined")


class IdentifierInline(admin.TabularInline):
    model = PaperIdentifier
    extra = 1


@admin.register(Paper)
class PaperAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("title", "year", "venue", "created_at")
    list_filter = ("venue", "year")
    search_fields = ("title", "identifiers__value")
    inlines = [IdentifierInline]
    actions = ["merge_selected"]

    # Admin edits go around the services: keep the stored counts of the venues involved.
    def save_model(self, request: HttpRequest, obj: Paper, form: Any, change: bool) -> None:
        before = Paper.objects.filter(pk=obj.pk).values_list("venue_id", flat=True).first()
        super().save_model(request, obj, form, change)
        counts.refresh_papers([obj.pk], extra_venue_ids=[before])

    def delete_model(self, request: HttpRequest, obj: Paper) -> None:
        venue_id = obj.venue_id
        super().delete_model(request, obj)
        counts.refresh_venues([venue_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        venue_ids = list(queryset.values_list("venue_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        counts.refresh_venues(venue_ids)

    @admin.action(description="Merge the selected papers into the oldest one")
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        ids = sorted(queryset.values_list("pk", flat=True))
        if len(ids) < 2:
            self.message_user(request, "Select at least two papers to merge.", messages.WARNING)
            return
        for source in ids[1:]:
            merging.merge(source, ids[0])
        self.message_user(request, f"Merged {len(ids) - 1} paper(s) into paper {ids[0]}.")


@admin.register(Venue)
class VenueAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("key", "name", "url")
    search_fields = ("key", "name")
    exclude = ("description_html",)

    def save_model(self, request: HttpRequest, obj: Venue, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        venues.save_venue_description(obj, obj.description_markdown)


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    readonly_fields = ("number", "status", "created_at", "markdown")
    can_delete = False


@admin.register(Summary)
class SummaryAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("pk", "paper", "author", "status", "visibility", "is_anonymous", "score")
    list_filter = ("status", "visibility", "is_anonymous")
    search_fields = ("paper__title", "author__username")
    # Text is edited by its author through the site, so HTML is always re-rendered with it.
    readonly_fields = (
        "markdown",
        "html",
        "renderer_version",
        "score",
        "comment_count",
        "share_token",
    )
    raw_id_fields = ("paper", "author")
    inlines = [RevisionInline]
    actions = ["unpublish"]

    # Admin edits go around the services: tell everything derived from summaries.
    def save_model(self, request: HttpRequest, obj: Summary, form: Any, change: bool) -> None:
        before = Summary.objects.filter(pk=obj.pk).values_list("paper_id", flat=True).first()
        super().save_model(request, obj, form, change)
        papers_of = [obj.paper_id] if before is None else [obj.paper_id, before]
        events.contributions_changed([obj.pk], [], papers_of)

    def delete_model(self, request: HttpRequest, obj: Summary) -> None:
        summary_id, paper_id = obj.pk, obj.paper_id
        super().delete_model(request, obj)
        events.contributions_changed([summary_id], [], [paper_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self._changed(
            queryset, lambda: super(SummaryAdmin, self).delete_queryset(request, queryset)
        )

    @admin.action(description="Move to draft (hide from everyone but the author)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self._changed(queryset, lambda: queryset.update(status=Summary.Status.DRAFT))

    @staticmethod
    def _changed(queryset: QuerySet[Summary], write: Any) -> None:
        rows = list(queryset.values_list("pk", "paper_id"))
        write()
        events.contributions_changed([pk for pk, _ in rows], [], [paper for _, paper in rows])


@admin.register(Comment)
class CommentAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("pk", "summary", "author", "created_at", "deleted_at")
    raw_id_fields = ("summary", "author", "parent")
    readonly_fields = ("markdown", "html", "renderer_version")


@admin.register(SummaryImage)
class SummaryImageAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("file", "uploader", "width", "height", "created_at")
    raw_id_fields = ("uploader",)
