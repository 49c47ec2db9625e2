"""The whole URL map, one line per route, grouped by feature; old ShortScience.org URLs last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.static import serve

from shortscience.views.pages import (
    account_data,
    add,
    comments,
    home,
    images,
    legacy,
    moderation,
    papers,
    summaries,
    users,
    venues,
    votes,
)
from shortscience.views.sitemaps import SITEMAPS

urlpatterns = [
    # Reading
    path("", home.home, name="home"),
    path("about/", home.about, name="about"),
    path("random/", home.random_summary, name="random"),
    path("papers/<int:paper_id>/", papers.detail, name="paper"),
    path("cite/<path:key>", papers.cite, name="cite"),
    path("search/", papers.search, name="search"),
    path("papers/counts.json", papers.counts, name="paper-counts"),
    # Every alias of a paper answers 301 to its one canonical page
    path("arxiv/<path:key>", papers.alias, name="alias-arxiv"),
    path("doi/<path:key>", papers.alias, name="alias-doi"),
    path("dblp/<path:key>", papers.alias, name="alias-dblp"),
    path("openreview/<str:key>", papers.alias, name="alias-openreview"),
    path("lookup", papers.alias, {"key": ""}, name="alias-lookup"),
    path("summaries/<int:summary_id>/", summaries.detail, name="summary"),
    path("s/<str:token>/", summaries.shared, name="summary-shared"),
    path("users/", users.listing, name="users"),
    path("users/<str:username>/", users.detail, name="user"),
    path("venues/", venues.listing, name="venues"),
    path("venues/<str:key>/", venues.detail, name="venue"),
    # Writing
    path("add/", add.add, name="add"),
    path("papers/<int:paper_id>/write/", summaries.write, name="summary-write"),
    path("preview/", summaries.preview, name="preview"),
    path("images/", images.upload, name="image-upload"),
    path("summaries/<int:summary_id>/delete/", summaries.delete, name="summary-delete"),
    path("summaries/<int:summary_id>/share/", summaries.share, name="summary-share"),
    path("summaries/<int:summary_id>/revisions/", summaries.history, name="summary-history"),
    path("summaries/<int:summary_id>/diff/", summaries.diff, name="summary-diff"),
    # Voting and discussion
    path("summaries/<int:summary_id>/vote/", votes.vote, name="vote"),
    path("summaries/<int:summary_id>/comments/", comments.add, name="comment-add"),
    path("comments/<int:comment_id>/edit/", comments.edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", comments.delete, name="comment-delete"),
    # Your data: export and account deletion (views/pages/account_data.py)
    path("settings/export/", account_data.export, name="account-export"),
    path("settings/delete-account/", account_data.delete_account, name="account-delete"),
    # Moderation (views/pages/moderation.py)
    path("flag/<str:kind>/<int:pk>/", moderation.flag, name="flag"),
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/act/", moderation.act, name="moderation-act"),
    path("moderation/log/", moderation.log, name="moderation-log"),
    # API v1 (views/api/)
    path("api/v1/", include("shortscience.views.api.urls")),
    path("settings/tokens/", include("shortscience.views.pages.tokens")),
    # Accounts and administration
    path("settings/profile/", users.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Legacy ShortScience.org URLs (kept working for links on the web and for tools)
    path("paper", legacy.paper),
    path("user", legacy.user),
    path("users", legacy.users),
    path("venue", legacy.venue),
    path("random", legacy.random),
    path("vignette", legacy.vignette),
    path("internalsearch", legacy.internalsearch),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

if settings.SERVE_MEDIA:
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(rf"^{media}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

handler404 = "shortscience.views.errors.not_found"
