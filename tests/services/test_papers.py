import pytest

from shortscience.models import PaperIdentifier, Venue
from shortscience.services import papers, venues, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_the_paper_page_orders_summaries_by_score():
    paper = make_paper()
    low, high = make_summary(paper=paper), make_summary(paper=paper)
    votes.cast(make_user(), high.pk, 1)
    page = papers.page(paper.pk, None)
    assert [c.summary.pk for c in page.cards] == [high.pk, low.pk]


def test_a_paper_is_found_by_any_of_its_keys():
    paper = make_paper()
    PaperIdentifier.objects.create(paper=paper, scheme="legacy", value="conf/iccv/Girshick15")
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.1109/iccv.2015.169")
    assert papers.find_by_key("conf/iccv/Girshick15") == paper
    assert papers.find_by_key("10.1109/ICCV.2015.169") == paper
    arxiv = paper.identifiers.get(scheme="arxiv").value
    assert papers.find_by_key(f"journals/corr/{arxiv}") == paper
    assert papers.find_by_key("nothing/like/this") is None


def test_a_venue_page_lists_its_years_and_filters_by_one():
    venue = Venue.objects.create(key="ICCV", name="International Conference on Computer Vision")
    old, new = make_paper(venue=venue, year=2015), make_paper(venue=venue, year=2017)
    make_summary(paper=old)
    page = venues.venue_page("iccv", None)
    assert page.years == [2017, 2015]
    assert {p.pk: p.summary_count for p in page.papers} == {old.pk: 1, new.pk: 0}
    assert [p.pk for p in venues.venue_page("ICCV", 2015).papers] == [old.pk]
