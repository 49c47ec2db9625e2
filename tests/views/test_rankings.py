"""The home page's tabs and filters, and the paper page's similar section, through HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Summary
from shortscience.services import rankings, similar
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def listed(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_hot_is_the_default_tab_and_popular_links_land_on_it(client):
    make_summary(paper=make_paper("Hot stuff"))
    for url in ("/", "/?tab=popular"):
        html = listed(client, url)
        assert 'class="active" aria-current="page">Hot<' in html
        assert "Hot stuff" in html


def test_best_of_the_week_and_the_field_filter_narrow_the_list(client):
    old = make_summary(paper=make_paper("Old physics", field="physics"))
    make_summary(paper=make_paper("New physics", field="physics"))
    make_summary(paper=make_paper("New computing", field="cs"))
    Summary.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=60))
    html = listed(client, "/?tab=best&period=week&field=physics")
    assert "New physics" in html
    assert "Old physics" not in html
    assert "New computing" not in html
    assert "This week" in html
    assert "Quantitative Biology" in html  # every field is offered


def test_the_pager_keeps_the_filters(client, settings):
    settings.PAGE_SIZE = 1
    for _ in range(2):
        make_summary(paper=make_paper(field="stat"))
    html = listed(client, "/?tab=best&period=year&field=stat")
    assert "?tab=best&amp;period=year&amp;field=stat&amp;after=" in html


@pytest.mark.parametrize("url", ["/", "/?tab=recent&field=cs", "/?tab=best&period=month"])
def test_home_queries_do_not_grow_with_the_number_of_summaries(
    client, settings, django_assert_max_num_queries, url
):
    settings.PAGE_SIZE = 50
    author = make_user()  # one author: hashing 30 passwords would dominate the test's time
    for n in (3, 30):
        for _ in range(n if n == 3 else n - 3):
            make_summary(author=author, paper=make_paper(field="cs"))
        with django_assert_max_num_queries(3):
            listed(client, url)


def make_neighbours():
    attention = make_paper("Attention is all you need")
    make_summary(paper=attention, markdown="Self-attention transformer over tokens.")
    translation = make_paper("Neural machine translation with attention")
    anonymous = make_summary(
        author=make_user("secretive", display_name="Secret Person"),
        paper=translation,
        markdown="Attention over tokens for translation with a transformer-like decoder.",
        anonymous=True,
    )
    folding = make_paper("Protein folding")
    make_summary(paper=folding, markdown="Amino acid contacts predict protein structure.")
    similar.rebuild()
    return attention, translation, anonymous


def test_the_paper_page_shows_similar_papers_and_summaries_without_anonymous_names(client):
    attention, translation, anonymous = make_neighbours()
    html = listed(client, attention.get_absolute_url())
    assert "Similar papers" in html
    assert "Similar summaries" in html
    assert f'href="/summaries/{anonymous.pk}/">A summary of “{translation.title}”' in html
    assert "Secret Person" not in html
    assert "secretive" not in html


def test_the_similar_section_costs_two_queries_whatever_the_neighbours(
    client, django_assert_max_num_queries
):
    attention, _, _ = make_neighbours()
    Summary.objects.update(score=0)
    rankings.recompute_hotness()
    with django_assert_max_num_queries(8) as captured:
        listed(client, attention.get_absolute_url())
    similar_queries = [q for q in captured.captured_queries if "similar" in q["sql"]]
    assert len(similar_queries) == 2
