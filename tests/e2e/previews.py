"""What the preview tests of every adapter share: partial pictures, and a record of the progress message's id."""

from __future__ import annotations

import io

from PIL import Image

COLORS = ("#d62828", "#f77f00", "#2a9d8f")


def preview_jpeg(color: str, step: int) -> bytes:
    """A small JPEG like a model's partial image: each one different."""
    image = Image.new("RGB", (640, 360), color)
    image.paste((255, 255, 255), (0, 0, 80 * (step + 1), 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


PREVIEWS = [preview_jpeg(color, step) for step, color in enumerate(COLORS)]


def same_picture(data: bytes, sent: bytes) -> bool:
    got, want = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(sent))
    return data == sent and got.format == "JPEG" and got.size == want.size and got.tobytes() == want.tobytes()


class Kept:
    """What the pipeline's `on_progress` was told (store.keep_progress in the real thing)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    async def __call__(self, message_id: str) -> None:
        self.ids.append(message_id)
