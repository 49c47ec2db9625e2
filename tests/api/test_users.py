"""People through the API: profile, reputation and their named public summaries."""

import pytest

from shortscience.models import Summary, User
from tests.api.conftest import error_shape
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_profile_shows_reputation_and_named_public_summaries(stranger):
    person = make_user("grace", display_name="Grace H.", orcid="0000-0002-1825-0097")
    good = make_summary(author=person)
    bad = make_summary(author=person)
    Summary.objects.filter(pk=good.pk).update(score=4)
    Summary.objects.filter(pk=bad.pk).update(score=1)
    make_summary(author=person, anonymous=True)
    make_summary(author=person, private=True)
    make_summary(author=person, publish=False)
    # The stored value (services/rankings.py keeps it; tests/services/test_reputation.py).
    User.objects.filter(pk=person.pk).update(reputation=2.5)
    response = stranger.get("/users/grace")
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["name"], body["orcid"]) == (
        "grace",
        "Grace H.",
        "0000-0002-1825-0097",
    )
    assert body["orcid_verified"] is False  # typed on the profile, never proved
    assert body["reputation"] == 2.5
    assert body["summary_count"] == 2
    assert {s["id"] for s in body["summaries"]} == {good.pk, bad.pk}
    assert body["next"] is None


def test_an_orcid_proved_by_signing_in_is_verified_in_the_api(stranger):
    make_user("proved", orcid="0000-0002-1825-0097", orcid_verified=True)
    body = stranger.get("/users/proved").json()
    assert (body["orcid"], body["orcid_verified"]) == ("0000-0002-1825-0097", True)


def test_an_unknown_or_banned_person_is_a_404(stranger):
    assert error_shape(stranger.get("/users/nobody"))["code"] == "NotFound"
    make_user("banned", is_active=False)
    assert stranger.get("/users/banned").status_code == 404


def test_a_persons_summaries_page_through_to_the_end(stranger, settings):
    settings.PAGE_SIZE = 2
    person = make_user("prolific")
    written = [make_summary(author=person) for _ in range(5)]
    body = stranger.get("/users/prolific").json()
    seen = [s["id"] for s in body["summaries"]]
    assert body["next"].startswith("http://testserver/api/v1/users/prolific/summaries?cursor=")
    url = body["next"].removeprefix("http://testserver/api/v1")
    while url:
        page = stranger.get(url).json()
        seen += [s["id"] for s in page["items"]]
        url = page["next"] and page["next"].removeprefix("http://testserver/api/v1")
    assert seen == [s.pk for s in reversed(written)]
