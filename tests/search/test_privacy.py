"""Who finds what: private and draft summaries only by their author, hidden ones by nobody,
anonymous ones never through their author's name, comments only on public summaries."""

import itertools

import pytest
from django.contrib.auth.models import Group

from shortscience import search
from shortscience.models import SearchDocument, Summary
from shortscience.models.summaries import public_q
from shortscience.services import comments, moderation
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def summary_ids(query, viewer=None):
    ids = set()
    for hit in search.search(query, viewer=viewer).hits:
        if hit.kind == "summary":
            assert hit.summary is not None, hit
            ids.add(hit.summary.pk)
    return ids


@pytest.fixture
def writer():
    return make_user("hiddenwriter", display_name="Quentin Zanzibar")


def test_a_private_summary_is_found_only_by_its_author(writer):
    private = make_summary(author=writer, markdown="zebra secret finding", private=True)
    assert summary_ids("zebra", writer) == {private.pk}
    assert summary_ids("zebra", make_user()) == set()
    assert summary_ids("zebra") == set()


def test_a_draft_is_found_only_by_its_author(writer):
    draft = make_summary(author=writer, markdown="unfinished musing", publish=False)
    assert summary_ids("musing", writer) == {draft.pk}
    assert summary_ids("musing", make_user()) == set()


def test_a_hidden_summary_is_found_by_nobody_not_even_its_author(writer):
    moderator = make_user("mod")
    moderator.groups.add(Group.objects.get(name="moderators"))
    hidden = make_summary(author=writer, markdown="moderated away words")
    moderation.act(moderator, "hide", "summary", hidden.pk, "spam")
    assert summary_ids("moderated", writer) == set()
    assert summary_ids("moderated") == set()


def test_an_anonymous_summary_never_leads_to_its_author(writer):
    anon = make_summary(author=writer, markdown="anonymous insight", anonymous=True)
    assert summary_ids("insight") == {anon.pk}
    assert summary_ids("zanzibar") == set()
    assert summary_ids("hiddenwriter") == set()
    assert summary_ids("user:hiddenwriter") == set()
    assert summary_ids("user:hiddenwriter", writer) == set()
    doc = SearchDocument.objects.get(kind="summary", object_id=anon.pk)
    assert (doc.people, doc.author_username) == ("", "")


def test_a_named_summary_is_found_through_its_author(writer):
    named = make_summary(author=writer, markdown="named insight")
    assert summary_ids("zanzibar") == {named.pk}
    assert summary_ids("user:hiddenwriter") == {named.pk}


def test_comments_are_found_only_on_public_summaries_and_while_not_deleted(writer):
    public = make_summary(markdown="public text")
    private = make_summary(author=writer, markdown="private text", private=True)
    reader = make_user()
    kept = comments.add(reader, public.pk, "walrus remark")
    deleted = comments.add(reader, public.pk, "walrus deleted remark")
    comments.delete(reader, deleted.pk)
    Summary.objects.filter(pk=private.pk).update(visibility="public")
    on_private = comments.add(reader, private.pk, "walrus on private")
    Summary.objects.filter(pk=private.pk).update(visibility="private")
    search.index_summaries([private.pk])
    found = {
        h.comment.pk if h.comment else None for h in search.search("walrus", viewer=writer).hits
    }
    assert found == {kept.pk}
    assert on_private.pk not in found


def test_the_index_states_the_same_public_rule_as_the_site(writer):
    paper = make_paper()
    made = []
    for status, visibility, hidden in itertools.product(
        ["draft", "published"], ["public", "private"], [False, True]
    ):
        summary = make_summary(author=make_user(), paper=paper, markdown="rule check")
        Summary.objects.filter(pk=summary.pk).update(
            status=status, visibility=visibility, is_hidden=hidden
        )
        made.append(summary.pk)
    search.index_summaries(made)
    public = set(Summary.objects.filter(public_q(), pk__in=made).values_list("pk", flat=True))
    indexed = set(
        SearchDocument.objects.filter(kind="summary", is_public=True).values_list(
            "object_id", flat=True
        )
    )
    assert indexed == public
