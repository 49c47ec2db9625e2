"""One canonical page per paper, reached by every alias; the sitemap and the counts for tools."""

import pytest

from shortscience.models import PaperIdentifier
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    paper = make_paper("Fast R-CNN")
    for scheme, value in [
        ("doi", "10.1109/iccv.2015.169"),
        ("dblp", "conf/iccv/Girshick15"),
        ("openreview", "rJ4km2R5t7"),
        ("legacy", "journals/corr/1504.08083"),
    ]:
        PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=value)
    return paper


@pytest.mark.parametrize(
    "url",
    [
        "/doi/10.1109/ICCV.2015.169",
        "/dblp/conf/iccv/Girshick15",
        "/openreview/rJ4km2R5t7",
        "/lookup?id=10.1109/iccv.2015.169",
        "/lookup?id=journals/corr/1504.08083",
    ],
)
def test_every_alias_redirects_permanently_to_the_canonical_page(client, paper, url):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == paper.get_absolute_url()


def test_the_arxiv_alias_and_query_parameters_survive(client, paper):
    arxiv = paper.identifiers.get(scheme="arxiv").value
    response = client.get(f"/arxiv/{arxiv}?a=ada")
    assert response["Location"] == f"{paper.get_absolute_url()}?a=ada"


def test_an_unknown_alias_is_a_404_that_says_how_to_add_it(client, db):
    response = client.get("/arxiv/2401.99999")
    assert response.status_code == 404
    assert "/add/" in response.content.decode()


def test_the_old_paper_url_keeps_the_author_filter_and_anchors(client, paper):
    ada, ben = make_user("ada"), make_user("ben")
    make_summary(author=ada, paper=paper, markdown="Ada's view")
    make_summary(author=ben, paper=paper, markdown="Ben's view")
    hidden = make_user("hidden")
    make_summary(author=hidden, paper=paper, markdown="Anonymous view", anonymous=True)
    response = client.get("/paper", {"bibtexKey": "conf/iccv/Girshick15", "a": "ada"})
    assert response.status_code == 301 and response["Location"].endswith("?a=ada")
    filtered = client.get(response["Location"]).content.decode()
    assert "Ada's view" in filtered and "Ben's view" not in filtered
    full = client.get(paper.get_absolute_url()).content.decode()
    assert 'id="ada"' in full and 'id="ben"' in full and 'id="hidden"' not in full
    nobody = client.get(paper.get_absolute_url() + "?a=hidden").content.decode()
    assert "Anonymous view" not in nobody


def test_internalsearch_lands_on_search_and_an_identifier_goes_straight_to_the_paper(client, paper):
    response = client.get("/internalsearch", {"q": "fast r-cnn"})
    assert response.status_code == 301
    html = client.get(response["Location"]).content.decode()
    assert "Fast R-CNN" in html
    direct = client.get("/search/", {"q": "10.1109/ICCV.2015.169"})
    assert direct.status_code == 302 and direct["Location"] == paper.get_absolute_url()


def test_counts_give_each_identifier_its_page_and_public_summary_count(client, paper):
    make_summary(paper=paper)
    make_summary(paper=paper, private=True)
    data = client.get("/papers/counts.json", {"id": ["10.1109/ICCV.2015.169", "nope"]}).json()
    assert data["papers"] == [
        {
            "id": "10.1109/ICCV.2015.169",
            "url": f"http://testserver{paper.get_absolute_url()}",
            "summaries": 1,
        },
        {"id": "nope", "url": None, "summaries": 0},
    ]
    too_many = client.get("/papers/counts.json", {"id": [str(i) for i in range(501)]})
    assert too_many.status_code == 400


def test_the_sitemap_lists_only_public_content(client, paper):
    public = make_summary(paper=paper)
    private = make_summary(private=True)
    anonymous = make_summary(author=make_user("masked"), anonymous=True)
    # /sitemap.xml is an index; the URLs are in its sections (tests/views/test_sitemaps.py).
    xml = "".join(
        client.get(f"/sitemap-{section}.xml").content.decode()
        for section in ("papers", "summaries", "users")
    )
    assert f"/summaries/{public.pk}/" in xml and f"/papers/{paper.pk}/" in xml
    assert f"/summaries/{private.pk}/" not in xml and f"/papers/{private.paper_id}/" not in xml
    assert f"/summaries/{anonymous.pk}/" in xml and "/users/masked/" not in xml


@pytest.mark.parametrize("how", ["automatic", "moderator", "command"])
def test_a_merged_away_papers_page_redirects_permanently_to_the_kept_one(client, how):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
    from shortscience.services import moderation, works

    keep, gone = make_paper("Fast R-CNN"), make_paper("Fast R-CNN.")
    make_summary(paper=keep)
    if how == "automatic":
        gone_arxiv = gone.identifiers.get(scheme="arxiv").value
        keep_arxiv = keep.identifiers.get(scheme="arxiv").value
        meta = PaperMetadata(
            title="Fast R-CNN",
            identifiers=[Identifier(Scheme.ARXIV, keep_arxiv)],
            same_work=[Identifier(Scheme.ARXIV, gone_arxiv)],
            source="semanticscholar",
        )
        assert works.settle(meta, make_user()).paper == keep
    elif how == "moderator":
        mod = make_user()
        mod.groups.add(Group.objects.get(name="moderators"))
        moderation.merge_reported(mod, gone.pk, keep.pk, "same paper")
    else:
        call_command("merge_papers", str(gone.pk), str(keep.pk))
    response = client.get(f"/papers/{gone.pk}/?a=someone")
    assert response.status_code == 301
    assert response["Location"] == f"/papers/{keep.pk}/?a=someone"
    assert client.get(f"/papers/{gone.pk + keep.pk + 100}/").status_code == 404
