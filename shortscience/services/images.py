"""Images uploaded from the editor: checked with Pillow, re-encoded without metadata (EXIF, GPS,
ICC comments could identify an anonymous author) and stored under an unguessable name by the
site's storage backend."""

from __future__ import annotations

import io
import logging
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FileField
from PIL import Image, UnidentifiedImageError

from shortscience.models import SummaryImage, User
from shortscience.services.errors import InvalidInput

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_PIXELS = 40_000_000
_NOT_AN_IMAGE = "That file is not a PNG, JPEG, GIF or WebP image."


def store(user: User, upload: UploadedFile) -> SummaryImage:
    """Keep an uploaded raster image; SVG is refused because it can carry script."""
    if upload.size is None or upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"Images can be at most {limit} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                fmt = image.format or ""
                if fmt not in ALLOWED_FORMATS:
                    raise InvalidInput("Only PNG, JPEG, GIF and WebP images can be uploaded.")
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidInput("That image has too many pixels; scale it down first.")
                data = _without_metadata(image, fmt)
                size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(_NOT_AN_IMAGE) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput("That image has too many pixels; scale it down first.") from exc
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


def _discard(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the original failure is the one to report
        logger.exception("Could not remove the partly stored image %s", name)


def _without_metadata(image: Image.Image, fmt: str) -> bytes:
    """Re-encode the pixels only: no EXIF, XMP, ICC profile or text chunks survive."""
    out = io.BytesIO()
    if fmt == "GIF":
        frames = getattr(image, "n_frames", 1)
        image.save(out, "GIF", save_all=frames > 1, optimize=False)
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
