"""The whole URL map, one line per route, grouped by feature; old ShortScience.org URLs last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from shortscience.views import feeds, health, metrics, robots
from shortscience.views.pages import (
    account_data,
    add,
    authors,
    categories,
    citations,
    comments,
    follows,
    home,
    images,
    legacy,
    library,
    markdown,
    moderation,
    notifications,
    pageviews,
    papers,
    revisions,
    search,
    sessions,
    summaries,
    tokens,
    users,
    venues,
    votes,
    wanted,
)
from shortscience.views.sitemaps import SITEMAPS

urlpatterns = [
    # Reading
    path("", home.home, name="home"),
    path("about/", home.about, name="about"),
    path("random/", home.random_summary, name="random"),
    # The view beacon of paper and summary pages (docs/rankings.md, "Views")
    path("views/<str:kind>/<int:object_id>/", pageviews.beacon, name="view-beacon"),
    path("papers/<int:paper_id>/", papers.detail, name="paper"),
    path("cite/<path:key>", papers.cite, name="cite"),
    path("search/", search.search, name="search"),
    path("papers/counts.json", papers.counts, name="paper-counts"),
    # Every alias of a paper answers 301 to its one canonical page
    path("arxiv/<path:key>", papers.alias, name="alias-arxiv"),
    path("doi/<path:key>", papers.alias, name="alias-doi"),
    path("dblp/<path:key>", papers.alias, name="alias-dblp"),
    path("openreview/<str:key>", papers.alias, name="alias-openreview"),
    path("lookup", papers.alias, {"key": ""}, name="alias-lookup"),
    # Issue 14: sharing and citation
    path("papers/<int:paper_id>/cite.bib", citations.bibtex, name="paper-cite-bib"),
    path("papers/<int:paper_id>/cite.txt", citations.text, name="paper-cite-txt"),
    path("summaries/<int:summary_id>/", summaries.detail, name="summary"),
    # Issue 14: the paper and summary pages as Markdown, for tools and agents (docs/agents.md)
    path("papers/<int:paper_id>.md", markdown.paper, name="paper-markdown"),
    path("summaries/<int:summary_id>.md", markdown.summary, name="summary-markdown"),
    path("s/<str:token>/", summaries.shared, name="summary-shared"),
    path("users/", users.listing, name="users"),
    path("users/<str:username>/", users.detail, name="user"),
    path("users/<str:username>/block/", users.block, name="user-block"),
    path("users/<str:username>/unblock/", users.unblock, name="user-unblock"),
    path("venues/", venues.listing, name="venues"),
    path("venues/<path:key>/", venues.detail, name="venue"),  # keys may hold "/"
    # Issue 14: new papers by arXiv category (views/pages/categories.py)
    path("new/", categories.index, name="new-papers-index"),
    path("new/<str:category>/", categories.detail, name="new-papers"),
    # Writing
    path("add/", add.add, name="add"),
    path("add/source/", add.source, name="add-source"),
    path("papers/<int:paper_id>/write/", summaries.write, name="summary-write"),
    path("preview/", summaries.preview, name="preview"),
    path("papers/<int:paper_id>/autosave/", summaries.autosave, name="summary-autosave"),
    path("summaries/<int:summary_id>/discard/", summaries.discard_draft, name="summary-discard"),
    path("images/", images.upload, name="image-upload"),
    path("summaries/<int:summary_id>/delete/", summaries.delete, name="summary-delete"),
    path("summaries/<int:summary_id>/share/", summaries.share, name="summary-share"),
    path("summaries/<int:summary_id>/revisions/", revisions.history, name="summary-history"),
    path("summaries/<int:summary_id>/diff/", revisions.diff, name="summary-diff"),
    path(
        "summaries/<int:summary_id>/revisions/<int:number>/restore/",
        revisions.restore,
        name="summary-restore",
    ),
    # Voting and discussion
    path("summaries/<int:summary_id>/vote/", votes.vote, name="vote"),
    path("summaries/<int:summary_id>/comments/", comments.add, name="comment-add"),
    path("summaries/<int:summary_id>/comments/preview/", comments.preview, name="comment-preview"),
    path("comments/<int:comment_id>/edit/", comments.edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", comments.delete, name="comment-delete"),
    # Issue 14: library (views/pages/library.py)
    path("library/", library.home, name="library"),
    path("library/lists/", library.create_list, name="library-list-create"),
    path("library/lists/<int:list_id>/edit/", library.edit_list, name="library-list-edit"),
    path("library/lists/<int:list_id>/import/", library.import_bibtex, name="library-import"),
    path("library/papers/<int:paper_id>/", library.paper, name="library-paper"),
    path("library/papers/<int:paper_id>/note/", library.note, name="library-note"),
    path("lists/<int:list_id>-<slug:slug>/", library.list_page, name="library-list"),
    path("lists/<int:list_id>/export.<str:fmt>", library.export, name="library-export"),
    # Following and notifications (views/pages/follows.py, views/pages/notifications.py)
    path("follow/search/", follows.toggle_search, name="follow-search"),
    path("follow/<str:kind>/<str:key>/", follows.toggle, name="follow"),
    path("following/", follows.listing, name="following"),
    # Issue 14: papers worth summarising (views/pages/wanted.py)
    path("wanted/", wanted.listing, name="wanted"),
    path("wanted/papers/<int:paper_id>/", wanted.toggle, name="wanted-toggle"),
    path("wanted/papers/<int:paper_id>/state/", wanted.state, name="wanted-state"),
    path("notifications/", notifications.listing, name="notifications"),
    path("notifications/<int:notification_id>/read/", notifications.mark_read, name="mark-read"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications-read-all"),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("settings/notifications/", notifications.email_settings, name="notification-settings"),
    # Your data: export and account deletion (views/pages/account_data.py)
    path("settings/export/", account_data.export, name="account-export"),
    path("settings/delete-account/", account_data.delete_account, name="account-delete"),
    # Verified authors (views/pages/authors.py, docs/accounts.md)
    path("papers/<int:paper_id>/claim/", authors.claim, name="author-claim"),
    path("papers/<int:paper_id>/claim/withdraw/", authors.withdraw, name="author-withdraw"),
    path("moderation/claims/<int:claim_id>/", authors.decide, name="author-claim-decide"),
    path("comments/<int:comment_id>/erratum/", authors.erratum, name="comment-erratum"),
    # Moderation (views/pages/moderation.py)
    path("flag/<str:kind>/<int:pk>/", moderation.flag, name="flag"),
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/act/", moderation.act, name="moderation-act"),
    path("moderation/hidden/", moderation.hidden, name="moderation-hidden"),
    path("moderation/people/", moderation.people, name="moderation-people"),
    path("moderation/log/", moderation.log, name="moderation-log"),
    # API v1 (views/api/)
    path("api/v1/", include("shortscience.views.api.urls")),
    # API tokens (views/pages/tokens.py)
    path("settings/sessions/<int:session_id>/end/", sessions.end, name="session-end"),
    path("settings/tokens/", tokens.listing, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke, name="token-revoke"),
    # Accounts and administration
    path("settings/profile/", users.profile, name="profile"),
    path("settings/blocked/", users.blocked, name="blocks"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Feeds: Atom and RSS 2.0 of public summaries (views/feeds.py, docs/feeds.md)
    path("feeds/recent.atom", feeds.recent_atom, name="feed-recent-atom"),
    path("feeds/recent.rss", feeds.recent_rss, name="feed-recent-rss"),
    path("papers/<int:paper_id>/feed.atom", feeds.paper_atom, name="feed-paper-atom"),
    path("papers/<int:paper_id>/feed.rss", feeds.paper_rss, name="feed-paper-rss"),
    path("users/<str:username>/feed.atom", feeds.user_atom, name="feed-user-atom"),
    path("users/<str:username>/feed.rss", feeds.user_rss, name="feed-user-rss"),
    path("venues/<path:key>/feed.atom", feeds.venue_atom, name="feed-venue-atom"),
    path("venues/<path:key>/feed.rss", feeds.venue_rss, name="feed-venue-rss"),
    path("search/feed.atom", feeds.search_atom, name="feed-search-atom"),
    path("search/feed.rss", feeds.search_rss, name="feed-search-rss"),
    # Sitemaps: an index of sections, each paged at 50,000 URLs (views/sitemaps.py)
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # Operations: probes, metrics, robots.txt and the favicon (docs/deploy.md). /healthz and
    # /readyz are answered by views.health.ProbeMiddleware before these routes; they resolve here.
    re_path(r"^healthz/?$", health.healthz, name="healthz"),
    re_path(r"^readyz/?$", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("robots.txt", robots.robots_txt, name="robots"),
    path("favicon.ico", robots.favicon, name="favicon"),
    # Legacy ShortScience.org URLs (kept working for links on the web and for tools)
    path("paper", legacy.paper, name="legacy-paper"),
    path("user", legacy.user, name="legacy-user"),
    path("users", legacy.users, name="legacy-users"),
    path("venue", legacy.venue, name="legacy-venue"),
    path("random", legacy.random, name="legacy-random"),
    path("vignette", legacy.vignette, name="legacy-vignette"),
    path("internalsearch", legacy.internalsearch, name="legacy-internalsearch"),
    # The old site's account pages (views/pages/legacy.py: a safe `next` is carried)
    path("login", legacy.account, {"page": "account_login"}, name="legacy-login"),
    path("signup", legacy.account, {"page": "account_signup"}, name="legacy-signup"),
    path("logout", legacy.account, {"page": "account_logout"}, name="legacy-logout"),
    path("recover", legacy.account, {"page": "account_reset_password"}, name="legacy-recover"),
    path("settings", legacy.account, {"page": "profile"}, name="legacy-settings"),
    path("export", legacy.account, {"page": "account-export"}, name="legacy-export"),
    path("welcome", legacy.account, {"page": "about"}, name="legacy-welcome"),
    # The old site's RSS files, in its format with the shortscience: namespace (docs/feeds.md)
    path("rss.xml", feeds.legacy_recent, name="rss-legacy"),
    path("rss-all.xml", feeds.legacy_all, name="rss-legacy-all"),
    path("rss-full.xml", feeds.legacy_full, name="rss-legacy-full"),
]

if settings.SERVE_MEDIA:
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(
            rf"^{media}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}, name="media"
        )
    )

handler404 = "shortscience.views.errors.not_found"
handler500 = "shortscience.views.errors.server_error"
