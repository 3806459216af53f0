"""Colour maths (WCAG contrast, mixing) and the per-scene theme derived from palette and mood."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from core.rendering.types import Scene

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
INK: RGB = (14, 16, 24)  # near-black: reads as black but keeps a hint of colour


def parse_hex(value: str) -> RGB | None:
    """'#rrggbb' or '#rgb' (hash optional) -> RGB; None for anything else (user input is untrusted)."""
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance (0 black .. 1 white)."""
    r, g, b = rgb
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_lum(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def contrast(a: RGB, b: RGB) -> float:
    return contrast_lum(luminance(a), luminance(b))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def saturation(rgb: RGB) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[2]


def with_hls(rgb: RGB, lightness: float | None = None, sat: float | None = None, hue_shift: float = 0.0) -> RGB:
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    h = (h + hue_shift) % 1.0
    r, g, b = colorsys.hls_to_rgb(h, lum if lightness is None else lightness, s if sat is None else sat)
    return round(r * 255), round(g * 255), round(b * 255)


def lightness(rgb: RGB) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[1]


def readable_on(background_lum: float, preferred: RGB, minimum: float = 4.5) -> RGB:
    """`preferred` moved towards white or black just far enough to reach `minimum` contrast."""
    target = WHITE if contrast_lum(1.0, background_lum) >= contrast_lum(0.0, background_lum) else INK
    for step in range(11):
        candidate = mix(preferred, target, step / 10)
        if contrast_lum(luminance(candidate), background_lum) >= minimum:
            return candidate
    return target


@dataclass(frozen=True)
class Theme:
    """The colours one thumbnail is drawn with; every layout reads only these."""

    dark: RGB  # main background tone
    mid: RGB  # second background tone (gradient partner, panels)
    accent: RGB  # the one loud colour: highlight word, badges, shapes
    accent2: RGB  # a supporting colour for secondary shapes
    light: RGB  # paper / light panels
    text: RGB  # title fill on dark areas
    ink: RGB  # title fill on light areas
    stroke: RGB  # title outline


_DARK_MOODS = ("dark", "myster", "serious", "dramatic", "horror", "sad", "epic", "intense")
_SOFT_MOODS = ("calm", "relax", "peace", "chill", "soft", "cozy", "romantic")


def _palette(scene: Scene) -> list[RGB]:
    colours = [c for c in (parse_hex(v) for v in scene.palette) if c is not None]
    defaults: list[RGB] = [(16, 24, 40), (249, 115, 22), (255, 255, 255)]
    return colours + defaults[len(colours):] if len(colours) < 3 else colours


def theme_for(scene: Scene) -> Theme:
    """Derive the theme: user colours win over the template palette; mood shifts the tones."""
    palette = _palette(scene)
    user = [c for c in (parse_hex(v) for v in scene.colors) if c is not None]
    by_light = sorted(palette, key=luminance)
    dark, light = by_light[0], by_light[-1]
    middle = by_light[1:-1] or [mix(dark, light, 0.5)]
    accent = max([*middle, light], key=saturation)
    if user:
        accent = user[0]
        if len(user) > 1:
            dark = user[1]
    # A background must be dark enough to carry white text; keep the hue, pull the lightness down.
    mood = scene.mood.lower()
    target = 0.10 if any(m in mood for m in _DARK_MOODS) else 0.2 if any(m in mood for m in _SOFT_MOODS) else 0.16
    if lightness(dark) > target:
        dark = with_hls(dark, lightness=target)
    if any(m in mood for m in _SOFT_MOODS):
        accent = with_hls(accent, sat=min(saturation(accent), 0.65))
    elif saturation(accent) < 0.35 and not user:
        accent = with_hls(accent, sat=0.8, lightness=0.55)
    mid = with_hls(dark, lightness=min(lightness(dark) + 0.14, 0.4), sat=min(1.0, saturation(dark) + 0.15))
    accent2 = with_hls(accent, hue_shift=0.5 if saturation(accent) > 0.2 else 0.0, lightness=0.6)
    paper = light if lightness(light) > 0.85 else mix(light, WHITE, 0.8)
    return Theme(dark=dark, mid=mid, accent=accent, accent2=accent2, light=paper, text=WHITE, ink=INK, stroke=INK)
