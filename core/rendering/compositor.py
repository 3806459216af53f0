"""The `local` algorithm and the finishing of provider images: scene -> canvas -> delivered JPEG."""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from core.rendering import backgrounds as bg
from core.rendering import fonts
from core.rendering.colors import INK, RGB, WHITE, Theme, contrast_lum, luminance, readable_on, theme_for
from core.rendering.errors import BadImage
from core.rendering.layouts import DURATION, LAYOUT_FUNCS, SAFE, Ctx, Plan
from core.rendering.motifs import category_of, subject_motif
from core.rendering.output import deliver
from core.rendering.photos import MAX_PHOTO_BYTES, PhotoSource, flatten, load_photo
from core.rendering.types import HEIGHT, VARIANTS, WIDTH, Finish, Rendered, Scene
from core.rendering.typography import TitleStyle, draw_title, fit_title, place
from core.text import is_blank

Box = tuple[int, int, int, int]
MIN_CONTRAST = 4.6  # WCAG AA is 4.5:1; a little headroom for JPEG ringing
HIGHLIGHT_CONTRAST = 3.0  # the accent word is large bold text: WCAG's large-text level
MIN_PROVIDER_SIDE = 256  # a service's picture smaller than this on a side is not used (the smallest they make: 1024)
_LINEAR = (np.arange(256) / 255.0)
_LINEAR = np.where(_LINEAR <= 0.04045, _LINEAR / 12.92, ((_LINEAR + 0.055) / 1.055) ** 2.4).astype(np.float32)
_WEIGHTED_LINEAR = (_LINEAR[:, None] * np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)).reshape(1, 256, 3)
_ONES = np.ones((1, 3), dtype=np.float32)
_MOOD_PATTERNS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("energ", "excit", "hype", "intense", "epic", "action", "urgent"), ("rays", "stripes", "halftone")),
    (("calm", "relax", "peace", "chill", "soft", "cozy", "romantic"), ("blobs", "rings")),
    (("fun", "play", "happy", "joy", "silly"), ("confetti", "dots")),
    (("dark", "myster", "dramatic", "horror", "sad"), ("halftone", "grid")),
    (("serious", "profession", "inform", "trust", "neutral"), ("grid", "dots")),
)


@dataclass(frozen=True)
class Look:
    """Style decisions derived once from the scene (fonts, case, outline, pattern)."""

    roles: tuple[str, ...]
    uppercase: bool
    stroke_ratio: float
    pattern: str
    marker: bool  # highlight the key word on an accent block instead of colouring it


@dataclass
class Composition:
    canvas: Image.Image
    background: Image.Image | None  # the canvas just before the title (kept only for tests)
    title_box: Box
    fill: RGB | None
    lines: list[Box] = field(default_factory=list)  # per-line ink boxes of the title


def variant_of(scene: Scene) -> int:
    """Which design of the layout the seed asks for (see types.VARIANTS)."""
    return scene.seed % VARIANTS


def look_for(scene: Scene, layout: str, family: str, rng: random.Random) -> Look:
    style = scene.style.lower()
    if any(k in style for k in ("elegant", "luxury", "classic", "cinema", "documentary", "serif")):
        kind = "serif"
    elif any(k in style for k in ("minimal", "clean", "modern", "profession", "corporate", "simple")):
        kind = "clean"
    elif any(k in style for k in ("play", "fun", "cartoon", "kid", "comic")):
        kind = "wide"
    else:
        kind = "display"
    roles = ("fa_clean" if kind in ("clean", "serif") else "fa_display", kind) if scene.language == "fa" else (kind,)
    mood = scene.mood.lower()
    options = next((pats for keys, pats in _MOOD_PATTERNS if any(k in mood for k in keys)), bg.PATTERNS)
    if family in ("tech", "education", "finance"):
        options = (*options, "grid")
    quiet = kind in ("clean", "serif") or layout == "minimal"
    # Discrete choices follow the variant (not the fine rng), so the six variants are distinct designs.
    variant = variant_of(scene)
    return Look(roles=roles, uppercase=not quiet, stroke_ratio=0.0 if quiet else 0.065,
                pattern=options[(variant // 2 + variant) % len(options)], marker=not quiet and variant % 3 == 2)


def _rng(scene: Scene) -> random.Random:
    """The fine randomness: seeded by seed // VARIANTS (the variant itself picks the discrete design)."""
    # String seeds are hashed with SHA-512 by `random`: stable across processes and PYTHONHASHSEED.
    fine = scene.seed // VARIANTS
    return random.Random(f"{fine}|{scene.layout}|{scene.title}|{scene.category}|{scene.style}|{scene.mood}")


def _photo(scene: Scene) -> PhotoSource | None:
    return None if scene.photo is None else PhotoSource(scene.photo, MAX_PHOTO_BYTES)


def lum_range(canvas: Image.Image, box: Box) -> tuple[float, float]:
    """(2nd, 98th) percentile of WCAG luminance over `box`: the darkest and brightest real pixels."""
    box = (max(0, box[0]), max(0, box[1]), min(canvas.width, box[2]), min(canvas.height, box[3]))
    big = box[2] - box[0] >= 16 and box[3] - box[1] >= 16
    # 16x fewer pixels; averaging 4x4 hides only specks, not the backdrop
    crop = canvas.reduce(4, box) if big else canvas.crop(box)
    # Per-channel linear light times its weight (one OpenCV lookup), summed by OpenCV: numpy's fancy
    # indexing and axis sum cost ~5x as much here.
    rgb = np.asarray(crop if crop.mode == "RGB" else crop.convert("RGB"))
    lum = cv2.transform(cv2.LUT(rgb, _WEIGHTED_LINEAR), _ONES).ravel()
    return _percentile(lum, 2), _percentile(lum, 98)


def _percentile(values: np.ndarray, q: float) -> float:
    """np.percentile's default (linear) method by a partial sort around the two order statistics it needs."""
    at = q / 100 * (values.size - 1)
    lo = int(at)
    hi = min(values.size - 1, lo + 1)
    part = np.partition(values, (lo, hi))
    return float(part[lo] + (part[hi] - part[lo]) * (at - lo))


def safe_box(box: Box) -> Box:
    """Clamp a title box into the safe area and out of the duration corner (keeping the larger part)."""
    left, top = max(box[0], SAFE[0]), max(box[1], SAFE[1])
    right, bottom = min(box[2], SAFE[2]), min(box[3], SAFE[3])
    gap = 12
    if right > DURATION[0] - gap and bottom > DURATION[1] - gap:
        cut_bottom = (right - left) * (DURATION[1] - gap - top)
        cut_right = (DURATION[0] - gap - left) * (bottom - top)
        if cut_bottom >= cut_right:
            bottom = DURATION[1] - gap
        else:
            right = DURATION[0] - gap
    return left, top, right, bottom


def _scrim(canvas: Image.Image, box: Box, colour: RGB, alpha: float) -> None:
    """Darken (or lighten) behind the title with a feathered rounded block: readable, not boxy."""
    feather = 36
    region = (max(0, box[0] - feather), max(0, box[1] - feather), min(WIDTH, box[2] + feather),
              min(HEIGHT, box[3] + feather))
    w, h = region[2] - region[0], region[3] - region[1]
    small = Image.new("L", (max(1, w // 8), max(1, h // 8)), 0)
    inner = (box[0] - region[0] - feather // 3, box[1] - region[1] - feather // 3,
             box[2] - region[0] + feather // 3, box[3] - region[1] + feather // 3)
    ImageDraw.Draw(small).rounded_rectangle([v / 8 for v in inner], radius=3, fill=round(255 * alpha))
    bg.tint(canvas, colour, small.resize((w, h), Image.Resampling.BILINEAR), region[:2])


def guard_contrast(canvas: Image.Image, box: Box, prefer_ink: bool) -> tuple[RGB, tuple[float, float]]:
    """Choose white or ink text for the area behind the title and scrim it until ≥ MIN_CONTRAST.

    Returns the fill and the area's final luminance range (lum_range after any scrim).
    """
    lo, hi = lum_range(canvas, box)
    white_ok = contrast_lum(1.0, hi) >= MIN_CONTRAST
    ink_ok = contrast_lum(luminance(INK), lo) >= MIN_CONTRAST
    if (prefer_ink and ink_ok) or (not prefer_ink and not white_ok and ink_ok):
        return INK, (lo, hi)
    if white_ok:
        return WHITE, (lo, hi)
    fill, colour = (INK, WHITE) if prefer_ink else (WHITE, (0, 0, 0))
    alpha = 0.35
    for _ in range(6):
        _scrim(canvas, box, colour, alpha)
        lo, hi = lum_range(canvas, box)
        if contrast_lum(luminance(fill), lo if fill == INK else hi) >= MIN_CONTRAST:
            break
        alpha = min(1.0, alpha + 0.15)
    return fill, (lo, hi)


def _title_style(scene: Scene, look: Look, plan: Plan) -> TitleStyle:
    return TitleStyle(roles=look.roles, fill=WHITE, stroke=INK if look.stroke_ratio else None,
                      stroke_ratio=look.stroke_ratio, shadow=0.0 if plan.prefer_ink else 0.55, align=plan.align,
                      uppercase=look.uppercase, max_lines=plan.max_lines, max_size=plan.max_size,
                      language=scene.language)


def _colour_title(style: TitleStyle, fill: RGB, theme: Theme, look: Look, behind: float) -> TitleStyle:
    """Final colours once the fill is known: outline opposite the fill, accent readable on the area."""
    # Dark text on a light area needs no outline (a white one only blurs the letter shapes).
    stroke = INK if style.stroke is not None and fill == WHITE else None
    shadow = style.shadow if fill == WHITE else 0.0
    # A marker block only when the word on it keeps the title's fill: a block that flips the polarity mid-line
    # (dark text on a light block among white words) breaks the line's word shapes at preview size and for OCR.
    if look.marker and contrast_lum(luminance(fill), luminance(theme.accent)) >= MIN_CONTRAST:
        return replace(style, fill=fill, stroke=stroke, shadow=shadow, marker=theme.accent, highlight=fill)
    accent = readable_on(behind, theme.accent, HIGHLIGHT_CONTRAST)
    if stroke is None and abs(_luma(accent) - _luma(fill)) > abs(_luma(accent) - _luma(behind_rgb(behind))):
        # Without an outline, a highlight closer in lightness to the backdrop than to the fill reads as part
        # of the backdrop (at preview size, and for OCR): keep the word in the fill and underline it instead.
        return replace(style, fill=fill, stroke=stroke, shadow=shadow, highlight=None, underline=accent)
    return replace(style, fill=fill, stroke=stroke, shadow=shadow, highlight=accent)


def _luma(rgb: RGB) -> float:
    """Rec. 601 luma (what a grayscale conversion keeps), 0..255."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def behind_rgb(lum: float) -> RGB:
    """The gray with WCAG luminance `lum` (the backdrop's luminance as a colour, for luma comparisons)."""
    channel = lum * 12.92 if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    value = round(255 * min(1.0, max(0.0, channel)))
    return value, value, value


def _badge(canvas: Image.Image, text: str, corner: str, theme: Theme) -> Box:
    """A pill ("NEW", "#1") in a top corner; returns its box so the title can keep clear of it."""
    label = " ".join(text.split())[:12].upper()
    face = fonts.font(fonts.font_for_word(label, ("display", "fa_display")), 46)
    left, top, right, bottom = face.getbbox(label, anchor="ls")
    w, h = right - left + 48, bottom - top + 28
    x = SAFE[0] + 8 if corner != "top-right" else SAFE[2] - 8 - w
    y = SAFE[1] + 8
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((x + 6, y + 8, x + w + 6, y + h + 8), radius=h // 2, fill=(0, 0, 0))
    draw.rounded_rectangle((x, y, x + w, y + h), radius=h // 2, fill=theme.accent, outline=INK, width=4)
    ink = readable_on(luminance(theme.accent), INK if luminance(theme.accent) > 0.3 else WHITE)
    draw.text((x + 24 - left, y + 14 - top), label, font=face, fill=ink, anchor="ls")
    return x, y, x + w, y + h


def _clear_of(box: Box, obstacle: Box) -> Box:
    overlaps = box[0] < obstacle[2] and obstacle[0] < box[2] and box[1] < obstacle[3] and obstacle[1] < box[3]
    return (box[0], max(box[1], obstacle[3] + 16), box[2], box[3]) if overlaps else box


def compose(scene: Scene, keep_background: bool = False) -> Composition:
    """Paint the scene: layout, badge, then the fitted title on a contrast-guarded area."""
    rng = _rng(scene)
    layout = scene.layout if scene.layout in LAYOUT_FUNCS else "headline"
    family = category_of(scene.category, scene.prompt)
    look = look_for(scene, layout, family, rng)
    theme = theme_for(scene)
    ctx = Ctx(scene, theme, rng, variant_of(scene), subject_motif(scene.motifs, family), look.pattern, _photo(scene))
    canvas, plan = LAYOUT_FUNCS[layout](ctx)
    box = safe_box(plan.box)
    if scene.badge and layout != "listicle":  # listicle shows the number on its own tile
        box = _clear_of(box, _badge(canvas, scene.badge, plan.badge_corner, theme))
    return _with_title(canvas, scene, look, plan, theme, box, keep_background)


def _with_title(canvas: Image.Image, scene: Scene, look: Look, plan: Plan, theme: Theme, box: Box,
                keep_background: bool) -> Composition:
    if is_blank(scene.title):
        return Composition(canvas, canvas.copy() if keep_background else None, (0, 0, 0, 0), None)
    style = _title_style(scene, look, plan)
    layout = fit_title(scene.title, box, style, scene.highlight)
    block = _block_box(layout, box, style, plan.valign)
    fill, (lo, hi) = guard_contrast(canvas, block, plan.prefer_ink)
    behind = hi if fill == WHITE else lo
    style = _colour_title(style, fill, theme, look, behind)
    background = canvas.copy() if keep_background else None
    drawn = draw_title(canvas, layout, box, style, plan.valign)
    return Composition(canvas, background, drawn.box, fill, drawn.lines)


def _block_box(layout, box: Box, style: TitleStyle, valign: str) -> Box:  # type: ignore[no-untyped-def]
    """Where the title's ink will land (before drawing), for the contrast guard."""
    placed = place(layout, box, style.align, valign)
    size, stroke = layout.size, layout.stroke
    xs = [x for _w, x, _b in placed] + [x + w.width * size / 100 for w, x, _b in placed]
    ys = [b + w.top * size / 100 for w, _x, b in placed] + [b + w.bottom * size / 100 for w, _x, b in placed]
    pad = stroke + 4
    return (max(0, int(min(xs)) - pad), max(0, int(min(ys)) - pad), min(WIDTH, int(max(xs)) + pad),
            min(HEIGHT, int(max(ys)) + pad))


def render_local(scene: Scene, finish: Finish) -> Rendered:
    """The `local` algorithm: deterministic for scene + seed, pure (fonts are the only files read)."""
    started = time.perf_counter()
    composition = compose(scene)
    return deliver(composition.canvas, finish, composition.title_box, started)


def external_canvas(image_bytes: bytes, scene: Scene, keep_background: bool = False,
                    subject: bytes | None = None) -> Composition:
    """A provider's picture fitted to 1280x720 (cropped, never stretched) with the title over a scrim; with a
    `subject` (the creator cut out of their photo, RGBA), the creator stands on the right and the title on the left."""
    theme = theme_for(scene)
    image = load_photo(image_bytes, (WIDTH, HEIGHT), max_bytes=50 * 1024 * 1024)
    if min(image.size) < MIN_PROVIDER_SIDE:  # a service's 8x8 blown up to 1280x720 is no picture worth paying for
        raise BadImage("not_image", f"a {image.width}x{image.height} picture is too small to use")
    # ImageOps.fit: crop to 16:9 around the centre, then scale; 1024², 1536x1024, 1792x1024 all land exact.
    canvas = flatten(ImageOps.fit(image, (WIDTH, HEIGHT), Image.Resampling.BICUBIC), theme.dark)
    rng = _rng(scene)
    look = look_for(scene, "headline", category_of(scene.category, scene.prompt), rng)
    if subject is not None:
        for reach in (WIDTH // 2 + 120, WIDTH // 2):  # two scrims: dark behind the title, clear at the person
            bg.shade(canvas, (0, 0, reach, HEIGHT), "right", 0.95)
        _place_subject(canvas, subject)
        align = "right" if scene.language == "fa" else "left"
        plan = Plan((SAFE[0] + 16, SAFE[1] + 40, WIDTH // 2 - 20, SAFE[3] - 40), align, "center", max_lines=3,
                    max_size=104)
    elif title_on_top(scene):
        bg.shade(canvas, (0, 0, WIDTH, 380), "top", 0.92)
        plan = Plan((SAFE[0] + 16, SAFE[1] + 8, SAFE[2] - 16, 300), "center", "top", max_lines=2, max_size=110)
    else:
        bg.shade(canvas, (0, 320, WIDTH, HEIGHT), "bottom", 0.92)
        align = "right" if scene.language == "fa" else "left"
        plan = Plan((SAFE[0] + 16, 420, DURATION[0] - 24, SAFE[3] - 4), align, "bottom", max_lines=2, max_size=110)
    return _with_title(canvas, scene, look, plan, theme, safe_box(plan.box), keep_background)


def title_on_top(scene: Scene) -> bool:
    """Where an AI picture gets its title (the prompt asks the model to keep that part calm)."""
    return variant_of(scene) % 2 == 1


def _place_subject(canvas: Image.Image, subject: bytes) -> None:
    """The cut-out stands on the bottom edge of the right half, as tall as the frame allows."""
    person = load_photo(subject, (WIDTH // 2, HEIGHT), max_bytes=50 * 1024 * 1024).convert("RGBA")
    box = person.getbbox()  # trim the transparent margin: the person, not the photo, fills the space
    if box:
        person = person.crop(box)
    scale = min((HEIGHT - 40) / person.height, (WIDTH // 2 - 20) / person.width)
    person = person.resize((max(1, round(person.width * scale)), max(1, round(person.height * scale))),
                           Image.Resampling.LANCZOS)
    left = WIDTH - person.width - 30
    canvas.paste(person, (left, HEIGHT - person.height), person)


def finish_external(image_bytes: bytes, scene: Scene, finish: Finish, subject: bytes | None = None) -> Rendered:
    """Post-processing for AI providers' outputs (1024², 1536x1024, 1792x1024 or anything)."""
    started = time.perf_counter()
    composition = external_canvas(image_bytes, scene, subject=subject)
    return deliver(composition.canvas, finish, composition.title_box, started)


def provider_photo(image_bytes: bytes, max_pixels: int = 2048 * 2048) -> bytes:
    """A creator's photo as the AI services take it: upright, at most `max_pixels` (Stability's background removal
    takes 4.2 MP at most), JPEG (or PNG when it has transparency), whatever the photo came as (GIF, BMP, 40 MP)."""
    image = load_photo(image_bytes, (2048, 2048), max_bytes=50 * 1024 * 1024)
    if image.width * image.height > max_pixels:
        scale = (max_pixels / (image.width * image.height)) ** 0.5
        image = image.resize((max(64, int(image.width * scale)), max(64, int(image.height * scale))),
                             Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG")
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def moderation_jpeg(image_bytes: bytes) -> bytes:
    """The whole photo, small, for a moderation check (nothing cropped away)."""
    image = load_photo(image_bytes, (768, 768), max_bytes=50 * 1024 * 1024)
    image.thumbnail((768, 768), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    flatten(image, INK).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def preview_jpeg(image_bytes: bytes) -> bytes:
    """A partial picture as a small JPEG to watch while the model works (never the final thumbnail)."""
    image = load_photo(image_bytes, (640, 360), max_bytes=50 * 1024 * 1024)
    small = flatten(ImageOps.fit(image, (640, 360), Image.Resampling.BILINEAR), INK)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def decode_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
