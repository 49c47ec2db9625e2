"""Similar papers and summaries: TF-IDF neighbours, stored, refreshed after a publish."""

import pytest
from django.core.management import call_command

from shortscience.models import SimilarPaper, SimilarSummary, Summary
from shortscience.services import similar
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

TRANSFORMER = (
    "The transformer replaces recurrence with self-attention: multi-head attention over queries, "
    "keys and values lets every token attend to every other token in a sequence."
)
ATTENTION = (
    "Neural machine translation with an attention mechanism: the decoder learns attention "
    "weights over encoder states, so each output token attends to relevant source tokens."
)
PROTEINS = (
    "Protein structure prediction: AlphaFold predicts the folded three-dimensional structure of "
    "a protein from its amino acid sequence using residue contacts and distance geometry."
)


def shown(paper):
    """What the paper page shows: it passes the ids of the paper's public summaries."""
    ids = [s.pk for s in paper.summaries.all() if s.is_public]
    return similar.for_paper(paper.pk, ids)


@pytest.fixture
def papers():
    made = {}
    for name, title, text in (
        ("transformer", "Attention is all you need", TRANSFORMER),
        ("attention", "Neural machine translation by jointly learning to align", ATTENTION),
        ("proteins", "Highly accurate protein structure prediction", PROTEINS),
    ):
        paper = make_paper(title)
        made[name] = (paper, make_summary(paper=paper, markdown=text))
    return made


def test_a_transformer_paper_is_nearer_attention_than_protein_folding(papers):
    similar.rebuild()
    links = list(SimilarPaper.objects.filter(paper=papers["transformer"][0]).order_by("rank"))
    assert links[0].similar_id == papers["attention"][0].pk
    scores = {link.similar_id: link.score for link in links}
    assert scores[papers["attention"][0].pk] > scores.get(papers["proteins"][0].pk, 0.0)
    found = shown(papers["transformer"][0])
    assert found.papers[0] == papers["attention"][0]
    assert found.summaries[0] == papers["attention"][1]


def test_publishing_a_summary_adds_its_paper_to_its_neighbours_lists(
    papers, django_capture_on_commit_callbacks
):
    similar.rebuild()
    paper = make_paper("Transformers for long sequences")
    with django_capture_on_commit_callbacks(execute=True):
        summary = make_summary(paper=paper, markdown=TRANSFORMER + " Sparse attention scales.")
    assert shown(paper).papers[0] == papers["transformer"][0]
    assert paper in shown(papers["transformer"][0]).papers
    assert summary in shown(papers["attention"][0]).summaries


def test_deleting_a_summary_refreshes_its_papers_neighbours(
    papers, django_capture_on_commit_callbacks
):
    similar.rebuild()
    paper, summary = papers["attention"]
    with django_capture_on_commit_callbacks(execute=True):
        Summary.objects.filter(pk=summary.pk).delete()
        similar.on_summary_changed(paper.pk, public_now=False, was_public=True)
    assert not SimilarPaper.objects.filter(paper=paper).exists()
    assert paper not in shown(papers["transformer"][0]).papers


def test_hidden_and_private_summaries_are_not_shown(papers):
    similar.rebuild()
    attention = papers["attention"][1]
    Summary.objects.filter(pk=attention.pk).update(is_hidden=True)
    found = shown(papers["transformer"][0])
    assert attention not in found.summaries
    assert papers["attention"][0] not in found.papers  # no public summary left
    Summary.objects.filter(pk=attention.pk).update(is_hidden=False, visibility="private")
    assert attention not in shown(papers["transformer"][0]).summaries


def test_the_corpus_leaves_out_papers_without_a_public_summary(papers):
    bare = make_paper("Attention transformer self-attention tokens")
    make_summary(author=make_user(), paper=make_paper("Draft"), markdown=TRANSFORMER, publish=False)
    corpus = similar.paper_corpus()
    assert corpus is not None
    assert set(corpus.keys) == {p.pk for p, _ in papers.values()}
    assert bare.pk not in corpus.keys


def test_the_command_rebuilds_everything(papers, capsys):
    call_command("compute_similar")
    assert SimilarPaper.objects.exists()
    assert SimilarSummary.objects.exists()
    assert "papers: 3" in capsys.readouterr().out


def test_reading_the_neighbours_costs_two_queries(papers, django_assert_num_queries):
    similar.rebuild()
    paper, summary = papers["transformer"]
    with django_assert_num_queries(2):
        found = similar.for_paper(paper.pk, [summary.pk])
        [s.paper.title for s in found.summaries]
