"""Shared post-processing: watermark, delivery JPEG under the byte budget, PNG original, output checks.

Encoder choice (measured by bench/bench_render.py, SSIM on grayscale, numpy): Pillow's libjpeg-turbo
with our own quantisation tables, baseline + optimised Huffman (progressive measured: ~3x the encode
CPU for ~3% fewer bytes; not worth it inside the 30 ms budget).
- Luma: a near-flat table (8 on low frequencies, 9-10 on the highest, finer DC and first ACs).
  Thumbnails are flat colour with hard title edges; the standard table spends bits on low frequencies
  and rings on edges, a flat one does the opposite, so at equal-or-higher SSIM than Pillow q85 the
  file is ~22% smaller (median over the bench scenes).
- Chroma: the standard table at quality 25, 4:2:0 (what the eye and luma SSIM barely see).
- mozjpeg via pyvips (trellis) was measured too: 40-60 ms per 1280x720 frame, over the whole 30 ms
  budget, and not smaller at equal SSIM on these images, so it is not used.
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
# Near-flat luma: 5 for DC, 6 for the first ACs, then 8 / 9 / 10 by frequency band (u + v < 6 / < 10 / rest).
_FLAT_LUMA = tuple(5 if i == 0 else 6 if i in (1, 8) else 8 if i // 8 + i % 8 < 6 else 9 if i // 8 + i % 8 < 10 else 10
                   for i in range(64))
CHROMA_QUALITY = 25
WATERMARK_POSITIONS = ("bottom-left", "top-left", "top-right", "bottom-center")


def _scaled(table: tuple[int, ...], quality: int) -> list[int]:
    """IJG quality scaling (what libjpeg's `quality` does), per table."""
    quality = max(1, min(100, quality))
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [max(1, min(255, (v * scale + 50) // 100)) for v in table]


def qtables(step: int = 0) -> list[list[int]]:
    """The delivery tables; each `step` of the budget loop coarsens luma by 25% and chroma by 5 quality points."""
    luma = [min(255, round(v * 1.25 ** step)) for v in _FLAT_LUMA]
    return [luma, _scaled(_CHROMA, max(10, CHROMA_QUALITY - 5 * step))]


def encode_jpeg(image: Image.Image, step: int = 0) -> bytes:
    buffer = io.BytesIO()
    # Baseline with optimised Huffman tables: progressive scans cost ~3x the CPU (about 10 ms, more than a
    # whole ~26 ms render) for ~3% fewer bytes, which the slightly coarser high-frequency luma steps win back.
    image.save(buffer, "JPEG", qtables=qtables(step), subsampling="4:2:0", optimize=True)
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
