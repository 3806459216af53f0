"""Compositor and post-processing: real JPEG/PNG bytes, decoded and checked."""

from __future__ import annotations

import dataclasses
import logging
import pickle

import numpy as np
import pytest
from PIL import Image

from core.rendering import (
    HEIGHT,
    LAYOUTS,
    VARIANTS,
    WIDTH,
    BadImage,
    Finish,
    Scene,
    finish_external,
    fonts,
    render_local,
    text_support_problems,
    validate_photo,
)
from core.rendering.layouts import DURATION, SAFE
from core.rendering.output import watermark_box

from .conftest import PALETTE, decode, encode, photo, pixels, scenic_photo


def _inside(box: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return box[0] >= outer[0] and box[1] >= outer[1] and box[2] <= outer[2] and box[3] <= outer[3]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("with_photo", [False, True])
@pytest.mark.parametrize("seed", range(VARIANTS))
def test_each_layout_renders_a_jpeg_under_budget(layout: str, with_photo: bool, seed: int, finish: Finish) -> None:
    scene = Scene(title="How I Built This in 7 Days", palette=PALETTE, layout=layout, badge="NEW", highlight="7",
                  photo=encode(photo(), "JPEG") if with_photo else None, seed=seed)
    rendered = render_local(scene, finish)
    image = decode(rendered.jpeg)
    assert (image.format, image.size, image.mode) == ("JPEG", (WIDTH, HEIGHT), "RGB")
    assert (rendered.width, rendered.height) == (WIDTH, HEIGHT)
    assert len(rendered.jpeg) <= finish.max_bytes
    assert rendered.original_png is None
    assert _inside(rendered.title_box, SAFE), rendered.title_box
    assert not _overlaps(rendered.title_box, DURATION), rendered.title_box


def test_title_never_leaves_the_safe_area_or_enters_the_duration_corner(finish: Finish) -> None:
    titles = ["Go", "A Very Long Title That Keeps Going And Going Until It Cannot Fit Anywhere At All Really",
              "ویدیوی جدید من درباره سفر به شمال ایران", "Supercalifragilisticexpialidocious"]
    for seed in range(VARIANTS):
        for layout in LAYOUTS:
            for title in titles:
                lang = "fa" if fonts.has_rtl(title) else "en"
                scene = Scene(title=title, language=lang, palette=PALETTE, layout=layout, seed=seed, badge="#1")
                box = render_local(scene, finish).title_box
                assert _inside(box, SAFE) and not _overlaps(box, DURATION), (layout, seed, title, box)


def test_render_is_deterministic_and_the_scene_is_picklable(scene: Scene, finish: Finish) -> None:
    assert pickle.loads(pickle.dumps(scene)) == scene
    first, second = render_local(scene, finish), render_local(scene, finish)
    assert first.jpeg == second.jpeg and first.title_box == second.title_box


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_different_seed_looks_different(layout: str, scene: Scene, finish: Finish) -> None:
    a = pixels(render_local(dataclasses.replace(scene, layout=layout, seed=1), finish).jpeg)
    b = pixels(render_local(dataclasses.replace(scene, layout=layout, seed=2), finish).jpeg)
    assert np.abs(a - b).mean() > 6  # mean absolute difference per channel, 0..255


def _preview(data: bytes) -> np.ndarray:
    """The 320x180 grayscale preview a viewer compares thumbnails by (YouTube's small list size)."""
    return np.asarray(decode(data).convert("L").resize((320, 180), Image.Resampling.LANCZOS), dtype=np.float32)


# "Visibly different": mean absolute difference ≥ 6 (of 255) between the 320x180 grayscale previews. Re-rendering
# the same design with another fine seed (seed + VARIANTS) gives ~0.05 on the median; 6 is e.g. the title block
# moving to the other side, a light area turning dark over a tenth of the picture, or the subject changing shape
# and place. Measured minimum over these pairs is ~20, so the bound has margin without being trivial.
VISIBLY_DIFFERENT = 6.0


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("with_photo", [False, True])
def test_the_variants_of_a_scene_are_pairwise_visibly_different(layout: str, with_photo: bool,
                                                               finish: Finish) -> None:
    assert VARIANTS == 6
    base = Scene(title="Ten Tricks Nobody Knows", palette=PALETTE, category="tech", highlight="Nobody", badge="NEW",
                 layout=layout, photo=encode(scenic_photo(), "JPEG") if with_photo else None, seed=6 * 17 + 4)
    previews = [_preview(render_local(dataclasses.replace(base, seed=base.seed + k), finish).jpeg)
                for k in range(VARIANTS)]
    for a in range(VARIANTS):
        for b in range(a + 1, VARIANTS):
            mad = float(np.abs(previews[a] - previews[b]).mean())
            assert mad >= VISIBLY_DIFFERENT, (layout, with_photo, base.seed + a, base.seed + b, round(mad, 2))


def test_the_variant_is_the_seed_residue_and_the_rest_only_varies_details(finish: Finish) -> None:
    # Same residue, another fine seed: the same design (a regenerate must therefore change the residue).
    for layout in LAYOUTS:
        scene = Scene(title="Ten Tricks Nobody Knows", palette=PALETTE, category="tech", layout=layout, seed=2)
        same = [_preview(render_local(dataclasses.replace(scene, seed=s), finish).jpeg) for s in (2, 2 + VARIANTS)]
        other = _preview(render_local(dataclasses.replace(scene, seed=3), finish).jpeg)
        assert np.abs(same[0] - other).mean() >= VISIBLY_DIFFERENT
        assert np.abs(same[0] - same[1]).mean() < np.abs(same[0] - other).mean()


def test_negative_and_huge_seeds_render(finish: Finish) -> None:
    for seed in (-1, -7, 2**63 + 5):
        rendered = render_local(Scene(title="Seeds", palette=PALETTE, layout="split", seed=seed), finish)
        assert decode(rendered.jpeg).size == (WIDTH, HEIGHT)


def test_style_mood_and_category_change_the_picture(scene: Scene, finish: Finish) -> None:
    base = pixels(render_local(scene, finish).jpeg)
    for change in ({"category": "cooking"}, {"mood": "calm"}, {"style": "minimal"},
                   {"palette": ("#052e16", "#84cc16", "#fefce8")}):
        other = pixels(render_local(dataclasses.replace(scene, **change), finish).jpeg)
        assert np.abs(base - other).mean() > 3, change


def test_keep_original_returns_a_lossless_png_of_the_same_picture(scene: Scene) -> None:
    rendered = render_local(scene, Finish(keep_original=True))
    assert rendered.original_png is not None
    png = decode(rendered.original_png)
    assert (png.format, png.size) == ("PNG", (WIDTH, HEIGHT))
    assert np.abs(pixels(rendered.original_png) - pixels(rendered.jpeg)).mean() < 4


def test_tight_budget_steps_quality_down(scene: Scene) -> None:
    roomy = render_local(scene, Finish(keep_original=False))
    tight = render_local(scene, Finish(keep_original=False, max_bytes=len(roomy.jpeg) * 2 // 3))
    assert len(tight.jpeg) <= len(roomy.jpeg) * 2 // 3
    assert decode(tight.jpeg).size == (WIDTH, HEIGHT)


# --- photos -----------------------------------------------------------------------------------------------


def test_exif_orientation_is_applied(finish: Finish) -> None:
    # Stored landscape with orientation 6 ("rotate 90° clockwise to display"): upright it is portrait.
    image = photo((800, 500))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(image, "JPEG", exif=exif.tobytes())
    assert validate_photo(data) == (500, 800)
    render_local(Scene(title="Upright", palette=PALETTE, photo=data, layout="split"), finish)


@pytest.mark.parametrize("size", [(31, 997), (4000, 300), (1280, 720), (7, 5)])
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L", "CMYK"])
def test_odd_photos_fit_without_errors(size: tuple[int, int], mode: str, finish: Finish) -> None:
    image = photo(size, mode)
    fmt = "JPEG" if mode in ("RGB", "L", "CMYK") else "PNG"
    scene = Scene(title="Odd Photo", palette=PALETTE, photo=encode(image, fmt), layout="headline")
    assert decode(render_local(scene, finish).jpeg).size == (WIDTH, HEIGHT)


def test_photo_is_cropped_never_stretched() -> None:
    from core.rendering.photos import fit

    # A circle must stay a circle: fit a 400x400 circle image into 1280x720.
    image = Image.new("L", (400, 400), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(image).ellipse((100, 100, 300, 300), fill=255)
    fitted = np.asarray(fit(image, (1280, 720), (0.5, 0.5))) > 127
    ys, xs = np.nonzero(fitted)
    assert abs((xs.max() - xs.min()) - (ys.max() - ys.min())) <= 4


def test_bad_images_raise_bad_image() -> None:
    with pytest.raises(BadImage) as info:
        validate_photo(b"definitely not an image")
    assert info.value.reason == "not_image" and isinstance(info.value, ValueError)
    with pytest.raises(BadImage) as info:
        validate_photo(encode(photo(), "JPEG"), max_bytes=100)
    assert info.value.reason == "too_large"
    bomb = encode(Image.new("1", (10_000, 10_000)), "PNG")  # 100 MP in a few KB
    with pytest.raises(BadImage) as info:
        validate_photo(bomb)
    assert info.value.reason == "bomb"
    assert Image.MAX_IMAGE_PIXELS is not None
    with pytest.raises(BadImage):
        render_local(Scene(title="x", palette=PALETTE, photo=b"\x89PNG broken"), Finish())


def test_a_strip_no_photo_has_is_refused_and_a_panorama_is_not() -> None:
    """1 x 40,000,000 is within the pixel cap, but past what a paid service takes and seconds to fit."""
    for size in ((100_000, 10), (40_000, 400), (1, 500)):
        with pytest.raises(BadImage) as info:
            validate_photo(encode(Image.new("L", size), "PNG"))
        assert info.value.reason == "shape"
    assert validate_photo(encode(Image.new("RGB", (12_000, 1_500)), "JPEG")) == (12_000, 1_500)


def test_a_16_bit_grey_photo_keeps_its_tones(finish: Finish) -> None:
    """Converted as it is, every value above 255 of 65,535 clips: the photo became a white panel."""
    from core.rendering.photos import load_photo

    ramp = Image.fromarray(np.tile(np.linspace(0, 65535, 512), (300, 1)).astype(np.uint16))
    loaded = np.asarray(load_photo(encode(ramp, "PNG"), (512, 300)))
    assert loaded.shape[2] == 3 and 100 < loaded.mean() < 155 and loaded[:, :64].mean() < 40
    render_local(Scene(title="Sixteen Bits", palette=PALETTE, photo=encode(ramp, "PNG"), layout="split"), finish)


def test_truncated_jpeg_is_bad_image() -> None:
    data = encode(photo((1200, 900)), "JPEG")
    with pytest.raises(BadImage) as info:
        render_local(Scene(title="x", palette=PALETTE, photo=data[:200]), Finish())
    assert info.value.reason == "not_image"


def test_a_jpeg_of_too_many_scans_is_refused_before_it_is_decoded(finish: Finish) -> None:
    """Each scan of a progressive JPEG is a pass over the whole picture for a few bytes: thousands of them kept a
    render worker busy past its timeout. An ordinary progressive photo (10 scans) renders."""
    from core.rendering.photos import MAX_JPEG_SCANS, validate_photo

    ordinary = encode(photo((1200, 900)), "JPEG", progressive=True)
    assert validate_photo(ordinary) == (1200, 900)
    render_local(Scene(title="Ten Scans", palette=PALETTE, photo=ordinary, layout="split"), finish)
    last = ordinary.rindex(b"\xff\xda")  # the last scan, repeated: the end of the image stays last
    bomb = ordinary[:last] + ordinary[last:-2] * MAX_JPEG_SCANS + ordinary[-2:]
    for check in (lambda: validate_photo(bomb), lambda: render_local(Scene(title="x", palette=PALETTE, photo=bomb),
                                                                      finish)):
        with pytest.raises(BadImage) as info:
            check()
        assert info.value.reason == "scans"


# --- provider outputs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1024, 1024), (1536, 1024), (1792, 1024), (640, 1200)])
def test_finish_external_fits_rgba_provider_output(size: tuple[int, int], scene: Scene, finish: Finish) -> None:
    image = photo(size, "RGBA")
    image.putalpha(Image.new("L", size, 0).point(lambda _v: 0).resize(size))  # fully transparent
    image.paste((10, 200, 10, 255), (0, 0, size[0], size[1] // 3))  # opaque band on top
    rendered = finish_external(encode(image), scene, finish)
    out = decode(rendered.jpeg)
    assert (out.format, out.size, out.mode) == ("JPEG", (WIDTH, HEIGHT), "RGB")
    assert _inside(rendered.title_box, SAFE) and not _overlaps(rendered.title_box, DURATION)
    # Transparent areas sit on the theme background, not on black.
    assert pixels(rendered.jpeg)[HEIGHT // 2, WIDTH // 2].sum() > 30


def test_finish_external_rejects_garbage(scene: Scene) -> None:
    with pytest.raises(BadImage):
        finish_external(b"<html>error</html>", scene, Finish())
    with pytest.raises(BadImage):  # an 8x8 "picture" blown up to 1280x720 was delivered and paid for
        finish_external(encode(photo((8, 8))), scene, Finish())


# --- watermark ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("position", ["bottom-left", "top-left", "top-right", "bottom-center", "bottom-right"])
def test_watermark_is_present_and_never_in_the_duration_corner(position: str, scene: Scene) -> None:
    plain = render_local(scene, Finish(keep_original=True))
    marked = render_local(scene, Finish(watermark_text="routix.bot", watermark_position=position, keep_original=True))
    box, used = watermark_box("routix.bot", position)
    assert not _overlaps(box, DURATION)
    if position == "bottom-right":
        assert used == "bottom-left"
    assert plain.original_png and marked.original_png
    a, b = pixels(plain.original_png), pixels(marked.original_png)
    region = np.abs(a - b)[box[1]:box[3], box[0]:box[2]]
    assert region.mean() > 8  # visibly present
    corner = np.abs(a - b)[DURATION[1]:, DURATION[0]:]
    assert corner.max() == 0  # and nothing changed in the duration corner
    assert not _overlaps(box, marked.title_box)


# --- fonts and scripts --------------------------------------------------------------------------------------


def test_text_support_is_complete_here() -> None:
    assert text_support_problems() == []


def test_missing_font_degrades_with_a_warning(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                               finish: Finish) -> None:
    monkeypatch.setitem(fonts.FONT_CHOICES, "display", ("/nonexistent/Missing-Bold.ttf",))
    monkeypatch.setattr(fonts, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="core.rendering.fonts"):
        rendered = render_local(Scene(title="Still Renders", palette=PALETTE), finish)
    assert decode(rendered.jpeg).size == (WIDTH, HEIGHT)
    assert any("Missing-Bold.ttf" in r.getMessage() for r in caplog.records)


def test_no_fonts_at_all_still_renders(monkeypatch: pytest.MonkeyPatch, finish: Finish) -> None:
    monkeypatch.setattr(fonts, "find_font", lambda _name: None)
    fonts.font.cache_clear()
    try:
        rendered = render_local(Scene(title="Default Face", palette=PALETTE, layout="minimal"), finish)
        assert decode(rendered.jpeg).size == (WIDTH, HEIGHT)
    finally:
        fonts.font.cache_clear()
