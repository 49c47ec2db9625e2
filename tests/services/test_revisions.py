import difflib
from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Summary, User
from shortscience.services import revisions, summaries
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


# A save through the real path with the form's options (tests/factories.make_summary).
save = make_summary


def changes(parts):
    return [(p.kind, p.text) for p in parts]


def test_a_word_diff_marks_only_the_words_that_changed_and_keeps_the_spacing():
    parts, cut = revisions.word_diff(
        "The cat sat on the mat.\n\nSecond paragraph.", "The dog sat on the mat.\n\nSecond one."
    )
    assert not cut
    assert changes(parts) == [
        ("same", "The "),
        ("removed", "cat"),
        ("added", "dog"),
        ("same", " sat on the mat.\n\nSecond "),
        ("removed", "paragraph"),
        ("added", "one"),
        ("same", "."),
    ]
    assert "".join(p.text for p in parts if p.kind != "removed") == (
        "The dog sat on the mat.\n\nSecond one."
    )


def test_a_word_diff_shows_insertions_and_deletions_of_whole_words():
    parts, _ = revisions.word_diff("alpha beta gamma", "alpha gamma delta")
    assert changes(parts) == [
        ("same", "alpha "),
        ("removed", "beta "),
        ("same", "gamma "),
        ("added", "delta"),
    ]


def test_two_texts_of_sixty_thousand_characters_are_compared_without_cutting():
    words = [f"w{n % 997} " if n % 7 else f"term{n} " for n in range(12_000)]
    old = "".join(words)[:60_000]
    new = old.replace("term70 ", "changed ").replace("w5 ", "w5 inserted ", 1)
    parts, cut = revisions.word_diff(old, new)
    assert not cut
    assert ("removed", "term70") in changes(parts)
    assert sum(p.kind == "added" for p in parts) == 2
    assert "".join(p.text for p in parts if p.kind != "added") == old
    assert "".join(p.text for p in parts if p.kind != "removed") == new


def test_very_long_revisions_are_compared_up_to_the_cap_and_say_so():
    old = "word " * (revisions.MAX_DIFF_CHARS // 5 + 100)
    parts, cut = revisions.word_diff(old, old + "more")
    assert cut
    assert changes(parts) == [("same", old[: revisions.MAX_DIFF_CHARS])]


def _sixty_thousand(token):
    text, n = "", 0
    while len(text) < 60_000:
        text += token(n) + " "
        n += 1
    return text[:60_000]


def _counting_matchers(monkeypatch):
    """The elements every difflib comparison of revisions.py is given, one entry each."""
    sizes = []
    real = difflib.SequenceMatcher

    def counting(isjunk, a, b, autojunk):
        assert autojunk
        sizes.append(len(a) + len(b))
        return real(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", counting)
    return sizes


@pytest.mark.parametrize("breaks", [" ", "\n"])
def test_the_same_words_in_another_order_are_compared_within_the_budget(monkeypatch, breaks):
    # Unique tokens matching in a different order made difflib quadratic: minutes per request.
    old = _sixty_thousand(lambda n: f"x{n % 50} y{n}{breaks}")
    new = _sixty_thousand(lambda n: f"y{n} x{n % 50}{breaks}")
    sizes = _counting_matchers(monkeypatch)
    compared = revisions.compare(old, new)
    assert sum(sizes) <= revisions.WORD_BUDGET + revisions.LINE_BUDGET
    assert all(size <= max(revisions.WORD_BUDGET, revisions.LINE_BUDGET) for size in sizes)
    assert compared.coarse and not compared.cut
    assert "".join(p.text for p in compared.parts if p.kind != "added") == old
    assert "".join(p.text for p in compared.parts if p.kind != "removed") == new


def test_many_changed_lines_are_compared_by_line_then_by_word_where_the_budget_allows(
    monkeypatch,
):
    lines = [f"Line {n} says " + " ".join(f"w{n}_{k}" for k in range(12)) for n in range(500)]
    old = "\n".join(lines)
    edited = list(lines)
    edited[0] = edited[0].replace("w0_3", "first")
    edited[499] = edited[499].replace("w499_3", "last")
    edited[250] = "A new line in the middle."
    new = "\n".join(edited)
    sizes = _counting_matchers(monkeypatch)
    compared = revisions.compare(old, new)
    assert sum(sizes) <= revisions.WORD_BUDGET + revisions.LINE_BUDGET
    assert not compared.coarse
    assert ("removed", "w0_3") in changes(compared.parts)
    assert ("added", "first") in changes(compared.parts)
    assert ("added", "last") in changes(compared.parts)
    assert "".join(p.text for p in compared.parts if p.kind != "removed") == new


def test_the_default_diff_is_the_previous_revision_against_the_latest():
    author, paper = make_user(), make_paper()
    save(author, paper, "one")
    save(author, paper, "two")
    summary = save(author, paper, "three")
    found = revisions.diff(summary.pk, author)
    assert found.old is not None
    assert (found.old.number, found.new.number) == (2, 3)
    assert changes(found.parts) == [("removed", "two"), ("added", "three")]
    assert (found.added, found.removed) == (1, 1)
    assert [r.number for r in found.revisions] == [3, 2, 1]
    assert found.restorable == [2]


def test_any_two_revisions_compare_in_either_order():
    author, paper = make_user(), make_paper()
    save(author, paper, "one")
    save(author, paper, "two")
    summary = save(author, paper, "three")
    backwards = revisions.diff(summary.pk, author, old=3, new=1)
    assert changes(backwards.parts) == [("removed", "three"), ("added", "one")]
    assert backwards.restorable == [1]
    assert changes(revisions.diff(summary.pk, author, old=1, new=1).parts) == [("same", "one")]


def test_a_summary_with_one_revision_has_nothing_to_compare():
    summary = make_summary(markdown="only")
    found = revisions.diff(summary.pk, summary.author)
    assert found.old is None and found.parts == []


def test_an_unknown_revision_is_not_found():
    summary = make_summary()
    with pytest.raises(NotFound):
        revisions.diff(summary.pk, summary.author, old=1, new=9)
    with pytest.raises(NotFound):
        revisions.restore(summary.pk, summary.author, 9)


def test_the_history_lists_every_revision_newest_first():
    author, paper = make_user(), make_paper()
    save(author, paper, "draft", publish=False)
    summary = save(author, paper, "published")
    summary_, listed = revisions.history(summary.pk, author)
    assert summary_ == summary
    assert [(r.number, r.status) for r in listed] == [(2, "published"), (1, "draft")]


def test_only_the_author_sees_history_and_diffs_not_even_staff():
    public = make_summary()
    anonymous = make_summary(anonymous=True)
    private = make_summary(private=True)
    for other in (make_user(), make_user(is_staff=True)):
        for summary in (public, anonymous):
            with pytest.raises(PermissionDenied):
                revisions.history(summary.pk, other)
            with pytest.raises(PermissionDenied):
                revisions.diff(summary.pk, other)
            with pytest.raises(PermissionDenied):
                revisions.restore(summary.pk, other, 1)
        with pytest.raises(NotFound):
            revisions.history(private.pk, other)
        with pytest.raises(NotFound):
            revisions.diff(private.pk, other, 1, 1)


def test_restoring_a_published_summary_publishes_the_old_text_as_a_new_revision():
    author, paper = make_user(), make_paper()
    save(author, paper, "First take with $x$.")
    save(author, paper, "Second take.")
    save(author, paper, "Third take.")
    done = revisions.restore(Summary.objects.get(author=author).pk, author, 1)
    assert (done.restored, done.revision) == (1, 4)
    summary = Summary.objects.get(pk=done.summary.pk)
    assert summary.is_public
    assert summary.markdown == "First take with $x$."
    assert "First take" in summary.html and "<math" in summary.html
    assert list(summary.revisions.values_list("number", "markdown"))[:2] == [
        (4, "First take with $x$."),
        (3, "Third take."),
    ]


def test_restoring_keeps_a_draft_a_draft_and_a_private_or_anonymous_summary_as_it_is():
    author, paper = make_user(), make_paper()
    save(author, paper, "draft one", publish=False)
    summary = save(author, paper, "draft two", publish=False)
    done = revisions.restore(summary.pk, author, 1)
    assert done.summary.status == Summary.Status.DRAFT
    assert done.summary.markdown == "draft one"
    other = make_user()
    save(other, paper, "secret v1", private=True, anonymous=True)
    mine = save(other, paper, "secret v2", private=True, anonymous=True)
    restored = revisions.restore(mine.pk, other, 1).summary
    assert restored.visibility == Summary.Visibility.PRIVATE and restored.is_anonymous


def test_restoring_the_current_text_adds_no_revision():
    summary = make_summary(markdown="same")
    done = revisions.restore(summary.pk, summary.author, 1)
    assert done.revision is None
    assert summary.revisions.count() == 1


def test_a_suspended_author_cannot_restore():
    author, paper = make_user(), make_paper()
    save(author, paper, "one")
    summary = save(author, paper, "two")
    User.objects.filter(pk=author.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    author.refresh_from_db()
    with pytest.raises(PermissionDenied, match="suspended until"):
        revisions.restore(summary.pk, author, 1)
    assert Summary.objects.get(pk=summary.pk).markdown == "two"


def test_a_long_unchanged_stretch_is_folded_keeping_whole_lines_beside_each_change():
    middle = "".join(f"Unchanged line {n} of the long middle.\n" for n in range(200))
    old = f"Start here.\n{middle}End here."
    new = f"Begin here.\n{middle}Finish here."
    parts, _ = revisions.word_diff(old, new)
    folded = revisions.fold(parts)
    kinds = [p.kind for p in folded]
    assert kinds == ["removed", "added", "same", "folded", "same", "removed", "added", "same"]
    kept_before, hidden, kept_after = folded[2].text, folded[3].text, folded[4].text
    assert kept_before.endswith("\n") and hidden.endswith("\n")
    assert 400 <= len(kept_before) < 500 and 400 <= len(kept_after) < 500
    assert "".join(p.text for p in folded if p.kind != "removed") == new


def test_nothing_folds_when_nothing_changed_or_the_stretch_is_short():
    same = [revisions.Part("same", "x\n" * 2000)]
    assert revisions.fold(same) == same
    short, _ = revisions.word_diff("a b c", "a x c")
    assert revisions.fold(short) == short


def test_a_revision_over_todays_limit_is_refused_with_a_clear_message_and_nothing_changes(
    settings,
):
    author, paper = make_user(), make_paper()
    save(author, paper, "A long first version of the text.")
    summary = save(author, paper, "Short.")
    settings.SUMMARY_MAX_CHARS = 10
    with pytest.raises(InvalidInput, match=r"Revision 1 cannot be restored: .*limit is 10"):
        revisions.restore(summary.pk, author, 1)
    assert Summary.objects.get(pk=summary.pk).markdown == "Short."
    assert summary.revisions.count() == 2


def test_restoring_a_revision_keeps_an_autosaved_draft_as_a_revision():
    summary = make_summary(markdown="First words.")
    save(summary.author, summary.paper, "Second words.")
    summaries.autosave(summary.author, summary.paper, "Typed, never saved.", base_version=None)
    revisions.restore(summary.pk, summary.author, 1)
    summary.refresh_from_db()
    assert summary.markdown == "First words." and summary.draft_markdown == ""
    assert "Typed, never saved." in list(summary.revisions.values_list("markdown", flat=True))
