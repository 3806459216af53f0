"""Flat category illustrations used as the subject when the user sent no photo.

They make the category visible in the picture itself (a gamepad, a chart, a plate...), not only
in its colours. Each draws into a square box with the theme's colours and a thick outline, the
sticker look common on thumbnails.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from PIL import ImageDraw

from core.rendering.colors import Theme, mix

Box = tuple[int, int, int, int]
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gaming", ("gam", "play", "esport", "minecraft", "fortnite", "بازی")),
    ("tech", ("tech", "code", "program", "software", "ai", "computer", "phone", "gadget", "تکنولوژی", "فناوری")),
    ("food", ("food", "cook", "recipe", "kitchen", "bak", "آشپزی", "غذا")),
    ("finance", ("financ", "money", "business", "invest", "crypto", "stock", "market", "پول", "مالی", "بورس")),
    ("travel", ("travel", "trip", "tour", "vacation", "adventure", "سفر")),
    ("fitness", ("fit", "gym", "sport", "workout", "health", "ورزش")),
    ("music", ("music", "song", "sing", "guitar", "podcast", "موسیقی")),
    ("education", ("edu", "tutorial", "learn", "how", "lesson", "study", "science", "آموزش")),
    ("beauty", ("beauty", "makeup", "fashion", "style", "skin", "زیبایی", "مد")),
)


def category_of(category: str, prompt: str) -> str:
    """Map the analysis' free-form category (and prompt as a hint) onto a motif family."""
    for text in (category.lower(), prompt.lower()):
        for family, keys in _KEYWORDS:
            if any(k in text for k in keys if len(k) > 2 or f" {k} " in f" {text} "):
                return family
    return "default"


def _outline(theme: Theme) -> dict[str, object]:
    return {"outline": theme.stroke, "width": 10}


def gaming(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    body = (x0 + w * 0.04, y0 + h * 0.28, x1 - w * 0.04, y1 - h * 0.22)
    d.rounded_rectangle(body, radius=int(h * 0.22), fill=t.light, **_outline(t))
    cx, cy = x0 + w * 0.28, (body[1] + body[3]) / 2
    arm = w * 0.07
    d.rectangle((cx - arm * 2, cy - arm / 1.6, cx + arm * 2, cy + arm / 1.6), fill=t.dark)
    d.rectangle((cx - arm / 1.6, cy - arm * 2, cx + arm / 1.6, cy + arm * 2), fill=t.dark)
    for i, (dx, dy) in enumerate(((0.66, -0.08), (0.78, 0.0), (0.66, 0.08), (0.54, 0.0))):
        r = w * 0.045
        px, py = x0 + w * (dx + 0.06), cy + h * dy * 1.5
        d.ellipse((px - r, py - r, px + r, py + r), fill=t.accent if i % 2 else t.accent2, outline=t.stroke, width=5)


def tech(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w = x1 - x0
    c = (x0 + x1) / 2, (y0 + y1) / 2
    s = w * 0.26
    for k in range(-2, 3):  # circuit traces with pads
        off = k * s * 0.42
        for (ax, ay, bx, by) in ((c[0] - s, c[1] + off, x0, c[1] + off), (c[0] + s, c[1] + off, x1, c[1] + off),
                                 (c[0] + off, c[1] - s, c[0] + off, y0), (c[0] + off, c[1] + s, c[0] + off, y1)):
            d.line((ax, ay, bx, by), fill=t.accent2, width=8)
            d.ellipse((bx - 11, by - 11, bx + 11, by + 11), fill=t.accent)
    d.rounded_rectangle((c[0] - s, c[1] - s, c[0] + s, c[1] + s), radius=int(s * 0.2), fill=t.light, **_outline(t))
    d.rounded_rectangle((c[0] - s * 0.5, c[1] - s * 0.5, c[0] + s * 0.5, c[1] + s * 0.5), radius=int(s * 0.1),
                        fill=t.accent)


def food(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w = x1 - x0
    c = (x0 + x1) / 2, (y0 + y1) / 2 + w * 0.06
    r = w * 0.36
    d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=t.light, **_outline(t))
    r2 = r * 0.68
    d.ellipse((c[0] - r2, c[1] - r2, c[0] + r2, c[1] + r2), fill=t.accent, outline=t.stroke, width=6)
    for k in range(5):
        a = k * math.tau / 5 + rng.random()
        px, py = c[0] + r2 * 0.5 * math.cos(a), c[1] + r2 * 0.5 * math.sin(a)
        d.ellipse((px - 18, py - 18, px + 18, py + 18), fill=t.accent2)
    for k in (-1, 0, 1):  # steam
        sx = c[0] + k * w * 0.12
        d.arc((sx - 24, y0 - w * 0.02, sx + 24, y0 + w * 0.2), 100, 260, fill=t.light, width=9)


def finance(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    bars = 4
    bw = w / (bars * 1.6)
    for i in range(bars):
        bh = h * (0.25 + 0.18 * i + rng.uniform(-0.04, 0.04))
        bx = x0 + w * 0.08 + i * bw * 1.5
        d.rectangle((bx, y1 - bh, bx + bw, y1), fill=t.accent if i == bars - 1 else t.light, **_outline(t))
    pts = [(x0 + w * 0.05, y1 - h * 0.35), (x0 + w * 0.35, y1 - h * 0.55), (x0 + w * 0.55, y1 - h * 0.48),
           (x1 - w * 0.12, y0 + h * 0.12)]
    d.line(pts, fill=t.stroke, width=30, joint="curve")
    d.line(pts, fill=t.accent2, width=16, joint="curve")
    tip = pts[-1]
    d.polygon([(tip[0] + 34, tip[1] - 30), (tip[0] - 40, tip[1] - 6), (tip[0] + 8, tip[1] + 40)], fill=t.accent2,
              outline=t.stroke, width=6)


def travel(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    r = w * 0.2
    sx, sy = x0 + w * 0.62, y0 + h * 0.3
    d.ellipse((sx - r, sy - r, sx + r, sy + r), fill=t.accent, **_outline(t))
    d.polygon([(x0, y1), (x0 + w * 0.35, y0 + h * 0.35), (x0 + w * 0.7, y1)], fill=t.light, **_outline(t))
    d.polygon([(x0 + w * 0.35, y1), (x0 + w * 0.7, y0 + h * 0.5), (x1, y1)], fill=mix(t.light, t.accent2, 0.5),
              **_outline(t))


def fitness(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cy = (y0 + y1) / 2
    bar = (x0 + w * 0.2, cy - h * 0.05, x1 - w * 0.2, cy + h * 0.05)
    d.rounded_rectangle(bar, radius=8, fill=t.light, **_outline(t))
    for side in (0, 1):
        for k, (wd, ht) in enumerate(((0.1, 0.5), (0.08, 0.36))):
            px = x0 + w * (0.06 + k * 0.1) if side == 0 else x1 - w * (0.16 + k * 0.08)
            d.rounded_rectangle((px, cy - h * ht / 2, px + w * wd, cy + h * ht / 2), radius=10,
                                fill=t.accent if k == 0 else t.accent2, **_outline(t))


def music(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    for i in range(7):  # equalizer
        bh = h * rng.uniform(0.2, 0.6)
        bx = x0 + i * w / 7
        d.rounded_rectangle((bx + 6, y1 - bh, bx + w / 7 - 6, y1), radius=8, fill=t.accent2 if i % 2 else t.accent)
    hx, hy, r = x0 + w * 0.35, y0 + h * 0.55, w * 0.1
    d.line((hx + r, hy, hx + r, y0 + h * 0.05), fill=t.stroke, width=18)
    d.polygon([(hx + r - 9, y0 + h * 0.05), (hx + r + w * 0.28, y0 + h * 0.12), (hx + r + w * 0.28, y0 + h * 0.26),
               (hx + r - 9, y0 + h * 0.2)], fill=t.light, **_outline(t))
    d.ellipse((hx - r, hy - r * 0.8, hx + r, hy + r * 0.8), fill=t.light, **_outline(t))


def education(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    c = (x0 + x1) / 2
    r = w * 0.26
    cy = y0 + h * 0.38
    d.ellipse((c - r, cy - r, c + r, cy + r), fill=t.accent, **_outline(t))
    d.rounded_rectangle((c - r * 0.5, cy + r * 0.8, c + r * 0.5, cy + r * 1.5), radius=10, fill=t.light, **_outline(t))
    for k in range(8):
        a = -math.pi + k * math.pi / 7
        d.line((c + r * 1.25 * math.cos(a), cy + r * 1.25 * math.sin(a), c + r * 1.6 * math.cos(a),
                cy + r * 1.6 * math.sin(a)), fill=t.accent2, width=12)


def beauty(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, _y1 = b
    w = x1 - x0
    for k, (fx, fy, fr) in enumerate(((0.45, 0.45, 0.3), (0.8, 0.2, 0.12), (0.2, 0.82, 0.1))):
        cx, cy, r = x0 + w * fx, y0 + w * fy, w * fr
        pts = []
        for i in range(8):
            rr = r if i % 2 == 0 else r * 0.32
            a = i * math.pi / 4 - math.pi / 2
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        d.polygon(pts, fill=t.accent if k == 0 else t.light, outline=t.stroke, width=6)


def default(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    c = ((x0 + x1) / 2, (y0 + y1) / 2)
    r = min(w, h) * 0.4
    d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=t.accent, **_outline(t))
    s = r * 0.55
    d.polygon([(c[0] - s * 0.6, c[1] - s), (c[0] + s, c[1]), (c[0] - s * 0.6, c[1] + s)], fill=t.light)


MOTIFS: dict[str, Callable[[ImageDraw.ImageDraw, Box, Theme, random.Random], None]] = {
    "gaming": gaming, "tech": tech, "food": food, "finance": finance, "travel": travel, "fitness": fitness,
    "music": music, "education": education, "beauty": beauty, "default": default,
}


def draw_motif(draw: ImageDraw.ImageDraw, family: str, box: Box, theme: Theme, rng: random.Random) -> None:
    MOTIFS.get(family, default)(draw, box, theme, rng)

