"""Old ShortScience.org URLs keep working."""

import io

import pytest

from shortscience.models import PaperIdentifier, Venue
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_old_paper_urls_redirect_permanently_by_any_key(client):
    paper = make_paper()
    PaperIdentifier.objects.create(paper=paper, scheme="legacy", value="conf/iccv/Girshick15")
    for key in ("conf/iccv/Girshick15", paper.identifiers.get(scheme="arxiv").value):
        response = client.get("/paper", {"bibtexKey": key})
        assert response.status_code == 301
        assert response["Location"] == paper.get_absolute_url()
    assert client.get("/paper", {"bibtexKey": "nope"}).status_code == 404


def test_old_user_venue_and_list_urls_redirect(client):
    make_user("oldtimer")
    Venue.objects.create(key="ICCV", name="ICCV")
    assert client.get("/user", {"name": "oldtimer"})["Location"] == "/users/oldtimer/"
    assert client.get("/users")["Location"] == "/users/"
    assert (
        client.get("/venue", {"key": "ICCV", "year": "2015"})["Location"]
        == "/venues/ICCV/?year=2015"
    )
    assert client.get("/random")["Location"] == "/random/"


def test_the_old_write_endpoint_is_gone(client):
    assert client.get("/vignette").status_code == 410


@pytest.mark.parametrize(
    ("key", "location"),
    [
        ("conf/nips", "/venues/NeurIPS/"),
        ("conf/nips/2017", "/venues/NeurIPS/?year=2017"),
        ("DBLP:conf/nips/NIPS2016", "/venues/NeurIPS/?year=2016"),
        ("journals/pami", "/venues/TPAMI/"),
        ("10.1109/cvpr", "/venues/CVPR/"),
        ("10.1109/CVPR.2016", "/venues/CVPR/?year=2016"),
        ("neurips", "/venues/NeurIPS/"),
    ],
)
def test_old_venue_keys_redirect_permanently_to_the_venue(client, key, location):
    for name in ("NeurIPS", "TPAMI", "CVPR"):
        Venue.objects.create(key=name, name=name)
    response = client.get("/venue", {"key": key})
    assert response.status_code == 301
    assert response["Location"] == location


def test_an_old_venue_key_that_is_a_venue_key_here_wins_over_its_stream(client):
    Venue.objects.create(key="NeurIPS", name="NeurIPS")
    Venue.objects.create(key="NIPS", name="The old name")
    assert client.get("/venue", {"key": "nips"})["Location"] == "/venues/NIPS/"
    assert client.get("/venue", {"key": "conf/nips", "year": "2015"})["Location"] == (
        "/venues/NeurIPS/?year=2015"
    )


def test_an_unknown_old_venue_key_gets_a_page_with_a_search_link_not_a_bare_404(client):
    response = client.get("/venue", {"key": "conf/obscure/2014"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "<code>conf/obscure/2014</code>" in page
    assert 'href="/search/?q=obscure"' in page
    assert 'href="/venues/"' in page


def test_an_unknown_old_venue_key_is_shown_escaped(client):
    response = client.get("/venue", {"key": "conf/<script>x</script>"})
    assert response.status_code == 404
    assert b"<script>x" not in response.content


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/login", "/accounts/login/"),
        ("/signup", "/accounts/signup/"),
        ("/settings", "/settings/profile/"),
        ("/export", "/settings/export/"),
        ("/logout", "/accounts/logout/"),
        ("/recover", "/accounts/password/reset/"),
        ("/welcome", "/about/"),
    ],
)
def test_old_account_pages_redirect_permanently_to_their_pages(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_old_logout_only_leads_to_the_confirmation_page_and_signs_nobody_out(client):
    user = make_user()
    client.force_login(user)
    response = client.get("/logout", follow=True)
    assert response.redirect_chain[0] == ("/accounts/logout/", 301)
    assert response.status_code == 200
    assert response.context["user"] == user
    assert client.get("/settings/profile/").status_code == 200


def test_old_account_pages_carry_a_next_path_on_this_site(client):
    response = client.get("/login", {"next": "/papers/7/?a=b"})
    assert response["Location"] == "/accounts/login/?next=%2Fpapers%2F7%2F%3Fa%3Db"


@pytest.mark.parametrize(
    "where", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_old_account_pages_drop_a_next_that_leaves_the_site(client, where):
    response = client.get("/login", {"next": where})
    assert response["Location"] == "/accounts/login/"


def test_old_comment_anchors_land_on_each_named_summarys_comments(client):
    paper = make_paper()
    named = make_summary(make_user("oldtimer"), paper)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert 'id="oldtimer"' in page
    assert 'id="oldtimercomments"' in page
    assert f'id="summary-{named.pk}-comments"' in page
    summary_page = client.get(f"/summaries/{named.pk}/").content.decode()
    assert 'id="oldtimercomments"' in summary_page


def test_an_anonymous_summary_gets_only_a_neutral_comments_anchor(client):
    paper = make_paper()
    hidden = make_summary(make_user("secretauthor"), paper, anonymous=True)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert f'id="summary-{hidden.pk}-comments"' in page
    assert "secretauthor" not in page


def _placeholder(key: str):
    from shortscience.models import Paper

    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme="dblp", value=key)
    return paper


def test_refresh_metadata_fills_a_placeholder_and_its_page_and_search_show_it(client, monkeypatch):
    from django.core.management import call_command

    from shortscience.services import refresh
    from tests.recorded import recorded_fetcher

    paper = _placeholder("conf/iccv/Girshick15")
    make_summary(paper=paper)
    assert "conf/iccv/Girshick15" in client.get(paper.get_absolute_url()).content.decode()
    monkeypatch.setattr(refresh, "fetcher_for", lambda host: recorded_fetcher())
    out = io.StringIO()
    call_command("refresh_metadata", "--placeholders-only", "--limit", "5", stdout=out)
    assert (
        f"paper {paper.pk} updated: filled title, authors, year, url, venue, identifiers"
        " - Fast R-CNN" in out.getvalue()
    )
    assert "1 papers asked: 1 updated" in out.getvalue()
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "<title>Fast R-CNN" in page and "Ross B. Girshick" in page
    assert (
        f'href="{paper.get_absolute_url()}"'
        in client.get("/search/", {"q": "fast"}).content.decode()
    )


def test_refresh_metadata_dry_run_lists_what_is_due_and_asks_nobody(monkeypatch):
    from django.core.management import call_command

    from shortscience.services import refresh

    paper = _placeholder("conf/iccv/Girshick15")
    monkeypatch.setattr(refresh, "fetcher_for", lambda host: pytest.fail("no source asked"))
    out = io.StringIO()
    call_command("refresh_metadata", "--dry-run", stdout=out)
    assert f"paper {paper.pk} due - conf/iccv/Girshick15" in out.getvalue()
    assert "1 papers are due; none was asked" in out.getvalue()


def test_refresh_metadata_with_a_source_down_reports_the_failure_and_keeps_the_paper(
    monkeypatch,
):
    from django.core.management import call_command

    from shortscience.services import refresh
    from tests.recorded import down, recorded_fetcher

    paper = _placeholder("conf/iccv/Girshick15")
    monkeypatch.setattr(refresh, "fetcher_for", lambda host: recorded_fetcher(down))
    out = io.StringIO()
    call_command("refresh_metadata", stdout=out)
    assert "1 failed (asked again later)" in out.getvalue()
    paper.refresh_from_db()
    assert paper.title == "conf/iccv/Girshick15" and paper.metadata_retry_at is not None


def test_the_hourly_refresh_is_off_by_default_and_takes_its_batch_when_on(monkeypatch, settings):
    from shortscience.models import Paper
    from shortscience.services import refresh
    from tests.recorded import recorded_fetcher

    papers = [_placeholder(f"conf/iccv/Girshick{n}") for n in (15, 16, 17)]
    monkeypatch.setattr(refresh, "fetcher_for", lambda host: recorded_fetcher())
    refresh.refresh_on_schedule.call_local()
    assert not Paper.objects.filter(metadata_checked_at__isnull=False).exists()
    settings.METADATA_REFRESH_BATCH = 2
    refresh.refresh_on_schedule.call_local()
    asked = Paper.objects.filter(metadata_checked_at__isnull=False)
    assert sorted(asked.values_list("pk", flat=True)) == [p.pk for p in papers[:2]]


def test_venue_keys_with_a_slash_have_pages_and_feeds_and_plain_keys_keep_theirs(client):
    slashed = Venue.objects.create(key="conf/nips", name="NIPS, as the old site named it")
    plain = Venue.objects.create(key="ICCV", name="ICCV")
    make_summary(paper=make_paper("A slashed venue's paper", venue=slashed))
    assert slashed.get_absolute_url() == "/venues/conf/nips/"
    assert plain.get_absolute_url() == "/venues/ICCV/"
    page = client.get("/venues/conf/nips/")
    assert page.status_code == 200 and "A slashed venue&#x27;s paper" in page.content.decode()
    assert client.get("/venues/conf/nips/feed.atom").status_code == 200
    assert client.get("/venues/iccv/").status_code == 200
    assert client.get("/venues/ICCV/feed.rss").status_code == 200
    assert client.get("/venues/conf/other/").status_code == 404
    # The old link names the venue stored under that very key before its stream's venue.
    assert client.get("/venue", {"key": "conf/nips"})["Location"] == "/venues/conf/nips/"


def test_a_refreshed_title_reaches_the_pages_of_the_summaries_on_that_paper(client, monkeypatch):
    from shortscience.services import refresh
    from tests.recorded import recorded_fetcher

    paper = _placeholder("conf/iccv/Girshick15")
    summary = make_summary(make_user("oldtimer"), paper)
    for url in (f"/summaries/{summary.pk}/", "/users/oldtimer/"):
        assert "conf/iccv/Girshick15" in client.get(url).content.decode()
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    for url in (f"/summaries/{summary.pk}/", "/users/oldtimer/"):
        page = client.get(url).content.decode()
        assert "Fast R-CNN" in page and "conf/iccv/Girshick15" not in page, url
