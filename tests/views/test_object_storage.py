"""Media on S3-compatible object storage (MEDIA_STORAGE=storages.backends.s3.S3Storage), against
a local S3 server that the test starts (moto's server mode, on a free loopback port; never the
network): an upload through the editor's upload view is stored in the bucket, served at its URL
and deleted; a storage that is down is the app's 503 in the caller's format, with no row and no
object left behind; backups say the bucket is its own backup."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from shortscience.models import SummaryImage
from shortscience.services import backups
from tests.factories import make_user
from tests.test_settings_documented import run_settings

try:
    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer
except ImportError as missing:  # pragma: no cover -- the dev lock file installs moto[server]
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(
        f"moto[server] is not installed ({missing}): make install-dev", allow_module_level=True
    )

BUCKET = "shortscience-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class S3Server:
    def __init__(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", **KEYS
        )
        self.client.create_bucket(Bucket=BUCKET)
        # Uploaded images are public (summaries show them): the bucket lets anyone read them,
        # as docs/deploy.md tells an operator to set up.
        self.client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        self.running = True

    def objects(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]

    def stop(self) -> None:
        if self.running:
            self.server.stop()
            # Closed, not only stopped: the port refuses connections as a dead server's does.
            assert self.server._server is not None
            self.server._server.server_close()
            self.running = False


@pytest.fixture
def s3(settings: Any) -> Iterator[S3Server]:
    server = S3Server()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": server.endpoint,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "location": "media",
                "querystring_auth": False,
                "file_overwrite": False,
                # What settings.py builds from MEDIA_S3_TIMEOUT, shorter for the test.
                "client_config": Config(
                    connect_timeout=1,
                    read_timeout=1,
                    retries={"mode": "standard", "total_max_attempts": 2},
                ),
            },
        },
    }
    try:
        yield server
    finally:
        server.stop()


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "blue").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "plot.png"
    return buffer


@pytest.fixture
def writer(client_for: Any, db: None) -> Any:
    return client_for(make_user("writer"))


def test_an_upload_is_stored_in_the_bucket_served_at_its_url_and_deleted(s3, writer):
    response = writer.post("/images/", {"image": png()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    image = SummaryImage.objects.get()
    assert url == f"{s3.endpoint}/{BUCKET}/media/{image.file.name}"  # plain, not signed
    assert s3.objects() == [f"media/{image.file.name}"]
    served = httpx.get(url)
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as stored:
        assert (stored.format, stored.size) == ("PNG", (4, 3))
    image.file.delete(save=False)
    assert s3.objects() == []
    assert httpx.get(url).status_code == 404


def test_an_upload_while_the_storage_is_down_is_a_503_in_json_and_leaves_no_row(s3, writer):
    s3.stop()
    response = writer.post("/images/", {"image": png()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json() == {
        "code": "StorageUnavailable",
        "message": "The storage for uploads is briefly unavailable: your change was NOT saved. "
        "Try again in 30 seconds.",
        "fields": {},
    }
    assert not SummaryImage.objects.exists()


def test_an_upload_while_the_storage_is_down_is_a_503_page_or_an_htmx_line(s3, writer):
    s3.stop()
    page = writer.post("/images/", {"image": png()})
    assert page.status_code == 503 and "NOT saved" in page.content.decode()
    assert "<html" in page.content.decode().lower()
    line = writer.post("/images/", {"image": png()}, HTTP_HX_REQUEST="true")
    assert line.status_code == 503 and line["HX-Retarget"] == "#htmx-errors"
    assert line.content.decode().startswith('<p class="error" role="alert">')
    assert not SummaryImage.objects.exists()


def test_a_database_failure_after_the_upload_removes_the_object(s3, writer, monkeypatch):
    from django.db import OperationalError

    def restarting(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SummaryImage.objects, "create", restarting)
    response = writer.post("/images/", {"image": png()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert s3.objects() == []


@pytest.mark.django_db(transaction=True)
def test_a_backup_with_object_storage_says_the_bucket_is_its_own_backup(s3, tmp_path):
    made = backups.create(tmp_path / "backups")
    media = made.manifest["media"]
    assert media["storage"] == "object" and media["bucket"] == BUCKET
    assert "versioning" in media["note"]
    assert not (made.path / backups.MEDIA_FILE).exists()


def test_the_media_s3_settings_configure_django_storages():
    env = {
        "MEDIA_STORAGE": "storages.backends.s3.S3Storage",
        "MEDIA_S3_BUCKET": "bucket",
        "MEDIA_S3_ENDPOINT_URL": "https://s3.example.org",
        "MEDIA_S3_ACCESS_KEY_ID": "key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
        "MEDIA_S3_REGION": "eu-west-1",
        "MEDIA_S3_CUSTOM_DOMAIN": "media.example.org",
        "MEDIA_S3_ADDRESSING_STYLE": "path",
        "MEDIA_S3_TIMEOUT": "2.5",
    }
    code = (
        "import json\n"
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "c = s.client_config\n"
        "print(json.dumps([type(s).__name__, s.bucket_name, s.endpoint_url, s.access_key,\n"
        "  s.secret_key, s.region_name, s.custom_domain, s.querystring_auth, s.file_overwrite,\n"
        "  c.connect_timeout, c.read_timeout, c.s3, s.url('a.png')]))\n"
    )
    done = run_settings(env, code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "S3Storage",
        "bucket",
        "https://s3.example.org",
        "key",
        "secret",
        "eu-west-1",
        "media.example.org",
        False,
        False,
        2.5,
        2.5,
        {"addressing_style": "path"},
        "https://media.example.org/a.png",
    ]
    missing = run_settings({"MEDIA_STORAGE": "storages.backends.s3.S3Storage"}, "")
    assert missing.returncode != 0 and "MEDIA_S3_BUCKET" in missing.stderr
