"""services/standing.py: who may write now, who moderates, whose first posts wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shortscience.models import User
from shortscience.services import standing
from shortscience.services.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def person(name: str, **extra) -> User:
    return User.objects.create(username=name, email=f"{name}@example.org", **extra)


def test_a_banned_or_suspended_person_may_not_write_until_the_suspension_ends():
    standing.ensure_can_write(person("fine"))
    with pytest.raises(PermissionDenied, match="banned"):
        standing.ensure_can_write(person("banned", is_active=False))
    later = timezone.now() + timedelta(days=2)
    with pytest.raises(PermissionDenied, match="suspended until"):
        standing.ensure_can_write(person("suspended", suspended_until=later))
    earlier = timezone.now() - timedelta(seconds=1)
    standing.ensure_can_write(person("was-suspended", suspended_until=earlier))


def test_moderators_are_staff_or_in_the_group_and_active():
    member = person("member")
    member.groups.add(Group.objects.get_or_create(name=standing.MODERATORS_GROUP)[0])
    assert standing.is_moderator(member)
    assert standing.is_moderator(person("staff", is_staff=True))
    assert not standing.is_moderator(person("reader"))
    assert not standing.is_moderator(person("gone", is_staff=True, is_active=False))
    assert not standing.is_moderator(None)


def test_first_posts_wait_only_when_configured_and_never_for_moderators(settings):
    settings.HOLD_FIRST_POSTS = 0
    assert not standing.must_hold(person("a"))
    settings.HOLD_FIRST_POSTS = 2
    assert standing.must_hold(person("b"))
    assert not standing.must_hold(person("c", is_staff=True))
