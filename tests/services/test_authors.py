"""Verified authors: iDs kept from metadata, automatic and moderated claims, withdrawal, errata,
merges, the export and the public dump."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.metadata import crossref
from shortscience.metadata.types import PaperMetadata
from shortscience.models import AuthorClaim, AuthorOrcid, Erratum, ModerationAction, User
from shortscience.services import (
    accounts,
    authors,
    comments,
    dumps,
    exports,
    lookup,
    merging,
)
from shortscience.services.errors import Conflict, NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "metadata" / "crossref"
CARBERRY = "0000-0002-1825-0097"  # ORCID's own test iD (Josiah Carberry)
OTHER = "0000-0001-5109-3700"


def proved(username: str, orcid: str = CARBERRY) -> User:
    """A person whose iD an ORCID sign-in proved (as views/accounts.py records it)."""
    user = make_user(username)
    SocialAccount.objects.create(user=user, provider="orcid", uid=orcid)
    accounts.orcid_proved(user, orcid)
    return user


def moderator() -> User:
    return make_user(is_staff=True)


def test_crossref_keeps_each_authors_orcid_beside_the_name():
    works = crossref.parse_works((DATA / "query_fast_rcnn.json").read_bytes())
    listed = [meta.orcids for meta in works if meta.orcids]
    assert listed == [[(CARBERRY, "Josiah Carberry")]]


def test_a_paper_arriving_with_an_orcid_makes_its_proved_owner_a_verified_author():
    owner = proved("carberry")
    paper = lookup.create(
        PaperMetadata(
            title="Psychoceramics revisited",
            authors=["Josiah Carberry", "Someone Else"],
            orcids=[(CARBERRY, "Josiah Carberry"), (OTHER, "Someone Else")],
            source="crossref",
        ),
        make_user(),
    )
    assert set(AuthorOrcid.objects.filter(paper=paper).values_list("orcid", flat=True)) == {
        CARBERRY,
        OTHER,
    }
    found = AuthorClaim.objects.get(paper=paper)
    assert (found.user, found.status, found.source) == (owner, "approved", "metadata")
    assert authors.papers_of(owner) == [paper]


def test_a_typed_orcid_gets_no_automatic_claim():
    make_user("typist", orcid=CARBERRY)  # typed in the profile: not verified
    paper = lookup.create(PaperMetadata(title="Typed", orcids=[(CARBERRY, "J. C.")]), make_user())
    assert not AuthorClaim.objects.filter(paper=paper).exists()


def test_proving_an_orcid_claims_the_papers_that_list_it_through_the_index():
    listed = make_paper("Listed")
    AuthorOrcid.objects.create(paper=listed, orcid=CARBERRY, name="Josiah Carberry")
    for _ in range(3):
        AuthorOrcid.objects.create(paper=make_paper(), orcid=OTHER)
    user = make_user("late")
    SocialAccount.objects.create(user=user, provider="orcid", uid=CARBERRY)
    with CaptureQueriesContext(connection) as ctx:
        accounts.orcid_proved(user, CARBERRY)
    lookups = [q["sql"] for q in ctx.captured_queries if "shortscience_authororcid" in q["sql"]]
    assert lookups and all("orcid" in sql for sql in lookups)  # by iD, never every paper
    assert list(AuthorClaim.objects.values_list("paper", "status")) == [(listed.pk, "approved")]


def test_an_unverified_orcid_cannot_claim_and_is_told_why():
    paper = make_paper()
    with pytest.raises(authors.OrcidNotVerified, match="signing in with ORCID"):
        authors.claim(make_user(orcid=CARBERRY), paper.pk)
    assert not AuthorClaim.objects.exists()


def test_a_claim_the_metadata_backs_is_verified_at_once():
    paper = make_paper()
    AuthorOrcid.objects.create(paper=paper, orcid=OTHER)
    user = proved("other", OTHER)
    assert AuthorClaim.objects.get(paper=paper, user=user).status == "approved"
    with pytest.raises(Conflict, match="already a verified author"):
        authors.claim(user, paper.pk)


def test_any_other_claim_waits_for_a_moderator_who_approves_it_in_the_public_log():
    paper = make_paper("Unlisted paper")
    user = proved("claimant")
    made = authors.claim(user, paper.pk)
    assert made.status == "pending"
    with pytest.raises(Conflict, match="waiting"):
        authors.claim(user, paper.pk)
    mod = moderator()
    assert authors.pending(mod) == [made]
    with pytest.raises(PermissionDenied):
        authors.pending(user)
    logged = authors.decide(mod, made.pk, approve=True, reason="ORCID record lists the paper")
    made.refresh_from_db()
    assert (made.status, made.source, made.decided_by) == ("approved", "moderator", mod)
    assert logged.action == ModerationAction.Action.APPROVE
    assert logged.target_label == "@claimant as an author of “Unlisted paper”"
    assert authors.pending(mod) == []
    assert authors.for_paper(paper.pk, None).ids == {user.pk}
    user.set_password("pw-for-deleting")
    user.save()
    accounts.delete_account(user, "pw-for-deleting", accounts.Mode.DELETE)
    logged.refresh_from_db()
    assert logged.target_label == "a deleted account"
    assert not AuthorClaim.objects.exists()


def test_a_declined_claim_may_be_made_again_and_any_claim_withdrawn():
    paper = make_paper()
    user = proved("hopeful")
    made = authors.claim(user, paper.pk)
    logged = authors.decide(moderator(), made.pk, approve=False, reason="No evidence")
    assert logged.get_action_display() == "Declined"
    assert AuthorClaim.objects.get(pk=made.pk).status == "rejected"
    assert authors.claim(user, paper.pk).status == "pending"
    authors.withdraw(user, paper.pk)
    assert not AuthorClaim.objects.exists()
    with pytest.raises(NotFound):
        authors.withdraw(user, paper.pk)


def approved(paper, orcid: str = CARBERRY, username: str = "writer") -> User:
    AuthorOrcid.objects.create(paper=paper, orcid=orcid)
    return proved(username, orcid)


def test_an_author_marks_clears_and_only_an_author_may_mark_an_erratum():
    paper = make_paper()
    author = approved(paper)
    summary = make_summary(paper=paper)
    comment = comments.add(make_user(), summary.pk, "Eq. 3 drops a sign.")
    marked = authors.mark_erratum(author, comment.pk, "fixed", "  fixed in   v2 ")
    assert marked is not None and (marked.status, marked.note) == ("fixed", "fixed in v2")
    changed = authors.mark_erratum(author, comment.pk, "disputed")
    assert changed is not None and changed.status == "disputed"
    assert Erratum.objects.count() == 1
    with pytest.raises(PermissionDenied, match="verified author"):
        authors.mark_erratum(make_user(), comment.pk, "confirmed")
    other_paper_author = approved(make_paper(), OTHER, "elsewhere")
    with pytest.raises(PermissionDenied):
        authors.mark_erratum(other_paper_author, comment.pk, "confirmed")
    assert authors.mark_erratum(author, comment.pk, "") is None
    assert not Erratum.objects.exists()
    # An erratum is acknowledged on a reader's comment, never on the author's own.
    own = comments.add(author, summary.pk, "A note of mine.")
    with pytest.raises(PermissionDenied, match="your own"):
        authors.mark_erratum(author, own.pk, "confirmed")


def test_a_merge_moves_listed_orcids_and_claims_to_the_kept_paper():
    source, target = make_paper(), make_paper()
    author = approved(source)
    merging.merge(source.pk, target.pk)
    assert AuthorClaim.objects.get(user=author).paper_id == target.pk
    assert AuthorOrcid.objects.get(orcid=CARBERRY).paper_id == target.pk


def test_the_personal_export_carries_my_claims_and_the_errata_i_marked():
    paper = make_paper()
    author = approved(paper)
    comment = comments.add(make_user(), make_summary(paper=paper).pk, "Typo in Table 2")
    authors.mark_erratum(author, comment.pk, "confirmed")
    data = exports.collect(author, [], [], paper.created_at)
    assert [(c["paper_id"], c["status"], c["orcid"]) for c in data["author_claims"]] == [
        (paper.pk, "approved", CARBERRY)
    ]
    assert data["errata_marked"][0]["comment_id"] == comment.pk


@pytest.mark.django_db(transaction=True)
def test_the_dump_carries_verified_authors_and_errata_and_loads_them_back(tmp_path):
    paper = make_paper()
    author = approved(paper)  # a verified author who wrote nothing else is still named
    pending_user = proved("pending", OTHER)
    authors.claim(pending_user, paper.pk)
    summary = make_summary(paper=paper)
    comment = comments.add(make_user(), summary.pk, "The bound in Lemma 2 is loose.")
    authors.mark_erratum(author, comment.pk, "fixed", "fixed in v2")
    first = tmp_path / "first"
    dumps.write(first)
    papers = [json.loads(line) for line in (first / "papers.jsonl").read_text().splitlines()]
    mine = next(p for p in papers if p["id"] == paper.pk)
    assert [a["username"] for a in mine["verified_authors"]] == ["writer"]  # not the pending one
    assert {a["orcid"] for a in mine["author_orcids"]} == {CARBERRY}
    users = (first / "users.jsonl").read_text()
    assert '"writer"' in users and '"pending"' not in users
    line = next(
        json.loads(text)
        for text in (first / "comments.jsonl").read_text().splitlines()
        if json.loads(text)["id"] == comment.pk
    )
    assert line["erratum"]["status"] == "fixed" and line["erratum"]["by"] == "writer"

    call_command("flush", interactive=False)
    dumps.load(first)
    claim = AuthorClaim.objects.get()
    assert (claim.user.username, claim.status, claim.source) == ("writer", "approved", "metadata")
    erratum = Erratum.objects.get()
    assert (erratum.comment_id, erratum.note, erratum.marked_by) == (
        comment.pk,
        "fixed in v2",
        claim.user,
    )
    second = tmp_path / "second"
    dumps.write(second)
    for name in dumps.FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
