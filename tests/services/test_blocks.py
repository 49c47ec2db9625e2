"""Blocking a person: idempotent, never yourself, undone by unblocking, listed for the blocker."""

import pytest

from shortscience.models import Block
from shortscience.services import blocks
from shortscience.services.errors import InvalidInput, NotFound
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_blocking_twice_keeps_one_block_and_unblocking_removes_it():
    me, pest = make_user(), make_user("pest")
    blocks.block(me, "pest")
    blocks.block(me, "pest")
    assert [b.blocked for b in blocks.listing(me)] == [pest]
    blocks.unblock(me, "pest")
    assert blocks.listing(me) == []


def test_nobody_blocks_themself_or_a_person_who_does_not_exist():
    me = make_user("me")
    with pytest.raises(InvalidInput):
        blocks.block(me, "me")
    with pytest.raises(NotFound):
        blocks.block(me, "ghost")


def test_a_block_goes_with_either_account():
    me, pest = make_user(), make_user("pest")
    blocks.block(me, "pest")
    pest.delete()
    assert not Block.objects.exists()
