"""Helpers for the rendering tests: real image bytes, decoded back for every check."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.rendering import Finish, Scene

PALETTE = ("#0f172a", "#f97316", "#ffffff")


def encode(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(decode(data).convert("RGB"), dtype=np.int16)


def photo(size: tuple[int, int] = (900, 600), mode: str = "RGB") -> Image.Image:
    """A photo-like test image: red top half, blue bottom half, a white marker in the top-left corner."""
    image = Image.new("RGB", size, (200, 40, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, size[1] // 2, size[0], size[1]), fill=(40, 60, 200))
    draw.rectangle((0, 0, size[0] // 10, size[1] // 10), fill=(255, 255, 255))
    return image.convert(mode) if mode != "RGB" else image


@pytest.fixture
def scene() -> Scene:
    return Scene(title="Ten Tricks Nobody Knows", palette=PALETTE, category="tech", highlight="Nobody", seed=3)


@pytest.fixture
def finish() -> Finish:
    return Finish(watermark_text=None, keep_original=False)
