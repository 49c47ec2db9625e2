"""The pages as Markdown: public summaries only, their source, anonymous authors never named,
a bounded number of queries."""

import pytest
from django.contrib.auth.models import Group

from shortscience.services import comments, markdown_pages, moderation
from shortscience.services.errors import NotFound
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

BASE = "https://example.org/"


def test_a_paper_document_holds_its_metadata_and_public_summaries_in_source():
    paper = make_paper("Attention: all you need", url="https://arxiv.org/abs/1706.03762")
    make_summary(make_user(display_name="Ada Writer"), paper, "Uses *attention* and $x^2$.")
    text = markdown_pages.paper_markdown(markdown_pages.paper(paper.pk), base=BASE)
    assert text.startswith("---\ntitle: 'Attention: all you need'\n")
    assert "- Ada Lovelace\n" in text
    assert "  arxiv: '1706." in text  # quoted: it is not a number
    assert f"page: https://example.org/papers/{paper.pk}/\n" in text
    assert "## Summary by Ada Writer" in text
    assert "Uses *attention* and $x^2$." in text  # the source, not the HTML
    assert "<em>" not in text


def test_private_draft_and_hidden_summaries_never_appear():
    paper = make_paper()
    writer = make_user(display_name="Visible Person")
    make_summary(writer, paper, "the public words")
    make_summary(make_user(display_name="Private Person"), paper, "private words", private=True)
    make_summary(make_user(display_name="Draft Person"), paper, "draft words", publish=False)
    hidden = make_summary(make_user(display_name="Hidden Person"), paper, "hidden words")
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="moderators"))
    moderation.act(moderator, "hide", "summary", hidden.pk, "spam")
    text = markdown_pages.paper_markdown(markdown_pages.paper(paper.pk), base=BASE)
    assert "the public words" in text
    for secret in ("private", "draft", "hidden", "Private Person", "Draft Person", "Hidden"):
        assert secret not in text
    for summary_id in (s.pk for s in paper.summaries.exclude(markdown="the public words")):
        with pytest.raises(NotFound):
            markdown_pages.summary(summary_id)


def test_an_anonymous_summary_and_its_authors_replies_never_name_the_author():
    writer = make_user("secretwriter", display_name="Quentin Zanzibar")
    anonymous = make_summary(writer, markdown="anonymous insight", anonymous=True)
    reader = make_user(display_name="Rita Reader")
    question = comments.add(reader, anonymous.pk, "A question?")
    comments.add(writer, anonymous.pk, "An answer.", parent_id=question.pk)
    paper_doc, doc = markdown_pages.summary(anonymous.pk)
    text = markdown_pages.summary_markdown(paper_doc, doc, base=BASE)
    assert "anonymous insight" in text
    assert "author: Anonymous" in text
    assert "### Rita Reader" in text and "A question?" in text
    assert "#### the author (anonymous)" in text and "An answer." in text
    assert "Quentin" not in text and "secretwriter" not in text
    assert f"markdown: {BASE}summaries/{anonymous.pk}.md\n" in text
    assert "  summaries:" not in text  # its paper's other summaries are not counted here
    assert doc.username is None and doc.comments[0].replies[0].username is None


def test_a_deleted_comment_keeps_its_place_without_its_text():
    summary = make_summary()
    comment = comments.add(make_user(), summary.pk, "regrettable words")
    comments.add(make_user(), summary.pk, "a reply", parent_id=comment.pk)
    comments.delete(comment.author, comment.pk)
    paper_doc, doc = markdown_pages.summary(summary.pk)
    text = markdown_pages.summary_markdown(paper_doc, doc, base=BASE)
    assert "regrettable" not in text
    assert "[deleted]" in text and "a reply" in text


def test_a_paper_document_costs_the_same_queries_for_many_summaries(django_assert_num_queries):
    paper = make_paper()
    for n in range(5):
        summary = make_summary(make_user(), paper, f"summary {n}")
        comments.add(make_user(), summary.pk, f"comment {n}")
    with django_assert_num_queries(4):
        doc = markdown_pages.paper(paper.pk, with_comments=True)
    assert len(doc.summaries) == 5
    assert all(len(s.comments) == 1 for s in doc.summaries)


def test_an_unknown_paper_is_not_found():
    with pytest.raises(NotFound):
        markdown_pages.paper(999_999)
