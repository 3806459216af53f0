"""A pen for sticker drawings: shapes in a unit square (0, 0 top-left; 1, 1 bottom-right) mapped onto a box.

Every filled shape gets the thick ink outline of the sticker look; sizes scale with the box, so a motif reads
the same at 200 px (a listicle sticker) and at 400 px (a split panel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import ImageDraw

from core.rendering.colors import RGB, Theme

Box = tuple[int, int, int, int]
Point = tuple[float, float]
Unit = tuple[float, float, float, float]


class Pen:
    def __init__(self, draw: ImageDraw.ImageDraw, box: Box, theme: Theme) -> None:
        self.draw, self.theme = draw, theme
        self.size = min(box[2] - box[0], box[3] - box[1])
        self.left = box[0] + (box[2] - box[0] - self.size) / 2
        self.top = box[1] + (box[3] - box[1] - self.size) / 2
        self.outline = max(2, round(self.size * 0.03))

    def at(self, x: float, y: float) -> Point:
        return self.left + x * self.size, self.top + y * self.size

    def _box(self, unit: Unit) -> tuple[float, float, float, float]:
        (x0, y0), (x1, y1) = self.at(unit[0], unit[1]), self.at(unit[2], unit[3])
        return x0, y0, x1, y1

    def _ink(self, outline: bool | RGB) -> dict[str, object]:
        if outline is False:
            return {}
        return {"outline": self.theme.stroke if outline is True else outline, "width": self.outline}

    def rect(self, unit: Unit, fill: RGB | None, radius: float = 0.0, outline: bool | RGB = True) -> None:
        self.draw.rounded_rectangle(self._box(unit), radius=round(radius * self.size), fill=fill, **self._ink(outline))

    def ellipse(self, unit: Unit, fill: RGB | None, outline: bool | RGB = True) -> None:
        self.draw.ellipse(self._box(unit), fill=fill, **self._ink(outline))

    def circle(self, x: float, y: float, r: float, fill: RGB | None, outline: bool | RGB = True) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill, outline)

    def poly(self, points: Sequence[Point], fill: RGB | None, outline: bool | RGB = True) -> None:
        self.draw.polygon([self.at(x, y) for x, y in points], fill=fill, **self._ink(outline))

    def chord(self, unit: Unit, start: float, end: float, fill: RGB, outline: bool | RGB = True) -> None:
        self.draw.chord(self._box(unit), start, end, fill=fill, **self._ink(outline))

    def line(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        self.draw.line([self.at(x, y) for x, y in points], fill=fill, width=max(2, round(width * self.size)),
                       joint="curve")

    def bar(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        """A thick line with the ink outline around it (and round caps)."""
        for colour, extra in ((self.theme.stroke, 2 * self.outline / self.size), (fill, 0.0)):
            self.line(points, colour, width + extra)
            for x, y in (points[0], points[-1]):
                self.circle(x, y, (width + extra) / 2, colour, outline=False)

    def arc(self, unit: Unit, start: float, end: float, fill: RGB, width: float) -> None:
        self.draw.arc(self._box(unit), start, end, fill=fill, width=max(2, round(width * self.size)))

    def ring_arc(self, unit: Unit, start: float, end: float, fill: RGB, width: float) -> None:
        """An arc band with the ink outline on both edges."""
        self.arc(unit, start, end, self.theme.stroke, width + 2 * self.outline / self.size)
        pad = self.outline / self.size
        self.arc((unit[0] + pad, unit[1] + pad, unit[2] - pad, unit[3] - pad), start, end, fill, width)

    def blob(self, circles: Sequence[tuple[float, float, float]], fill: RGB) -> None:
        """Overlapping circles drawn as one outlined shape (the inner outlines are painted over)."""
        for x, y, r in circles:
            self.circle(x, y, r, fill)
        inset = self.outline / self.size
        for x, y, r in circles:
            self.circle(x, y, r - inset, fill, outline=False)

    def glyph(self, text: str, x: float, y: float, size: float, fill: RGB, stroke: RGB | None = None) -> None:
        from core.rendering import fonts  # local: motifs stay importable without font discovery

        face = fonts.font(fonts.chain("display")[0], round(size * self.size))
        width = max(2, round(self.outline * 0.8)) if stroke is not None else 0
        self.draw.text(self.at(x, y), text, font=face, fill=fill, anchor="mm", stroke_width=width, stroke_fill=stroke)


def rotate(points: Sequence[Point], degrees: float, centre: Point = (0.5, 0.5)) -> list[Point]:
    """Points turned clockwise (y points down) about `centre`."""
    a = math.radians(degrees)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = centre
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]


def smooth(points: Sequence[Point], rounds: int = 2) -> list[Point]:
    """Chaikin corner cutting: a closed polygon with rounded corners (flames, ghosts, blobs)."""
    pts = list(points)
    for _ in range(rounds):
        out: list[Point] = []
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            out += [(0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1), (0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1)]
        pts = out
    return pts


def star(x: float, y: float, outer: float, inner: float, tips: int = 5, turn: float = -90.0) -> list[Point]:
    points = []
    for i in range(tips * 2):
        r = outer if i % 2 == 0 else inner
        a = math.radians(turn + i * 180 / tips)
        points.append((x + r * math.cos(a), y + r * math.sin(a)))
    return points


def ellipse_points(x: float, y: float, rx: float, ry: float, degrees: float = 0.0, steps: int = 48) -> list[Point]:
    points = [(x + rx * math.cos(i * math.tau / steps), y + ry * math.sin(i * math.tau / steps)) for i in range(steps)]
    return rotate(points, degrees, (x, y))


def leaf(base: Point, tip: Point, width: float, steps: int = 12) -> list[Point]:
    """A lens-shaped leaf from `base` to `tip`, `width` at its widest."""
    (bx, by), (tx, ty) = base, tip
    length = math.hypot(tx - bx, ty - by) or 1.0
    nx, ny = -(ty - by) / length, (tx - bx) / length
    side = [(bx + (tx - bx) * i / steps, by + (ty - by) * i / steps, math.sin(math.pi * i / steps) * width / 2)
            for i in range(steps + 1)]
    return [(x + nx * w, y + ny * w) for x, y, w in side] + [(x - nx * w, y - ny * w) for x, y, w in side[::-1]]
