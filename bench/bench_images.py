"""Upload benchmark: the CPU time re-encoding costs at the upload limits, and the time a refusal
costs (docs/moderation.md, "Uploads bounded in work").

Run: .venv/bin/python bench/bench_images.py
Prints, for animations near IMAGE_UPLOAD_MAX_TOTAL_PIXELS (each frame with its own palette, the
slow case) and for files far over the limits, the bytes, the frames and the CPU seconds.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def animation(frames: int, side: int) -> bytes:
    from PIL import Image

    pictures = [
        Image.effect_noise((side, side), 30 + n % 60)
        .convert("RGB")
        .convert("P", palette=Image.Palette.ADAPTIVE, colors=128 + n % 100)
        for n in range(frames)
    ]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=40)
    return out.getvalue()


def timed(data: bytes) -> tuple[float, str]:
    from PIL import Image

    from shortscience.services import images

    started = time.process_time()
    found = images.shape(data, 150)
    try:
        if found is not None:
            images.check_work(found)
    except images.InvalidInput as refused:
        return time.process_time() - started, f"refused: {refused.message[:40]}"
    with Image.open(io.BytesIO(data)) as image:
        images._without_metadata(image, "GIF", animated=True)
    return time.process_time() - started, "re-encoded"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
    os.environ.setdefault("ALLOW_DEV_SECRET_KEY", "1")
    import django

    django.setup()
    for frames, side in ((100, 500), (25, 1000), (150, 400), (400, 500), (5000, 8)):
        data = animation(frames, side)
        seconds, outcome = timed(data)
        size = f"{len(data) / 1e6:6.2f} MB"
        print(f"{frames:5} frames of {side}x{side}: {size}, {seconds:6.2f} s CPU, {outcome}")


if __name__ == "__main__":
    main()
