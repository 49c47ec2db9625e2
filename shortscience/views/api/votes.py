"""Voting on a summary: up, down or retract."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from shortscience.services import votes
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import BodyIn, Id

router = Router(auth=auth.WRITE)


class VoteIn(BodyIn):
    value: Literal["up", "down", "retract"]


class VoteOut(Schema):
    summary_id: int
    score: int
    my_vote: int


@router.post(
    "/summaries/{int:summary_id}/vote",
    response={200: VoteOut, **documented(400, 401, 403, 404, 422, 429)},
)
def vote(request: HttpRequest, summary_id: Id, payload: VoteIn) -> VoteOut:
    """Vote on someone else's public summary; a second vote replaces the first."""
    user = auth.writer(request, "voting")
    result = votes.cast(user, summary_id, votes.parse_value(payload.value))
    return VoteOut(summary_id=result.summary_id, score=result.score, my_vote=result.my_vote)
