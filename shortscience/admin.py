"""The Django admin: staff moderate papers, summaries, comments and users here."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.socialaccount.models import SocialAccount
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from shortscience.metadata import venues as venue_keys
from shortscience.metadata.titles import title_key
from shortscience.models import (
    Comment,
    ModerationMark,
    Paper,
    PaperIdentifier,
    Revision,
    Summary,
    SummaryImage,
    User,
    Venue,
)
from shortscience.services import counts, events, identifiers, merging, pagecache, text, venues
from shortscience.services.errors import InvalidInput

# The admin's own sign-in form would take a password alone: no second factor, no sign-in limits
# (services/signins.py). Staff sign in through allauth's page like everyone else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way


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


def one_line(value: str) -> str:
    """A form's one-line field, or the reason it is not one (services/text.py)."""
    problem = text.one_line_problem(value)
    if problem:
        raise forms.ValidationError(problem)
    return value.strip()


class SiteUserForm(UserChangeForm):
    def clean_display_name(self) -> str:
        return one_line(self.cleaned_data["display_name"])


@admin.register(User)
class SiteUserAdmin(RefreshesPages, UserAdmin):
    form = SiteUserForm
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Profile",
            {"fields": ("display_name", "description_markdown", "orcid", "orcid_verified")},
        ),
    )
    # Only an ORCID sign-in proves an iD (docs/accounts.md); an admin edit cannot.
    readonly_fields = ("orcid_verified",)
    list_display = ("username", "email", "display_name", "is_active", "is_staff", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if "orcid" in form.changed_data:
            obj.orcid_verified = SocialAccount.objects.filter(
                user=obj, provider="orcid", uid=obj.orcid
            ).exists()
        super().save_model(request, obj, form, change)


class IdentifierForm(forms.ModelForm):
    """Each scheme's grammar (metadata/identifiers.py); the value is stored normalised."""

    class Meta:
        model = PaperIdentifier
        fields = ("scheme", "value")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scheme, value = data.get("scheme"), data.get("value")
        # A row left as it was is not re-judged: an older value must not block other edits.
        if scheme and value is not None and (self.instance.pk is None or self.has_changed()):
            try:
                data["value"] = identifiers.checked(scheme, value)
            except InvalidInput as error:
                self.add_error("value", error.message)
        return data


class IdentifierInline(admin.TabularInline):
    model = PaperIdentifier
    form = IdentifierForm
    extra = 1


class PaperForm(forms.ModelForm):
    """The admin builds its fields (modelform_factory); this adds the one-line title."""

    def clean_title(self) -> str:
        return one_line(self.cleaned_data["title"])


@admin.register(Paper)
class PaperAdmin(RefreshesPages, admin.ModelAdmin):
    form = PaperForm
    list_display = ("title", "year", "venue", "created_at")
    list_filter = ("venue", "year")
    search_fields = ("title", "identifiers__value")
    readonly_fields = ("view_count",)  # counted by services/pageviews.py, never typed
    inlines = [IdentifierInline]
    actions = ["merge_selected"]

    # Admin edits go around the services: keep the stored counts of the venues involved.
    def save_model(self, request: HttpRequest, obj: Paper, form: Any, change: bool) -> None:
        before = Paper.objects.filter(pk=obj.pk).values_list("venue_id", flat=True).first()
        obj.title_key = title_key(obj.title)  # the derived column the duplicate check reads
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


class VenueForm(forms.ModelForm):
    """The admin builds its fields; the key is part of a URL, the name one line."""

    def clean_key(self) -> str:
        key = str(self.cleaned_data["key"])
        if not venue_keys.is_key(key):
            raise forms.ValidationError(
                "A venue key is letters, digits, single spaces and . , & ' + : ( ) -, "
                "beginning with a letter or digit (it is part of the venue's URL: no /)."
            )
        return key

    def clean_name(self) -> str:
        return one_line(self.cleaned_data["name"])


@admin.register(Venue)
class VenueAdmin(RefreshesPages, admin.ModelAdmin):
    form = VenueForm
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
        "view_count",
        "recent_views",
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


@admin.register(ModerationMark)
class ModerationMarkAdmin(admin.ModelAdmin):
    """Who posts again where a moderator hid them, held for review (docs/moderation.md); staff
    delete a mark to let the person post there freely without restoring anything."""

    list_display = ("user", "paper", "summary", "created_at")
    raw_id_fields = ("user", "paper", "summary")
