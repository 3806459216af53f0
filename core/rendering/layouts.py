"""The six layouts. Each paints the picture (background, subject, shapes) and says where the title goes.

A layout returns a `Plan`; the compositor then fits and draws the title there, guards its contrast
and adds the badge, so typography rules live in one place. `Ctx.variant` (seed % VARIANTS) picks one of
six designs of each layout: `variant // 2` the structure (where the subject, title and accent shapes go,
light or dark areas) and `variant % 2` its mirror or flip, so every pair of variants differs visibly.
`Ctx.rng` (seeded from seed // VARIANTS) only varies finer details (jitter, pattern details, motif details).
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps, ImageStat

from core.rendering import backgrounds as bg
from core.rendering.colors import RGB, Theme, luminance, mix, with_hls
from core.rendering.motifs import GENERIC_MOTIF, MOTIFS, PHOTO, draw_motif
from core.rendering.photos import PhotoSource, fit
from core.rendering.types import HEIGHT, WIDTH, Scene

Box = tuple[int, int, int, int]
SAFE: Box = (56, 40, WIDTH - 56, HEIGHT - 40)  # titles stay inside; the watermark lives in the margin
DURATION: Box = (WIDTH - 220, HEIGHT - 90, WIDTH, HEIGHT)  # YouTube's duration badge: no text here
M = 72  # comfortable inner margin for title boxes


@dataclass
class Ctx:
    scene: Scene
    theme: Theme
    rng: random.Random
    variant: int  # 0..VARIANTS-1: which design of the layout (see types.VARIANTS)
    family: str  # the subject drawing: the scene's main motif, or its category's family (older scenes)
    pattern: str  # background pattern from mood/style/category
    photo: PhotoSource | None  # the user photo (decoded at the size a layout asks for), or None


@dataclass
class Plan:
    box: Box  # the title fits inside this box
    align: str = "center"
    valign: str = "center"
    max_lines: int = 3
    max_size: int = 150
    prefer_ink: bool = False  # the title sits on a light area: dark text
    badge_corner: str = "top-left"  # where a badge goes (never bottom-right)


def _rtl(ctx: Ctx) -> bool:
    return ctx.scene.language == "fa"


def _start(ctx: Ctx) -> str:
    # "Start" alignment: left for English, right for Persian.
    return "right" if _rtl(ctx) else "left"


def _photo_fill(ctx: Ctx, size: tuple[int, int], centering: tuple[float, float] = (0.5, 0.4)) -> Image.Image:
    assert ctx.photo is not None
    image = fit(ctx.photo.covering(size), size, centering)
    if image.mode == "RGBA":  # transparent cut-outs sit on the theme, not on black
        base = Image.new("RGB", size, ctx.theme.mid)
        base.paste(image, mask=image.getchannel("A"))
        image = base
    return image


def _treated(ctx: Ctx, size: tuple[int, int], darken: float) -> Image.Image:
    """A photo as background: fitted, slightly punchier, darkened so white titles stay readable."""
    image = _photo_fill(ctx, size)
    # ImageEnhance.Contrast(1.12) then Brightness(1 - darken), pixel for pixel, as one lookup table: both are
    # per-channel maps (a blend with the mean gray, then with black), so one `point` replaces two full blends.
    mean = int(ImageStat.Stat(image.convert("L")).mean[0] + 0.5)
    return image.point(_contrast_brightness_lut(mean, 1.12, 1 - darken) * 3)


@functools.lru_cache(maxsize=1024)
def _contrast_brightness_lut(mean: int, contrast: float, brightness: float) -> list[int]:
    """Pillow's blend arithmetic (single-precision float, truncated, clipped) for both steps."""
    v = np.arange(256, dtype=np.float32)
    contrasted = np.clip(np.float32(mean) + np.float32(contrast) * (v - np.float32(mean)), 0, 255).astype(np.uint8)
    return (np.float32(brightness) * contrasted.astype(np.float32)).astype(np.uint8).tolist()


def _kind(ctx: Ctx) -> int:
    """The structural design of a layout (0..2): `variant // 2`; `variant % 2` mirrors or flips it."""
    return ctx.variant // 2 % 3


def _flip(ctx: Ctx) -> bool:
    return ctx.variant % 2 == 1


_ANGLES = (30, 150, 45, 135, 60, 120)  # gradient direction per variant; the fine seed only jitters it


def _gradient(ctx: Ctx, size: tuple[int, int] = bg.HALF) -> Image.Image:
    """The base gradient at half size: callers add patterns, then `bg.upscale` once."""
    t = ctx.theme
    return bg.diagonal(size, t.dark, t.mid, _ANGLES[ctx.variant % len(_ANGLES)] + ctx.rng.uniform(-6, 6))


def _pattern(ctx: Ctx, canvas: Image.Image, focus: tuple[float, float], colour: RGB | None = None) -> None:
    t = ctx.theme
    bg.pattern(canvas, ctx.pattern, colour or t.accent, [t.accent, t.accent2, t.light], ctx.rng, focus)


def _paste_round(canvas: Image.Image, image: Image.Image, box: Box, radius: int | None = None) -> None:
    """Paste `image` (sized to `box`) through a rounded-rectangle mask, or an ellipse when radius is None."""
    mask = Image.new("L", image.size, 0)
    shape = (0, 0, image.width - 1, image.height - 1)
    if radius is None:
        ImageDraw.Draw(mask).ellipse(shape, fill=255)
    else:
        ImageDraw.Draw(mask).rounded_rectangle(shape, radius=radius, fill=255)
    canvas.paste(image, box[:2], mask)


def _subject_image(ctx: Ctx, size: tuple[int, int], fill: RGB, motif_inset: float = 0.2) -> Image.Image:
    """The photo fitted to `size`, or the category illustration on `fill` when there is no photo."""
    if ctx.photo is not None:
        return _photo_fill(ctx, size)
    image = Image.new("RGB", size, fill)
    side = min(size) * (1 - 2 * motif_inset)
    x0, y0 = (size[0] - side) / 2, (size[1] - side) / 2
    draw_motif(ImageDraw.Draw(image), ctx.family, (round(x0), round(y0), round(x0 + side), round(y0 + side)),
               ctx.theme, ctx.rng)
    return image


# --- headline: the title is the picture ---------------------------------------------------------------------


def headline(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind, flip = ctx.theme, _kind(ctx), _flip(ctx)
    if ctx.photo is not None:
        return _headline_photo(ctx, kind, flip)
    if kind == 2:  # loud: full accent background, halftone towards the motif, title low on the other side
        canvas = bg.textured(t.accent, with_hls(t.accent, lightness=0.42), 60 if flip else 120,
                             ("halftone", t.dark, "left" if flip else "right", 70))
        draw_motif(ImageDraw.Draw(canvas), ctx.family, (80, 60, 380, 360) if flip else (900, 80, 1200, 380), t,
                   ctx.rng)
        box = (300, 300, WIDTH - M, 610) if flip else (M, 300, 1040, 640)
        return canvas, Plan(box, "right" if flip else "left", max_size=150, prefer_ink=luminance(t.accent) > 0.3,
                            badge_corner="top-right" if flip else "top-left")
    canvas = _gradient(ctx)
    if kind == 0:  # centred: glow behind the title, or (flipped) the motif on top and the title below it
        center = (WIDTH / 2, HEIGHT * (0.62 if flip else 0.5))
    else:  # the title on one side, the motif on the other
        motif_left = flip != _rtl(ctx)
        center = (WIDTH * (0.25 if motif_left else 0.75), HEIGHT * 0.5)
    _pattern(ctx, canvas, center)
    bg.glow(canvas, t.accent, center, 520, 0.45)
    bg.vignette(canvas, 0.6 if kind == 0 else 0.4)
    canvas = bg.upscale(canvas)
    if kind == 0 and not flip:
        if not _names_a_subject(ctx):
            return canvas, Plan((M + 20, 90, WIDTH - M - 20, 600), "center", max_size=160)
        draw = ImageDraw.Draw(canvas)  # the subject as two stickers in opposite corners, the title between them
        draw_motif(draw, ctx.family, (1000, 50, 1230, 280), t, ctx.rng)
        draw_motif(draw, ctx.family, (50, 380, 280, 610), t, ctx.rng)
        return canvas, Plan((300, 100, 980, 600), "center", max_size=150)
    if kind == 0:
        draw_motif(ImageDraw.Draw(canvas), ctx.family, (520, 44, 760, 284), t, ctx.rng)
        return canvas, Plan((M + 20, 310, WIDTH - M - 20, 612), "center", max_lines=2, max_size=150)
    motif = (60, 150, 460, 550) if motif_left else (820, 150, 1220, 550)
    draw_motif(ImageDraw.Draw(canvas), ctx.family, motif, t, ctx.rng)
    box = (500, 90, WIDTH - M, 610) if motif_left else (M, 90, 800, 630)
    return canvas, Plan(box, _start(ctx), max_size=150, badge_corner="top-right" if motif_left else "top-left")


def _headline_photo(ctx: Ctx, kind: int, flip: bool) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    start_left = not _rtl(ctx)
    if kind == 0:  # full photo, the title on the shaded side
        canvas = _treated(ctx, (WIDTH, HEIGHT), 0.25)
        left = start_left != flip
        bg.shade(canvas, (0, 0, WIDTH, HEIGHT), "left" if left else "right", 0.85)
        bg.shade(canvas, (0, HEIGHT // 2, WIDTH, HEIGHT), "bottom", 0.6)
        box = (M, 110, 860, 600) if left else (420, 110, WIDTH - M, 600)
        return canvas, Plan(box, "left" if left else "right", max_size=140,
                            badge_corner="top-left" if left else "top-right")
    if kind == 1:  # full photo, the title on a dark band at the bottom (or, flipped, the top)
        canvas = _treated(ctx, (WIDTH, HEIGHT), 0.15)
        if flip:
            bg.shade(canvas, (0, 0, WIDTH, 400), "top", 0.92)
            return canvas, Plan((M, 56, WIDTH - M, 300), "center", "top", max_lines=2, max_size=130,
                                badge_corner="top-left")
        bg.shade(canvas, (0, 300, WIDTH, HEIGHT), "bottom", 0.95)
        return canvas, Plan((M, 400, DURATION[0] - 24, 668), _start(ctx), "bottom", max_lines=2, max_size=130)
    # the photo on one half, the title on a solid theme panel with an accent edge
    photo_left = start_left == flip
    canvas = bg.vertical((WIDTH, HEIGHT), t.dark, mix(t.dark, (0, 0, 0), 0.35))
    x = 0 if photo_left else WIDTH - 600
    canvas.paste(_photo_fill(ctx, (600, HEIGHT)), (x, 0))
    edge = 600 if photo_left else WIDTH - 612
    ImageDraw.Draw(canvas).rectangle((edge, 0, edge + 12, HEIGHT), fill=t.accent)
    box = (660, 90, WIDTH - M, 610) if photo_left else (M, 90, WIDTH - 660, 630)
    return canvas, Plan(box, _start(ctx), max_size=130, badge_corner="top-right" if photo_left else "top-left")


# --- split: subject on one side, title on the other ---------------------------------------------------------


def _paper(t: Theme) -> tuple[RGB, Image.Image]:
    """A light paper ground tinted by the accent (half size, upscaled later) and its base colour."""
    base = mix(t.light, t.accent, 0.08)
    return base, bg.vertical(bg.HALF, base, mix(base, (0, 0, 0), 0.08))


def split(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind = ctx.theme, _kind(ctx)
    subject_left = (not _flip(ctx)) != _rtl(ctx)
    paper = kind == 2  # the title half is light paper with dark text
    if paper:
        base, canvas = _paper(t)
        bg.dots(canvas, mix(base, t.mid, 0.35), ctx.rng, alpha=90)
    else:
        canvas = _gradient(ctx)
        _pattern(ctx, canvas, (WIDTH * (0.75 if subject_left else 0.25), HEIGHT / 2), t.mid)
    canvas = bg.upscale(canvas)
    if kind == 1:  # the subject in a big ring
        r, cx = 280, 330 if subject_left else WIDTH - 330
        draw = ImageDraw.Draw(canvas)
        draw.ellipse((cx - r - 22, HEIGHT / 2 - r - 22, cx + r + 22, HEIGHT / 2 + r + 22), fill=t.accent)
        fill = with_hls(t.accent, lightness=0.32)
        _paste_round(canvas, _subject_image(ctx, (2 * r, 2 * r), fill), (cx - r, HEIGHT // 2 - r, 0, 0))
        box = (660, 80, WIDTH - M, 600) if subject_left else (M, 80, 620, 630)
    else:
        if ctx.photo is not None:
            panel = _photo_fill(ctx, (620, HEIGHT))
        else:
            panel = bg.textured(with_hls(t.accent, lightness=0.5), with_hls(t.accent, lightness=0.32), 60,
                                ("rings", t.light, (155, 180), 30), (310, 360), (620, HEIGHT))
            draw_motif(ImageDraw.Draw(panel), ctx.family, (110, 160, 510, 560), t, ctx.rng)
        # A slanted edge with an accent stripe reads as "designed" rather than a plain half split.
        mask = Image.new("L", panel.size, 0)
        slant = 110
        poly = [(0, 0), (620, 0), (620 - slant, HEIGHT), (0, HEIGHT)] if subject_left else \
            [(slant, 0), (620, 0), (620, HEIGHT), (0, HEIGHT)]
        ImageDraw.Draw(mask).polygon(poly, fill=255)
        x = 0 if subject_left else WIDTH - 620
        stripe = [(px + x + (18 if subject_left else -18), py) for px, py in poly]
        ImageDraw.Draw(canvas).polygon(stripe, fill=t.accent if not paper else t.dark)
        bg.paste_through(canvas, panel, (x, 0), mask)
        box = (600, 80, WIDTH - M, 600) if subject_left else (M, 80, 680, 630)
    return canvas, Plan(box, "left" if subject_left else "right" if _rtl(ctx) else "left", max_size=130,
                        prefer_ink=paper, badge_corner="top-left" if subject_left else "top-right")


# --- framed: a tilted card over a background, the title on a band -------------------------------------------


def framed(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind = ctx.theme, _kind(ctx)
    band_top = _flip(ctx)
    if kind == 1:  # loud accent background
        canvas = bg.textured(with_hls(t.accent, lightness=0.5), with_hls(t.accent, lightness=0.3), 135,
                             ("halftone", t.dark, "right", 60))
    else:
        if kind == 2:  # light paper with a fine grid
            canvas = bg.vertical(bg.HALF, t.light, mix(t.light, t.mid, 0.12))
            bg.grid(canvas, t.mid, alpha=40)
        else:
            canvas = _gradient(ctx)
            _pattern(ctx, canvas, (WIDTH / 2, HEIGHT / 2), t.mid)
        canvas = bg.upscale(canvas)
    card_w, card_h = (640, 380) if kind != 1 else (560, 360)
    card = Image.new("RGB", (card_w, card_h), t.light if kind != 2 else t.dark)
    inner = (18, 18, card_w - 18, card_h - 18)
    size = (inner[2] - inner[0], inner[3] - inner[1])
    if ctx.photo is not None:
        card.paste(_photo_fill(ctx, size), inner[:2])
    else:
        card.paste(bg.diagonal(size, t.mid, t.accent2, 45), inner[:2])
        side = size[1] - 80
        x0 = 18 + (size[0] - side) // 2
        draw_motif(ImageDraw.Draw(card), ctx.family, (x0, 58, x0 + side, 58 + side), t, ctx.rng)
    magnitude = 0 if kind == 2 else ctx.rng.choice((3, 4))
    angle = magnitude if band_top else -magnitude
    # The card's RGB rotates alone (by OpenCV, ~5x cheaper than Pillow's rotate); its anti-aliased outline mask
    # depends only on the card size and angle, so it comes from a per-process cache.
    tilted = bg.rotate(card, angle) if angle else card
    alpha, shadow = _card_masks(card.size, angle)
    top = 290 if band_top else 30
    if kind == 1:  # off-centre, towards the start side
        x = (M if not _rtl(ctx) else WIDTH - M - tilted.width) + ctx.rng.randint(0, 40)
    else:
        x = (WIDTH - tilted.width) // 2 + ctx.rng.randint(-120, 120)
    pos = (x, top)
    core = _card_core(card.size, angle)  # copied, not blended; the shadow under it never shows
    bg.tint_around(canvas, (0, 0, 0), shadow, (pos[0] + 14, pos[1] + 16),
                   (pos[0] + core[0], pos[1] + core[1], pos[0] + core[2], pos[1] + core[3]))
    bg.paste_through(canvas, tilted, pos, alpha, core)
    draw = ImageDraw.Draw(canvas)
    if band_top:
        draw.rectangle((0, 0, WIDTH, 250), fill=t.dark)
        draw.rectangle((0, 250, WIDTH, 262), fill=t.accent)
        return canvas, Plan((M, 48, WIDTH - M, 232), "center", max_lines=2, max_size=120, badge_corner="top-left")
    draw.rectangle((0, 440, WIDTH, 452), fill=t.accent)
    draw.rectangle((0, 452, WIDTH, HEIGHT), fill=t.dark)
    align = _start(ctx)
    box = (M, 470, DURATION[0] - 24, 670) if align == "left" else (M + 60, 470, WIDTH - M, DURATION[1] - 8)
    return canvas, Plan(box, align, max_lines=2, max_size=120, badge_corner="top-left")


@functools.lru_cache(maxsize=16)
def _card_masks(size: tuple[int, int], angle: int) -> tuple[Image.Image, Image.Image]:
    """The tilted card's coverage (anti-aliased edges) and its 120/255 drop shadow."""
    alpha = bg.rotated_coverage(size, angle) if angle else Image.new("L", size, 255)
    shadow = Image.new("L", alpha.size, 0)
    shadow.paste(120, (0, 0), alpha)
    return alpha, shadow


@functools.lru_cache(maxsize=16)
def _card_core(size: tuple[int, int], angle: int) -> Box:
    return bg.opaque_core(_card_masks(size, angle)[0])


# --- minimal: paper, one accent shape, a calm title ---------------------------------------------------------


def _names_a_subject(ctx: Ctx) -> bool:
    """A scene that names its subject shows it in every design; one stored before motifs (its family is a
    category's, never a motif's name) or naming nothing (the generic play button) keeps the plain design."""
    return ctx.family in MOTIFS and ctx.family != GENERIC_MOTIF


def _minimal_subject_box(kind: int, rtl: bool) -> Box:
    """Where minimal's accent shape has room for the subject: the circle, the band, or the rising disc."""
    if kind == 2:
        return (555, 490, 725, 660)
    centre = (270 if rtl else 1010, 300) if kind == 0 else (190 if rtl else 1090, 360)
    half = 150 if kind == 0 else 140
    return (centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)


def minimal(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind = ctx.theme, _kind(ctx)
    light = not _flip(ctx)
    paper = mix(t.light, t.accent, 0.06) if light else t.dark
    canvas = bg.vertical((WIDTH, HEIGHT), paper, mix(paper, (0, 0, 0), 0.06))
    draw = ImageDraw.Draw(canvas)
    rtl = _rtl(ctx)
    align = _start(ctx)
    if kind == 2:  # the accent (or the photo) along the bottom, the title centred above it
        if ctx.photo is not None:
            _paste_round(canvas, _photo_fill(ctx, (WIDTH - 2 * M, 250)), (M, 430, 0, 0), radius=40)
        else:
            r = 360
            draw.ellipse((WIDTH / 2 - r, 470, WIDTH / 2 + r, 470 + 2 * r), fill=t.accent)
        box, align = (M + 24, 130, WIDTH - M - 24, 400), "center"
    elif ctx.photo is not None:
        if kind == 0:  # one calm rounded photo on the far side
            size = (420, 520)
            _paste_round(canvas, _photo_fill(ctx, size), ((90 if rtl else WIDTH - 90 - size[0]), 100, 0, 0), 40)
        else:  # the photo as a full-height band on the far side
            size = (440, HEIGHT)
            canvas.paste(_photo_fill(ctx, size), (0 if rtl else WIDTH - size[0], 0))
        box = (540, 140, WIDTH - M - 20, 560) if rtl else (M + 24, 140, 760, 560)
    elif kind == 0:  # a big circle bleeding off the edge
        r = 330
        cx = 120 if rtl else WIDTH - 120
        draw.ellipse((cx - r, HEIGHT / 2 - r - 60, cx + r, HEIGHT / 2 + r - 60), fill=t.accent)
        box = (500, 150, WIDTH - M - 20, 560) if rtl else (M + 24, 150, 790, 560)
    else:  # a full-height accent band with a thin rule
        band = (0, 0, 380, HEIGHT) if rtl else (WIDTH - 380, 0, WIDTH, HEIGHT)
        draw.rectangle(band, fill=t.accent)
        rule = band[2] + 24 if rtl else band[0] - 36
        draw.rectangle((rule, 0, rule + 12, HEIGHT), fill=t.accent)
        box = (460, 150, WIDTH - M - 20, 560) if rtl else (M + 24, 150, 820, 560)
    if ctx.photo is None and _names_a_subject(ctx):
        draw_motif(draw, ctx.family, _minimal_subject_box(kind, rtl), t, ctx.rng)
    bar_x = (box[0] + box[2]) // 2 - 80 if align == "center" else box[2] - 160 if rtl else box[0]
    draw.rounded_rectangle((bar_x, box[1] - 46, bar_x + 160, box[1] - 30), radius=8, fill=t.accent)
    return canvas, Plan(box, align, max_size=110, prefer_ink=light, max_lines=3 if kind != 2 else 2,
                        badge_corner="top-left" if not rtl else "top-right")


# --- versus: two halves and a VS badge ----------------------------------------------------------------------


def versus(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind, flip = ctx.theme, _kind(ctx), _flip(ctx)
    if flip:  # mirrored, and a light side against a dark one
        left_c, right_c = with_hls(t.accent2, lightness=0.8), mix(t.dark, (0, 0, 0), 0.2)
    else:
        left_c, right_c = with_hls(t.accent, lightness=0.38), with_hls(t.accent2, lightness=0.34)
    canvas = Image.new("RGB", bg.HALF, left_c)
    # A zig-zag split: the "clash" edge of comparison thumbnails (mirrored when flipped).
    zig = [(700, 0), (WIDTH, 0), (WIDTH, HEIGHT), (580, HEIGHT), (650, 520), (600, 500), (680, 260), (630, 240)]
    if flip:
        zig = [(WIDTH - x, y) for x, y in zig]
    ImageDraw.Draw(canvas).polygon([(x / 2, y / 2) for x, y in zig], fill=right_c)
    bg.halftone(canvas, (0, 0, 0), "right" if flip else "left", alpha=40)
    band_bottom = kind == 1
    canvas = bg.upscale(canvas)
    top = 40 if band_bottom else 300
    halves = ((90, top, 470, top + 380), (810, top, 1190, top + 380))
    if ctx.scene.motifs:  # each side its own thing, labelled next to the title band
        _versus_sides(ctx, canvas, halves, labels_below=band_bottom)
    elif ctx.photo is not None:  # scenes stored before motifs: the photo before and after
        size = (380, 330)
        shot = _photo_fill(ctx, size)
        before = ImageOps.grayscale(shot).convert("RGB")
        after = ImageEnhance.Color(shot).enhance(1.4)
        if flip:
            before, after = after, before
        for image, box in ((before, halves[0]), (after, halves[1])):
            frame = Image.new("RGB", (size[0] + 20, size[1] + 20), t.light)
            frame.paste(image, (10, 10))
            canvas.paste(frame, (box[0] - 10, box[1] - 10))
    else:
        draw = ImageDraw.Draw(canvas)
        other = "default" if ctx.family != "default" else "beauty"
        first, second = (other, ctx.family) if flip else (ctx.family, other)
        draw_motif(draw, first, halves[0], t, ctx.rng)
        draw_motif(draw, second, halves[1], t, ctx.rng)
    draw = ImageDraw.Draw(canvas)
    paper = kind == 2
    band_fill = t.light if paper else mix(t.dark, (0, 0, 0), 0.3)
    if band_bottom:
        draw.rectangle((0, 448, WIDTH, 458), fill=t.accent)
        draw.rectangle((0, 458, WIDTH, HEIGHT), fill=band_fill)
        _vs_badge(canvas, t, (640, 240))
        return canvas, Plan((M, 478, DURATION[0] - 24, 676), "center", max_lines=2, max_size=120,
                            badge_corner="top-left")
    draw.rectangle((0, 0, WIDTH, 262), fill=band_fill)
    draw.rectangle((0, 262, WIDTH, 272), fill=t.accent)
    _vs_badge(canvas, t, (640, 480))
    return canvas, Plan((M, 44, WIDTH - M, 244), "center", max_lines=2, max_size=120, prefer_ink=paper,
                        badge_corner="top-left")


LABEL_HEIGHT = 68


def _versus_sides(ctx: Ctx, canvas: Image.Image, halves: tuple[Box, Box], labels_below: bool) -> None:
    """The first-named side on the reading start (left, or right in Persian); each its motif, photo and label."""
    motifs = (*ctx.scene.motifs, *ctx.scene.motifs[-1:])[:2]  # one motif: the same thing on both sides
    labels = (*ctx.scene.sides, "", "")[:2]
    slots = halves[::-1] if _rtl(ctx) else halves
    before_after = motifs == (PHOTO, PHOTO)
    for index, (slot, motif, label) in enumerate(zip(slots, motifs, labels, strict=True)):
        gap = LABEL_HEIGHT + 12 if label else 0
        art = (slot[0], slot[1] + (0 if labels_below else gap), slot[2], slot[3] - (gap if labels_below else 0))
        if motif == PHOTO and ctx.photo is not None:
            _side_photo(ctx, canvas, art, ("before" if index == 0 else "after") if before_after else "")
        else:
            draw_motif(ImageDraw.Draw(canvas), motif if motif != PHOTO else ctx.family, art, ctx.theme, ctx.rng)
        if label:
            centre_y = slot[3] - LABEL_HEIGHT // 2 if labels_below else slot[1] + LABEL_HEIGHT // 2
            _side_label(canvas, label, ((slot[0] + slot[2]) // 2, centre_y), ctx.theme)


def _side_photo(ctx: Ctx, canvas: Image.Image, box: Box, treatment: str) -> None:
    """The photo framed in a side's box; a before/after pair shows it without colour, then with more colour."""
    size = (box[2] - box[0] - 20, box[3] - box[1] - 20)
    shot = _photo_fill(ctx, size)
    if treatment == "before":
        shot = ImageOps.grayscale(shot).convert("RGB")
    elif treatment == "after":
        shot = ImageEnhance.Color(shot).enhance(1.4)
    frame = Image.new("RGB", (size[0] + 20, size[1] + 20), ctx.theme.light)
    frame.paste(shot, (10, 10))
    canvas.paste(frame, box[:2])


def _side_label(canvas: Image.Image, text: str, centre: tuple[int, int], t: Theme) -> None:
    """A pill naming a side ("CHEAP", "ارزان"): dark text on the light theme colour, shrunk to fit."""
    from core.rendering import fonts  # local: layouts stay importable without font discovery

    roles = ("fa_display", "display") if fonts.has_rtl(text) else ("display",)
    label = fonts.drop_uncovered(_shortened(text), roles)
    label = label if fonts.has_rtl(label) else label.upper()
    if not label.strip():
        return
    face, width = _label_face(label, roles)
    half_w = max(90, width // 2 + 30)
    x, y = centre
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((x - half_w + 6, y - LABEL_HEIGHT // 2 + 8, x + half_w + 6, y + LABEL_HEIGHT // 2 + 8),
                           radius=LABEL_HEIGHT // 2, fill=(0, 0, 0))
    draw.rounded_rectangle((x - half_w, y - LABEL_HEIGHT // 2, x + half_w, y + LABEL_HEIGHT // 2),
                           radius=LABEL_HEIGHT // 2, fill=t.light, outline=t.stroke, width=5)
    draw.text((x, y), label, font=face, fill=t.ink, anchor="mm")


def _shortened(text: str, most: int = 18) -> str:
    """Whole words up to `most` characters (a side's name is a word or two; the title carries the rest)."""
    words = text.split()
    kept = words[:1]
    for word in words[1:]:
        if len(" ".join((*kept, word))) > most:
            break
        kept.append(word)
    return " ".join(kept)


def _label_face(label: str, roles: tuple[str, ...], widest: int = 380) -> tuple[ImageFont.FreeTypeFont, int]:
    """The largest face (50 px down to 26) that sets `label` within `widest`, and the label's width in it."""
    from core.rendering import fonts

    path = fonts.font_for_word(label, roles)
    for size in (50, 44, 38, 32, 26):
        face = fonts.font(path, size)
        left, _top, right, _bottom = face.getbbox(label, anchor="mm")
        if right - left <= widest:
            break
    return face, int(right - left)


def _vs_badge(canvas: Image.Image, t: Theme, center: tuple[int, int]) -> None:
    from core.rendering import fonts  # local: layouts stay importable without font discovery

    draw = ImageDraw.Draw(canvas)
    r = 92
    x, y = center
    draw.ellipse((x - r - 10, y - r - 10, x + r + 10, y + r + 10), fill=t.stroke)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=t.light)
    face = fonts.font(fonts.chain("display")[0], 96)
    draw.text((x, y), "VS", font=face, fill=t.stroke, anchor="mm")


def _list_number(scene: Scene) -> str:
    for text in (scene.badge or "", scene.title):
        found = re.search(r"\d+|[۰-۹]+", text)
        if found:
            return found.group(0)
    return "#1" if not scene.badge else scene.badge[:3]


# --- listicle: a big number tile and the title ---------------------------------------------------------------


def listicle(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, kind = ctx.theme, _kind(ctx)
    tile_left = _flip(ctx) == _rtl(ctx)  # the tile on the start side, or the end side when flipped
    paper = kind == 1  # light paper, a round tile and a dark title
    if paper:
        base, canvas = _paper(t)
        bg.stripes(canvas, mix(base, t.mid, 0.3), ctx.rng, alpha=80)
    else:
        canvas = _gradient(ctx)
        if kind == 0:
            bg.grid(canvas, t.light, alpha=22, step=40)
        else:
            _pattern(ctx, canvas, (WIDTH * (0.75 if tile_left else 0.25), HEIGHT / 2), t.mid)
    canvas = bg.upscale(canvas)
    draw = ImageDraw.Draw(canvas)
    if kind == 2:  # a full-height accent band carries the number
        tile = (0, 0, 440, HEIGHT) if tile_left else (WIDTH - 440, 0, WIDTH, HEIGHT)
        draw.rectangle(tile, fill=t.accent)
        edge = tile[2] if tile_left else tile[0] - 14
        draw.rectangle((edge, 0, edge + 14, HEIGHT), fill=t.stroke)
        sticker = (tile[0] + 120, 470)
    else:
        tile = (M, 130, M + 380, 510) if tile_left else (WIDTH - M - 380, 130, WIDTH - M, 510)
        shadow = (tile[0] + 16, tile[1] + 18, tile[2] + 16, tile[3] + 18)
        if kind == 0:
            draw.rounded_rectangle(shadow, radius=48, fill=(0, 0, 0))
            draw.rounded_rectangle(tile, radius=48, fill=t.accent, outline=t.stroke, width=10)
        else:
            draw.ellipse(shadow, fill=(0, 0, 0))
            draw.ellipse(tile, fill=t.accent, outline=t.stroke, width=10)
        sticker = (tile[2] - 120, tile[3] - 100) if tile_left else (tile[0] - 80, tile[3] - 100)
    if ctx.photo is not None:  # the photo becomes a round sticker on the tile's corner
        px, py = sticker
        draw.ellipse((px - 10, py - 10, px + 210, py + 210), fill=t.light)
        _paste_round(canvas, _photo_fill(ctx, (200, 200)), (px, py, 0, 0))
    elif ctx.scene.motifs:  # the subject on the same sticker: what the list is about
        px, py = sticker
        draw.ellipse((px - 10, py - 10, px + 210, py + 210), fill=t.light, outline=t.stroke, width=8)
        draw_motif(draw, ctx.family, (px + 28, py + 28, px + 172, py + 172), t, ctx.rng)
    from core.rendering import fonts

    number = _list_number(ctx.scene)
    roles = ("fa_display", "display") if re.search(r"[۰-۹]", number) else ("display",)
    face = fonts.font(fonts.font_for_word(number, roles), 300 if len(number) <= 2 else 190)
    ink = t.stroke if luminance(t.accent) > 0.35 else t.light
    sticker_below = kind == 2 and (ctx.photo is not None or bool(ctx.scene.motifs))
    centre = ((tile[0] + tile[2]) // 2, (tile[1] + tile[3]) // 2 - (60 if sticker_below else 0))
    draw.text(centre, number, font=face, fill=ink, anchor="mm", stroke_width=8,
              stroke_fill=t.light if ink == t.stroke else t.stroke)
    gap = 56 if kind != 2 else 48
    box = (tile[2] + gap, 80, WIDTH - M, 610) if tile_left else (M, 80, tile[0] - gap, 630)
    return canvas, Plan(box, _start(ctx), max_size=120, prefer_ink=paper,
                        badge_corner="top-right" if tile_left else "top-left")


LAYOUT_FUNCS: dict[str, Callable[[Ctx], tuple[Image.Image, Plan]]] = {
    "headline": headline, "split": split, "framed": framed, "minimal": minimal, "versus": versus,
    "listicle": listicle,
}
