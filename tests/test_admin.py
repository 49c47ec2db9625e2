"""The admin checks what staff type as the services check what members type: identifiers in
each scheme's grammar (stored normalised), venue keys that can be a URL, one-line names."""

from __future__ import annotations

import pytest

from shortscience.models import Paper, PaperIdentifier, User, Venue
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client_for):
    return client_for(make_user(is_staff=True, is_superuser=True))


def paper_form(title: str, scheme: str, value: str) -> dict[str, str]:
    return {
        "title": title,
        "authors": '["Ada Lovelace"]',
        "year": "2020",
        "venue": "",
        "abstract": "",
        "url": "",
        "categories": "[]",
        "field": "",
        "metadata_source": "",
        "identifiers-TOTAL_FORMS": "1",
        "identifiers-INITIAL_FORMS": "0",
        "identifiers-0-scheme": scheme,
        "identifiers-0-value": value,
    }


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("arxiv", "javascript:alert(1)"),
        ("arxiv", "1706.03762<script>"),
        ("doi", "10.1234/<b>x</b>"),
        ("doi", "10.1234/a b"),
        ("dblp", "conf/iccv/<i>G</i>"),
        ("openreview", "rJ4km2R5t7\u202e"),
        ("legacy", "javascript:alert(1)"),
    ],
)
def test_an_identifier_outside_its_schemes_grammar_is_refused(staff, scheme, value):
    response = staff.post("/admin/shortscience/paper/add/", paper_form("A paper", scheme, value))
    assert response.status_code == 200  # the form again, with the error
    assert "That is not" in response.content.decode()
    assert not Paper.objects.exists()


def test_an_identifier_is_stored_in_its_normal_form(staff):
    form = paper_form("A paper", "doi", "10.1109/ICCV.2015.169")
    response = staff.post("/admin/shortscience/paper/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PaperIdentifier.objects.get().value == "10.1109/iccv.2015.169"


def test_a_paper_title_must_be_one_line(staff):
    form = paper_form("A paper\nwith two lines", "arxiv", "1706.03762")
    assert staff.post("/admin/shortscience/paper/add/", form).status_code == 200
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("Vision//Graphics", "Vision"),
        ("<b>X</b>", "X"),
        ("A  B", "X"),
        ("X", "X\nY"),
        ("X", "X\x00"),
    ],
)
def test_a_venue_key_must_fit_a_url_and_its_name_one_line(staff, key, name):
    response = staff.post("/admin/shortscience/venue/add/", {"key": key, "name": name, "url": ""})
    assert response.status_code == 200
    assert not Venue.objects.exists()


def test_a_good_venue_is_added(staff):
    form = {"key": "Künstliche Intell.", "name": "KI", "url": "", "description_markdown": ""}
    response = staff.post("/admin/shortscience/venue/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Venue.objects.get().key == "Künstliche Intell."


def test_a_display_name_typed_in_the_admin_must_be_one_line(staff):
    person = make_user(display_name="Ada")
    form = {
        "username": person.username,
        "email": person.email,
        "display_name": "Ada\nBcc: x@example.org",
        "description_markdown": "",
        "orcid": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "email_notifications": "immediate",
    }
    response = staff.post(f"/admin/shortscience/user/{person.pk}/change/", form)
    assert response.status_code == 200
    assert "no line breaks" in response.content.decode()
    assert User.objects.get(pk=person.pk).display_name == "Ada"


def test_an_older_identifier_left_as_it_was_does_not_block_editing_its_paper(staff):
    paper = Paper.objects.create(title="Old", authors=["Ada Lovelace"], year=2020)
    old = PaperIdentifier.objects.create(paper=paper, scheme="legacy", value="Old:Key 2016")
    form = paper_form("Old, retitled", "arxiv", "1706.03762")
    form.update(
        {
            "identifiers-TOTAL_FORMS": "2",
            "identifiers-INITIAL_FORMS": "1",
            "identifiers-0-id": str(old.pk),
            "identifiers-0-paper": str(paper.pk),
            "identifiers-0-scheme": "legacy",
            "identifiers-0-value": "Old:Key 2016",
            "identifiers-1-scheme": "arxiv",
            "identifiers-1-value": "1706.03762",
        }
    )
    response = staff.post(f"/admin/shortscience/paper/{paper.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(paper.identifiers.values_list("value", flat=True)) == {"Old:Key 2016", "1706.03762"}
