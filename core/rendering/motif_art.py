"""Subject stickers: one flat drawing per thing a request can be about (a phone, pasta, a ghost...).

Each draws into a square box with the theme's colours, a thick ink outline, and natural colours only where the
thing is recognised by its colour (cheese, gold, leaves). Signature: (draw, box, theme, rng), like motifs.py's.
"""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

from core.rendering.colors import RGB, Theme, mix
from core.rendering.pen import Box, Pen, ellipse_points, leaf, rotate, smooth, star

GOLD: RGB = (250, 196, 40)
DARK_GOLD: RGB = (196, 136, 20)
RED: RGB = (226, 46, 60)
GREEN: RGB = (64, 176, 92)
DARK_GREEN: RGB = (30, 110, 60)
BROWN: RGB = (140, 84, 44)
CHEESE: RGB = (253, 204, 80)
BUN: RGB = (232, 164, 76)
WHITE: RGB = (250, 250, 246)
SKY: RGB = (96, 176, 240)
ORANGE: RGB = (249, 115, 22)
YELLOW: RGB = (253, 224, 71)
PINK: RGB = (246, 168, 196)


# -- tech ---------------------------------------------------------------------------------------------------------


def phone(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.26, 0.04, 0.74, 0.96), t.light, radius=0.09)
    p.rect((0.31, 0.13, 0.69, 0.83), t.accent, radius=0.03)
    for row in range(3):
        for col in range(2):
            x, y = 0.365 + col * 0.15, 0.2 + row * 0.2
            p.rect((x, y, x + 0.12, y + 0.12), t.light if (row + col) % 2 else mix(t.light, t.accent2, 0.5),
                   radius=0.03, outline=False)
    p.rect((0.42, 0.07, 0.58, 0.095), t.stroke, radius=0.01, outline=False)
    p.circle(0.5, 0.895, 0.035, t.accent2)


def robot(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.bar([(0.5, 0.26), (0.5, 0.12)], t.light, 0.04)
    p.circle(0.5, 0.1, 0.06, t.accent)
    for x in (0.07, 0.8):
        p.rect((x, 0.42, x + 0.13, 0.64), t.accent2, radius=0.04)
    p.rect((0.16, 0.24, 0.84, 0.82), t.light, radius=0.13)
    for x in (0.36, 0.64):
        p.circle(x, 0.46, 0.095, t.accent)
        p.circle(x, 0.46, 0.04, t.stroke, outline=False)
    p.rect((0.32, 0.62, 0.68, 0.72), t.dark, radius=0.03)
    for x in (0.41, 0.5, 0.59):
        p.line([(x, 0.63), (x, 0.71)], t.light, 0.02)


def laptop(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.13, 0.14, 0.87, 0.67), t.light, radius=0.04)
    p.rect((0.18, 0.19, 0.82, 0.62), t.accent, radius=0.015)
    for i, width in enumerate((0.34, 0.46, 0.26, 0.4)):
        y = 0.27 + i * 0.08
        p.rect((0.24, y, 0.24 + width, y + 0.035), t.light, radius=0.015, outline=False)
    p.poly([(0.1, 0.67), (0.9, 0.67), (0.99, 0.81), (0.01, 0.81)], t.light)
    p.rect((0.4, 0.69, 0.6, 0.73), mix(t.light, t.stroke, 0.3), radius=0.015, outline=False)


def code(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.05, 0.12, 0.95, 0.88), t.light, radius=0.07)
    p.rect((0.05, 0.12, 0.95, 0.28), t.dark, radius=0.07)
    p.rect((0.05, 0.21, 0.95, 0.28), t.dark, outline=False)
    for i, colour in enumerate((RED, YELLOW, GREEN)):
        p.circle(0.14 + i * 0.08, 0.2, 0.03, colour, outline=False)
    p.bar([(0.34, 0.42), (0.2, 0.58), (0.34, 0.74)], t.accent, 0.07)
    p.bar([(0.66, 0.42), (0.8, 0.58), (0.66, 0.74)], t.accent, 0.07)
    p.bar([(0.56, 0.38), (0.44, 0.78)], t.accent2, 0.06)


def keyboard(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A keyboard seen from above, tilted: rows of keys and a long space bar."""
    p = Pen(d, b, t)
    p.rect((0.07, 0.28, 0.93, 0.74), t.light, radius=0.05)
    step = 0.078
    for row in range(3):
        for i in range(10 - row):
            x = 0.12 + row * step / 2 + i * step
            key = t.accent if (row, i) in ((0, 0), (1, 4), (2, 7)) else mix(t.light, t.stroke, 0.18)
            p.rect((x, 0.33 + row * 0.1, x + step * 0.78, 0.41 + row * 0.1), key, radius=0.012, outline=False)
    p.rect((0.3, 0.63, 0.7, 0.69), mix(t.light, t.stroke, 0.18), radius=0.015, outline=False)


def mouse(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A computer mouse on its cable: two buttons and a wheel."""
    p = Pen(d, b, t)
    p.line(smooth([(0.5, 0.2), (0.52, 0.1), (0.66, 0.06), (0.8, 0.1)]), t.stroke, 0.025)
    p.rect((0.27, 0.2, 0.73, 0.92), t.light, radius=0.23)
    p.line([(0.5, 0.21), (0.5, 0.46)], t.stroke, 0.02)
    p.line([(0.28, 0.46), (0.72, 0.46)], t.stroke, 0.02)
    p.rect((0.46, 0.27, 0.54, 0.39), t.accent, radius=0.04)


def camera(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.3, 0.18, 0.56, 0.34), t.light, radius=0.04)
    p.rect((0.06, 0.28, 0.94, 0.84), t.light, radius=0.09)
    p.rect((0.06, 0.4, 0.94, 0.5), t.dark, outline=False)
    p.circle(0.5, 0.56, 0.24, t.stroke)
    p.circle(0.5, 0.56, 0.18, t.accent, outline=False)
    p.circle(0.5, 0.56, 0.09, t.dark, outline=False)
    p.circle(0.44, 0.5, 0.04, t.light, outline=False)
    p.rect((0.74, 0.33, 0.86, 0.4), t.accent2, radius=0.02)


def headphones(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.ring_arc((0.12, 0.1, 0.88, 0.86), 180, 360, t.accent, 0.07)
    for x0 in (0.06, 0.7):
        p.rect((x0, 0.46, x0 + 0.24, 0.88), t.accent, radius=0.09)
        pad = (x0 + 0.13, 0.52, x0 + 0.27, 0.82) if x0 < 0.5 else (x0 - 0.03, 0.52, x0 + 0.11, 0.82)
        p.rect(pad, t.light, radius=0.05)


def chip(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A processor with pins, for tech in general (the older `tech` motif is a circuit board)."""
    p = Pen(d, b, t)
    for i in range(5):
        offset = 0.26 + i * 0.12
        for points in (((offset, 0.08), (offset, 0.2)), ((offset, 0.8), (offset, 0.92)),
                       ((0.08, offset), (0.2, offset)), ((0.8, offset), (0.92, offset))):
            p.bar(list(points), t.light, 0.04)
    p.rect((0.16, 0.16, 0.84, 0.84), t.dark, radius=0.06)
    p.rect((0.3, 0.3, 0.7, 0.7), t.accent, radius=0.04)
    p.circle(0.24, 0.24, 0.025, t.light, outline=False)


# -- entertainment ------------------------------------------------------------------------------------------------


def clapper(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.1, 0.42, 0.9, 0.88), t.stroke, radius=0.03, outline=t.light)
    for y in (0.6, 0.7, 0.8):
        p.line([(0.2, y), (0.62 if y != 0.7 else 0.8, y)], t.light, 0.025)
    stick = rotate([(0.1, 0.26), (0.9, 0.26), (0.9, 0.4), (0.1, 0.4)], -14, (0.1, 0.4))
    p.poly(stick, t.light)
    for i in range(4):  # the diagonal stripes of the clapstick
        x = 0.16 + i * 0.2
        p.poly(rotate([(x, 0.27), (x + 0.09, 0.27), (x + 0.03, 0.39), (x - 0.06, 0.39)], -14, (0.1, 0.4)), t.stroke,
               outline=False)
    p.circle(0.13, 0.41, 0.04, t.accent)


def wow(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """The shocked face of reaction videos."""
    p = Pen(d, b, t)
    p.circle(0.5, 0.52, 0.42, YELLOW)
    for x in (0.35, 0.65):
        p.ellipse((x - 0.08, 0.3, x + 0.08, 0.52), WHITE)
        p.circle(x, 0.43, 0.04, t.stroke, outline=False)
        p.arc((x - 0.1, 0.16, x + 0.1, 0.32), 200, 340, t.stroke, 0.035)
    p.ellipse((0.4, 0.6, 0.6, 0.84), t.stroke)
    p.ellipse((0.44, 0.72, 0.56, 0.82), RED, outline=False)


def mic(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.bar([(0.5, 0.7), (0.5, 0.86)], t.light, 0.05)
    p.rect((0.3, 0.84, 0.7, 0.93), t.accent2, radius=0.03)
    p.ring_arc((0.24, 0.24, 0.76, 0.72), 0, 180, t.light, 0.04)
    p.rect((0.34, 0.06, 0.66, 0.6), t.light, radius=0.16)
    for y in (0.16, 0.24, 0.32):
        p.line([(0.39, y), (0.61, y)], mix(t.light, t.stroke, 0.45), 0.02)
    p.rect((0.34, 0.4, 0.66, 0.47), t.accent, outline=False)


def guitar(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    turn, centre = 38, (0.5, 0.5)
    neck = rotate([(0.46, 0.1), (0.54, 0.1), (0.54, 0.56), (0.46, 0.56)], turn, centre)
    head = rotate([(0.43, 0.0), (0.57, 0.0), (0.56, 0.13), (0.44, 0.13)], turn, centre)
    p.poly(neck, mix(BROWN, t.light, 0.2))
    p.poly(head, t.stroke, outline=False)
    (ux, uy), (lx, ly), (hx, hy) = rotate([(0.5, 0.56), (0.5, 0.76), (0.5, 0.66)], turn, centre)
    p.blob([(ux, uy, 0.15), (lx, ly, 0.21)], t.accent)
    p.circle(hx, hy, 0.065, t.stroke, outline=False)
    p.poly(rotate([(0.42, 0.8), (0.58, 0.8), (0.58, 0.84), (0.42, 0.84)], turn, centre), t.stroke, outline=False)
    for dx in (-0.015, 0.015):
        p.line(rotate([(0.5 + dx, 0.08), (0.5 + dx, 0.82)], turn, centre), t.light, 0.008)


def piano(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.04, 0.2, 0.96, 0.34), t.accent, radius=0.03)
    p.rect((0.04, 0.3, 0.96, 0.8), WHITE, radius=0.03)
    key = 0.92 / 7
    for i in range(1, 7):
        p.line([(0.04 + i * key, 0.31), (0.04 + i * key, 0.79)], t.stroke, 0.015)
    for i in (1, 2, 4, 5, 6):
        x = 0.04 + i * key
        p.rect((x - 0.035, 0.3, x + 0.035, 0.6), t.stroke, radius=0.01, outline=False)


def notes(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Two beamed notes: music, songs, beats."""
    p = Pen(d, b, t)
    p.poly([(0.34, 0.14), (0.84, 0.04), (0.84, 0.18), (0.34, 0.28)], t.accent)
    for x in (0.38, 0.8):
        p.rect((x - 0.04, 0.08 if x > 0.5 else 0.18, x + 0.02, 0.72 if x > 0.5 else 0.82), t.light)
    for x, y in ((0.26, 0.82), (0.68, 0.72)):
        p.poly(ellipse_points(x, y, 0.15, 0.11, -20), t.light)
    p.poly([(0.34, 0.14), (0.84, 0.04), (0.84, 0.18), (0.34, 0.28)], t.accent)


# -- food ---------------------------------------------------------------------------------------------------------


def pasta(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.bar([(0.72, 0.44), (0.84, 0.08)], t.light, 0.045)
    for dx in (-0.04, 0.0, 0.04):
        p.line([(0.84 + dx, 0.02), (0.84 + dx, 0.1)], t.stroke, 0.018)
    p.ellipse((0.16, 0.28, 0.84, 0.62), CHEESE)
    for i in range(6):  # the noodles: wavy strands across the heap
        y = 0.34 + i * 0.045
        strand = [(0.22 + k * 0.04, y + 0.025 * math.sin(k * 1.3 + i)) for k in range(15)]
        p.line(strand, DARK_GOLD, 0.014)
    for x, y in ((0.4, 0.38), (0.58, 0.42)):
        p.circle(x, y, 0.06, RED)
    p.chord((0.06, 0.2, 0.94, 0.9), 0, 180, t.light)
    p.chord((0.06, 0.2, 0.94, 0.9), 10, 170, t.accent, outline=False)


def pizza(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.poly([(0.16, 0.2), (0.84, 0.2), (0.5, 0.94)], CHEESE)
    for x, y, r in ((0.36, 0.33, 0.07), (0.62, 0.35, 0.065), (0.5, 0.56, 0.06), (0.45, 0.75, 0.04)):
        p.circle(x, y, r, RED)
    p.rect((0.1, 0.08, 0.9, 0.26), BUN, radius=0.08)


def burger(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.12, 0.68, 0.88, 0.84), BUN, radius=0.07)
    p.rect((0.1, 0.54, 0.9, 0.68), BROWN, radius=0.06)
    p.poly([(0.14, 0.52), (0.86, 0.52), (0.78, 0.62), (0.66, 0.56), (0.5, 0.64), (0.34, 0.56), (0.22, 0.62)], CHEESE)
    wave = [(0.08 + k * 0.042, 0.5 + 0.025 * math.sin(k * 1.6)) for k in range(21)]
    p.line(wave, GREEN, 0.05)
    p.chord((0.1, 0.14, 0.9, 0.82), 180, 360, BUN)
    for x, y in ((0.3, 0.32), (0.42, 0.24), (0.56, 0.3), (0.68, 0.36), (0.5, 0.4)):
        p.ellipse((x - 0.025, y - 0.014, x + 0.025, y + 0.014), WHITE, outline=False)


def coffee(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    for x in (0.3, 0.42, 0.54):
        p.line([(x + 0.03 * math.sin(k * 1.5), 0.06 + k * 0.04) for k in range(5)], t.light, 0.025)
    p.ellipse((0.06, 0.8, 0.86, 0.94), t.light)
    p.ring_arc((0.52, 0.42, 0.84, 0.72), 270, 90, t.light, 0.05)
    p.rect((0.14, 0.3, 0.66, 0.86), t.accent, radius=0.1)
    p.ellipse((0.14, 0.26, 0.66, 0.4), t.light)
    p.ellipse((0.19, 0.29, 0.61, 0.37), BROWN, outline=False)


def cake(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.ellipse((0.06, 0.82, 0.94, 0.95), t.light)
    p.rect((0.14, 0.44, 0.86, 0.88), mix(t.light, t.accent, 0.2), radius=0.04)
    p.rect((0.14, 0.64, 0.86, 0.7), t.accent2, outline=False)
    icing = [(0.14, 0.44), (0.86, 0.44), (0.86, 0.56)] + [
        (0.86 - k * 0.06, 0.56 + (0.06 if k % 2 else 0.0)) for k in range(13)] + [(0.14, 0.56)]
    p.poly(smooth(icing, 1), t.accent)
    p.rect((0.46, 0.22, 0.54, 0.45), t.light, radius=0.02)
    p.poly(smooth([(0.5, 0.04), (0.57, 0.16), (0.5, 0.22), (0.43, 0.16)], 2), ORANGE)


def sushi(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.12, 0.48, 0.88, 0.84), WHITE, radius=0.15)
    p.rect((0.06, 0.28, 0.94, 0.6), (250, 128, 96), radius=0.16)
    for x in (0.2, 0.32, 0.66, 0.78):
        p.line([(x, 0.33), (x + 0.07, 0.55)], (255, 214, 196), 0.025)
    p.rect((0.42, 0.26, 0.58, 0.86), (24, 48, 36), radius=0.02)


def plate(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A plate with cutlery, for food in general."""
    p = Pen(d, b, t)
    p.bar([(0.08, 0.16), (0.08, 0.86)], t.light, 0.045)
    for dx in (-0.035, 0.0, 0.035):
        p.line([(0.08 + dx, 0.12), (0.08 + dx, 0.3)], t.light, 0.02)
    p.bar([(0.92, 0.14), (0.92, 0.86)], t.light, 0.05)
    p.circle(0.5, 0.52, 0.34, t.light)
    p.circle(0.5, 0.52, 0.24, mix(t.light, t.accent, 0.25))


def apple(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Fruit: healthy food, diets."""
    p = Pen(d, b, t)
    p.bar([(0.5, 0.3), (0.54, 0.1)], BROWN, 0.04)
    p.poly(leaf((0.54, 0.18), (0.8, 0.08), 0.12), GREEN)
    p.blob([(0.36, 0.58, 0.3), (0.64, 0.58, 0.3), (0.5, 0.66, 0.28)], RED)
    p.ellipse((0.22, 0.44, 0.32, 0.6), (255, 150, 150), outline=False)


# -- money --------------------------------------------------------------------------------------------------------


def money(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.poly(rotate([(0.08, 0.26), (0.92, 0.26), (0.92, 0.7), (0.08, 0.7)], -10), DARK_GREEN)
    p.rect((0.06, 0.32, 0.94, 0.78), (92, 196, 120), radius=0.03)
    p.rect((0.11, 0.37, 0.89, 0.73), None, radius=0.02, outline=DARK_GREEN)
    p.circle(0.5, 0.55, 0.15, (190, 238, 200), outline=DARK_GREEN)
    p.glyph("$", 0.5, 0.555, 0.24, DARK_GREEN)


def coin(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A coin on a stack: savings, cheap, budget."""
    p = Pen(d, b, t)
    for k in range(3):
        y = 0.86 - k * 0.08
        p.ellipse((0.5, y - 0.08, 0.96, y + 0.08), DARK_GOLD)
    p.circle(0.42, 0.46, 0.36, GOLD)
    p.circle(0.42, 0.46, 0.27, None, outline=DARK_GOLD)
    p.glyph("$", 0.42, 0.465, 0.36, DARK_GOLD)


def crypto(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.circle(0.5, 0.5, 0.42, (247, 147, 26))
    p.circle(0.5, 0.5, 0.33, None, outline=(255, 200, 120))
    for x in (0.45, 0.55):
        p.line([(x, 0.22), (x, 0.78)], WHITE, 0.04)
    p.glyph("B", 0.51, 0.5, 0.46, WHITE, stroke=(180, 90, 0))


def diamond(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A gem: luxury, expensive."""
    p = Pen(d, b, t)
    ice, deep = (150, 226, 252), (70, 170, 230)
    p.poly([(0.28, 0.2), (0.72, 0.2), (0.94, 0.42), (0.5, 0.92), (0.06, 0.42)], ice)
    p.poly([(0.36, 0.42), (0.64, 0.42), (0.5, 0.9)], deep, outline=False)
    for points in (((0.06, 0.42), (0.94, 0.42)), ((0.28, 0.2), (0.36, 0.42), (0.5, 0.9)),
                   ((0.72, 0.2), (0.64, 0.42), (0.5, 0.9)), ((0.5, 0.2), (0.36, 0.42)), ((0.5, 0.2), (0.64, 0.42))):
        p.line(list(points), t.stroke, 0.02)
    p.poly(star(0.82, 0.14, 0.1, 0.03, 4, 0), WHITE)


def chart(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Bars and a rising arrow: stocks, growth."""
    p = Pen(d, b, t)
    for i, height in enumerate((0.26, 0.4, 0.54, 0.7)):
        x = 0.1 + i * 0.21
        p.rect((x, 0.92 - height, x + 0.15, 0.92), t.accent if i == 3 else t.light, radius=0.02)
    p.bar([(0.08, 0.62), (0.34, 0.44), (0.52, 0.52), (0.82, 0.18)], GREEN, 0.05)
    p.poly([(0.92, 0.08), (0.7, 0.14), (0.86, 0.3)], GREEN)


def briefcase(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.rect((0.34, 0.14, 0.66, 0.38), None, radius=0.06, outline=t.stroke)
    p.rect((0.37, 0.17, 0.63, 0.38), None, radius=0.05, outline=t.light)
    p.rect((0.06, 0.3, 0.94, 0.86), BROWN, radius=0.07)
    p.rect((0.06, 0.5, 0.94, 0.57), mix(BROWN, t.stroke, 0.35), outline=False)
    p.rect((0.43, 0.45, 0.57, 0.62), GOLD, radius=0.02)


def bag(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A shopping bag: hauls, shopping, deals."""
    p = Pen(d, b, t)
    p.ring_arc((0.32, 0.1, 0.68, 0.5), 180, 360, t.light, 0.04)
    p.poly([(0.14, 0.32), (0.86, 0.32), (0.92, 0.92), (0.08, 0.92)], t.accent)
    p.poly([(0.14, 0.32), (0.86, 0.32), (0.87, 0.42), (0.13, 0.42)], mix(t.accent, t.light, 0.35))
    p.circle(0.32, 0.42, 0.025, t.stroke, outline=False)
    p.circle(0.68, 0.42, 0.025, t.stroke, outline=False)
    p.poly(star(0.5, 0.66, 0.14, 0.06), t.light)


def megaphone(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Marketing, announcements."""
    p = Pen(d, b, t)
    p.rect((0.3, 0.56, 0.4, 0.8), t.stroke, radius=0.03, outline=t.light)
    p.rect((0.06, 0.4, 0.22, 0.62), t.light, radius=0.04)
    p.poly([(0.2, 0.38), (0.66, 0.14), (0.66, 0.86), (0.2, 0.64)], t.accent)
    p.ellipse((0.6, 0.14, 0.74, 0.86), t.light)
    for r in (0.1, 0.18):
        p.arc((0.78 - r, 0.5 - r * 1.6, 0.78 + r, 0.5 + r * 1.6), 300, 60, t.light, 0.03)


# -- learning -----------------------------------------------------------------------------------------------------


def book(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.poly([(0.02, 0.26), (0.5, 0.34), (0.98, 0.26), (0.98, 0.84), (0.5, 0.92), (0.02, 0.84)], t.accent)
    p.poly([(0.07, 0.18), (0.5, 0.27), (0.5, 0.84), (0.07, 0.76)], t.light)
    p.poly([(0.93, 0.18), (0.5, 0.27), (0.5, 0.84), (0.93, 0.76)], t.light)
    for i in range(4):
        y = 0.34 + i * 0.1
        p.line([(0.14, y - 0.01), (0.42, y + 0.05)], mix(t.light, t.stroke, 0.4), 0.018)
        p.line([(0.58, y + 0.05), (0.86, y - 0.01)], mix(t.light, t.stroke, 0.4), 0.018)


def gradcap(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A graduation cap: school, university, exams."""
    p = Pen(d, b, t)
    board = mix(t.accent, t.stroke, 0.45)
    p.chord((0.24, 0.36, 0.76, 0.84), 0, 180, t.accent)
    p.rect((0.24, 0.42, 0.76, 0.62), t.accent, outline=False)
    p.line([(0.24, 0.42), (0.24, 0.62)], t.stroke, 0.03)
    p.line([(0.76, 0.42), (0.76, 0.62)], t.stroke, 0.03)
    p.poly([(0.5, 0.12), (0.97, 0.34), (0.5, 0.56), (0.03, 0.34)], board)
    p.bar([(0.5, 0.34), (0.84, 0.44), (0.84, 0.66)], GOLD, 0.025)
    p.rect((0.8, 0.64, 0.88, 0.78), GOLD, radius=0.02)
    p.circle(0.5, 0.34, 0.035, GOLD)


def brain(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    lobes = [(0.3, 0.38, 0.19), (0.5, 0.3, 0.2), (0.7, 0.38, 0.19), (0.26, 0.6, 0.17), (0.5, 0.6, 0.2),
             (0.74, 0.6, 0.17)]
    p.blob(lobes, PINK)
    ink = mix(PINK, t.stroke, 0.55)
    p.line([(0.5, 0.16), (0.48, 0.3), (0.52, 0.46), (0.48, 0.62), (0.5, 0.78)], ink, 0.025)
    for unit, start, end in (((0.2, 0.3, 0.4, 0.5), 200, 340), ((0.6, 0.3, 0.8, 0.5), 200, 340),
                             ((0.16, 0.5, 0.36, 0.7), 300, 80), ((0.64, 0.5, 0.84, 0.7), 100, 240),
                             ((0.34, 0.2, 0.46, 0.34), 180, 360), ((0.54, 0.2, 0.66, 0.34), 180, 360)):
        p.arc(unit, start, end, ink, 0.025)


def flask(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Science: a conical flask with a bubbling liquid."""
    p = Pen(d, b, t)
    def edge(y: float) -> tuple[float, float]:  # the flask's left and right walls at height y
        spread = max(0.0, (y - 0.38) / 0.5) * 0.3
        return 0.4 - spread, 0.6 + spread
    p.poly([(0.4, 0.12), (0.6, 0.12), (0.6, 0.38), (0.9, 0.88), (0.1, 0.88), (0.4, 0.38)], WHITE)
    (l0, r0) = edge(0.58)
    p.poly([(l0, 0.58), (r0, 0.58), (0.88, 0.86), (0.12, 0.86)], t.accent, outline=False)
    p.poly([(0.4, 0.12), (0.6, 0.12), (0.6, 0.38), (0.9, 0.88), (0.1, 0.88), (0.4, 0.38)], None)
    p.rect((0.34, 0.06, 0.66, 0.13), WHITE, radius=0.02)
    for x, y, r in ((0.42, 0.72, 0.045), (0.58, 0.78, 0.03), (0.52, 0.5, 0.03), (0.47, 0.36, 0.022)):
        p.circle(x, y, r, WHITE, outline=t.stroke)


def atom(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    for turn in (0, 60, 120):
        orbit = ellipse_points(0.5, 0.5, 0.44, 0.16, turn)
        p.line(orbit + orbit[:1], t.stroke, 0.06)
        p.line(orbit + orbit[:1], t.accent, 0.03)
    p.circle(0.5, 0.5, 0.1, t.accent2)
    for turn in (0, 60, 120):
        (x, y), = rotate([(0.94, 0.5)], turn)
        p.circle(x, y, 0.045, t.light)


def rocket(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    turn = 40
    flame = rotate([(0.42, 0.7), (0.58, 0.7), (0.5, 0.98)], turn)
    p.poly(smooth(flame, 1), ORANGE)
    p.poly(rotate([(0.46, 0.7), (0.54, 0.7), (0.5, 0.86)], turn), YELLOW, outline=False)
    for side in (-1, 1):
        fin = [(0.5 + side * 0.12, 0.46), (0.5 + side * 0.26, 0.7), (0.5 + side * 0.12, 0.66)]
        p.poly(rotate(fin, turn), t.accent)
    nose = [(0.5 + 0.12 * math.sin(a), 0.26 - 0.22 * math.cos(a)) for a in
            (k * math.pi / 12 - math.pi / 2 for k in range(13))]
    body = [*nose, (0.62, 0.7), (0.38, 0.7)]
    p.poly(rotate(body, turn), WHITE)
    (x, y), = rotate([(0.5, 0.36)], turn)
    p.circle(x, y, 0.075, t.accent2)


def planet(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    ring = ellipse_points(0.5, 0.52, 0.46, 0.12, -18, 64)
    back, front = ring[32:] + ring[:1], ring[:33]
    for part in (back,):
        p.line(part, t.stroke, 0.06)
        p.line(part, t.accent2, 0.03)
    p.circle(0.5, 0.52, 0.27, t.accent)
    p.arc((0.26, 0.3, 0.74, 0.78), 200, 250, t.light, 0.03)
    p.line(front, t.stroke, 0.06)
    p.line(front, t.accent2, 0.03)
    for x, y in ((0.14, 0.16), (0.86, 0.86), (0.84, 0.14)):
        p.poly(star(x, y, 0.06, 0.02, 4, 0), t.light, outline=False)


def globe(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """The world: geography, history, languages."""
    p = Pen(d, b, t)
    p.circle(0.5, 0.5, 0.42, SKY)
    p.poly(smooth([(0.24, 0.3), (0.42, 0.22), (0.48, 0.36), (0.38, 0.5), (0.3, 0.62), (0.22, 0.48)], 2), GREEN,
           outline=False)
    p.poly(smooth([(0.58, 0.5), (0.74, 0.44), (0.8, 0.6), (0.66, 0.78), (0.56, 0.66)], 2), GREEN, outline=False)
    grid = mix(SKY, t.stroke, 0.6)
    p.ellipse((0.3, 0.08, 0.7, 0.92), None, outline=grid)
    p.line([(0.5, 0.08), (0.5, 0.92)], grid, 0.02)
    p.line([(0.08, 0.5), (0.92, 0.5)], grid, 0.02)
    for y, half in ((0.28, 0.34), (0.72, 0.34)):
        p.line([(0.5 - half, y), (0.5 + half, y)], grid, 0.02)
    p.circle(0.5, 0.5, 0.42, None)


def math_signs(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Four tiles with + − × ÷: maths."""
    p = Pen(d, b, t)
    fills = (t.accent, t.light, t.light, t.accent2)
    for i, fill in enumerate(fills):
        x, y = 0.06 + (i % 2) * 0.46, 0.06 + (i // 2) * 0.46
        p.rect((x, y, x + 0.42, y + 0.42), fill, radius=0.08)
    ink = t.stroke
    p.line([(0.17, 0.27), (0.37, 0.27)], ink, 0.06)
    p.line([(0.27, 0.17), (0.27, 0.37)], ink, 0.06)
    p.line([(0.63, 0.27), (0.83, 0.27)], ink, 0.06)
    p.line([(0.2, 0.66), (0.34, 0.8)], ink, 0.06)
    p.line([(0.34, 0.66), (0.2, 0.8)], ink, 0.06)
    p.line([(0.63, 0.73), (0.83, 0.73)], ink, 0.05)
    for y in (0.64, 0.82):
        p.circle(0.73, y, 0.03, ink, outline=False)


def bulb(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A light bulb with rays: ideas, tips, explainers."""
    p = Pen(d, b, t)
    for k in range(7):
        a = math.pi + k * math.pi / 6
        p.bar([(0.5 + 0.31 * math.cos(a), 0.45 + 0.31 * math.sin(a)),
               (0.5 + 0.37 * math.cos(a), 0.45 + 0.37 * math.sin(a))], t.accent2, 0.035)
    p.rect((0.38, 0.68, 0.62, 0.88), t.light, radius=0.04)
    for y in (0.74, 0.81):
        p.line([(0.38, y), (0.62, y)], t.stroke, 0.02)
    p.circle(0.5, 0.45, 0.25, YELLOW)
    p.line([(0.44, 0.62), (0.44, 0.51), (0.5, 0.45), (0.56, 0.51), (0.56, 0.62)], DARK_GOLD, 0.025)
    p.arc((0.33, 0.28, 0.58, 0.53), 190, 250, WHITE, 0.03)


def chat(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Speech bubbles: talks, opinions, storytime, languages."""
    p = Pen(d, b, t)
    p.poly([(0.18, 0.5), (0.12, 0.7), (0.34, 0.54)], t.light)
    p.rect((0.04, 0.12, 0.68, 0.56), t.light, radius=0.12)
    for x in (0.22, 0.36, 0.5):
        p.circle(x, 0.34, 0.04, t.accent, outline=False)
    p.poly([(0.82, 0.8), (0.9, 0.96), (0.68, 0.84)], t.accent)
    p.rect((0.32, 0.46, 0.96, 0.86), t.accent, radius=0.12)
    for y, width in ((0.6, 0.44), (0.72, 0.3)):
        p.rect((0.44, y - 0.02, 0.44 + width, y + 0.02), t.light, radius=0.02, outline=False)


def pencil(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Writing, notes, homework."""
    p = Pen(d, b, t)
    turn = 45
    p.poly(rotate([(0.4, 0.05), (0.6, 0.05), (0.6, 0.14), (0.4, 0.14)], turn), PINK)
    p.poly(rotate([(0.4, 0.14), (0.6, 0.14), (0.6, 0.2), (0.4, 0.2)], turn), (190, 196, 204))
    p.poly(rotate([(0.4, 0.2), (0.6, 0.2), (0.6, 0.72), (0.4, 0.72)], turn), YELLOW)
    p.line(rotate([(0.5, 0.2), (0.5, 0.72)], turn), DARK_GOLD, 0.02)
    p.poly(rotate([(0.4, 0.72), (0.6, 0.72), (0.5, 0.95)], turn), (240, 200, 150))
    p.poly(rotate([(0.46, 0.86), (0.54, 0.86), (0.5, 0.95)], turn), t.stroke, outline=False)


def palette(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Art, drawing, design."""
    p = Pen(d, b, t)
    board = ellipse_points(0.48, 0.52, 0.44, 0.36, -10, 40)
    board = [*board[:6], (0.66, 0.7), (0.6, 0.62), *board[9:]]
    p.poly(smooth(board, 2), (236, 196, 146))
    for (x, y), colour in zip(((0.26, 0.4), (0.42, 0.28), (0.6, 0.3), (0.26, 0.62), (0.44, 0.72)),
                              (RED, YELLOW, SKY, GREEN, t.accent), strict=True):
        p.circle(x, y, 0.065, colour)
    p.bar([(0.62, 0.92), (0.9, 0.48)], BROWN, 0.05)
    p.poly(smooth([(0.88, 0.5), (0.94, 0.38), (0.97, 0.34), (0.95, 0.46)], 1), t.stroke)


# -- places and travel --------------------------------------------------------------------------------------------


def plane(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    turn = 45
    wings = [(0.46, 0.36), (0.04, 0.58), (0.04, 0.66), (0.46, 0.56), (0.54, 0.56), (0.96, 0.66), (0.96, 0.58),
             (0.54, 0.36)]
    tail = [(0.47, 0.78), (0.3, 0.9), (0.3, 0.95), (0.5, 0.9), (0.7, 0.95), (0.7, 0.9), (0.53, 0.78)]
    p.poly(rotate(wings, turn), t.light)
    p.poly(rotate(tail, turn), t.light)
    body = [(0.5 + 0.075 * math.sin(a), 0.16 - 0.12 * math.cos(a)) for a in
            (k * math.pi / 10 - math.pi / 2 for k in range(11))] + [(0.55, 0.88), (0.5, 0.96), (0.45, 0.88)]
    p.poly(rotate(body, turn), WHITE)
    p.poly(rotate([(0.46, 0.16), (0.54, 0.16), (0.53, 0.24), (0.47, 0.24)], turn), t.accent, outline=False)


def mountain(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Peaks with snow caps and a sun: hiking, nature, adventure."""
    p = Pen(d, b, t)
    p.circle(0.74, 0.26, 0.14, YELLOW)
    p.poly([(0.36, 0.92), (0.68, 0.4), (1.0, 0.92)], mix(t.accent2, t.stroke, 0.2))
    p.poly([(0.0, 0.92), (0.36, 0.16), (0.72, 0.92)], t.accent)
    p.poly([(0.25, 0.39), (0.36, 0.16), (0.47, 0.39), (0.41, 0.35), (0.36, 0.41), (0.31, 0.35)], WHITE)


def beach(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """An island with a palm tree and the sun: beaches, holidays, summer."""
    p = Pen(d, b, t)
    p.circle(0.8, 0.2, 0.12, YELLOW)
    p.chord((0.06, 0.72, 0.94, 1.08), 180, 360, (244, 214, 150))
    trunk = [(0.4, 0.84), (0.43, 0.66), (0.48, 0.48), (0.55, 0.32)]
    p.bar(trunk, BROWN, 0.06)
    crown = (0.55, 0.3)
    for tip, width in (((0.2, 0.28), 0.14), ((0.3, 0.06), 0.13), ((0.64, 0.02), 0.13), ((0.9, 0.2), 0.14),
                       ((0.84, 0.48), 0.12), ((0.26, 0.5), 0.12)):
        p.poly(leaf(crown, tip, width), GREEN)
    p.circle(0.53, 0.36, 0.04, BROWN)
    p.circle(0.6, 0.36, 0.04, BROWN)
    for x in (0.1, 0.7):
        p.line([(x + k * 0.04, 0.96 + 0.015 * math.sin(k * 2.0)) for k in range(6)], SKY, 0.025)


def torii(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A shrine gate: Japan, Tokyo, Kyoto."""
    p = Pen(d, b, t)
    vermilion = (222, 56, 44)
    for x in (0.24, 0.66):
        p.rect((x, 0.26, x + 0.1, 0.94), vermilion)
    p.rect((0.12, 0.4, 0.88, 0.48), vermilion)
    p.rect((0.45, 0.28, 0.55, 0.4), vermilion)
    p.poly([(0.02, 0.12), (0.5, 0.18), (0.98, 0.12), (0.92, 0.28), (0.5, 0.31), (0.08, 0.28)], vermilion)
    p.poly([(0.02, 0.12), (0.5, 0.18), (0.98, 0.12), (0.97, 0.16), (0.5, 0.22), (0.03, 0.16)], t.stroke,
           outline=False)


def city(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A skyline: cities, downtowns."""
    p = Pen(d, b, t)
    towers = ((0.04, 0.24, 0.5), (0.22, 0.4, 0.26), (0.38, 0.58, 0.08), (0.56, 0.74, 0.34), (0.72, 0.96, 0.46))
    for i, (x0, x1, top) in enumerate(towers):
        fill = t.light if i % 2 else t.accent
        p.rect((x0, top, x1, 0.92), fill)
        window = mix(fill, t.stroke, 0.45)
        for wy in [top + 0.06 + k * 0.09 for k in range(int((0.84 - top) / 0.09))]:
            for wx in (x0 + 0.04, (x0 + x1) / 2 + 0.01):
                if wx + 0.04 < x1:
                    p.rect((wx, wy, wx + 0.04, wy + 0.04), window, outline=False)
    p.line([(0.48, 0.08), (0.48, 0.0)], t.stroke, 0.02)
    p.line([(0.0, 0.92), (1.0, 0.92)], t.stroke, 0.04)


def suitcase(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Travel, trips, moving abroad."""
    p = Pen(d, b, t)
    p.rect((0.36, 0.1, 0.64, 0.3), None, radius=0.05, outline=t.stroke)
    p.rect((0.39, 0.13, 0.61, 0.3), None, radius=0.04, outline=t.light)
    for x in (0.3, 0.7):
        p.circle(x, 0.9, 0.05, t.stroke, outline=False)
    p.rect((0.16, 0.24, 0.84, 0.88), t.accent, radius=0.08)
    for x in (0.32, 0.62):
        p.rect((x, 0.24, x + 0.06, 0.88), t.light, outline=False)
    p.circle(0.5, 0.5, 0.07, t.accent2)
    p.rect((0.16, 0.24, 0.84, 0.88), None, radius=0.08)


def house(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Home, rooms, makeovers, real estate."""
    p = Pen(d, b, t)
    p.rect((0.66, 0.12, 0.78, 0.36), t.light)
    p.rect((0.14, 0.44, 0.86, 0.92), t.light)
    p.poly([(0.02, 0.5), (0.5, 0.08), (0.98, 0.5)], t.accent)
    p.rect((0.42, 0.62, 0.58, 0.92), t.accent2, radius=0.02)
    p.circle(0.54, 0.78, 0.018, t.stroke, outline=False)
    for x in (0.2, 0.66):
        p.rect((x, 0.56, x + 0.14, 0.7), SKY)
        p.line([(x + 0.07, 0.56), (x + 0.07, 0.7)], t.stroke, 0.015)
        p.line([(x, 0.63), (x + 0.14, 0.63)], t.stroke, 0.015)


def car(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.poly([(0.2, 0.5), (0.3, 0.26), (0.68, 0.26), (0.82, 0.5)], t.accent)
    p.poly([(0.27, 0.48), (0.34, 0.31), (0.48, 0.31), (0.48, 0.48)], SKY, outline=False)
    p.poly([(0.52, 0.48), (0.52, 0.31), (0.65, 0.31), (0.76, 0.48)], SKY, outline=False)
    p.rect((0.03, 0.46, 0.97, 0.74), t.accent, radius=0.1)
    p.rect((0.88, 0.52, 0.96, 0.58), YELLOW, radius=0.01, outline=False)
    p.line([(0.5, 0.48), (0.5, 0.7)], mix(t.accent, t.stroke, 0.5), 0.015)
    for x in (0.26, 0.74):
        p.circle(x, 0.74, 0.13, t.stroke, outline=False)
        p.circle(x, 0.74, 0.055, t.light, outline=False)


# -- sport and body -----------------------------------------------------------------------------------------------


def dumbbell(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Gym, workouts, bodybuilding."""
    p = Pen(d, b, t)
    p.rect((0.2, 0.44, 0.8, 0.56), t.light, radius=0.03)
    for left in (True, False):
        for k, (width, height, fill) in enumerate(((0.13, 0.62, t.accent), (0.1, 0.44, t.accent2))):
            x = 0.04 + k * 0.13 if left else 0.96 - k * 0.13 - width
            p.rect((x, 0.5 - height / 2, x + width, 0.5 + height / 2), fill, radius=0.03)


def football(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A soccer ball."""
    p = Pen(d, b, t)
    p.circle(0.5, 0.5, 0.42, WHITE)
    centre = star(0.5, 0.5, 0.13, 0.13, 5, -90)[::2]
    for x, y in centre:  # seams from the middle patch out to the edge patches
        p.line([(x, y), (0.5 + (x - 0.5) * 2.3, 0.5 + (y - 0.5) * 2.3)], t.stroke, 0.02)
    p.poly(centre, t.stroke, outline=False)
    for k in range(5):
        a = math.radians(-90 + 36 + k * 72)
        cx, cy = 0.5 + 0.33 * math.cos(a), 0.5 + 0.33 * math.sin(a)
        p.poly(star(cx, cy, 0.085, 0.085, 5, math.degrees(a) + 180)[::2], t.stroke, outline=False)
    p.circle(0.5, 0.5, 0.42, None)


def basketball(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    p = Pen(d, b, t)
    p.circle(0.5, 0.5, 0.42, ORANGE)
    seam = t.stroke
    p.line([(0.5, 0.08), (0.5, 0.92)], seam, 0.025)
    p.line([(0.08, 0.5), (0.92, 0.5)], seam, 0.025)
    p.arc((-0.2, 0.14, 0.36, 0.86), 300, 60, seam, 0.025)
    p.arc((0.64, 0.14, 1.2, 0.86), 120, 240, seam, 0.025)


def trophy(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Winning, champions, records."""
    p = Pen(d, b, t)
    for unit in ((0.06, 0.18, 0.4, 0.52), (0.6, 0.18, 0.94, 0.52)):
        p.ring_arc(unit, 0, 360, GOLD, 0.045)
    p.chord((0.22, -0.12, 0.78, 0.64), 0, 180, GOLD)
    p.rect((0.2, 0.1, 0.8, 0.27), GOLD, radius=0.03)
    p.rect((0.45, 0.6, 0.55, 0.74), DARK_GOLD)
    p.rect((0.3, 0.72, 0.7, 0.8), GOLD, radius=0.02)
    p.rect((0.24, 0.8, 0.76, 0.94), t.accent, radius=0.03)
    p.poly(star(0.5, 0.38, 0.11, 0.045), WHITE, outline=False)


def crown(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Kings, the best, legends."""
    p = Pen(d, b, t)
    p.poly([(0.08, 0.28), (0.3, 0.52), (0.5, 0.18), (0.7, 0.52), (0.92, 0.28), (0.84, 0.74), (0.16, 0.74)], GOLD)
    p.rect((0.14, 0.7, 0.86, 0.84), DARK_GOLD, radius=0.03)
    for x, y in ((0.08, 0.26), (0.5, 0.16), (0.92, 0.26)):
        p.circle(x, y, 0.055, t.accent)
    for x, colour in ((0.3, t.accent2), (0.5, RED), (0.7, t.accent2)):
        p.circle(x, 0.77, 0.035, colour)


def heart(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Love, relationships, weddings."""
    p = Pen(d, b, t)
    points = []
    for k in range(60):
        a = k * math.tau / 60
        x = 16 * math.sin(a) ** 3
        y = 13 * math.cos(a) - 5 * math.cos(2 * a) - 2 * math.cos(3 * a) - math.cos(4 * a)
        points.append((0.5 + x * 0.026, 0.47 - y * 0.026))
    p.poly(points, RED)
    p.ellipse((0.24, 0.26, 0.36, 0.4), (255, 160, 170), outline=False)


def person(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Someone: "me", the beginner, a creator."""
    p = Pen(d, b, t)
    p.chord((0.12, 0.6, 0.88, 1.3), 180, 360, t.accent)
    p.circle(0.5, 0.36, 0.21, t.light)


def clock(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A stopwatch: time, hours, productivity, speedruns."""
    p = Pen(d, b, t)
    p.rect((0.42, 0.04, 0.58, 0.13), t.accent2, radius=0.02)
    p.rect((0.47, 0.12, 0.53, 0.2), t.light)
    p.poly(rotate([(0.76, 0.16), (0.84, 0.16), (0.84, 0.26), (0.76, 0.26)], 45, (0.8, 0.21)), t.accent2)
    p.circle(0.5, 0.56, 0.38, t.accent)
    p.circle(0.5, 0.56, 0.3, t.light)
    for k in range(12):
        a = k * math.tau / 12
        inner = 0.22 if k % 3 else 0.19
        p.line([(0.5 + inner * math.cos(a), 0.56 + inner * math.sin(a)),
                (0.5 + 0.26 * math.cos(a), 0.56 + 0.26 * math.sin(a))], t.stroke, 0.02)
    p.bar([(0.5, 0.56), (0.5, 0.36)], t.stroke, 0.025)
    p.bar([(0.5, 0.56), (0.64, 0.64)], RED, 0.025)


def moon(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A crescent and stars: sleep, night, dreams."""
    p = Pen(d, b, t)
    outer, inner = (0.46, 0.52, 0.38), (0.64, 0.4, 0.32)
    p.poly(_crescent(outer, inner), (253, 230, 138))
    for x, y, r in ((0.78, 0.7, 0.08), (0.86, 0.2, 0.05), (0.66, 0.9, 0.04)):
        p.poly(star(x, y, r, r * 0.4), t.light, outline=False)


def _crescent(outer: tuple[float, float, float], inner: tuple[float, float, float]) -> list[tuple[float, float]]:
    """The part of the `outer` circle outside the `inner` one, as a polygon."""
    rim = _arc_outside(outer, inner, keep_inside=False)
    bite = _arc_outside(inner, outer, keep_inside=True)
    if math.dist(rim[-1], bite[0]) > math.dist(rim[-1], bite[-1]):
        bite.reverse()
    return rim + bite


def _arc_outside(circle: tuple[float, float, float], other: tuple[float, float, float],
                 keep_inside: bool) -> list[tuple[float, float]]:
    """The contiguous run of `circle`'s rim outside (or inside) `other`, in order."""
    (x, y, r), (ox, oy, orad) = circle, other
    steps = 120
    rim = [(x + r * math.cos(k * math.tau / steps), y + r * math.sin(k * math.tau / steps)) for k in range(steps)]
    keep = [(math.hypot(px - ox, py - oy) < orad) == keep_inside for px, py in rim]
    start = next(k for k in range(steps) if keep[k] and not keep[k - 1])
    return [rim[(start + k) % steps] for k in range(steps) if keep[(start + k) % steps]]


def sun(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Mornings, summer, sunny days."""
    p = Pen(d, b, t)
    for k in range(12):
        a = k * math.tau / 12
        p.poly([(0.5 + 0.46 * math.cos(a), 0.5 + 0.46 * math.sin(a)),
                (0.5 + 0.3 * math.cos(a + 0.2), 0.5 + 0.3 * math.sin(a + 0.2)),
                (0.5 + 0.3 * math.cos(a - 0.2), 0.5 + 0.3 * math.sin(a - 0.2))], ORANGE)
    p.circle(0.5, 0.5, 0.28, YELLOW)


def paw(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Pets: dogs, cats."""
    p = Pen(d, b, t)
    p.poly(smooth([(0.5, 0.46), (0.78, 0.74), (0.66, 0.9), (0.5, 0.84), (0.34, 0.9), (0.22, 0.74)], 2), t.accent)
    for x, y, turn in ((0.18, 0.42, -30), (0.37, 0.22, -10), (0.63, 0.22, 10), (0.82, 0.42, 30)):
        p.poly(ellipse_points(x, y, 0.09, 0.12, turn), t.accent)


def plant(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Plants, gardens, green living."""
    p = Pen(d, b, t)
    for tip, width in (((0.18, 0.18), 0.2), ((0.5, 0.04), 0.2), ((0.84, 0.2), 0.2)):
        p.poly(leaf((0.5, 0.58), tip, width), GREEN)
        p.line([(0.5, 0.58), tip], DARK_GREEN, 0.015)
    p.rect((0.24, 0.54, 0.76, 0.66), (214, 112, 70), radius=0.02)
    p.poly([(0.28, 0.66), (0.72, 0.66), (0.66, 0.94), (0.34, 0.94)], (194, 94, 56))


def lipstick(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Make-up, cosmetics."""
    p = Pen(d, b, t)
    p.poly([(0.4, 0.46), (0.4, 0.22), (0.6, 0.1), (0.6, 0.46)], (220, 38, 80))
    p.rect((0.36, 0.44, 0.64, 0.58), GOLD, radius=0.02)
    p.rect((0.32, 0.56, 0.68, 0.94), t.accent, radius=0.04)
    p.line([(0.4, 0.62), (0.4, 0.88)], mix(t.accent, WHITE, 0.5), 0.025)


def sparkles(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Four-point sparkles: beauty, skincare, glow-ups."""
    p = Pen(d, b, t)
    for x, y, r, fill in ((0.44, 0.48, 0.36, t.accent), (0.8, 0.2, 0.15, t.light), (0.2, 0.84, 0.12, t.light)):
        p.poly(star(x, y, r, r * 0.3, 4, -90), fill)


def shirt(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Fashion, outfits, clothes."""
    p = Pen(d, b, t)
    p.poly([(0.34, 0.1), (0.42, 0.12), (0.58, 0.12), (0.66, 0.1), (0.96, 0.28), (0.86, 0.48), (0.75, 0.42),
            (0.75, 0.92), (0.25, 0.92), (0.25, 0.42), (0.14, 0.48), (0.04, 0.28)], t.accent)
    p.chord((0.4, 0.02, 0.6, 0.22), 0, 180, t.light)
    p.rect((0.25, 0.52, 0.75, 0.6), t.light, outline=False)
    p.poly([(0.25, 0.92), (0.75, 0.92), (0.75, 0.42), (0.86, 0.48), (0.96, 0.28), (0.66, 0.1), (0.58, 0.12),
            (0.42, 0.12), (0.34, 0.1), (0.04, 0.28), (0.14, 0.48), (0.25, 0.42)], None)


# -- moods and ideas ----------------------------------------------------------------------------------------------


def ghost(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Horror, haunted places, scary stories."""
    p = Pen(d, b, t)
    top = [(0.5 + 0.32 * math.cos(a), 0.4 + 0.32 * math.sin(a)) for a in
           (math.pi + k * math.pi / 16 for k in range(17))]
    bottom = [(0.82 - k * 0.08, 0.9 if k % 2 else 0.8) for k in range(9)]
    p.poly(smooth([*top, (0.82, 0.8), *bottom[1:]], 1), WHITE)
    for x in (0.39, 0.61):
        p.ellipse((x - 0.06, 0.3, x + 0.06, 0.48), t.stroke, outline=False)
    p.ellipse((0.44, 0.54, 0.56, 0.7), t.stroke, outline=False)


def skull(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Danger, death, survival, true crime."""
    p = Pen(d, b, t)
    bone = (244, 240, 226)
    p.rect((0.3, 0.56, 0.7, 0.88), bone, radius=0.08)
    p.circle(0.5, 0.42, 0.34, bone)
    p.rect((0.32, 0.58, 0.68, 0.74), bone, outline=False)
    for x in (0.36, 0.64):
        p.ellipse((x - 0.1, 0.34, x + 0.1, 0.56), t.stroke, outline=False)
    p.poly([(0.5, 0.58), (0.45, 0.68), (0.55, 0.68)], t.stroke, outline=False)
    for x in (0.4, 0.5, 0.6):
        p.line([(x, 0.74), (x, 0.88)], t.stroke, 0.02)


def magnifier(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Mysteries, investigations, searching."""
    p = Pen(d, b, t)
    p.bar([(0.62, 0.62), (0.88, 0.88)], t.accent2, 0.11)
    p.circle(0.4, 0.4, 0.33, t.accent)
    p.circle(0.4, 0.4, 0.25, mix(t.light, SKY, 0.35))
    p.arc((0.22, 0.22, 0.58, 0.58), 190, 260, WHITE, 0.04)


def question(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Questions, quizzes, "why"."""
    p = Pen(d, b, t)
    p.circle(0.5, 0.5, 0.42, t.accent)
    p.glyph("?", 0.5, 0.52, 0.62, t.light, stroke=t.stroke)


def fire(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Hot, trending, spicy."""
    p = Pen(d, b, t)
    outer = [(0.5, 0.04), (0.64, 0.28), (0.74, 0.16), (0.82, 0.44), (0.86, 0.64), (0.76, 0.84), (0.6, 0.95),
             (0.4, 0.95), (0.24, 0.84), (0.14, 0.64), (0.2, 0.38), (0.32, 0.5), (0.36, 0.26)]
    p.poly(smooth(outer, 2), ORANGE)
    inner = [(0.5, 0.42), (0.62, 0.62), (0.64, 0.8), (0.54, 0.9), (0.46, 0.9), (0.36, 0.8), (0.4, 0.6)]
    p.poly(smooth(inner, 2), YELLOW, outline=False)


def lightning(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Speed, energy, power."""
    p = Pen(d, b, t)
    p.poly([(0.6, 0.02), (0.18, 0.56), (0.46, 0.56), (0.36, 0.98), (0.82, 0.4), (0.54, 0.4), (0.7, 0.02)], YELLOW)


def warning(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Warnings, scams, mistakes to avoid."""
    p = Pen(d, b, t)
    p.poly(smooth([(0.5, 0.06), (0.96, 0.88), (0.04, 0.88)], 1), YELLOW)
    p.rect((0.45, 0.34, 0.55, 0.64), t.stroke, radius=0.04, outline=False)
    p.circle(0.5, 0.75, 0.055, t.stroke, outline=False)


def lock(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Security, hacking, privacy."""
    p = Pen(d, b, t)
    p.ring_arc((0.28, 0.08, 0.72, 0.56), 180, 360, t.light, 0.07)
    for x in (0.28, 0.65):
        p.rect((x, 0.3, x + 0.07, 0.46), t.light)
    p.rect((0.16, 0.42, 0.84, 0.92), GOLD, radius=0.08)
    p.circle(0.5, 0.62, 0.06, t.stroke, outline=False)
    p.poly([(0.47, 0.64), (0.53, 0.64), (0.56, 0.8), (0.44, 0.8)], t.stroke, outline=False)


def calendar(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Schedules, plans, a year in review."""
    p = Pen(d, b, t)
    p.rect((0.08, 0.16, 0.92, 0.9), t.light, radius=0.07)
    p.rect((0.08, 0.16, 0.92, 0.36), t.accent, radius=0.07)
    p.rect((0.08, 0.28, 0.92, 0.36), t.accent, outline=False)
    p.line([(0.08, 0.36), (0.92, 0.36)], t.stroke, 0.03)
    for x in (0.3, 0.7):
        p.rect((x - 0.03, 0.08, x + 0.03, 0.26), t.stroke, radius=0.02, outline=False)
    for row in range(3):
        for col in range(4):
            x, y = 0.16 + col * 0.18, 0.44 + row * 0.15
            fill = t.accent2 if (row, col) == (1, 2) else mix(t.light, t.stroke, 0.22)
            p.rect((x, y, x + 0.12, y + 0.1), fill, radius=0.02, outline=(row, col) == (1, 2))


def gift(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Giveaways, presents, unboxings."""
    p = Pen(d, b, t)
    for turn in (-35, 35):
        loop = ellipse_points(0.5 + (0.13 if turn > 0 else -0.13), 0.2, 0.15, 0.08, turn)
        p.poly(loop, t.accent2)
    p.rect((0.12, 0.42, 0.88, 0.92), t.accent)
    p.rect((0.06, 0.28, 0.94, 0.44), mix(t.accent, t.light, 0.25))
    p.rect((0.44, 0.28, 0.56, 0.92), t.accent2)
    p.circle(0.5, 0.26, 0.06, t.accent2)


def star_badge(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """A big star: ratings, reviews, favourites."""
    p = Pen(d, b, t)
    p.poly(star(0.5, 0.54, 0.46, 0.2), GOLD)
    p.poly(star(0.5, 0.54, 0.26, 0.11), YELLOW, outline=False)


def swords(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    """Crossed swords: battles, wars, fights."""
    p = Pen(d, b, t)
    for turn in (-40, 40):
        p.poly(rotate([(0.5, 0.02), (0.55, 0.1), (0.55, 0.64), (0.45, 0.64), (0.45, 0.1)], turn), WHITE)
        p.poly(rotate([(0.34, 0.63), (0.66, 0.63), (0.66, 0.7), (0.34, 0.7)], turn), GOLD)
        p.poly(rotate([(0.47, 0.7), (0.53, 0.7), (0.53, 0.86), (0.47, 0.86)], turn), BROWN)
        (x, y), = rotate([(0.5, 0.9)], turn)
        p.circle(x, y, 0.045, GOLD)
