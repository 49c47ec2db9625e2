"""Blocking: a person blocks another, after which the other's comments (replies, comments on
their summaries, @mentions) no longer notify them (services/notifications.py applies it).

A block is private: the blocked person is not told and nothing public changes; it is listed
in the blocker's settings, included in their data export and goes with either account.
Blocking is idempotent; nobody blocks themself; unblocking always works. Like the notification
settings, a suspended or banned person may still block (it only makes them hear less), so
neither calls standing.ensure_can_write (tests/views/test_standing_on_every_write.py, ALLOWED).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from shortscience.models import Block, User
from shortscience.services.errors import InvalidInput, NotFound


def _person(username: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        raise NotFound("There is no such user.")
    return found


def block(user: User, username: str) -> User:
    """Block the person named; returns them."""
    person = _person(username)
    if person.pk == user.pk:
        raise InvalidInput("You cannot block yourself.")
    try:
        with transaction.atomic():
            Block.objects.get_or_create(blocker=user, blocked=person)
    except IntegrityError:  # the same block made at the same moment elsewhere
        pass
    return person


def unblock(user: User, username: str) -> User:
    person = _person(username)
    Block.objects.filter(blocker=user, blocked=person).delete()
    return person


def listing(user: User) -> list[Block]:
    return list(Block.objects.filter(blocker=user).select_related("blocked").order_by("-pk"))
