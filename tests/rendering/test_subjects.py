"""Subject drawings and the scenes that use them: every motif draws a distinct sticker inside its box; versus
shows each side's own thing with its name; the six variants of such scenes stay visibly different."""

from __future__ import annotations

import dataclasses
import io
import itertools
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.rendering import VARIANTS, Finish, Scene, render_local
from core.rendering.colors import theme_for
from core.rendering.compositor import compose
from core.rendering.layouts import LABEL_HEIGHT
from core.rendering.motifs import FAMILIES, MOTIFS, PHOTO, WORDS, draw_motif
from tests.ocr import _ocr

from .conftest import PALETTE, encode, scenic_photo
from .test_render import VISIBLY_DIFFERENT, _preview

THEME = theme_for(Scene(title="x", palette=PALETTE))
GROUND = (40, 44, 52)


def _sticker(name: str, size: int) -> np.ndarray:
    image = Image.new("RGB", (size + 40, size + 40), GROUND)
    draw_motif(ImageDraw.Draw(image), name, (20, 20, 20 + size, 20 + size), THEME, random.Random(3))
    return np.asarray(image.convert("L"), dtype=np.float32)


def test_there_are_at_least_forty_subjects_and_every_word_table_entry_draws() -> None:
    assert len(MOTIFS) >= 40
    assert {name for name, _words in WORDS} <= set(MOTIFS)
    assert not set(MOTIFS) & set(FAMILIES), "a scene stored with a family name must keep drawing that family"


@pytest.mark.parametrize("name", sorted(MOTIFS))
@pytest.mark.parametrize("size", [160, 400])
def test_a_motif_fills_its_box_and_stays_inside_it(name: str, size: int) -> None:
    changed = np.abs(_sticker(name, size) - _ground_luma()) > 2
    inside = changed[20:20 + size, 20:20 + size]
    assert 0.12 <= inside.mean() <= 0.95, round(float(inside.mean()), 3)  # a sticker, not a speck or a fill
    outside = changed.copy()
    outside[20 - 2:22 + size, 20 - 2:22 + size] = False  # outlines may straddle the edge by a pixel or two
    assert not outside.any()


def _ground_luma() -> float:
    return float(np.asarray(Image.new("RGB", (1, 1), GROUND).convert("L"))[0, 0])


def test_every_motif_looks_different_from_every_other() -> None:
    small = {name: np.asarray(Image.fromarray(_sticker(name, 200).astype(np.uint8)).resize((48, 48)),
                              dtype=np.float32) for name in MOTIFS}
    close = [(a, b, round(float(np.abs(small[a] - small[b]).mean()), 1))
             for a, b in itertools.combinations(sorted(small), 2) if np.abs(small[a] - small[b]).mean() < 8]
    assert not close


def _versus(sides: tuple[str, ...], motifs: tuple[str, ...], language: str = "en", photo: bool = False) -> Scene:
    title = " vs ".join(sides) if language == "en" else " یا ".join(sides)
    return Scene(title=title, language=language, category="tech", palette=PALETTE, layout="versus", motifs=motifs,
                 sides=sides, photo=encode(scenic_photo(), "JPEG") if photo else None, seed=6 * 11)


@pytest.mark.parametrize("scene", [
    _versus(("Pizza", "Pasta"), ("pizza", "pasta")),
    _versus(("پیتزا", "پاستا"), ("pizza", "pasta"), language="fa"),
    _versus(("before", "after"), (PHOTO, PHOTO), photo=True),
    _versus(("me", "pro"), (PHOTO, "crown"), photo=True),
    Scene(title="10 Money Mistakes", palette=PALETTE, layout="listicle", badge="10", motifs=("money",), seed=6 * 11),
], ids=["versus", "versus-fa", "before-after", "photo-side", "listicle"])
def test_the_variants_of_a_scene_with_subjects_are_pairwise_visibly_different(scene: Scene) -> None:
    finish = Finish(keep_original=False)
    previews = [_preview(render_local(dataclasses.replace(scene, seed=scene.seed + k), finish).jpeg)
                for k in range(VARIANTS)]
    for a, b in itertools.combinations(range(VARIANTS), 2):
        mad = float(np.abs(previews[a] - previews[b]).mean())
        assert mad >= VISIBLY_DIFFERENT, (scene.layout, a, b, round(mad, 2))


@pytest.mark.parametrize("variant", range(VARIANTS))
def test_each_side_of_a_comparison_carries_its_name(variant: int) -> None:
    scene = dataclasses.replace(_versus(("Pizza", "Pasta"), ("pizza", "pasta")), seed=6 * 11 + variant)
    image = Image.open(io.BytesIO(render_local(scene, Finish(keep_original=False)).jpeg)).convert("L")
    title_below = compose(scene).title_box[1] > 360
    # The names sit next to the title band: under the pictures when the title is below, over them otherwise.
    y = 420 - LABEL_HEIGHT // 2 if title_below else 300 + LABEL_HEIGHT // 2
    for x, name in ((280, "PIZZA"), (1000, "PASTA")):
        label = image.crop((x - 200, y - LABEL_HEIGHT // 2, x + 200, y + LABEL_HEIGHT // 2))
        assert name in {w.strip(".,:;|'\"()").upper() for w in _ocr(label, "7")}


def test_the_first_named_side_is_on_the_reading_start() -> None:
    """English reads left to right, Persian right to left: the first-named side comes first either way."""
    finish = Finish(keep_original=False)
    english = _versus(("Pizza", "Pasta"), ("pizza", "pasta"))
    persian = dataclasses.replace(english, language="fa", title="پیتزا یا پاستا", sides=("پیتزا", "پاستا"))
    english_picture = np.asarray(Image.open(io.BytesIO(render_local(english, finish).jpeg)).convert("L"))
    persian_picture = np.asarray(Image.open(io.BytesIO(render_local(persian, finish).jpeg)).convert("L"))
    halves = (slice(80, 480), slice(800, 1200))
    rows = slice(380, 700)
    # The first side (pizza) lands in the left half for English and in the right half for Persian.
    left, right = english_picture[rows, halves[0]].astype(float), persian_picture[rows, halves[1]].astype(float)
    mirrored = persian_picture[rows, halves[0]].astype(float)
    assert np.abs(left - right).mean() < np.abs(left - mirrored).mean()
