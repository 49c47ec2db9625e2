"""Deleting an account: everything the person wrote goes, or stays without their name; their
sign-in, addresses, tokens and sessions go in both cases; other people's work is untouched."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.test import Client

from shortscience.models import (
    ApiToken,
    Comment,
    Flag,
    ModerationAction,
    Revision,
    Summary,
    SummaryImage,
    User,
    Vote,
)
from shortscience.services import accounts, comments, summaries, votes
from shortscience.services.accounts import Mode
from shortscience.services.errors import InvalidInput
from tests.factories import PASSWORD, make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def signed_in_session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_wrong_password_deletes_nothing():
    ada = make_user("ada")
    make_summary(ada)
    with pytest.raises(InvalidInput):
        accounts.delete_account(ada, "not-my-password", Mode.DELETE)
    assert User.objects.filter(username="ada").exists() and Summary.objects.count() == 1


def test_deleting_everything_removes_summaries_with_their_votes_and_discussion():
    ada, bob = make_user("ada"), make_user("bob")
    own = make_summary(ada, markdown="Ada's summary.")
    make_summary(ada, markdown="Ada's draft.", publish=False)
    votes.cast(bob, own.pk, 1)
    comments.add(bob, own.pk, "Bob on Ada's summary.")
    bobs = make_summary(bob)
    report = accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    assert report.summaries_deleted == 2
    assert list(Summary.objects.all()) == [bobs]
    assert not Revision.objects.filter(summary_id=own.pk).exists()
    assert not Vote.objects.exists() and not Comment.objects.exists()
    assert not User.objects.filter(username="ada").exists()


def test_deleting_everything_takes_back_votes_and_recounts_scores():
    ada, bob = make_user("ada"), make_user("bob")
    bobs = make_summary(bob)
    votes.cast(ada, bobs.pk, 1)
    votes.cast(make_user(), bobs.pk, 1)
    accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    bobs.refresh_from_db()
    assert bobs.score == 1 == sum(Vote.objects.values_list("value", flat=True))


def test_deleting_everything_tombstones_a_comment_others_replied_to_and_drops_the_rest():
    ada, bob = make_user("ada"), make_user("bob")
    bobs = make_summary(bob)
    answered = comments.add(ada, bobs.pk, "Ada asks.")
    reply = comments.add(bob, bobs.pk, "Bob replies.", parent_id=answered.pk)
    alone = comments.add(ada, bobs.pk, "Ada alone.")
    own_thread = comments.add(ada, bobs.pk, "Ada talks to herself.")
    comments.add(ada, bobs.pk, "Ada again.", parent_id=own_thread.pk)
    ada_reply = comments.add(ada, bobs.pk, "Ada replies to Bob's thread.", parent_id=answered.pk)
    report = accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    tombstone = Comment.objects.get(pk=answered.pk)
    assert tombstone.is_deleted and tombstone.markdown == "" and tombstone.html == ""
    assert accounts.is_placeholder(tombstone.author.username)
    assert not tombstone.author.is_active and not tombstone.author.has_usable_password()
    assert Comment.objects.get(pk=reply.pk).parent_id == answered.pk
    assert not Comment.objects.filter(pk__in=[alone.pk, own_thread.pk, ada_reply.pk]).exists()
    assert report.comments_kept == 1 and report.comments_deleted == 4
    bobs.refresh_from_db()
    assert bobs.comment_count == 1  # Bob's reply; the tombstone does not count


def test_deleting_everything_removes_uploaded_images_and_their_files(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    ada = make_user("ada")
    image = SummaryImage.objects.create(
        uploader=ada, file=ContentFile(b"png", name="picture.png"), width=1, height=1
    )
    path = tmp_path / image.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    assert not SummaryImage.objects.exists() and not path.exists()


def test_keeping_contributions_keeps_uploads_for_the_summaries_that_show_them(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ada = make_user("ada")
    image = SummaryImage.objects.create(
        uploader=ada, file=ContentFile(b"png", name="picture.png"), width=1, height=1
    )
    accounts.delete_account(ada, PASSWORD, Mode.ANONYMISE)
    kept = SummaryImage.objects.get(pk=image.pk)
    assert accounts.is_placeholder(kept.uploader.username)
    assert (tmp_path / kept.file.name).exists()


def test_sign_in_addresses_tokens_and_sessions_go_in_both_modes():
    for mode in Mode:
        ada = make_user(f"ada-{mode}")
        ApiToken.objects.create(user=ada, name="laptop", digest=f"d-{mode}", prefix="abc")
        client = signed_in_session(ada)
        assert client.get("/settings/profile/").status_code == 200
        accounts.delete_account(ada, PASSWORD, mode)
        assert not ApiToken.objects.exists()
        assert not EmailAddress.objects.filter(email=f"ada-{mode}@example.org").exists()
        assert not User.objects.filter(email=f"ada-{mode}@example.org").exists()
        assert not Session.objects.exists()
        assert client.get("/settings/profile/").status_code == 302  # to the login page


def test_keeping_contributions_makes_public_summaries_anonymous_under_a_placeholder():
    ada, bob = make_user("ada"), make_user("bob")
    public = make_summary(ada, markdown="First words.")
    make_summary(ada, public.paper, "Final words.")
    draft = make_summary(ada, markdown="Draft.", publish=False)
    private = make_summary(ada, markdown="Private.", private=True)
    summaries.set_share_link(public.pk, ada, enabled=True)
    votes.cast(bob, public.pk, 1)
    comment = comments.add(ada, make_summary(bob).pk, "Ada comments.")
    bobs_vote_target = make_summary(bob)
    votes.cast(ada, bobs_vote_target.pk, -1)
    report = accounts.delete_account(ada, PASSWORD, Mode.ANONYMISE)
    assert report.summaries_kept == 1 and report.summaries_deleted == 2
    kept = Summary.objects.get(pk=public.pk)
    holder = kept.author
    assert kept.is_anonymous and kept.share_token is None and kept.score == 1
    assert list(kept.revisions.values_list("markdown", flat=True)) == ["Final words."]
    assert accounts.is_placeholder(holder.username) and holder.username != "~ada"
    assert not holder.is_active and not holder.has_usable_password()
    assert holder.email == "" and holder.display_name == accounts.DELETED_NAME
    assert not Summary.objects.filter(pk__in=[draft.pk, private.pk]).exists()
    assert Comment.objects.get(pk=comment.pk).author == holder
    assert Vote.objects.get(summary=bobs_vote_target).user == holder
    bobs_vote_target.refresh_from_db()
    assert bobs_vote_target.score == -1
    assert not User.objects.filter(username="ada").exists()


def test_two_deleted_people_who_summarised_the_same_paper_get_separate_placeholders():
    paper = make_paper()
    ada, bob = make_user("ada"), make_user("bob")
    make_summary(ada, paper)
    make_summary(bob, paper)
    accounts.delete_account(ada, PASSWORD, Mode.ANONYMISE)
    accounts.delete_account(bob, PASSWORD, Mode.ANONYMISE)
    authors = set(Summary.objects.filter(paper=paper).values_list("author_id", flat=True))
    assert len(authors) == 2


def test_a_placeholder_has_no_public_page_and_is_not_listed(client):
    ada = make_user("ada")
    make_summary(ada)
    accounts.delete_account(ada, PASSWORD, Mode.ANONYMISE)
    holder = Summary.objects.get().author
    assert client.get(f"/users/{holder.username}/").status_code == 404
    assert holder.username not in client.get("/users/").content.decode()


def test_open_flags_stay_for_moderators_without_the_reporter_and_the_log_forgets_the_name():
    ada, bob = make_user("ada"), make_user("bob")
    target = make_summary(bob)
    Flag.objects.create(reporter=ada, target_type="summary", target_id=target.pk, reason="spam")
    Flag.objects.create(reporter=bob, target_type="user", target_id=ada.pk, reason="spam")
    ModerationAction.objects.create(
        action="suspend", target_type="user", target_id=ada.pk, target_label="@ada", reason="x"
    )
    ada_pk = ada.pk
    accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    flag = Flag.objects.get()
    assert flag.target_id == target.pk and accounts.is_placeholder(flag.reporter.username)
    assert ModerationAction.objects.get(target_id=ada_pk).target_label == "a deleted account"


def test_deleting_everything_with_nothing_to_keep_leaves_no_placeholder():
    ada = make_user("ada")
    make_summary(ada)
    accounts.delete_account(ada, PASSWORD, Mode.DELETE)
    assert not User.objects.filter(accounts.placeholder_q()).exists()


def test_keeping_contributions_keeps_the_published_text_not_a_newer_draft():
    ada = make_user("ada")
    public = make_summary(ada, markdown="Published words.")
    summaries.save(
        ada,
        public.paper,
        summaries.SaveRequest(
            markdown="Never published.", publish=False, private=False, anonymous=False
        ),
    )
    summaries.autosave(ada, public.paper, "Typed, never saved.", base_version=None)
    accounts.delete_account(ada, PASSWORD, Mode.ANONYMISE)
    kept = Summary.objects.get(pk=public.pk)
    assert kept.markdown == "Published words." and kept.draft_markdown == ""
    assert kept.draft_saved_at is None
    assert list(kept.revisions.values_list("markdown", flat=True)) == ["Published words."]
