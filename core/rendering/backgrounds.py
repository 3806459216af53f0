"""Backgrounds: gradients, duotones, glows, vignettes and palette patterns.

Vertical gradients are one column widened; angled ones are an 8-bit plane (one numpy outer sum) coloured
by a palette lookup; never per-pixel float RGB in numpy (18 ms at 1280x720). Patterns are drawn once into
an 8-bit mask and tinted in one paste (`tint`: a solid image through the mask's bounding box only), so any
opacity costs the same. Masks that depend only on layout constants (shades, glow discs, the vignette) are
cached per process. The half-size canvases are upscaled once, by OpenCV (see `upscale`).
"""

from __future__ import annotations

import functools
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from core.rendering.colors import RGB, mix

Size = tuple[int, int]


def vertical(size: Size, top: RGB, bottom: RGB) -> Image.Image:
    """One column of the gradient, widened by nearest-neighbour: the same pixels as one line per row, ~4x cheaper."""
    column = Image.new("RGB", (1, size[1]))
    column.putdata([mix(top, bottom, y / max(1, size[1] - 1)) for y in range(size[1])])
    return column.resize(size, Image.Resampling.NEAREST)


HALF = (640, 360)  # backgrounds are painted here, then upscaled once
cv2.setNumThreads(1)  # render workers are one process per core already; OpenCV's own threads would contend


def upscale(image: Image.Image, size: Size = (1280, 720), box: tuple[int, int, int, int] | None = None) -> Image.Image:
    """Bilinear upscale, optionally keeping only `box` (output coordinates; the rest stays black because the
    layout paints over it). OpenCV's linear resize, one thread: 2.5 ms at 1280x720 where Pillow's bilinear
    takes 9 ms (the dearest step of a background); pixels within one level of Pillow's."""
    whole = Image.fromarray(cv2.resize(np.asarray(image), size, interpolation=cv2.INTER_LINEAR))
    if box is None or box == (0, 0, *size):
        return whole
    canvas = Image.new(image.mode, size)
    canvas.paste(whole.crop(box), box[:2])
    return canvas


def diagonal(size: Size, a: RGB, b: RGB, angle: float) -> Image.Image:
    """Linear gradient at any angle, colourised by a palette lookup.

    The ramp is what rotating Pillow's 256² linear gradient by `angle`, cropping its central 160x90 and
    resizing that to `size` gives (within one level), written as the plane it is: a row term plus a column
    term, one numpy outer sum (~10x cheaper than the rotate and resize).
    """
    theta = -math.radians(angle)
    u = (np.arange(size[0], dtype=np.float32) + 0.5) * np.float32(160 / size[0]) - 80
    v = (np.arange(size[1], dtype=np.float32) + 0.5) * np.float32(90 / size[1]) - 80
    plane = np.add.outer(np.float32(math.cos(theta)) * v + np.float32(127.5), np.float32(-math.sin(theta)) * u)
    return two_tone(Image.fromarray(plane.astype(np.uint8), "L"), a, b)


def two_tone(gray: Image.Image, a: RGB, b: RGB) -> Image.Image:
    """ImageOps.colorize(gray, a, b), pixel for pixel, as a palette lookup (~3x cheaper); `gray` is consumed."""
    gray.putpalette(_two_tone_lut(tuple(a), tuple(b)))  # L -> P in place: the ramp's values become palette indices
    return gray.convert("RGB")


@functools.lru_cache(maxsize=256)
def _two_tone_lut(a: RGB, b: RGB) -> list[int]:
    return [a[c] + i * (b[c] - a[c]) // 255 if i < 255 else b[c] for i in range(256) for c in range(3)]


def radial_mask(size: Size, center: tuple[float, float], radius: float) -> Image.Image:
    """255 at `center` fading to 0 at `radius` (pixels), via Pillow's radial ramp upscaled."""
    ramp = ImageOps.invert(Image.radial_gradient("L"))  # 255 centre -> 0 edge (edge at 128 px)
    scale = radius / 128
    w, h = max(1, round(256 * scale)), max(1, round(256 * scale))
    glow = ramp.resize((w, h), Image.Resampling.BILINEAR)
    mask = Image.new("L", size, 0)
    mask.paste(glow, (round(center[0] - w / 2), round(center[1] - h / 2)))
    return mask


@functools.lru_cache(maxsize=64)
def _glow_disc(width: int, strength: float) -> Image.Image:
    """The glow's radial ramp at `width` pixels, scaled by `strength` (the same for every scene: cached)."""
    ramp = ImageOps.invert(Image.radial_gradient("L"))
    return ramp.resize((width, width), Image.Resampling.BILINEAR).point(lambda v: int(v * strength))


def glow(canvas: Image.Image, colour: RGB, center: tuple[float, float], radius: float, strength: float) -> None:
    """radial_mask's disc, tinted where it lands (the rest of a whole-canvas mask would be zero)."""
    k = _k(canvas)
    width = max(1, round(256 * radius * k / 128))
    tint(canvas, colour, _glow_disc(width, strength),
         (round(center[0] * k - width / 2), round(center[1] * k - width / 2)))


@functools.lru_cache(maxsize=16)
def _vignette_mask(size: Size, strength: float) -> Image.Image:
    small = Image.radial_gradient("L").resize((64, 36), Image.Resampling.BILINEAR)
    return small.point(lambda v: int(max(0, v - 70) * 1.35 * strength)).resize(size, Image.Resampling.BILINEAR)


def vignette(canvas: Image.Image, strength: float = 0.55) -> None:
    """Darken the edges so the centre (title, subject) pops: a small radial mask upscaled, cached per size."""
    tint(canvas, (0, 0, 0), _vignette_mask(canvas.size, strength))


@functools.lru_cache(maxsize=64)
def _shade_mask(size: Size, side: str, strength: float) -> Image.Image:
    ramp = Image.linear_gradient("L")  # 0 top -> 255 bottom
    if side in ("left", "right"):
        ramp = ramp.rotate(90 if side == "left" else -90)
    elif side == "top":
        ramp = ImageOps.flip(ramp)
    return ramp.resize(size, Image.Resampling.BILINEAR).point(lambda v: int(v * strength))


def shade(canvas: Image.Image, box: tuple[int, int, int, int], side: str, strength: float,
          colour: RGB = (0, 0, 0)) -> None:
    """A linear scrim over `box`, opaque at `side` ("left", "right", "top", "bottom") fading out.

    The mask depends only on the box size, side and strength (layout constants): cached per process.
    """
    w, h = box[2] - box[0], box[3] - box[1]
    tint(canvas, colour, _shade_mask((max(1, w), max(1, h)), side, strength), box[:2])


def duotone(photo: Image.Image, dark: RGB, light: RGB, mid: RGB | None = None) -> Image.Image:
    gray = ImageOps.autocontrast(photo.convert("L"), cutoff=1)
    return ImageOps.colorize(gray, dark, light, mid) if mid else ImageOps.colorize(gray, dark, light)


def tint(canvas: Image.Image, colour: RGB, mask: Image.Image, origin: tuple[int, int] = (0, 0)) -> None:
    """Paint `colour` through `mask` (placed at `origin`), only over the mask's non-zero bounding box.

    Pasting a solid image through a mask is ~2x cheaper in Pillow than pasting a colour through it (same
    blend, same pixels), and the bounding box skips the empty part of the mask (usually most of it).
    """
    box = mask.getbbox()
    if box is None:
        return
    if box != (0, 0, *mask.size):
        mask = mask.crop(box)
    if canvas.mode not in ("RGB", "RGBA"):
        canvas.paste(colour, (origin[0] + box[0], origin[1] + box[1]), mask)
        return
    canvas.paste(Image.new(canvas.mode, mask.size, colour), (origin[0] + box[0], origin[1] + box[1]), mask)


_tint = tint


def _k(canvas: Image.Image) -> float:
    # Backgrounds are painted at reduced size and upscaled (soft detail, 4x fewer pixels): sizes scale.
    return canvas.width / 1280


def _tile_rows(mask: Image.Image, row: Image.Image) -> None:
    """Repeat a drawn strip down the mask: patterns periodic in y cost one strip, not the whole canvas."""
    for y in range(0, mask.height, row.height):
        mask.paste(row, (0, y))


def dots(canvas: Image.Image, colour: RGB, rng: random.Random, alpha: int = 60, step: int = 36) -> None:
    k = _k(canvas)
    step_k = max(4, round(step * k))
    r = rng.choice((3, 4, 5)) * k
    row = Image.new("L", (canvas.width, 2 * step_k))
    draw = ImageDraw.Draw(row)
    for y, shift in ((step_k // 2, 0), (step_k + step_k // 2, step_k // 2)):
        for x in range(shift, canvas.width, step_k):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=alpha)
    mask = Image.new("L", canvas.size)
    _tile_rows(mask, row)
    _tint(canvas, colour, mask)


def halftone(canvas: Image.Image, colour: RGB, side: str, alpha: int = 90, step: int = 26) -> None:
    """Dots growing towards one side: the comic/retro texture used on many gaming thumbnails."""
    step_k = max(4, round(step * _k(canvas)))
    row = Image.new("L", (canvas.width, step_k))
    draw = ImageDraw.Draw(row)
    for x in range(0, canvas.width + step_k, step_k):
        t = min(1.0, max(0.0, x / canvas.width if side == "right" else 1 - x / canvas.width))
        r = step_k * 0.48 * t ** 1.6
        if r > 0.6:
            draw.ellipse((x - r, step_k / 2 - r, x + r, step_k / 2 + r), fill=alpha)
    mask = Image.new("L", canvas.size)
    _tile_rows(mask, row)
    _tint(canvas, colour, mask)


def stripes(canvas: Image.Image, colour: RGB, rng: random.Random, alpha: int = 40, width: int = 28) -> None:
    mask = Image.new("L", canvas.size)
    draw = ImageDraw.Draw(mask)
    width = max(2, round(width * _k(canvas)))
    gap = width * rng.choice((2, 3))
    h = canvas.height
    for x in range(-h, canvas.width + h, gap):
        draw.polygon([(x, 0), (x + width, 0), (x + width - h, h), (x - h, h)], fill=alpha)
    _tint(canvas, colour, mask)


def grid(canvas: Image.Image, colour: RGB, alpha: int = 38, step: int = 48) -> None:
    mask = Image.new("L", canvas.size)
    draw = ImageDraw.Draw(mask)
    step = max(4, round(step * _k(canvas)))
    for x in range(0, canvas.width, step):
        draw.line([(x, 0), (x, canvas.height)], fill=alpha, width=max(1, round(2 * _k(canvas))))
    for y in range(0, canvas.height, step):
        draw.line([(0, y), (canvas.width, y)], fill=alpha, width=max(1, round(2 * _k(canvas))))
    _tint(canvas, colour, mask)


def rays(canvas: Image.Image, colour: RGB, center: tuple[float, float], rng: random.Random, alpha: int = 46) -> None:
    """A sunburst: the classic high-energy background."""
    mask = Image.new("L", canvas.size)
    draw = ImageDraw.Draw(mask)
    count = rng.choice((14, 18, 22))
    reach = 2 * max(canvas.size)
    offset = rng.random() * math.pi
    for i in range(count):
        a0 = offset + 2 * math.pi * i / count
        a1 = a0 + math.pi / count
        draw.polygon([center, (center[0] + reach * math.cos(a0), center[1] + reach * math.sin(a0)),
                      (center[0] + reach * math.cos(a1), center[1] + reach * math.sin(a1))], fill=alpha)
    _tint(canvas, colour, mask)


def rings(canvas: Image.Image, colour: RGB, center: tuple[float, float], alpha: int = 50, step: int = 70) -> None:
    mask = Image.new("L", canvas.size)
    draw = ImageDraw.Draw(mask)
    k = _k(canvas)
    step = max(4, round(step * k))
    for r in range(step, 2 * max(canvas.size), step):
        draw.ellipse((center[0] - r, center[1] - r, center[0] + r, center[1] + r), outline=alpha,
                     width=max(2, round(10 * k)))
    _tint(canvas, colour, mask)


def confetti(canvas: Image.Image, colours: list[RGB], rng: random.Random, count: int = 26) -> None:
    draw = ImageDraw.Draw(canvas)
    for _ in range(count):
        x, y = rng.uniform(0, canvas.width), rng.uniform(0, canvas.height)
        r = rng.uniform(8, 22) * _k(canvas)
        a = rng.uniform(0, math.tau)
        pts = [(x + r * math.cos(a + k * math.tau / 3), y + r * math.sin(a + k * math.tau / 3)) for k in range(3)]
        draw.polygon(pts, fill=rng.choice(colours))


def blobs(canvas: Image.Image, colours: list[RGB], rng: random.Random, count: int = 3) -> None:
    """Big soft-edged circles (calm, lifestyle): drawn on a small mask and upscaled for free softness."""
    for _ in range(count):
        small = Image.new("L", (128, 72))
        r = rng.uniform(14, 34)
        x, y = rng.uniform(0, 128), rng.uniform(0, 72)
        ImageDraw.Draw(small).ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(60, 110))
        tint(canvas, rng.choice(colours), small.resize(canvas.size, Image.Resampling.BILINEAR))


PATTERNS = ("dots", "stripes", "grid", "rays", "rings", "halftone", "confetti", "blobs")


def pattern(canvas: Image.Image, name: str, colour: RGB, accents: list[RGB], rng: random.Random,
            focus: tuple[float, float]) -> None:
    """Draw pattern `name`; `focus` is in 1280x720 coordinates whatever the canvas size."""
    k = _k(canvas)
    focus = (focus[0] * k, focus[1] * k)
    if name == "dots":
        dots(canvas, colour, rng)
    elif name == "stripes":
        stripes(canvas, colour, rng)
    elif name == "grid":
        grid(canvas, colour)
    elif name == "rays":
        rays(canvas, colour, focus, rng)
    elif name == "rings":
        rings(canvas, colour, focus)
    elif name == "halftone":
        halftone(canvas, colour, "right" if focus[0] > canvas.width / 2 else "left")
    elif name == "confetti":
        confetti(canvas, accents, rng)
    elif name == "blobs":
        blobs(canvas, accents, rng)
