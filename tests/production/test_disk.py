"""Uploads when the media disk is full, then when it is read-only: a 503 or 507 in the caller's
format (the editor's upload is a fetch that wants JSON), and nothing half-written."""

from __future__ import annotations

import contextlib
import errno
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.production.clients import Answer, Person, signed_in_people
from tests.production.conftest import report
from tests.production.topology import Topology

pytestmark = pytest.mark.production


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _upload(person: Person) -> Answer:
    return person.post(
        "/images/", files={"image": ("figure.png", _png(), "image/png")},
        headers={"Accept": "application/json"},
    )  # fmt: skip


MINE = {"filler", "filler-tail", "probe"}  # the test's own files, not the site's


def _stored(topology: Topology) -> tuple[int, set[str]]:
    """Image rows, and every upload file with its size."""
    rows = topology.postgres.query("SELECT count(*) FROM shortscience_summaryimage")[0][0]
    assert isinstance(rows, int)
    media = topology.media_root
    files = {
        f"{p.relative_to(media)} ({p.stat().st_size} B)"
        for p in media.rglob("*")
        if p.is_file() and p.name not in MINE
    }
    return rows, files


def _fill(folder: Path) -> None:
    """Write until the tmpfs is full: big blocks, then small ones for the last partial page."""
    for name, block in (("filler", 65536), ("filler-tail", 512)):
        with contextlib.suppress(OSError), (folder / name).open("wb") as out:
            while True:
                out.write(b"\0" * block)
                out.flush()


def _difference(before: tuple[int, set[str]], after: tuple[int, set[str]]) -> str:
    return f"{after[0] - before[0]} rows, files {sorted(after[1] - before[1])}"


def _refused_properly(answer: Answer) -> bool:
    json = "application/json" in answer.headers.get("content-type", "")
    retry = answer.status != 503 or bool(answer.headers.get("retry-after"))
    return answer.status in (503, 507) and json and retry


@pytest.mark.needs_faults
def test_uploads_on_a_full_or_read_only_disk_are_refused_clearly_and_leave_nothing(
    topology: Topology,
) -> None:
    if not topology.media_mounted:
        pytest.skip("needs root to mount a small tmpfs for MEDIA_ROOT")
    (person,) = signed_in_people(topology.url, ["redis03"])
    media = topology.media_root
    assert _upload(person).status == 201, "an upload works before the disk fills"
    before = _stored(topology)
    _fill(media)
    try:
        with pytest.raises(OSError, match="No space left") as full:
            (media / "probe").write_bytes(b"x" * 65536)
        assert full.value.errno == errno.ENOSPC
        on_full = _upload(person)
        after_full = _stored(topology)
    finally:
        for name in MINE:
            (media / name).unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)  # noqa: S603, S607
    try:
        on_read_only = _upload(person)
        after_read_only = _stored(topology)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(media)], check=True)  # noqa: S603, S607
    recovered = _upload(person)
    report(
        "disk",
        full_status=on_full.status, full_type=on_full.headers.get("content-type"),
        read_only_status=on_read_only.status,
        read_only_type=on_read_only.headers.get("content-type"),
        left_behind_when_full=_difference(before, after_full),
        left_behind_when_read_only=_difference(after_full, after_read_only),
        after_recovery=recovered.status,
    )  # fmt: skip
    assert after_full == before and after_read_only == before, "half-written upload"
    assert _refused_properly(on_full), (on_full.status, on_full.text[:200])
    assert _refused_properly(on_read_only), (on_read_only.status, on_read_only.text[:200])
    assert recovered.status == 201
