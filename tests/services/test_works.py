"""One paper per work (services/works.py): the duplicate check before a paper is typed in, and
the merge when a source says a preprint and a published version are one work."""

from __future__ import annotations

import pytest

from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
from shortscience.models import Flag, ModerationAction, Paper, PaperIdentifier, Summary
from shortscience.services import moderation, works
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

DOI = Identifier(Scheme.DOI, "10.1109/cvpr.2016.90")
ARXIV = Identifier(Scheme.ARXIV, "1512.03385")


def _arxiv_of(paper: Paper) -> str:
    return paper.identifiers.get(scheme="arxiv").value


def test_the_same_title_in_other_case_punctuation_and_accents_is_found():
    paper = make_paper("Attention Is All You Need")
    typed = PaperMetadata(title="attention is all you need.", source="manual")
    assert works.existing(typed) == [paper]
    assert works.existing(PaperMetadata(title="Attention is not all you need")) == []


def test_any_same_identifier_or_alias_is_found():
    paper = make_paper("Some title")
    alias = Identifier(Scheme.DOI, f"10.48550/arxiv.{_arxiv_of(paper)}")
    assert works.existing(PaperMetadata(title="Another title", identifiers=[alias])) == [paper]


def test_the_title_check_reads_an_index():
    from django.db import connection

    assert "title_key" in {
        column
        for index in connection.introspection.get_constraints(
            connection.cursor(), Paper._meta.db_table
        ).values()
        if index["index"]
        for column in index["columns"]
    }


def test_a_preprint_and_its_published_version_become_one_paper_with_discussion_kept():
    preprint = make_paper("Deep Residual Learning for Image Recognition")
    PaperIdentifier.objects.filter(paper=preprint).update(value=ARXIV.value)
    published = make_paper("Deep residual learning for image recognition")
    PaperIdentifier.objects.create(paper=published, scheme="doi", value=DOI.value)
    summary = make_summary(paper=published)
    meta = PaperMetadata(
        title="Deep Residual Learning for Image Recognition.",
        identifiers=[DOI],
        same_work=[ARXIV],
        source="crossref",
    )
    kept = works.settle(meta, make_user()).paper
    assert kept is not None and Paper.objects.count() == 1
    assert kept.pk == published.pk  # the one with the summary stays
    assert Summary.objects.get(pk=summary.pk).paper_id == kept.pk
    values = set(kept.identifiers.values_list("scheme", "value"))
    assert {("arxiv", ARXIV.value), ("doi", DOI.value)} <= values
    assert ("doi", "10.48550/arxiv.1512.03385") in values  # the arXiv id's alias joins too
    assert works.settle(meta, make_user()).paper == kept and Paper.objects.count() == 1
    logged = ModerationAction.objects.get()  # the merge is in the public log, as the site's own
    assert logged.automatic and logged.moderator is None and logged.action == "merge"
    assert logged.target_id == kept.pk and "Crossref" in logged.reason


def test_when_one_version_is_here_the_other_identifier_is_added_as_an_alias():
    paper = make_paper("Deep Residual Learning")
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value=DOI.value)
    meta = PaperMetadata(
        title="Deep residual learning", identifiers=[DOI], same_work=[ARXIV], source="crossref"
    )
    assert works.settle(meta, make_user()).paper == paper
    assert paper.identifiers.filter(scheme="arxiv", value=ARXIV.value).exists()


def test_nothing_known_leaves_the_creation_to_the_caller():
    meta = PaperMetadata(title="x", identifiers=[DOI], source="crossref")
    assert works.settle(meta, make_user()).paper is None


def test_a_refused_merge_becomes_a_duplicate_report_for_moderators():
    author = make_user()
    preprint, published = make_paper("Deep Residual Learning"), make_paper("Deep residual learning")
    PaperIdentifier.objects.create(paper=published, scheme="doi", value=DOI.value)
    make_summary(author=author, paper=preprint, anonymous=True)
    make_summary(author=author, paper=published)
    meta = PaperMetadata(
        title="Deep Residual Learning",
        identifiers=[DOI],
        same_work=[Identifier(Scheme.ARXIV, _arxiv_of(preprint))],
        source="crossref",
    )
    adder = make_user()
    kept = works.settle(meta, adder).paper
    assert Paper.objects.count() == 2 and kept is not None
    flag = Flag.objects.get(target_type="paper", resolved_at__isnull=True)
    assert flag.reason == "duplicate" and flag.reporter == adder
    assert {flag.target_id, flag.duplicate_of_id} == {preprint.pk, published.pk}
    assert "anonymity" in flag.text and flag.text.startswith("Automatic report")
    assert not ModerationAction.objects.exists()


RESNET = "Deep Residual Learning for Image Recognition"
ATTENTION = "Attention Is All You Need"


def _held(title: str, **ident: str) -> Paper:
    paper = make_paper(title)
    PaperIdentifier.objects.filter(paper=paper).delete()
    for scheme, value in ident.items():
        PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=value)
    return paper


@pytest.mark.parametrize("source", ["manual", "bibtex", ""])
def test_typed_metadata_never_merges_and_adds_nothing(source):
    resnet = _held(RESNET, doi=DOI.value)
    attention = _held(ATTENTION, arxiv="1706.03762")
    typed = PaperMetadata(
        title="Anything",
        identifiers=[DOI, Identifier(Scheme.ARXIV, "1706.03762"), Identifier(Scheme.DBLP, "a/b")],
        source=source,
    )
    assert works.settle(typed, make_user()).paper == resnet  # the first paper holding one
    assert Paper.objects.count() == 2
    assert set(resnet.identifiers.values_list("value", flat=True)) == {DOI.value}
    assert set(attention.identifiers.values_list("value", flat=True)) == {"1706.03762"}
    assert not Flag.objects.exists() and not ModerationAction.objects.exists()


@pytest.mark.parametrize("source", ["crossref", "arxiv", "semanticscholar"])
def test_a_source_naming_a_paper_of_another_title_merges_nothing_and_reports_it(source):
    resnet = _held(RESNET, doi=DOI.value)
    attention = _held(ATTENTION, arxiv="1706.03762")
    meta = PaperMetadata(
        title=RESNET,
        identifiers=[DOI],
        same_work=[Identifier(Scheme.ARXIV, "1706.03762")],
        source=source,
    )
    adder = make_user()
    assert works.settle(meta, adder).paper == resnet
    assert Paper.objects.count() == 2
    assert set(attention.identifiers.values_list("value", flat=True)) == {"1706.03762"}
    assert not resnet.identifiers.filter(value__contains="1706.03762").exists()
    flag = Flag.objects.get()
    assert (flag.target_id, flag.duplicate_of_id, flag.reporter) == (resnet.pk, attention.pk, adder)
    assert flag.text.startswith("Automatic report") and "titles differ" in flag.text
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    ("one", "other", "agree"),
    [
        (RESNET, "Deep residual learning for image recognition.", True),
        ("Attention Is All You Need", "Attention is all you need!", True),
        (  # a published title's small change: 6 of 7 words of 3+ letters shared
            "Generative Adversarial Networks for Image Synthesis",
            "Generative Adversarial Networks for Realistic Image Synthesis",
            True,
        ),
        (  # two words changed: 5 of 7
            "Generative Adversarial Networks for Image Synthesis",
            "Generative Adversarial Networks for Text Synthesis Tasks",
            False,
        ),
        (RESNET, "Deep Residual Learning", False),
        (RESNET, ATTENTION, False),
        ("Attention is all you need", "Attention is not all you need", False),
        ("", "", False),
    ],
)
def test_titles_agree_when_folded_equal_or_nearly_the_same_words(one, other, agree):
    assert works.titles_agree(one, other) is agree


def test_an_automatic_report_never_replaces_the_persons_own_report_of_another_pair():
    person = make_user()
    a, b, c = make_paper(), make_paper(), make_paper()
    moderation.report_duplicate(person, a.pk, _arxiv_of(c))
    works.report(a, b, person, "Automatic report: a source says so")
    works.report(a, b, person, "Automatic report: a source says so")  # idempotent
    rows = Flag.objects.filter(resolved_at__isnull=True).order_by("pk")
    assert [(f.target_id, f.duplicate_of_id) for f in rows] == [(a.pk, c.pk), (a.pk, b.pk)]
    assert rows[0].text.startswith("Same work as")


def test_papers_stored_before_the_column_existed_get_their_folded_titles():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("shortscience.migrations.0017_paper_duplicates")
    old = make_paper("Über Schrödinger: A Study")
    Paper.objects.filter(pk=old.pk).update(title_key="")
    migration.fill_title_keys(apps, None)
    old.refresh_from_db()
    assert old.title_key == "uber schrodinger a study"
    assert works.existing(PaperMetadata(title="uber schrodinger, a study")) == [old]
