"""Images uploaded from the editor: checked with Pillow, stored by the site's storage backend."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from shortscience.models import SummaryImage, User
from shortscience.services.errors import InvalidInput

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


def store(user: User, upload: UploadedFile) -> SummaryImage:
    """Keep an uploaded raster image; SVG is refused because it can carry script."""
    if upload.size is None or upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"Images can be at most {limit} MB.")
    try:
        with Image.open(upload) as image:
            image.verify()
            fmt, size = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput("That file is not a PNG, JPEG, GIF or WebP image.") from exc
    if fmt not in ALLOWED_FORMATS:
        raise InvalidInput("Only PNG, JPEG, GIF and WebP images can be uploaded.")
    upload.seek(0)
    upload.name = f"image.{ALLOWED_FORMATS[fmt]}"
    return SummaryImage.objects.create(uploader=user, file=upload, width=size[0], height=size[1])
