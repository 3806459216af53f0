"""Backgrounds: gradients, duotones, glows, vignettes and palette patterns.

Vertical gradients are one column widened; angled ones are an 8-bit plane (one numpy outer sum) coloured
by a palette lookup; never per-pixel float RGB in numpy (18 ms at 1280x720). Patterns are drawn once into
an 8-bit mask and tinted in one paste (`tint`: a solid image through the mask's bounding box only), so any
opacity costs the same. The half-size canvases are upscaled once, by OpenCV (see `upscale`).

What depends on nothing random is made once per process and kept (functools.lru_cache: bounded, and safe
across threads; each worker process has its own): the masks of layout constants (shades, glow discs, the
vignette), the pattern masks (see _PATTERN_CACHE), the vertical gradients and the textured accent grounds
(8 pictures each, at most 30 MB each cache). Cached pictures are only read; callers get copies to paint on.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from core.rendering.colors import RGB, mix
from core.rendering.pixels import NotSingleBlock, pixels

Size = tuple[int, int]
Box = tuple[int, int, int, int]


def vertical(size: Size, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient, the same pixels as one line per row; a copy of the cached picture (the caller paints
    on it), ~3x cheaper than drawing it again."""
    return _vertical(size, tuple(top), tuple(bottom)).copy()


@functools.lru_cache(maxsize=8)  # at most 8 x 3.7 MB (full-size RGB): 30 MB
def _vertical(size: Size, top: RGB, bottom: RGB) -> Image.Image:
    """One column of the gradient, widened by nearest-neighbour: ~4x cheaper than one line per row."""
    column = Image.new("RGB", (1, size[1]))
    column.putdata([mix(top, bottom, y / max(1, size[1] - 1)) for y in range(size[1])])
    return column.resize(size, Image.Resampling.NEAREST)


HALF = (640, 360)  # backgrounds are painted here, then upscaled once
cv2.setNumThreads(1)  # render workers are one process per core already; OpenCV's own threads would contend


def _keep_freed_heap(pad: int = 64 << 20) -> None:
    """Keep up to `pad` bytes of freed heap instead of handing it back to the kernel at once (glibc's M_TOP_PAD).

    A render allocates and frees ~6 MB of pictures; once other work between renders has shrunk the heap,
    each render took them back as fresh pages: ~1,400 page faults, about 1 ms a render. The pad is the most
    a process keeps beyond what it uses. Elsewhere than glibc this does nothing.
    """
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).mallopt(-2, pad)  # M_TOP_PAD


_keep_freed_heap()


def upscale(image: Image.Image, size: Size = (1280, 720)) -> Image.Image:
    """Bilinear upscale by OpenCV's linear resize, one thread, reading and writing the images' own memory:
    ~1 ms at 1280x720, where Pillow's bilinear takes 7-9 ms; pixels within one level of Pillow's. The whole frame,
    even where a layout paints over it: leaving the hidden part out (a crop and a paste) cost more than it saved.
    """
    out = Image.new(image.mode, size)
    try:
        cv2.resize(pixels(image), size, dst=pixels(out), interpolation=cv2.INTER_LINEAR)
    except NotSingleBlock:
        out = Image.fromarray(cv2.resize(np.asarray(image), size, interpolation=cv2.INTER_LINEAR))
    return out


def rotate(image: Image.Image, angle: float, border: int = cv2.BORDER_REPLICATE) -> Image.Image:
    """`image.rotate(angle, BILINEAR, expand=True)`'s geometry by OpenCV: ~5x cheaper, pixels within one level
    of Pillow's inside the picture. The edge pixels repeat outwards (the coverage mask cuts the edge instead).
    """
    matrix, size = _rotation(image.size, angle)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return Image.fromarray(cv2.warpAffine(np.asarray(image), matrix, size, flags=flags, borderMode=border,
                                          borderValue=0))


def rotated_coverage(size: Size, angle: float) -> Image.Image:
    """Where a picture of `size` lands once rotated (255 inside), with anti-aliased edges (Pillow's are hard)."""
    return rotate(Image.new("L", size, 255), angle, cv2.BORDER_CONSTANT)


def _rotation(size: Size, angle: float) -> tuple[np.ndarray, Size]:
    """The inverse map (output pixel -> input pixel, OpenCV's convention) and output size of an expanding
    rotation, as Pillow computes them (its matrix works on pixel centres: hence the half-pixel shifts)."""
    w, h = size
    theta = -math.radians(angle)
    m = [round(math.cos(theta), 15), round(math.sin(theta), 15), 0.0,
         round(-math.sin(theta), 15), round(math.cos(theta), 15), 0.0]

    def apply(x: float, y: float) -> tuple[float, float]:
        return m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]

    m[2], m[5] = apply(-w / 2, -h / 2)
    m[2], m[5] = m[2] + w / 2, m[5] + h / 2
    xs, ys = zip(*(apply(x, y) for x, y in ((0, 0), (w, 0), (w, h), (0, h))), strict=True)
    out = (math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys)))
    m[2], m[5] = apply(-(out[0] - w) / 2, -(out[1] - h) / 2)
    matrix = np.array([[m[0], m[1], (m[0] + m[1]) / 2 + m[2] - 0.5], [m[3], m[4], (m[3] + m[4]) / 2 + m[5] - 0.5]])
    return matrix, out


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


def textured(a: RGB, b: RGB, angle: float, texture: tuple, size: Size = HALF,
             out: Size = (1280, 720)) -> Image.Image:
    """`diagonal(size, a, b, angle)` under one texture, upscaled to `out`: the loud accent grounds and the
    split panel. `texture` is ("halftone", ink, side, alpha) or ("rings", colour, centre, alpha), nothing
    random, so each picture is painted once per process and copied: 0.2 ms instead of ~2."""
    return _textured(a, b, angle, texture, size, out).copy()


@functools.lru_cache(maxsize=8)  # at most 8 pictures of at most 1280x720 RGB: under 30 MB
def _textured(a: RGB, b: RGB, angle: float, texture: tuple, size: Size, out: Size) -> Image.Image:
    canvas = diagonal(size, a, b, angle)
    name, *args = texture
    {"halftone": halftone, "rings": rings}[name](canvas, *args)
    return upscale(canvas, out)


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
    at = (origin[0] + box[0], origin[1] + box[1])
    if canvas.mode not in ("RGB", "RGBA"):
        canvas.paste(colour, at, mask)
        return
    if colour in (_BLACK, _WHITE) and canvas.mode == "RGB" and _tint_extreme(canvas, mask, at, colour == _WHITE):
        return
    canvas.paste(Image.new(canvas.mode, mask.size, colour), at, mask)


_BLACK, _WHITE = (0, 0, 0), (255, 255, 255)


def _tint_extreme(canvas: Image.Image, mask: Image.Image, at: tuple[int, int], white: bool) -> bool:
    """Black or white through `mask` in OpenCV: each channel times (255 - mask) / 255, plus the mask for white.
    The very pixels Pillow's blend gives (with 0 or 255 its rounding is exactly the product's, and the mask an
    exact sum) at half its cost; shadows, scrims and white titles are the largest tints. False where the mask
    does not lie inside the canvas or the canvas is not one block of memory."""
    x, y = at
    if x < 0 or y < 0 or x + mask.width > canvas.width or y + mask.height > canvas.height:
        return False
    try:
        region = pixels(canvas)[y:y + mask.height, x:x + mask.width]
    except NotSingleBlock:
        return False
    ink = np.asarray(mask)
    cv2.multiply(region, cv2.cvtColor(cv2.bitwise_not(ink), cv2.COLOR_GRAY2BGRA), dst=region, scale=1 / 255)
    if white:
        cv2.add(region, cv2.cvtColor(ink, cv2.COLOR_GRAY2BGRA), dst=region)
    return True


_tint = tint


def paste_through(canvas: Image.Image, image: Image.Image, origin: tuple[int, int], mask: Image.Image,
                  core: Box | None = None) -> None:
    """`canvas.paste(image, origin, mask)`, the same pixels, with `core` (a box of the mask where it is wholly
    opaque) copied rather than blended; only the rest goes through the mask. Without `core`, the widest run
    of wholly opaque columns. A panel with one shaped edge costs about half, a tilted card about a third."""
    x0, y0, x1, y1 = core = core if core is not None else _opaque_columns(mask)
    if x1 > x0 and y1 > y0:
        whole = core == (0, 0, *image.size)
        canvas.paste(image if whole else image.crop(core), (origin[0] + x0, origin[1] + y0))
    for strip in _around(core, image.size):
        canvas.paste(image.crop(strip), (origin[0] + strip[0], origin[1] + strip[1]), mask.crop(strip))


def tint_around(canvas: Image.Image, colour: RGB, mask: Image.Image, origin: tuple[int, int], covered: Box) -> None:
    """`tint`, leaving out `covered` (canvas coordinates): the caller paints it over opaquely next (a drop
    shadow under its card shows only around the card)."""
    local = (max(0, covered[0] - origin[0]), max(0, covered[1] - origin[1]),
             min(mask.width, covered[2] - origin[0]), min(mask.height, covered[3] - origin[1]))
    for strip in _around(local, mask.size):
        tint(canvas, colour, mask.crop(strip), (origin[0] + strip[0], origin[1] + strip[1]))


def opaque_core(mask: Image.Image) -> Box:
    """A large box where a convex mask (a tilted card) is wholly opaque: rows added evenly around the middle
    while the opaque span they share is worth it; (0, 0, 0, 0) when there is none."""
    solid = np.asarray(mask) == 255
    height, width = solid.shape
    any_solid = solid.any(axis=1)
    left = np.where(any_solid, solid.argmax(axis=1), width)
    right = np.where(any_solid, width - solid[:, ::-1].argmax(axis=1), 0)
    middle, best, core = height // 2, 0, (0, 0, 0, 0)
    for reach in range(1, min(middle, height - middle) + 1):
        top, bottom = middle - reach, middle + reach
        x0, x1 = int(left[top:bottom].max()), int(right[top:bottom].min())
        if x1 <= x0:
            break
        if (x1 - x0) * (bottom - top) > best:
            best, core = (x1 - x0) * (bottom - top), (x0, top, x1, bottom)
    return core if solid[core[1]:core[3], core[0]:core[2]].all() else (0, 0, 0, 0)


def _opaque_columns(mask: Image.Image) -> Box:
    holes = ImageOps.invert(mask).getbbox()  # every pixel that is not fully opaque lies in here
    width, height = mask.size
    if holes is None:
        return 0, 0, width, height
    return (0, 0, holes[0], height) if holes[0] >= width - holes[2] else (holes[2], 0, width, height)


def _around(core: Box, size: Size) -> list[Box]:
    """The parts of the box (0, 0, *size) outside `core`: up to four strips."""
    width, height = size
    x0, y0, x1, y1 = core
    if x1 <= x0 or y1 <= y0:
        return [(0, 0, width, height)]
    strips = [(0, 0, width, y0), (0, y1, width, height), (0, y0, x0, y1), (x1, y0, width, y1)]
    return [s for s in strips if s[2] > s[0] and s[3] > s[1]]


def _k(canvas: Image.Image) -> float:
    # Backgrounds are painted at reduced size and upscaled (soft detail, 4x fewer pixels): sizes scale.
    return canvas.width / 1280


def _tile_rows(mask: Image.Image, row: Image.Image) -> None:
    """Repeat a drawn strip down the mask: patterns periodic in y cost one strip, not the whole canvas."""
    for y in range(0, mask.height, row.height):
        mask.paste(row, (0, y))


# Pattern masks that depend only on the canvas size and a few discrete choices are drawn once per process
# and kept, cropped to their ink. Each pattern keeps at most 16 masks; layouts draw patterns at 640x360 or
# smaller (0.23 MB of L at most), so the five caches hold under 20 MB. lru_cache is thread-safe, and the
# cached masks are only ever read (pasted through), never drawn on.
_PATTERN_CACHE = 16
Mask = tuple[Image.Image, tuple[int, int]]  # an 8-bit mask cropped to its ink, and where it goes


def _inked(mask: Image.Image) -> Mask:
    box = mask.getbbox() or (0, 0, 1, 1)
    return mask.crop(box), box[:2]


def _tint_mask(canvas: Image.Image, colour: RGB, mask: Mask) -> None:
    tint(canvas, colour, mask[0], mask[1])


def dots(canvas: Image.Image, colour: RGB, rng: random.Random, alpha: int = 60, step: int = 36) -> None:
    _tint_mask(canvas, colour, _dots_mask(canvas.size, rng.choice((3, 4, 5)), alpha, step))


@functools.lru_cache(maxsize=_PATTERN_CACHE)
def _dots_mask(size: Size, radius: int, alpha: int, step: int) -> Mask:
    k = size[0] / 1280
    step_k = max(4, round(step * k))
    r = radius * k
    row = Image.new("L", (size[0], 2 * step_k))
    draw = ImageDraw.Draw(row)
    for y, shift in ((step_k // 2, 0), (step_k + step_k // 2, step_k // 2)):
        for x in range(shift, size[0], step_k):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=alpha)
    mask = Image.new("L", size)
    _tile_rows(mask, row)
    return _inked(mask)


def halftone(canvas: Image.Image, colour: RGB, side: str, alpha: int = 90, step: int = 26) -> None:
    """Dots growing towards one side: the comic/retro texture used on many gaming thumbnails."""
    _tint_mask(canvas, colour, _halftone_mask(canvas.size, side, alpha, step))


@functools.lru_cache(maxsize=_PATTERN_CACHE)
def _halftone_mask(size: Size, side: str, alpha: int, step: int) -> Mask:
    step_k = max(4, round(step * size[0] / 1280))
    row = Image.new("L", (size[0], step_k))
    draw = ImageDraw.Draw(row)
    for x in range(0, size[0] + step_k, step_k):
        t = min(1.0, max(0.0, x / size[0] if side == "right" else 1 - x / size[0]))
        r = step_k * 0.48 * t ** 1.6
        if r > 0.6:
            draw.ellipse((x - r, step_k / 2 - r, x + r, step_k / 2 + r), fill=alpha)
    mask = Image.new("L", size)
    _tile_rows(mask, row)
    return _inked(mask)


def stripes(canvas: Image.Image, colour: RGB, rng: random.Random, alpha: int = 40, width: int = 28) -> None:
    _tint_mask(canvas, colour, _stripes_mask(canvas.size, rng.choice((2, 3)), alpha, width))


@functools.lru_cache(maxsize=_PATTERN_CACHE)
def _stripes_mask(size: Size, spacing: int, alpha: int, width: int) -> Mask:
    mask = Image.new("L", size)
    draw = ImageDraw.Draw(mask)
    width = max(2, round(width * size[0] / 1280))
    gap = width * spacing
    h = size[1]
    for x in range(-h, size[0] + h, gap):
        draw.polygon([(x, 0), (x + width, 0), (x + width - h, h), (x - h, h)], fill=alpha)
    return _inked(mask)


def grid(canvas: Image.Image, colour: RGB, alpha: int = 38, step: int = 48) -> None:
    _tint_mask(canvas, colour, _grid_mask(canvas.size, alpha, step))


@functools.lru_cache(maxsize=_PATTERN_CACHE)
def _grid_mask(size: Size, alpha: int, step: int) -> Mask:
    mask = Image.new("L", size)
    draw = ImageDraw.Draw(mask)
    k = size[0] / 1280
    step = max(4, round(step * k))
    for x in range(0, size[0], step):
        draw.line([(x, 0), (x, size[1])], fill=alpha, width=max(1, round(2 * k)))
    for y in range(0, size[1], step):
        draw.line([(0, y), (size[0], y)], fill=alpha, width=max(1, round(2 * k)))
    return _inked(mask)


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
    # The centre comes from layout constants (a focus point), so the masks repeat: cached like the others.
    _tint_mask(canvas, colour, _rings_mask(canvas.size, (float(center[0]), float(center[1])), alpha, step))


@functools.lru_cache(maxsize=_PATTERN_CACHE)
def _rings_mask(size: Size, center: tuple[float, float], alpha: int, step: int) -> Mask:
    mask = Image.new("L", size)
    draw = ImageDraw.Draw(mask)
    k = size[0] / 1280
    step = max(4, round(step * k))
    for r in range(step, 2 * max(size), step):
        draw.ellipse((center[0] - r, center[1] - r, center[0] + r, center[1] + r), outline=alpha,
                     width=max(2, round(10 * k)))
    return _inked(mask)


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
