"""The speed-ups keep the pixels: each cheaper path against the plain Pillow operation it replaces."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps, ImageStat

from core.rendering import backgrounds as bg
from core.rendering.layouts import _card_core, _card_masks, _contrast_brightness_lut
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


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255)])
@pytest.mark.parametrize("origin", [(40, 30), (0, 0), (180, 110), (-10, 150), (250, 5)])
def test_black_and_white_tints_are_exactly_pillows_blend(origin: tuple[int, int], colour: tuple[int, int, int]) -> None:
    """Shadows, scrims and white titles are tinted in OpenCV: the very pixels of Pillow's paste, inside the canvas,
    on its edges and partly off it (where Pillow's paste does it)."""
    canvas, mask = _noise((300, 200)), _noise((120, 90), "L")
    expected = canvas.copy()
    expected.paste(colour, origin, mask)
    bg.tint(canvas, colour, mask, origin)
    assert _diff(canvas, expected) == 0


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
def test_tilted_card_matches_the_rgba_rotation(angle: int) -> None:
    """OpenCV's rotation: Pillow's geometry, pixels within one level; the coverage mask is anti-aliased where
    Pillow's edge is hard, so the two masks differ only on the one-pixel edge and cover the same area."""
    card = _noise((560, 360))
    expected = np.asarray(card.convert("RGBA").rotate(angle, resample=Image.Resampling.BILINEAR, expand=True))
    alpha, _shadow = _card_masks(card.size, angle)
    ours = bg.rotate(card, angle)
    assert ours.size == alpha.size == (expected.shape[1], expected.shape[0])
    inside = expected[..., 3] == 255
    assert np.abs(np.asarray(ours).astype(int) - expected[..., :3])[inside].max() <= 1
    theirs, mine = expected[..., 3].astype(int), np.asarray(alpha).astype(int)
    covered, square = np.pad(theirs > 0, 1).astype(np.uint8), np.ones((3, 3), np.uint8)
    edge = (cv2.dilate(covered, square) != cv2.erode(covered, square))[1:-1, 1:-1]
    assert not (mine != theirs)[~edge].any()
    assert abs(mine.sum() - theirs.sum()) / theirs.sum() < 1e-3


def test_photo_source_decodes_only_as_large_as_the_panel_needs() -> None:
    source = PhotoSource(encode(scenic_photo((1600, 1200)), "JPEG", quality=90))
    assert source.covering((1280, 720)).size == (1600, 1200)  # the whole canvas: full decode
    small = source.covering((380, 330))
    assert small.size == (800, 600)  # JPEG draft at 1/2 still covers 380x330 by cropping
    assert source.covering((380, 330)) is small  # decoded once per size


@pytest.mark.parametrize("slant", [[(0, 0), (620, 0), (510, 720), (0, 720)],
                                   [(110, 0), (620, 0), (620, 720), (0, 720)]])
def test_paste_through_equals_pasting_through_the_mask(slant: list[tuple[int, int]]) -> None:
    canvas, panel, mask = _noise((1280, 720)), _noise((620, 720)), Image.new("L", (620, 720))
    ImageDraw.Draw(mask).polygon(slant, fill=255)
    expected = canvas.copy()
    expected.paste(panel, (660, 0), mask)
    bg.paste_through(canvas, panel, (660, 0), mask)
    assert _diff(canvas, expected) == 0


@pytest.mark.parametrize("angle", [-4, 3, 0])
def test_tilted_card_paste_and_shadow_equal_the_plain_ones(angle: int) -> None:
    """The card's opaque core is copied and its shadow tinted only around it: the same pixels as before."""
    alpha, shadow = _card_masks((640, 380), angle)
    core = _card_core((640, 380), angle)
    canvas, card, pos = _noise((1280, 720)), _noise(alpha.size), (300, 30)
    expected = canvas.copy()
    bg.tint(expected, (0, 0, 0), shadow, (pos[0] + 14, pos[1] + 16))
    expected.paste(card, pos, alpha)
    bg.tint_around(canvas, (0, 0, 0), shadow, (pos[0] + 14, pos[1] + 16),
                   (pos[0] + core[0], pos[1] + core[1], pos[0] + core[2], pos[1] + core[3]))
    bg.paste_through(canvas, card, pos, alpha, core)
    assert (core[2] - core[0]) * (core[3] - core[1]) > 0.7 * alpha.width * alpha.height
    assert _diff(canvas, expected) == 0
