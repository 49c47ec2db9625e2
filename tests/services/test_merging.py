import pytest

from shortscience.models import Comment, Paper, PaperIdentifier, Summary, Vote
from shortscience.services import comments, merging, votes
from shortscience.services.errors import InvalidInput
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_merging_moves_identifiers_summaries_votes_and_comments():
    keep, dup = make_paper("Deep Residual Learning"), make_paper("Deep residual learning.")
    PaperIdentifier.objects.create(paper=dup, scheme="doi", value="10.1109/cvpr.2016.90")
    summary = make_summary(paper=dup)
    voter = make_user()
    votes.cast(voter, summary.pk, 1)
    comments.add(voter, summary.pk, "good")
    result = merging.merge(dup.pk, keep.pk)
    assert result.kept == keep and result.summaries == 1
    assert not Paper.objects.filter(pk=dup.pk).exists()
    assert set(keep.identifiers.values_list("scheme", flat=True)) == {"arxiv", "doi"}
    moved = Summary.objects.get(pk=summary.pk)
    assert moved.paper_id == keep.pk and moved.score == 1 and moved.comments.count() == 1


def test_one_persons_two_summaries_fold_without_losing_text_votes_or_comments():
    keep, dup = make_paper(), make_paper()
    author = make_user()
    kept = make_summary(author=author, paper=keep, markdown="kept text")
    folded = make_summary(author=author, paper=dup, markdown="other text")
    a, b = make_user(), make_user()
    votes.cast(a, kept.pk, 1)
    votes.cast(a, folded.pk, -1)
    votes.cast(b, folded.pk, 1)
    comments.add(b, folded.pk, "on the other one")
    result = merging.merge(dup.pk, keep.pk)
    assert result.folded_summaries == 1
    survivor = Summary.objects.get(author=author)
    assert survivor.paper_id == keep.pk and survivor.markdown == "kept text"
    assert "other text" in list(survivor.revisions.values_list("markdown", flat=True))
    assert (
        survivor.score
        == 2
        == sum(Vote.objects.filter(summary=survivor).values_list("value", flat=True))
    )
    assert Comment.objects.get().summary_id == survivor.pk and survivor.comment_count == 1


def test_the_better_scored_summary_survives_a_fold():
    keep, dup = make_paper(), make_paper()
    author = make_user()
    make_summary(author=author, paper=keep, markdown="weak")
    strong = make_summary(author=author, paper=dup, markdown="strong")
    votes.cast(make_user(), strong.pk, 1)
    merging.merge(dup.pk, keep.pk)
    survivor = Summary.objects.get(author=author)
    assert survivor.markdown == "strong" and survivor.paper_id == keep.pk


def test_a_paper_cannot_merge_into_itself():
    paper = make_paper()
    with pytest.raises(InvalidInput):
        merging.merge(paper.pk, paper.pk)


def test_the_merge_command_reports_what_moved(capsys):
    from django.core.management import call_command

    keep, dup = make_paper(), make_paper()
    make_summary(paper=dup)
    call_command("merge_papers", str(dup.pk), str(keep.pk))
    assert "1 summaries moved" in capsys.readouterr().out


def test_an_anonymous_and_a_named_summary_by_one_person_are_never_folded():
    from shortscience.models import Summary
    from shortscience.services.errors import Conflict

    keep, dup = make_paper(), make_paper()
    author = make_user()
    make_summary(author=author, paper=keep, markdown="named")
    make_summary(author=author, paper=dup, markdown="anonymous", anonymous=True)
    with pytest.raises(Conflict, match="anonymity"):
        merging.merge(dup.pk, keep.pk)
    assert Paper.objects.filter(pk=dup.pk).exists()
    assert Summary.objects.filter(author=author).count() == 2


def test_the_merged_away_papers_open_reports_move_to_the_kept_paper():
    from shortscience.models import Flag
    from shortscience.services import works

    a, b, c, d = (make_paper() for _ in range(4))
    one, two = make_user(), make_user()
    pair = works.report(a, b, one, "A same as B")
    a_c = works.report(a, c, one, "A same as C")
    d_a = works.report(d, a, one, "D same as A")
    c_a = works.report(c, a, two, "C same as A")
    c_b = works.report(c, b, two, "C same as B")  # c_a would repeat it once a is b
    merging.merge(a.pk, b.pk)
    rows = {f.pk: f for f in Flag.objects.all()}
    assert rows[pair.pk].resolved_at is not None  # what the merge settled
    assert (rows[a_c.pk].target_id, rows[a_c.pk].duplicate_of_id) == (b.pk, c.pk)
    assert (rows[d_a.pk].target_id, rows[d_a.pk].duplicate_of_id) == (d.pk, b.pk)
    assert rows[a_c.pk].resolved_at is None and rows[d_a.pk].resolved_at is None
    assert rows[c_a.pk].resolved_at is not None and rows[c_b.pk].resolved_at is None


def test_a_merged_away_papers_id_leads_to_the_kept_paper_even_after_a_second_merge():
    from shortscience.services import papers

    a, b, c = make_paper(), make_paper(), make_paper()
    merging.merge(a.pk, b.pk)
    assert papers.moved_to(a.pk) == b
    merging.merge(b.pk, c.pk)
    assert papers.moved_to(a.pk) == c and papers.moved_to(b.pk) == c
    assert papers.moved_to(c.pk) is None


def test_a_summary_with_an_autosaved_draft_keeps_its_draft_text_when_folded():
    from shortscience.services import summaries

    keep, dup = make_paper(), make_paper()
    author = make_user()
    make_summary(author=author, paper=keep, markdown="kept text")
    folded = make_summary(author=author, paper=dup, markdown="other text")
    summaries.autosave(author, dup, "other text, typed on", base_version=None)
    votes.cast(make_user(), folded.pk, -1)
    merging.merge(dup.pk, keep.pk)
    survivor = Summary.objects.get(author=author)
    assert "other text, typed on" in list(survivor.revisions.values_list("markdown", flat=True))


def test_an_empty_autosaved_draft_does_not_block_a_merge_and_its_text_is_kept():
    from shortscience.services import summaries

    keep, dup = make_paper(), make_paper()
    author = make_user()
    published = make_summary(author=author, paper=keep, markdown="published text")
    summaries.autosave(author, dup, "a thought on the duplicate", base_version=None)
    result = merging.merge(dup.pk, keep.pk)
    assert result.folded_summaries == 1
    survivor = Summary.objects.get(author=author)
    assert survivor.pk == published.pk and survivor.is_public
    assert survivor.markdown == "published text"
    assert "a thought on the duplicate" in list(
        survivor.revisions.values_list("markdown", flat=True)
    )
