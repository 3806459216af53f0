"""Legibility and contrast of titles, measured on the delivered pixels.

OCR: tesseract --psm 7 (one text line) on each title line cropped from the 1280x720 JPEG and from
its 320x180 downscale (crop upscaled 4x), character-match ratio ≥ 0.9. Contrast: the title's fill
colour against the pixels behind the title (the canvas just before the title was drawn) ≥ 4.5:1.
"""

from __future__ import annotations

import difflib
import io
import subprocess

import numpy as np
import pytest
from PIL import Image

from core.rendering import VARIANTS, Finish, Scene, render_local
from core.rendering.colors import contrast_lum, luminance
from core.rendering.compositor import _LINEAR, compose, external_canvas
from tests.ocr import tesseract

from .conftest import PALETTE, encode, photo, scenic_photo

_PHOTO = encode(scenic_photo(), "JPEG")

CASES = [
    Scene(title="I Tried Every Fast Food Burger", layout="headline", category="food", palette=PALETTE, seed=0),
    Scene(title="Learn Python Today", layout="headline", category="education", palette=("#1e1b4b", "#22d3ee",
          "#f0abfc"), seed=1, highlight="Python"),
    Scene(title="Budget Gaming Setup", layout="split", category="gaming", palette=("#3b0764", "#facc15", "#ffffff"),
          seed=0),
    Scene(title="My Morning Routine", layout="framed", category="lifestyle", palette=PALETTE, seed=1, badge="NEW"),
    Scene(title="Quiet Mornings in Kyoto", layout="minimal", category="travel", style="minimal", mood="calm",
          palette=("#111827", "#ef4444", "#f9fafb"), seed=0),
    Scene(title="Cheap vs Expensive Sushi", layout="versus", category="food", palette=("#0c4a6e", "#fde047",
          "#e0f2fe"), seed=1, highlight="Expensive"),
    Scene(title="10 Money Mistakes to Avoid", layout="listicle", category="finance", palette=("#052e16", "#84cc16",
          "#fefce8"), badge="10", seed=0),
    Scene(title="Crypto Crash Explained", layout="headline", category="finance", palette=PALETTE, seed=2,
          highlight="Crash"),
    Scene(title="Top 5 Hidden Beaches", layout="listicle", category="travel", palette=("#0f172a", "#f97316",
          "#ffffff"), seed=1),
]
PHOTO_CASES = [
    Scene(title="Hiking the Alps Alone", layout="headline", palette=PALETTE, photo=encode(photo((1600, 1000)),
          "JPEG")),
    Scene(title="Weekend Vlog", layout="split", palette=PALETTE, photo=encode(photo((800, 1000)), "JPEG"), seed=1),
]

# Every design of every layout (seed % VARIANTS), with and without a photo: the variants move the title
# onto light paper, accent backgrounds, photo bands, so each must stay readable on its own.
VARIANT_CASES = [
    Scene(title="Seven Habits That Work", layout=layout, category=category, palette=palette, highlight="Habits",
          badge="NEW" if layout != "listicle" else "7", photo=_PHOTO if with_photo else None, seed=seed)
    for layout, category, palette in (
        ("headline", "gaming", PALETTE), ("split", "tech", ("#1e1b4b", "#22d3ee", "#f0abfc")),
        ("framed", "travel", ("#052e16", "#84cc16", "#fefce8")), ("minimal", "beauty", ("#111827", "#ef4444",
                                                                                          "#f9fafb")),
        ("versus", "food", ("#0c4a6e", "#fde047", "#e0f2fe")), ("listicle", "finance", ("#3b0764", "#facc15",
                                                                                         "#ffffff")))
    for with_photo in (False, True)
    for seed in range(VARIANTS)
]


def _ocr(binary: str, image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "PNG")
    result = subprocess.run([binary, "stdin", "stdout", "--psm", "7", "-l", "eng"], input=buffer.getvalue(),
                            capture_output=True, timeout=30, check=True)
    return result.stdout.decode("utf-8", "replace")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _read(binary: str, image: Image.Image, lines: list[tuple[int, int, int, int]], scale: float) -> str:
    words = []
    for box in lines:
        pad = 10 * scale
        crop = image.crop((box[0] * scale - pad, box[1] * scale - pad, box[2] * scale + pad, box[3] * scale + pad))
        if scale < 1:  # the 320x180 preview: bring the crop back to a size tesseract is tuned for
            crop = crop.resize((crop.width * 4, crop.height * 4), Image.Resampling.LANCZOS)
        words.append(_ocr(binary, crop))
    return _norm(" ".join(words))


def _id(scene: Scene) -> str:
    return f"{scene.layout}-{scene.title[:18]}-v{scene.seed % VARIANTS}{'-photo' if scene.photo else ''}"


@pytest.mark.parametrize("scene", CASES + PHOTO_CASES + VARIANT_CASES, ids=_id)
def test_title_reads_back_at_full_size_and_as_a_small_preview(scene: Scene) -> None:
    binary = tesseract()
    rendered = render_local(scene, Finish(keep_original=False))
    lines = compose(scene).lines
    full = Image.open(io.BytesIO(rendered.jpeg)).convert("RGB")
    small = full.resize((320, 180), Image.Resampling.LANCZOS)
    for image, scale in ((full, 1.0), (small, 0.25)):
        text = _read(binary, image, lines, scale)
        ratio = difflib.SequenceMatcher(None, text, _norm(scene.title)).ratio()
        assert ratio >= 0.9, f"{scale=}: read {text!r} for {scene.title!r} (ratio {ratio:.2f})"


def _contrast_p5(background: Image.Image, box: tuple[int, int, int, int], fill: tuple[int, int, int]) -> float:
    """5th percentile of the fill's contrast against every background pixel behind the title."""
    lin = _LINEAR[np.asarray(background.crop(box).convert("RGB"))]
    lum = lin @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    fill_lum = luminance(fill)
    ratios = (np.maximum(lum, fill_lum) + 0.05) / (np.minimum(lum, fill_lum) + 0.05)
    return float(np.percentile(ratios, 5))


@pytest.mark.parametrize("scene", CASES + PHOTO_CASES + VARIANT_CASES, ids=_id)
def test_title_fill_contrast_is_at_least_4_5(scene: Scene) -> None:
    composition = compose(scene, keep_background=True)
    assert composition.background is not None and composition.fill is not None
    assert _contrast_p5(composition.background, composition.title_box, composition.fill) >= 4.5


@pytest.mark.parametrize("size", [(1024, 1024), (1792, 1024)])
def test_external_title_contrast_on_a_bright_provider_image(size: tuple[int, int]) -> None:
    bright = Image.new("RGB", size, (250, 245, 235))
    composition = external_canvas(encode(bright), Scene(title="Bright Image Title", palette=PALETTE),
                                  keep_background=True)
    assert composition.background is not None and composition.fill is not None
    assert _contrast_p5(composition.background, composition.title_box, composition.fill) >= 4.5
    assert contrast_lum(luminance(composition.fill), 1.0) >= 1.0
