"""Images uploaded from the editor: checked with Pillow, re-encoded without metadata (EXIF, GPS,
ICC comments could identify an anonymous author) and stored under an unguessable name by the
site's storage backend.

The work an upload costs is bounded before any pixel is decoded (docs/moderation.md, "Uploads
bounded in work"): the canvas size and the number of frames are read from the file's headers by
`shape`, a walk over GIF blocks and WebP chunks that skips their data and stops one frame past
the limit, and an image is refused when one frame has more than IMAGE_UPLOAD_MAX_PIXELS, it has
more than IMAGE_UPLOAD_MAX_FRAMES frames, or frames x canvas exceeds
IMAGE_UPLOAD_MAX_TOTAL_PIXELS. Re-encoding costs time in proportion to that total, so it bounds
the time too. Animated GIFs stay animated; animated PNG and WebP keep their first frame.
"""

from __future__ import annotations

import io
import logging
import struct
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FileField
from PIL import Image, UnidentifiedImageError

from shortscience.models import SummaryImage, User
from shortscience.services import standing
from shortscience.services.errors import InvalidInput

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
_NOT_AN_IMAGE = "That file is not a PNG, JPEG, GIF or WebP image."
_TOO_MANY_PIXELS = "That image has too many pixels; scale it down first."


@dataclass(frozen=True)
class Shape:
    """What the headers say: the canvas every frame is drawn on, and how many frames there are
    (counted up to one past the limit asked for, never further)."""

    width: int
    height: int
    frames: int


def store(user: User, upload: UploadedFile) -> SummaryImage:
    """Keep an uploaded raster image; SVG is refused because it can carry script."""
    standing.ensure_can_write(user)
    if upload.size is None or upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"Images can be at most {limit} MB.")
    raw = upload.read()
    found = shape(raw, settings.IMAGE_UPLOAD_MAX_FRAMES)
    if found is not None:
        check_work(found)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                fmt = probe.format or ""
                if fmt not in ALLOWED_FORMATS:
                    raise InvalidInput("Only PNG, JPEG, GIF and WebP images can be uploaded.")
                # PNG and JPEG headers are read by Pillow alone (a still frame each): check
                # their size before verify() reads on.
                check_work(found or Shape(probe.width, probe.height, 1))
                probe.verify()
            with Image.open(io.BytesIO(raw)) as image:
                data = _without_metadata(image, fmt, animated=bool(found and found.frames > 1))
                size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(_NOT_AN_IMAGE) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(_TOO_MANY_PIXELS) from exc
    field = SummaryImage._meta.get_field("file")
    assert isinstance(field, FileField)
    path = field.generate_filename(None, f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}")
    # Nothing half-written: a disk that fills up mid-write leaves part of a file, and a
    # database that fails after the file was stored leaves a file no row names.
    try:
        saved = field.storage.save(path, ContentFile(data), max_length=field.max_length)
    except Exception:
        _discard(field.storage, path)
        raise
    try:
        return SummaryImage.objects.create(uploader=user, file=saved, width=size[0], height=size[1])
    except Exception:
        _discard(field.storage, saved)
        raise


def check_work(found: Shape) -> None:
    """InvalidInput, saying which, when an image would cost more than the limits allow."""
    if found.width * found.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
        raise InvalidInput(_TOO_MANY_PIXELS)
    if found.frames > settings.IMAGE_UPLOAD_MAX_FRAMES:
        raise InvalidInput(
            f"Animated images can have at most {settings.IMAGE_UPLOAD_MAX_FRAMES} frames; "
            "this one has more. Shorten it, or upload a still image."
        )
    if found.frames * found.width * found.height > settings.IMAGE_UPLOAD_MAX_TOTAL_PIXELS:
        raise InvalidInput(
            "That animation has too many pixels in all (frames times width times height); "
            "make it shorter or smaller."
        )


def _discard(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the original failure is the one to report
        logger.exception("Could not remove the partly stored image %s", name)


def _without_metadata(image: Image.Image, fmt: str, *, animated: bool) -> bytes:
    """Re-encode the pixels only: no EXIF, XMP, ICC profile or text chunks survive."""
    out = io.BytesIO()
    if fmt == "GIF":
        image.save(out, "GIF", save_all=animated, optimize=False)
        return out.getvalue()
    pixels = image.copy()
    pixels.info = {}
    if fmt == "JPEG":
        pixels.convert("RGB").save(out, "JPEG", quality=90, exif=b"")
    elif fmt == "WEBP":
        pixels.save(out, "WEBP", quality=90, exif=b"")
    else:
        pixels.save(out, "PNG")
    return out.getvalue()


# --- Reading the work an image costs from its headers ------------------------------------------


def shape(data: bytes, frame_limit: int) -> Shape | None:
    """The canvas and frame count of a GIF or WebP, read without decoding (None for other
    formats, whose single frame Pillow's header gives). Truncated or odd files give what was
    read so far: Pillow then decides whether they are images at all."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_shape(data, frame_limit)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_shape(data, frame_limit)
    return None


def _gif_shape(data: bytes, frame_limit: int) -> Shape:
    width = int.from_bytes(data[6:8], "little")
    height = int.from_bytes(data[8:10], "little")
    pos = 13 + _colour_table_size(data, 10)
    frames = 0
    while pos < len(data) and frames <= frame_limit:
        block = data[pos]
        if block == 0x21:  # extension: label, then data sub-blocks
            pos = _after_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor: a frame
            frames += 1
            left, top, w, h = struct.unpack("<4H", data[pos + 1 : pos + 9].ljust(8, b"\0"))
            # Pillow grows the canvas to hold a frame drawn outside it, so must we.
            width, height = max(width, left + w), max(height, top + h)
            pos += 10 + _colour_table_size(data, pos + 9)
            pos = _after_sub_blocks(data, pos + 1)  # after the LZW minimum code size
        else:  # the trailer (0x3B), or bytes Pillow would not read further either
            break
    return Shape(width, height, max(frames, 1))


def _colour_table_size(data: bytes, flags_at: int) -> int:
    flags = data[flags_at] if flags_at < len(data) else 0
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _after_sub_blocks(data: bytes, pos: int) -> int:
    """Skip a chain of length-prefixed sub-blocks, ended by an empty one."""
    while pos < len(data):
        size = data[pos]
        pos += 1 + size
        if size == 0:
            break
    return pos


def _webp_shape(data: bytes, frame_limit: int) -> Shape:
    width = height = frames = 0
    pos = 12
    while pos + 8 <= len(data) and frames <= frame_limit:
        tag, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = data[pos + 8 : pos + 8 + min(size, 16)]
        if tag == b"VP8X" and len(body) >= 10:  # the canvas of an extended (or animated) file
            w = 1 + int.from_bytes(body[4:7], "little")
            h = 1 + int.from_bytes(body[7:10], "little")
        elif tag == b"VP8 " and len(body) >= 10:  # a lossy still frame
            w = int.from_bytes(body[6:8], "little") & 0x3FFF
            h = int.from_bytes(body[8:10], "little") & 0x3FFF
        elif tag == b"VP8L" and len(body) >= 5:  # a lossless still frame
            bits = int.from_bytes(body[1:5], "little")
            w, h = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        else:
            w = h = 0
            frames += tag == b"ANMF"
        width, height = max(width, w), max(height, h)
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return Shape(width, height, max(frames, 1))
