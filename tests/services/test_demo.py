from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Comment, Paper, Summary, User, Vote
from shortscience.services import demo

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_living_site_and_loading_twice_changes_nothing():
    first = demo.load()
    assert first.papers >= 12
    assert first.summaries >= 12
    assert first.votes > 0
    assert first.comments > 0
    # Every demo paper carries its arXiv categories, so the home page's field filter has content.
    assert set(Paper.objects.values_list("field", flat=True)) == {"cs", "stat"}
    before = [m.objects.count() for m in (User, Paper, Summary, Vote, Comment)]
    second = demo.load()
    assert second.papers == second.summaries == second.votes == second.comments == 0
    assert [m.objects.count() for m in (User, Paper, Summary, Vote, Comment)] == before


def test_every_demo_formula_renders():
    demo.load()
    broken = [s.pk for s in Summary.objects.all() if "math-error" in s.html]
    assert broken == []


def test_a_fresh_demo_shows_reputations_its_votes_are_old_enough_to_count():
    demo.load()
    assert Vote.objects.filter(updated_at__gt=timezone.now() - timedelta(hours=48)).count() == 0
    reputations = dict(User.objects.values_list("username", "reputation"))
    assert sum(1 for value in reputations.values() if value > 0) >= 3
    assert reputations["ada"] > 0
