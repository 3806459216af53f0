"""The six layouts. Each paints the picture (background, subject, shapes) and says where the title goes.

A layout returns a `Plan`; the compositor then fits and draws the title there, guards its contrast
and adds the badge, so typography rules live in one place. The seed picks a variant of each layout
(side, background kind, pattern), so a new seed gives a visibly different thumbnail.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from core.rendering import backgrounds as bg
from core.rendering.colors import RGB, Theme, luminance, mix, with_hls
from core.rendering.motifs import draw_motif
from core.rendering.photos import fit
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
    variant: int
    family: str  # motif family from the category
    pattern: str  # background pattern from mood/style/category
    photo: Image.Image | None  # upright RGB/RGBA user photo, or None


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
    image = fit(ctx.photo, size, centering)
    if image.mode == "RGBA":  # transparent cut-outs sit on the theme, not on black
        base = Image.new("RGB", size, ctx.theme.mid)
        base.paste(image, mask=image.getchannel("A"))
        image = base
    return image


def _treated(ctx: Ctx, size: tuple[int, int], darken: float) -> Image.Image:
    """A photo as background: fitted, slightly punchier, darkened so white titles stay readable."""
    image = _photo_fill(ctx, size)
    image = ImageEnhance.Contrast(image).enhance(1.12)
    return ImageEnhance.Brightness(image).enhance(1 - darken)


def _gradient(ctx: Ctx, size: tuple[int, int] = bg.HALF) -> Image.Image:
    """The base gradient at half size: callers add patterns, then `bg.upscale` once."""
    t = ctx.theme
    kind = ctx.rng.choice(("vertical", "diagonal", "diagonal"))
    if kind == "vertical":
        return bg.vertical(size, t.mid, t.dark)
    return bg.diagonal(size, t.dark, t.mid, ctx.rng.choice((30, 45, 135, 150)))


def _pattern(ctx: Ctx, canvas: Image.Image, focus: tuple[float, float], colour: RGB | None = None) -> None:
    t = ctx.theme
    bg.pattern(canvas, ctx.pattern, colour or t.accent, [t.accent, t.accent2, t.light], ctx.rng, focus)


def _subject(ctx: Ctx, canvas: Image.Image, box: Box) -> None:
    """The photo (cover-fitted) or, without one, the category illustration."""
    if ctx.photo is not None:
        canvas.paste(_photo_fill(ctx, (box[2] - box[0], box[3] - box[1])), box[:2])
    else:
        draw_motif(ImageDraw.Draw(canvas), ctx.family, box, ctx.theme, ctx.rng)


def headline(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t, v = ctx.theme, ctx.variant % 3
    if ctx.photo is not None:
        canvas = _treated(ctx, (WIDTH, HEIGHT), 0.25)
        side = "left" if not _rtl(ctx) else "right"
        bg.shade(canvas, (0, 0, WIDTH, HEIGHT), side, 0.85)
        bg.shade(canvas, (0, HEIGHT // 2, WIDTH, HEIGHT), "bottom", 0.6)
        left = side == "left"
        box = (M, 110, 860, 600) if left else (420, 110, WIDTH - M, 600)
        return canvas, Plan(box, _start(ctx), max_size=140, badge_corner="top-left" if left else "top-right")
    if v == 2:  # loud: full accent background, dark title, halftone texture
        canvas = bg.diagonal(bg.HALF, t.accent, with_hls(t.accent, lightness=0.42), 120)
        bg.halftone(canvas, t.dark, "right", alpha=70)
        canvas = bg.upscale(canvas)
        draw_motif(ImageDraw.Draw(canvas), ctx.family, (900, 80, 1200, 380), t, ctx.rng)
        return canvas, Plan((M, 300, 1040, 640), _start(ctx), max_size=150, prefer_ink=luminance(t.accent) > 0.3)
    canvas = _gradient(ctx)
    center = (WIDTH / 2, HEIGHT / 2) if v == 0 else (WIDTH * 0.75, HEIGHT * 0.5)
    _pattern(ctx, canvas, center)
    bg.glow(canvas, t.accent, center, 520, 0.45)
    bg.vignette(canvas, 0.6 if v == 0 else 0.4)
    canvas = bg.upscale(canvas)
    if v == 0:
        return canvas, Plan((M + 20, 90, WIDTH - M - 20, 600), "center", max_size=160)
    draw_motif(ImageDraw.Draw(canvas), ctx.family, (820, 150, 1220, 550), t, ctx.rng)
    return canvas, Plan((M, 90, 800, 630), "left", max_size=150)


def split(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    subject_left = (ctx.variant % 2 == 0) != _rtl(ctx)
    canvas = _gradient(ctx)
    _pattern(ctx, canvas, (WIDTH * (0.75 if subject_left else 0.25), HEIGHT / 2), t.mid)
    canvas = bg.upscale(canvas)
    if ctx.photo is not None:
        panel = _photo_fill(ctx, (620, HEIGHT))
    else:
        panel = bg.diagonal((310, 360), with_hls(t.accent, lightness=0.5), with_hls(t.accent, lightness=0.32), 60)
        bg.rings(panel, t.light, (155, 180), alpha=30)
        panel = bg.upscale(panel, (620, HEIGHT))
        draw_motif(ImageDraw.Draw(panel), ctx.family, (110, 160, 510, 560), t, ctx.rng)
    # A slanted edge with an accent stripe reads as "designed" rather than a plain half split.
    mask = Image.new("L", panel.size, 0)
    slant = 110
    poly = [(0, 0), (620, 0), (620 - slant, HEIGHT), (0, HEIGHT)] if subject_left else \
        [(slant, 0), (620, 0), (620, HEIGHT), (0, HEIGHT)]
    ImageDraw.Draw(mask).polygon(poly, fill=255)
    x = 0 if subject_left else WIDTH - 620
    stripe = [(px + x + (18 if subject_left else -18), py) for px, py in poly]
    ImageDraw.Draw(canvas).polygon(stripe, fill=t.accent)
    canvas.paste(panel, (x, 0), mask)
    box = (600, 80, WIDTH - M, 600) if subject_left else (M, 80, 680, 630)
    return canvas, Plan(box, "left" if subject_left else "right" if _rtl(ctx) else "left", max_size=130,
                        badge_corner="top-left" if subject_left else "top-right")


def framed(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    band_top = ctx.variant % 2 == 1
    canvas = _gradient(ctx)
    _pattern(ctx, canvas, (WIDTH / 2, HEIGHT / 2), t.mid)
    canvas = bg.upscale(canvas)
    card_w, card_h = 640, 380
    card = Image.new("RGB", (card_w, card_h), t.light)
    inner = (18, 18, card_w - 18, card_h - 18)
    if ctx.photo is not None:
        card.paste(_photo_fill(ctx, (inner[2] - inner[0], inner[3] - inner[1])), inner[:2])
    else:
        card.paste(bg.diagonal((inner[2] - inner[0], inner[3] - inner[1]), t.mid, t.accent2, 45), inner[:2])
        draw_motif(ImageDraw.Draw(card), ctx.family, (170, 40, 470, 340), t, ctx.rng)
    angle = ctx.rng.choice((-4, -3, 3, 4))
    tilted = card.convert("RGBA").rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    top = 290 if band_top else 30
    pos = ((WIDTH - tilted.width) // 2 + ctx.rng.randint(-120, 120), top)
    shadow = Image.new("L", tilted.size, 0)
    shadow.paste(120, (0, 0), tilted.getchannel("A"))
    canvas.paste((0, 0, 0), (pos[0] + 14, pos[1] + 16), shadow)
    canvas.paste(tilted, pos, tilted)
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


def minimal(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    light = ctx.variant % 2 == 0
    paper = mix(t.light, t.accent, 0.06) if light else t.dark
    canvas = bg.upscale(bg.vertical(bg.HALF, paper, mix(paper, (0, 0, 0), 0.06)))
    draw = ImageDraw.Draw(canvas)
    rtl = _rtl(ctx)
    if ctx.photo is not None:  # one calm rounded photo on the far side
        size = (420, 520)
        photo = _photo_fill(ctx, size)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *size), radius=40, fill=255)
        canvas.paste(photo, ((90 if rtl else WIDTH - 90 - size[0]), 100), mask)
        box = (540, 140, WIDTH - M - 20, 560) if rtl else (M + 24, 140, 760, 560)
    else:  # the one accent: a big circle bleeding off the edge
        r = 330
        cx = 120 if rtl else WIDTH - 120
        draw.ellipse((cx - r, HEIGHT / 2 - r - 60, cx + r, HEIGHT / 2 + r - 60), fill=t.accent)
        box = (440, 150, WIDTH - M - 20, 560) if rtl else (M + 24, 150, 880, 560)
    bar_x = box[2] - 160 if rtl else box[0]
    draw.rounded_rectangle((bar_x, box[1] - 46, bar_x + 160, box[1] - 30), radius=8, fill=t.accent)
    return canvas, Plan(box, _start(ctx), max_size=110, prefer_ink=light,
                        badge_corner="top-left" if not rtl else "top-right")


def versus(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    left_c, right_c = with_hls(t.accent, lightness=0.38), with_hls(t.accent2, lightness=0.34)
    if ctx.variant % 2:
        left_c, right_c = right_c, left_c
    canvas = Image.new("RGB", bg.HALF, left_c)
    # A zig-zag split: the "clash" edge of comparison thumbnails.
    zig = [(700, 0), (WIDTH, 0), (WIDTH, HEIGHT), (580, HEIGHT), (650, 520), (600, 500), (680, 260), (630, 240)]
    ImageDraw.Draw(canvas).polygon([(x / 2, y / 2) for x, y in zig], fill=right_c)
    bg.halftone(canvas, (0, 0, 0), "left", alpha=40)
    canvas = bg.upscale(canvas)
    halves = ((90, 300, 470, 680), (810, 300, 1190, 680))
    if ctx.photo is not None:
        size = (380, 330)
        before = ImageOps.grayscale(_photo_fill(ctx, size)).convert("RGB")
        after = ImageEnhance.Color(_photo_fill(ctx, size)).enhance(1.4)
        for image, box in ((before, halves[0]), (after, halves[1])):
            frame = Image.new("RGB", (size[0] + 20, size[1] + 20), t.light)
            frame.paste(image, (10, 10))
            canvas.paste(frame, (box[0] - 10, box[1] - 10))
    else:
        draw = ImageDraw.Draw(canvas)
        draw_motif(draw, ctx.family, halves[0], t, ctx.rng)
        draw_motif(draw, "default" if ctx.family != "default" else "beauty", halves[1], t, ctx.rng)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, WIDTH, 262), fill=mix(t.dark, (0, 0, 0), 0.3))
    draw.rectangle((0, 262, WIDTH, 272), fill=t.accent)
    _vs_badge(canvas, t, (640, 480))
    return canvas, Plan((M, 44, WIDTH - M, 244), "center", max_lines=2, max_size=120, badge_corner="top-left")


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


def listicle(ctx: Ctx) -> tuple[Image.Image, Plan]:
    t = ctx.theme
    rtl = _rtl(ctx)
    canvas = _gradient(ctx)
    bg.grid(canvas, t.light, alpha=22, step=40) if ctx.variant % 2 == 0 else bg.stripes(canvas, t.mid, ctx.rng)
    canvas = bg.upscale(canvas)
    tile = (M, 130, M + 380, 510) if not rtl else (WIDTH - M - 380, 130, WIDTH - M, 510)
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((tile[0] + 16, tile[1] + 18, tile[2] + 16, tile[3] + 18), radius=48, fill=(0, 0, 0))
    draw.rounded_rectangle(tile, radius=48, fill=t.accent, outline=t.stroke, width=10)
    if ctx.photo is not None:  # the photo becomes a round sticker on the tile's corner
        size = (200, 200)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, *size), fill=255)
        px = tile[2] - 120 if not rtl else tile[0] - 80
        draw.ellipse((px - 10, tile[3] - 110, px + 210, tile[3] + 110), fill=t.light)
        canvas.paste(_photo_fill(ctx, size), (px, tile[3] - 100), mask)
    from core.rendering import fonts

    number = _list_number(ctx.scene)
    roles = ("fa_display", "display") if re.search(r"[۰-۹]", number) else ("display",)
    face = fonts.font(fonts.font_for_word(number, roles), 300 if len(number) <= 2 else 190)
    ink = t.stroke if luminance(t.accent) > 0.35 else t.light
    centre = ((tile[0] + tile[2]) // 2, (tile[1] + tile[3]) // 2)
    draw.text(centre, number, font=face, fill=ink, anchor="mm", stroke_width=8,
              stroke_fill=t.light if ink == t.stroke else t.stroke)
    box = (tile[2] + 56, 80, WIDTH - M, 610) if not rtl else (M, 80, tile[0] - 56, 630)
    return canvas, Plan(box, _start(ctx), max_size=120, badge_corner="top-right" if rtl else "top-left")


LAYOUT_FUNCS: dict[str, Callable[[Ctx], tuple[Image.Image, Plan]]] = {
    "headline": headline, "split": split, "framed": framed, "minimal": minimal, "versus": versus,
    "listicle": listicle,
}
