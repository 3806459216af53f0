"""The speed-ups keep the pixels: each cheaper path against the plain Pillow operation it replaces."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps, ImageStat

from core.rendering import backgrounds as bg
from core.rendering.layouts import _card_masks, _contrast_brightness_lut
from core.rendering.photos import PhotoSource

from .conftest import encode, scenic_photo

_RNG = np.random.default_rng(7)


def _noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    return Image.fromarray(_RNG.integers(0, 256, shape, dtype=np.uint8), mode)


def _diff(a: Image.Image, b: Image.Image) -> int:
    return int(np.abs(np.asarray(a).astype(int) - np.asarray(b).astype(int)).max())


def test_tint_equals_pasting_the_colour_through_the_mask() -> None:
    canvas, mask = _noise((300, 200)), Image.new("L", (120, 90))
    mask.paste(_noise((60, 40), "L"), (30, 20))  # ink in the middle only: the bounding-box path
    expected = canvas.copy()
    expected.paste((250, 120, 10), (-10, 150), mask)  # partly off the canvas
    bg.tint(canvas, (250, 120, 10), mask, (-10, 150))
    assert _diff(canvas, expected) == 0


def test_partial_upscale_matches_the_whole_upscale_where_it_paints() -> None:
    half = _noise(bg.HALF)
    whole = np.asarray(bg.upscale(half))
    for box in ((510, 0, 1280, 720), (0, 262, 1280, 720), (0, 0, 1280, 440)):
        part = np.asarray(bg.upscale(half, box=box))
        assert np.array_equal(part[box[1]:box[3], box[0]:box[2]], whole[box[1]:box[3], box[0]:box[2]]), box


def test_vertical_gradient_equals_one_line_per_row() -> None:
    top, bottom = (10, 200, 30), (250, 3, 99)
    expected = Image.new("RGB", (640, 360))
    draw = ImageDraw.Draw(expected)
    for y in range(360):
        draw.line([(0, y), (640, y)], fill=bg.mix(top, bottom, y / 359))
    assert _diff(bg.vertical((640, 360), top, bottom), expected) == 0


@pytest.mark.parametrize("angle", [-30, 24, 45, 66, 135, 156])
def test_diagonal_ramp_is_the_rotated_linear_gradient(angle: float) -> None:
    ramp = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
    ramp = ramp.crop((48, 48, 208, 138)).resize(bg.HALF, Image.Resampling.BILINEAR)
    ours = bg.diagonal(bg.HALF, (0, 0, 0), (255, 255, 255), angle).convert("L")
    assert _diff(ours, ramp) <= 1


def test_two_tone_equals_colorize() -> None:
    gray = _noise((64, 64), "L")
    for a, b in (((10, 200, 30), (250, 3, 99)), ((255, 255, 255), (0, 0, 0))):
        assert _diff(bg.two_tone(gray.copy(), a, b), ImageOps.colorize(gray, a, b)) == 0


@pytest.mark.parametrize("darken", [0.15, 0.25])
def test_contrast_brightness_lut_equals_image_enhance(darken: float) -> None:
    image = _noise((200, 120))
    expected = ImageEnhance.Brightness(ImageEnhance.Contrast(image).enhance(1.12)).enhance(1 - darken)
    mean = int(ImageStat.Stat(image.convert("L")).mean[0] + 0.5)
    assert _diff(image.point(_contrast_brightness_lut(mean, 1.12, 1 - darken) * 3), expected) == 0


@pytest.mark.parametrize("angle", [-4, -3, 3, 4])
def test_tilted_card_equals_the_rgba_rotation(angle: int) -> None:
    card = _noise((560, 360))
    expected = card.convert("RGBA").rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    alpha, _shadow = _card_masks(card.size, angle)
    ours = card.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    ours.putalpha(alpha)
    inside = np.asarray(expected)[..., 3] > 0
    assert _diff(ours.getchannel("A"), expected.getchannel("A")) == 0
    assert np.array_equal(np.asarray(ours)[inside], np.asarray(expected)[inside])


def test_photo_source_decodes_only_as_large_as_the_panel_needs() -> None:
    source = PhotoSource(encode(scenic_photo((1600, 1200)), "JPEG", quality=90))
    assert source.covering((1280, 720)).size == (1600, 1200)  # the whole canvas: full decode
    small = source.covering((380, 330))
    assert small.size == (800, 600)  # JPEG draft at 1/2 still covers 380x330 by cropping
    assert source.covering((380, 330)) is small  # decoded once per size
