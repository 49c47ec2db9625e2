"""The database down or restarting, a full disk, read-only media: the caller gets a 503 (507
for a full disk) with Retry-After and a message saying the change was not saved, in its own
format (JSON for the API, htmx and JSON callers; the site's page otherwise), and nothing is
half-written."""

from __future__ import annotations

import errno
import io
import sqlite3
from typing import Any

import psycopg
import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.test import Client, RequestFactory
from PIL import Image

from shortscience.models import Comment, SummaryImage
from shortscience.services import comments, events, summaries
from shortscience.views import errors
from tests.api.conftest import with_token
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def database_restarting(*args: Any, **kwargs: Any) -> Any:
    # What Django raises when PostgreSQL restarts under a request: its OperationalError,
    # caused by psycopg's (SQLSTATE 57P01, admin_shutdown).
    try:
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    except psycopg.Error as exc:
        raise OperationalError(str(exc)) from exc


@pytest.fixture
def summary():
    return make_summary()


@pytest.fixture
def writer(client_for):
    return client_for(make_user())


def test_a_comment_refused_by_a_restarting_database_is_a_503_page_saying_it_was_not_saved(
    monkeypatch, summary, writer
):
    monkeypatch.setattr(comments, "add", database_restarting)
    response = writer.post(f"/summaries/{summary.pk}/comments/", {"markdown": "Lost?"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "NOT saved" in body and "Briefly unavailable" in body and "site.css" in body
    assert not Comment.objects.exists()


def test_an_htmx_caller_gets_the_refusal_where_htmx_shows_errors(monkeypatch, summary, writer):
    monkeypatch.setattr(comments, "add", database_restarting)
    response = writer.post(
        f"/summaries/{summary.pk}/comments/", {"markdown": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["HX-Retarget"] == "#htmx-errors"
    assert "NOT saved" in response.content.decode()


def test_a_json_caller_gets_the_refusal_as_json(monkeypatch, summary, writer):
    headers = {"HTTP_ACCEPT": "application/json"}
    monkeypatch.setattr(comments, "add", database_restarting)
    response = writer.post(f"/summaries/{summary.pk}/comments/", {"markdown": "x"}, **headers)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "DatabaseUnavailable"
    assert "NOT saved" in response.json()["message"]


def test_a_write_failing_inside_its_transaction_leaves_nothing_behind(monkeypatch, summary, writer):
    # The comment row is inserted, then the database goes away before the commit.
    monkeypatch.setattr(events, "comment_saved", database_restarting)
    response = writer.post(f"/summaries/{summary.pk}/comments/", {"markdown": "Half?"})
    assert response.status_code == 503
    assert not Comment.objects.exists()


def test_a_page_read_while_the_database_is_down_says_it_is_briefly_unavailable(
    monkeypatch, summary, writer
):
    monkeypatch.setattr(summaries, "get_visible", database_restarting)
    for client in (writer, Client()):
        response = client.get(f"/summaries/{summary.pk}/")
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert "cannot be shown" in response.content.decode()
        assert response["Cache-Control"] == "no-store"


def test_the_api_answers_a_database_outage_with_its_own_json(monkeypatch, summary):
    monkeypatch.setattr(comments, "post", database_restarting)  # the API posts through `post`
    api = with_token(make_user())
    response = api.post(f"/summaries/{summary.pk}/comments", {"markdown": "x"})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {
        "code": "DatabaseUnavailable",
        "message": "The database is briefly unavailable: your change was NOT saved. "
        "Try again in 5 seconds.",
        "fields": {},
    }
    assert not Comment.objects.exists()


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "plot.png"
    return buffer


def test_an_upload_on_a_full_disk_is_a_507_and_leaves_no_partial_file(
    monkeypatch, settings, tmp_path, writer
):
    settings.MEDIA_ROOT = tmp_path
    real_save = FileSystemStorage._save  # type: ignore[attr-defined]  # private, not in the stubs

    def fills_up(self: FileSystemStorage, name: str, content: Any) -> str:
        stored = real_save(self, name, content)
        with open(self.path(stored), "r+b") as half:
            half.truncate(5)  # part of the file reached the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", fills_up)
    response = writer.post("/images/", {"image": png()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 507 and response["Retry-After"] == "60"
    assert response.json()["code"] == "StorageFull"
    assert "NOT saved" in response.json()["message"]
    assert not SummaryImage.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_an_upload_to_read_only_media_is_a_503(monkeypatch, settings, tmp_path, writer, code):
    settings.MEDIA_ROOT = tmp_path

    def read_only(self: FileSystemStorage, name: str, content: Any) -> str:
        raise OSError(code, "Read-only file system")

    monkeypatch.setattr(FileSystemStorage, "_save", read_only)
    response = writer.post("/images/", {"image": png()})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "read-only" in response.content.decode() and "NOT saved" in response.content.decode()
    assert not SummaryImage.objects.exists()


def test_a_database_that_fails_after_the_file_was_stored_leaves_no_file(
    monkeypatch, settings, tmp_path, writer
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(SummaryImage.objects, "create", database_restarting)
    response = writer.post("/images/", {"image": png()})
    assert response.status_code == 503
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_sqlite_reporting_a_full_disk_is_a_507(monkeypatch, summary, writer):
    def full(*args: Any, **kwargs: Any) -> Any:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.Error as exc:
            raise OperationalError(str(exc)) from exc

    monkeypatch.setattr(comments, "add", full)
    response = writer.post(f"/summaries/{summary.pk}/comments/", {"markdown": "x"})
    assert response.status_code == 507 and "disk is full" in response.content.decode()


def test_an_outage_outside_any_view_still_gets_its_503():
    request = RequestFactory().post("/summaries/1/comments/", HTTP_HX_REQUEST="true")
    try:
        database_restarting()
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"


def test_a_plain_bug_is_still_the_plain_500(monkeypatch, summary, user):
    def bug(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(comments, "add", bug)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "x"})
    assert response.status_code == 500 and "Retry-After" not in response
    assert errors.unavailable(KeyError("x")) is None
    assert errors.unavailable(OSError(errno.ECONNREFUSED, "refused")) is None
