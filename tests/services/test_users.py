from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Vote
from shortscience.services import rankings, users, votes
from shortscience.services.errors import InvalidInput
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def age_votes_and_refresh() -> None:
    """Reputation counts only votes older than two days (docs/rankings.md)."""
    Vote.objects.update(updated_at=timezone.now() - timedelta(days=3))
    rankings.refresh_reputation()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000000218250097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
    ],
)
def test_valid_orcids_are_normalised(raw, expected):
    assert users.normalise_orcid(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0000-0002-1825-0098", "1234", "0000-0002-1694-2339", "abcd-efgh-ijkl-mnop"]
)
def test_invalid_orcids_are_refused(raw):
    with pytest.raises(InvalidInput):
        users.normalise_orcid(raw)


def test_reputation_is_the_mean_aged_net_votes_of_public_named_summaries():
    author = make_user()
    a = make_summary(author=author)
    make_summary(author=author)
    anonymous = make_summary(author=author, anonymous=True)
    for _ in range(4):
        votes.cast(make_user(), a.pk, 1)
    votes.cast(make_user(), anonymous.pk, 1)
    age_votes_and_refresh()
    page = users.page(author.username, None)
    assert page.reputation == 2.0
    assert len(page.cards) == 2


def test_the_users_list_ranks_by_reputation_and_ignores_anonymous_work():
    strong, hidden = make_user(), make_user()
    best = make_summary(author=strong)
    votes.cast(make_user(), best.pk, 1)
    make_summary(author=hidden, anonymous=True, paper=make_paper())
    age_votes_and_refresh()
    listed = list(users.listing(1))
    assert [u.pk for u in listed] == [strong.pk]
    assert listed[0].reputation == 1.0


def test_profile_update_renders_description_and_checks_orcid():
    user = make_user()
    users.update_profile(user, users.ProfileChange("Ada", "I like $\\pi$", "0000-0002-1825-0097"))
    user.refresh_from_db()
    assert user.display_name == "Ada"
    assert "<math" in user.description_html
    with pytest.raises(InvalidInput):
        users.update_profile(user, users.ProfileChange("Ada", "", "0000-0002-1825-0098"))


def test_a_display_name_with_a_line_break_or_control_character_is_refused():
    user = make_user(display_name="Ada")
    for name in ("Ada\nBcc: someone@example.org", "Ada\tL", "Ada\x00", "Ada\u202e"):
        with pytest.raises(InvalidInput) as refused:
            users.update_profile(user, users.ProfileChange(name, "", ""))
        assert refused.value.field_errors["display_name"]
    user.refresh_from_db()
    assert user.display_name == "Ada"
