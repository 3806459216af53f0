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


def scenic_photo(size: tuple[int, int] = (1600, 1000)) -> Image.Image:
    """A photo-like picture with structure (sky gradient, sun, hills, a figure), drawn procedurally."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=(round(40 + 210 * t), round(90 + 90 * t), round(170 - 50 * t)))
    draw.ellipse((w * 0.6, h * 0.15, w * 0.8, h * 0.42), fill=(255, 220, 140))
    draw.polygon([(0, h * 0.7), (w * 0.4, h * 0.55), (w, h * 0.75), (w, h), (0, h)], fill=(40, 90, 60))
    draw.ellipse((w * 0.3, h * 0.3, w * 0.44, h * 0.52), fill=(225, 180, 150))
    draw.rounded_rectangle((w * 0.24, h * 0.54, w * 0.5, h * 1.1), radius=w // 12, fill=(200, 60, 60))
    return image


@pytest.fixture
def scene() -> Scene:
    return Scene(title="Ten Tricks Nobody Knows", palette=PALETTE, category="tech", highlight="Nobody", seed=3)


@pytest.fixture
def finish() -> Finish:
    return Finish(watermark_text=None, keep_original=False)
