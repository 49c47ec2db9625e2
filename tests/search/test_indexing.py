"""The index follows every write made through the services, and `reindex` rebuilds it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from shortscience import search
from shortscience.models import Paper, PaperIdentifier, SearchDocument, Summary
from shortscience.search import indexing
from shortscience.services import accounts, comments, events, merging, moderation, summaries, users
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def hits(query, viewer=None):
    return [(h.kind, h.paper.pk) for h in search.search(query, viewer=viewer).hits]


# A save through the real path with the form's options (tests/factories.make_summary).
save = make_summary


@pytest.fixture
def moderator():
    person = make_user("moderator")
    person.groups.add(Group.objects.get(name="moderators"))
    return person


def test_publishing_a_draft_makes_it_findable_by_everyone():
    author, paper = make_user(), make_paper()
    save(author, paper, "platypus draft", publish=False)
    assert hits("platypus") == []
    save(author, paper, "platypus draft", publish=True)
    assert hits("platypus") == [("summary", paper.pk)]


def test_an_edit_replaces_the_old_words():
    author, paper = make_user(), make_paper()
    save(author, paper, "original wording")
    save(author, paper, "rewritten entirely")
    assert hits("original") == []
    assert hits("rewritten") == [("summary", paper.pk)]


def test_making_a_summary_private_hides_it_and_its_comments_from_others():
    author, paper = make_user(), make_paper()
    summary = save(author, paper, "ocelot notes")
    comments.add(make_user(), summary.pk, "ocelot question")
    save(author, paper, "ocelot notes", private=True)
    assert hits("ocelot") == []
    assert hits("ocelot", author) == [("summary", paper.pk)]


def test_deleting_a_summary_removes_it_and_its_comments():
    author, paper = make_user(), make_paper()
    summary = save(author, paper, "narwhal notes")
    comments.add(make_user(), summary.pk, "narwhal question")
    summaries.delete(summary.pk, author)
    assert hits("narwhal") == []
    assert not SearchDocument.objects.filter(summary_id=summary.pk).exists()


def test_hiding_and_restoring_by_a_moderator(moderator):
    summary = make_summary(markdown="axolotl notes")
    moderation.act(moderator, "hide", "summary", summary.pk, "off topic")
    assert hits("axolotl") == []
    moderation.act(moderator, "restore", "summary", summary.pk, "fine after all")
    assert hits("axolotl") == [("summary", summary.paper_id)]


def test_comments_follow_posting_editing_deleting_and_hiding(moderator):
    summary = make_summary()
    reader = make_user()
    comment = comments.add(reader, summary.pk, "pangolin remark")
    assert hits("pangolin") == [("comment", summary.paper_id)]
    comments.edit(reader, comment.pk, "armadillo remark")
    assert hits("pangolin") == [] and hits("armadillo") == [("comment", summary.paper_id)]
    moderation.act(moderator, "hide", "comment", comment.pk, "rude")
    assert hits("armadillo") == []
    moderation.act(moderator, "restore", "comment", comment.pk, "fine")
    assert hits("armadillo") == [("comment", summary.paper_id)]
    comments.delete(reader, comment.pk)
    assert hits("armadillo") == []


def test_a_merge_moves_summaries_to_the_kept_paper_and_forgets_the_other():
    source, target = make_paper("Quokka duplicate"), make_paper("Quokka original")
    make_summary(paper=source, markdown="wombat insight")
    merging.merge(source.pk, target.pk)
    assert hits("wombat") == [("summary", target.pk)]
    assert ("paper", source.pk) not in hits("quokka")


def test_new_paper_metadata_is_indexed_in_bulk(django_assert_max_num_queries):
    papers = Paper.objects.bulk_create(
        [Paper(title=f"Capybara study {i}", authors=["C. Bara"], year=2020) for i in range(300)]
    )
    PaperIdentifier.objects.bulk_create(
        [
            PaperIdentifier(paper=p, scheme="arxiv", value=f"2001.{i:05d}")
            for i, p in enumerate(papers)
        ]
    )
    # 16 for the index (the last one finds the summaries already on these papers, whose pages
    # show the title) and 2 for filing them under their arXiv categories (services/categories.py).
    with django_assert_max_num_queries(18):
        events.papers_written([p.pk for p in papers])
    assert search.search("capybara", viewer=None).total == 300
    assert search.search("2001.00042", viewer=None).redirect_url == papers[42].get_absolute_url()


def test_a_title_change_reaches_the_papers_summaries():
    paper = make_paper("Old title words")
    make_summary(paper=paper, markdown="Text.")
    Paper.objects.filter(pk=paper.pk).update(title="Brand new heading")
    events.papers_written([paper.pk])
    assert sorted(hits("heading")) == [("paper", paper.pk), ("summary", paper.pk)]


def test_a_new_display_name_is_found_and_the_old_one_is_not():
    author = make_user(display_name="Old Moniker")
    make_summary(author=author, markdown="Text.")
    users.update_profile(
        author, users.ProfileChange(display_name="Fresh Alias", description="", orcid="")
    )
    assert hits("moniker") == []
    assert len(hits("alias")) == 1


def test_a_deleted_account_takes_its_summaries_out_of_the_index():
    author = make_user()
    make_summary(author=author, markdown="lemur thoughts")
    accounts.delete_account(author, "a-long-test-password", accounts.Mode.DELETE)
    assert hits("lemur") == []


def test_an_anonymised_account_keeps_its_summaries_without_its_name():
    author = make_user("tapirfan", display_name="Tapir Fan")
    make_summary(author=author, markdown="tapir thoughts")
    accounts.delete_account(author, "a-long-test-password", accounts.Mode.ANONYMISE)
    assert len(hits("thoughts")) == 1
    assert hits("tapirfan") == [] and hits("user:tapirfan") == []


def test_a_vote_updates_the_score():
    summary = make_summary(markdown="gecko notes")
    from shortscience.services import votes

    votes.cast(make_user(), summary.pk, 1)
    assert search.search("gecko", viewer=None).hits[0].score == 1


def test_reindex_rebuilds_the_same_index_from_scratch():
    paper = make_paper("Meerkat behaviour")
    summary = make_summary(paper=paper, markdown="meerkat notes")
    comments.add(make_user(), summary.pk, "meerkat question")
    before = sorted(hits("meerkat"))
    SearchDocument.objects.all().delete()
    assert hits("meerkat") == []
    call_command("reindex", "--quiet")
    assert (
        sorted(hits("meerkat"))
        == before
        == [
            ("comment", paper.pk),
            ("paper", paper.pk),
            ("summary", paper.pk),
        ]
    )


def test_snippets_show_words_not_markdown_marks():
    make_summary(markdown="# Idea\nThey use **attention** and [a link](https://example.org/x).")
    found = search.search("attention", viewer=None)
    snippet = next(hit.snippet_html for hit in found.hits if hit.kind == "summary")
    assert "<mark>attention</mark>" in snippet
    assert "**" not in snippet and "#" not in snippet and "example.org" not in snippet


def test_reindex_writes_documents_in_date_order_whatever_their_kind(monkeypatch):
    # Order holds from one chunk of documents to the next: chunks of one show it exactly.
    monkeypatch.setattr(indexing, "CHUNK", 1)
    older = make_paper("Marmot field notes")
    summary = make_summary(paper=older, markdown="marmot notes")
    newer = make_paper("Marmot burrows")
    published = Summary.objects.get(pk=summary.pk).published_at
    assert published is not None
    Paper.objects.filter(pk=newer.pk).update(created_at=published + timedelta(days=1))
    call_command("reindex", "--quiet")
    ids = dict(SearchDocument.objects.values_list("object_id", "pk").filter(kind="paper"))
    summary_doc = SearchDocument.objects.get(kind="summary", object_id=summary.pk).pk
    assert ids[older.pk] < summary_doc < ids[newer.pk]
