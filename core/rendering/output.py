"""Shared post-processing: watermark, delivery JPEG under the byte budget, PNG original, output checks.

The delivery JPEG (issue 13; numbers from bench/bench_render.py, 60 scenes: bytes against Pillow's baseline
JPEG q85 of the same canvas, grayscale SSIM with a 7x7 window against the lossless canvas, medians):
Pillow's libjpeg-turbo, our quantisation tables, 4:2:0, baseline with optimised Huffman tables.
- Luma: the table below, found by a greedy rate-distortion search (each step coarsens the band of
  coefficients that saves the most bytes per SSIM lost) on 30 scenes outside the bench set, then on the
  bench set, kept at the last step where the median SSIM stays at or above q85's on both sets. Steps of 8
  to 15 and a coarser DC than usual: thumbnails are flat colour and smooth gradients with hard title
  edges; SSIM barely sees DC steps in a gradient, and ringing at the edges costs it more than it saves.
  Bench: median 28.0% smaller than q85 at SSIM 0.9927 vs 0.9922 (the near-flat table before: 22.4% at
  0.9939); the 30 other scenes: 29.6% at 0.9913 vs 0.9912. Five more search steps reach 29.1% on the bench
  (SSIM 0.9923, still at q85's) but fall under q85 on the other scenes (0.9908 vs 0.9912), so the search
  stops here: 30% at equal SSIM was not reached with libjpeg-turbo's baseline coding.
- Chroma: the ITU-T T.81 Annex K table at quality 23. Coarser chroma saves little (chroma is ~4% of the
  file) and costs luma SSIM at saturated edges, where decoded RGB clips.
- Encode: ~3.3 ms at 1280x720, of which ~1.2 ms is the Huffman optimisation pass whatever the content.
Measured and not kept:
- jpegli (pyjpegli 0.3.2: quality is its only setting, 4:4:4, its own adaptive quantisation): at q85 3.6%
  smaller than Pillow q85 at SSIM 0.9920 (below q85's 0.9923); equal SSIM needs q88, 7% larger; 6.1 ms.
- Progressive scans: 3.3 points more reduction for 2x the encode time (9.1 ms instead of 4.3 ms cold).
- No Huffman optimisation: 1.2-1.9 ms faster, 9 points less reduction (13.6% instead of 22.4%).
- Chroma 4:4:4 (15.5%, 6.9 ms), 4:2:2 (4 points less than 4:2:0), Pillow's 4:1:1 (the same as 4:2:0),
  chroma shapes (finer DC, coarser high frequencies: within 0.3 points, SSIM under q85's), and libjpeg's
  input smoothing (5/10/20: +0.2/+0.2/+0.7 points, SSIM down 0.0001/0.0006/0.002).
- mozjpeg via pyvips (trellis): 40-60 ms per 1280x720 frame, and not smaller at equal SSIM here.

Render time (the same bench, compose + watermark + encode, p50): 18-19 ms before issue 13, ~11.9 ms after
(the naive reference: ~46 ms, so 0.26 of it; the JPEG encode and its check are 3.4 ms of that). What went:
the title outline (a dilation of the letters instead of FreeType's stroker) and one paste for outline, fill
and highlight; OpenCV for shadows, the card rotation, photo fitting and the upscale, the last two reading
and writing Pillow's memory in place (pixels.py); cached pattern masks, gradients and accent grounds; the
decoded photo kept for the next variation; pastes that copy where a mask is opaque and skip what is
painted over; and glibc keeping freed heap (1,400 page faults a render). Tried and dropped: Pillow's block
cache (slower: blocks are reallocated between sizes), OpenCV alpha blending (1.5 ms where Pillow's paste
takes 0.8), RGBX input to the encoder (no change), a box-blur upscale (8 ms).
"""

from __future__ import annotations

import functools
import io
import logging
import time

from PIL import Image, ImageDraw, ImageFilter

from core.rendering import fonts
from core.rendering.errors import OutputCheckError
from core.rendering.types import HEIGHT, WIDTH, Finish, Rendered

log = logging.getLogger(__name__)
Box = tuple[int, int, int, int]

# ITU-T T.81 Annex K chroma table, natural (row-major) order, as Pillow >= 8.3 expects.
_CHROMA = (17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
           47, 66, 99, 99, 99, 99, 99, 99, *([99] * 32))
# Luma, natural order: the rate-distortion search's table (see the module docstring).
_LUMA = (8, 8, 8, 8, 8, 10, 10, 11,
         8, 8, 8, 8, 10, 13, 11, 11,
         8, 8, 8, 8, 13, 11, 11, 11,
         8, 8, 8, 13, 11, 14, 11, 12,
         8, 10, 13, 11, 14, 11, 12, 12,
         10, 13, 11, 14, 11, 12, 12, 15,
         10, 11, 11, 11, 12, 12, 15, 15,
         11, 11, 11, 12, 12, 15, 15, 12)
CHROMA_QUALITY = 23
WATERMARK_POSITIONS = ("bottom-left", "top-left", "top-right", "bottom-center")


def _scaled(table: tuple[int, ...], quality: int) -> list[int]:
    """IJG quality scaling (what libjpeg's `quality` does), per table."""
    quality = max(1, min(100, quality))
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [max(1, min(255, (v * scale + 50) // 100)) for v in table]


@functools.lru_cache(maxsize=16)  # the same few tables for every render
def qtables(step: int = 0) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The delivery tables; each `step` of the budget loop coarsens luma by 25% and chroma by 5 quality points."""
    luma = tuple(min(255, round(v * 1.25 ** step)) for v in _LUMA)
    return luma, tuple(_scaled(_CHROMA, max(10, CHROMA_QUALITY - 5 * step)))


def encode_jpeg(image: Image.Image, step: int = 0) -> bytes:
    buffer = io.BytesIO()
    # Baseline with optimised Huffman tables: progressive scans double the encode time for ~3% fewer bytes.
    image.save(buffer, "JPEG", qtables=list(qtables(step)), subsampling="4:2:0", optimize=True)
    return buffer.getvalue()


def encode_under(image: Image.Image, max_bytes: int, max_steps: int = 10) -> bytes:
    """Deliver under the budget: a guard loop that steps quality down until the file fits."""
    data = encode_jpeg(image)
    step = 0
    while len(data) > max_bytes and step < max_steps:
        step += 1
        data = encode_jpeg(image, step)
        log.info("JPEG over budget: step %d gives %d bytes (budget %d)", step, len(data), max_bytes)
    return data


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)  # lossless; level 3 is ~3x faster than 6 for +5% bytes
    return buffer.getvalue()


def check_output(jpeg: bytes, max_bytes: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
    """The one place the delivery contract is enforced: JPEG, exact size, RGB, under budget, complete.

    The decoder's header pass gives format, dimensions and mode; a full decode would cost more than the
    encode itself, so completeness is checked by the end-of-image marker instead.
    """
    if len(jpeg) > max_bytes:
        raise OutputCheckError(f"delivered JPEG is {len(jpeg)} bytes, over the {max_bytes} byte budget")
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            fmt, dims, mode = image.format, image.size, image.mode
    except (OSError, SyntaxError) as exc:
        raise OutputCheckError(f"delivered JPEG does not decode: {exc}") from exc
    if fmt != "JPEG" or dims != size or mode != "RGB":
        raise OutputCheckError(f"delivered image is {fmt} {dims[0]}x{dims[1]} {mode}, expected JPEG "
                               f"{size[0]}x{size[1]} RGB")
    if not jpeg.endswith(b"\xff\xd9"):
        raise OutputCheckError("delivered JPEG is truncated (no end-of-image marker)")


def watermark_box(text: str, position: str) -> tuple[Box, str]:
    """Where the watermark goes (in the margin outside the title safe area, never bottom-right)."""
    if position not in WATERMARK_POSITIONS:
        log.warning("watermark position %r not allowed (duration corner or unknown); using bottom-left", position)
        position = "bottom-left"
    face = fonts.font(fonts.chain("ui")[0], 22)
    left, top, right, bottom = face.getbbox(text)
    w, h = right - left, bottom - top
    x = {"bottom-left": 22, "top-left": 22, "top-right": WIDTH - 22 - w, "bottom-center": (WIDTH - w) // 2}[position]
    y = 10 if position.startswith("top") else HEIGHT - 12 - h
    return (x, y, x + w, y + h), position


@functools.lru_cache(maxsize=32)
def _watermark_masks(text: str, position: str, path: str) -> tuple[Box, tuple[int, int], Image.Image, Image.Image]:
    """Box, origin, halo and text masks of a watermark: the same for every render with that text, place and font."""
    box, _ = watermark_box(text, position)
    face = fonts.font(path, 22)
    pad = 8
    mask = Image.new("L", (box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad))
    left, top, _r, _b = face.getbbox(text)
    ImageDraw.Draw(mask).text((pad - left, pad - top), text, font=face, fill=255)
    halo = mask.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.BoxBlur(2)).point(lambda v: v * 140 // 255)
    return box, (box[0] - pad, box[1] - pad), halo, mask.point(lambda v: v * 190 // 255)


def watermark(canvas: Image.Image, text: str, position: str) -> Box:
    """Subtle but present: 75% white with a soft dark halo, so it reads on any background."""
    _box, position = watermark_box("", position)  # logs a refused position on every render, not once
    box, origin, halo, ink = _watermark_masks(" ".join(text.split())[:48], position, fonts.chain("ui")[0])
    canvas.paste((0, 0, 0), origin, halo)
    canvas.paste((255, 255, 255), origin, ink)
    return box


def deliver(canvas: Image.Image, finish: Finish, title_box: Box, started: float) -> Rendered:
    """Watermark, encode, check: the tail every algorithm's output goes through."""
    if canvas.size != (WIDTH, HEIGHT) or canvas.mode != "RGB":
        raise OutputCheckError(f"canvas is {canvas.size} {canvas.mode}, expected {WIDTH}x{HEIGHT} RGB")
    if finish.watermark_text and finish.watermark_text.strip():
        watermark(canvas, finish.watermark_text, finish.watermark_position)
    composed = time.perf_counter()
    jpeg = encode_under(canvas, finish.max_bytes)
    check_output(jpeg, finish.max_bytes)
    original = encode_png(canvas) if finish.keep_original else None
    done = time.perf_counter()
    return Rendered(jpeg, original, WIDTH, HEIGHT, title_box, (composed - started) * 1000, (done - composed) * 1000)
