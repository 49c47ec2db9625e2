"""A reader reports that a paper is the same work as another; the report waits in the
moderators' queue, where one action merges the two and the public log says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Flag, ModerationAction, Paper, Summary
from shortscience.services import moderation
from shortscience.services.errors import PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def _arxiv(paper: Paper) -> str:
    return paper.identifiers.get(scheme="arxiv").value


def test_a_report_goes_to_the_queue_and_one_action_merges_the_two(client_for, moderator):
    preprint, published = make_paper("ResNet (preprint)"), make_paper("ResNet")
    summary = make_summary(paper=published)
    preprint_arxiv = _arxiv(preprint)
    reader = client_for(make_user("reader"))
    page = reader.get(preprint.get_absolute_url()).content.decode()
    assert "Same work as another paper here?" in page and f"/flag/paper/{preprint.pk}/" in page
    sent = reader.post(
        f"/flag/paper/{preprint.pk}/",
        {
            "reason": "duplicate",
            "text": f"https://arxiv.org/abs/{_arxiv(published)}v2",
            "next": preprint.get_absolute_url(),
        },
    )
    assert sent.status_code == 302 and sent["Location"] == preprint.get_absolute_url()
    mod = client_for(moderator)
    queue = mod.get("/moderation/").content.decode()
    assert "the paper “ResNet (preprint)”" in queue and "Same work as another paper" in queue
    assert f"/moderation/act/?into={published.pk}" in queue and "@reader" in queue
    done = mod.post(
        f"/moderation/act/?into={published.pk}",
        {"action": "merge", "kind": "paper", "pk": preprint.pk, "reason": "preprint of it"},
    )
    assert done.status_code == 302
    assert list(Paper.objects.values_list("pk", flat=True)) == [published.pk]  # kept: summarised
    assert Summary.objects.get(pk=summary.pk).paper_id == published.pk
    assert mod.get(f"/arxiv/{preprint_arxiv}")["Location"] == f"/papers/{published.pk}/"
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    logged = ModerationAction.objects.get(action="merge")
    assert logged.reason == "preprint of it"
    assert "Merged" in client_for(make_user()).get("/moderation/log/").content.decode()
    assert "ResNet (preprint)" not in mod.get("/moderation/").content.decode()


def test_a_shortscience_link_names_the_other_paper_too(client_for):
    one, other = make_paper(), make_paper()
    client_for(make_user()).post(
        f"/flag/paper/{one.pk}/",
        {"reason": "duplicate", "text": f"http://testserver/papers/{other.pk}/?a=x"},
    )
    assert Flag.objects.get(target_type="paper").duplicate_of == other
    third = make_paper()
    client_for(make_user()).post(
        f"/flag/paper/{third.pk}/", {"reason": "duplicate", "text": f"/papers/{other.pk}/"}
    )
    assert Flag.objects.get(target_id=third.pk).duplicate_of == other


def test_a_report_naming_no_paper_here_says_so_and_keeps_the_text(client_for):
    paper = make_paper()
    response = client_for(make_user()).post(
        f"/flag/paper/{paper.pk}/", {"reason": "duplicate", "text": "10.9999/nowhere"}
    )
    html = response.content.decode()
    assert "No paper here is known by that" in html and 'value="10.9999/nowhere"' in html
    assert not Flag.objects.exists()
    same = client_for(make_user()).post(
        f"/flag/paper/{paper.pk}/", {"reason": "duplicate", "text": _arxiv(paper)}
    )
    assert "names this same paper" in same.content.decode() and not Flag.objects.exists()


def test_signed_out_readers_see_no_report_form_and_cannot_report(client):
    paper, other = make_paper(), make_paper()
    assert "Same work as another paper" not in client.get(paper.get_absolute_url()).content.decode()
    response = client.post(f"/flag/paper/{paper.pk}/", {"text": _arxiv(other)})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Flag.objects.exists()


def test_a_suspended_member_cannot_report():
    suspended = make_user(suspended_until=timezone.now() + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        moderation.report_duplicate(suspended, make_paper().pk, _arxiv(make_paper()))


def test_only_moderators_merge_reported_papers(client_for):
    one, other = make_paper(), make_paper()
    response = client_for(make_user()).post(
        f"/moderation/act/?into={other.pk}",
        {"action": "merge", "kind": "paper", "pk": one.pk, "reason": "x"},
    )
    assert response.status_code == 403 and Paper.objects.count() == 2


def test_merging_a_reported_pair_keeps_the_reports_of_other_pairs_open(client_for, moderator):
    a, b, c = make_paper("ResNet (preprint)"), make_paper("ResNet"), make_paper("Fast R-CNN")
    make_summary(paper=b)
    reader = make_user("reader")
    moderation.report_duplicate(reader, a.pk, _arxiv(b))
    moderation.report_duplicate(reader, a.pk, _arxiv(c))  # a second pair by the same person
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 2
    mod = client_for(moderator)
    mod.post(
        f"/moderation/act/?into={b.pk}",
        {"action": "merge", "kind": "paper", "pk": a.pk, "reason": "preprint of it"},
    )
    still = Flag.objects.get(resolved_at__isnull=True)
    assert (still.target_id, still.duplicate_of_id) == (b.pk, c.pk)  # now about the kept paper
    queue = mod.get("/moderation/").content.decode()
    assert "the paper “ResNet”" in queue and f"/moderation/act/?into={c.pk}" in queue


def test_an_automatic_merge_is_in_the_public_log_as_the_sites_own(client):
    from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
    from shortscience.services import works

    keep, gone = make_paper("Fast R-CNN"), make_paper("Fast R-CNN.")
    meta = PaperMetadata(
        title="Fast R-CNN",
        identifiers=[Identifier(Scheme.ARXIV, _arxiv(keep))],
        same_work=[Identifier(Scheme.ARXIV, _arxiv(gone))],
        source="crossref",
    )
    works.settle(meta, make_user("adder"))
    log = client.get("/moderation/log/").content.decode()
    assert "automatic (sources agree)" in log and "Crossref names both papers" in log
    assert "adder" not in log and "(former moderator)" not in log
