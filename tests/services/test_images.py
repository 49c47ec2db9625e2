"""Uploads: the work an image costs is read from its headers and bounded before decoding."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from shortscience.models import SummaryImage
from shortscience.services import images
from shortscience.services.errors import InvalidInput
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def gif(frames: int, size: tuple[int, int] = (16, 16)) -> bytes:
    """An animation whose neighbouring frames differ (Pillow would merge equal ones)."""
    colours = ["red", "blue"]
    pictures = [Image.new("P", size, colours[i % 2]) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=20)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge canvas, with a few bytes of pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def nothing_decoded(monkeypatch):
    """Fails the test if any frame's pixels are decoded."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_gif_of_many_small_frames_is_refused_before_any_frame_is_decoded(nothing_decoded):
    data = gif(400)
    assert len(data) < 100_000
    with pytest.raises(InvalidInput, match="at most 150 frames"):
        images.store(make_user(), upload(data, "many.gif"))
    assert not SummaryImage.objects.exists()


def test_a_short_animation_is_kept_with_all_its_frames():
    stored = images.store(make_user(), upload(gif(5), "short.gif"))
    with Image.open(stored.file.path) as kept:
        assert kept.format == "GIF" and getattr(kept, "n_frames", 1) == 5
    assert (stored.width, stored.height) == (16, 16)


def test_frames_times_canvas_over_the_total_is_refused(nothing_decoded):
    # 100 frames of 600 x 600: fewer frames than the limit, but 36 million pixels in all.
    with pytest.raises(InvalidInput, match="too many pixels in all"):
        images.store(make_user(), upload(gif(100, (600, 600)), "long.gif"))


def test_the_limits_are_settings(settings):
    settings.IMAGE_UPLOAD_MAX_FRAMES = 3
    with pytest.raises(InvalidInput, match="at most 3 frames"):
        images.store(make_user(), upload(gif(4), "four.gif"))
    settings.IMAGE_UPLOAD_MAX_FRAMES = 4
    assert images.store(make_user(), upload(gif(4), "four.gif")).pk


def test_a_decompression_bomb_is_refused_from_its_header(nothing_decoded):
    data = png_header_only(100_000, 100_000)
    assert len(data) < 200
    with pytest.raises(InvalidInput, match="too many pixels"):
        images.store(make_user(), upload(data, "bomb.png"))


def test_a_gif_frame_drawn_outside_a_tiny_canvas_counts_at_its_own_size(nothing_decoded):
    # A 1 x 1 screen whose one frame claims 20000 x 20000 pixels (Pillow grows the canvas).
    data = bytearray(gif(1, (1, 1)))
    descriptor = data.index(b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00")
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", 20_000, 20_000)
    assert images.shape(bytes(data), 150) == images.Shape(20_000, 20_000, 1)
    with pytest.raises(InvalidInput, match="too many pixels"):
        images.store(make_user(), upload(bytes(data), "wide.gif"))


def test_animated_webp_frames_and_canvas_come_from_its_chunks():
    pictures = [Image.new("RGB", (40, 30), c) for c in ("red", "blue", "green")]
    out = io.BytesIO()
    pictures[0].save(out, "WEBP", save_all=True, append_images=pictures[1:], duration=20)
    assert images.shape(out.getvalue(), 150) == images.Shape(40, 30, 3)
    still = io.BytesIO()
    pictures[0].save(still, "WEBP", lossless=True)
    assert images.shape(still.getvalue(), 150) == images.Shape(40, 30, 1)


def test_the_count_stops_one_past_the_limit():
    found = images.shape(gif(40), 10)
    assert found is not None and found.frames == 11


def test_still_images_are_read_by_pillow_alone():
    out = io.BytesIO()
    Image.new("RGB", (4, 3)).save(out, "PNG")
    assert images.shape(out.getvalue(), 150) is None
