"""Title typesetting: per-word fonts, word-level bidi, balanced line breaks, size fitting, drawing.

Each word is shaped on its own by raqm with a font that covers it, so mixed Persian/Latin titles
get a Persian display face for Persian words and a Latin one for Latin words, with no tofu. The
words are then ordered visually at word level (a simplified Unicode bidi pass), which is exact
for titles: runs never nest deeper than "Latin words inside a Persian sentence" or the reverse.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, features

from core.rendering import backgrounds as bg
from core.rendering import fonts
from core.rendering.colors import RGB
from core.text import clean_text

REF = 100  # reference size: widths are measured once here and scaled (glyph metrics are ~linear)
MAX_WORDS = 40  # pieces a title is fitted with: more never read on a thumbnail, and fitting tries every split
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class TitleStyle:
    roles: tuple[str, ...]  # font roles, best first (e.g. ("fa_display", "display"))
    fill: RGB
    highlight: RGB | None = None  # colour of the highlighted word (None: no accent)
    marker: RGB | None = None  # when set, the highlighted word sits on a block of this colour (and
    # `highlight` is then the word's colour on that block)
    underline: RGB | None = None  # when set, the highlighted word keeps the fill and gets a bar of this colour
    stroke: RGB | None = (14, 16, 24)
    stroke_ratio: float = 0.06  # outline width relative to the font size
    shadow: float = 0.55  # soft drop-shadow opacity (0: none)
    align: str = "center"  # left | center | right (start/end for RTL are resolved by the caller)
    uppercase: bool = True
    max_lines: int = 3
    max_size: int = 150
    min_size: int = 30
    line_gap: float = 0.16  # extra space between lines, relative to the size
    language: str = "en"


@dataclass
class Word:
    text: str
    path: str
    rtl: bool  # shaped right-to-left
    strong: str  # "R", "L" or "N" (neutral: digits, punctuation)
    highlight: bool = False
    width: float = 0.0  # advance at REF size
    top: float = 0.0  # ink extent above the baseline at REF (negative: up)
    bottom: float = 0.0
    index: int = 0  # position in the title (logical order)
    attached: bool = False  # glued to the previous word with no space (split-off punctuation)


@dataclass
class TitleLayout:
    lines: list[list[Word]]
    size: int
    stroke: int
    base_rtl: bool
    block: tuple[int, int] = (0, 0)  # width, height of the ink block at `size`
    metrics: list[tuple[float, float, float]] = field(default_factory=list)  # per line: width, top, bottom


@functools.cache
def _raqm() -> bool:
    return features.check("raqm")  # fixed for the process; asked for every word


def _norm(token: str) -> str:
    return re.sub(r"[^\w]", "", token.casefold())


def _strong(word: str) -> str:
    classes = {unicodedata.bidirectional(ch) for ch in word}
    if classes & {"R", "AL"}:
        return "R"
    return "L" if "L" in classes else "N"


def _upper(word: str) -> str:
    # Latin-only upper-casing; "ß".upper() etc. are fine, Persian has no case.
    return word.upper() if not fonts.has_rtl(word) else word


def make_words(title: str, style: TitleStyle, highlight: str | None) -> list[Word]:
    text = fonts.drop_uncovered(" ".join(clean_text(title).split()), style.roles)  # nothing invisible is drawn
    marks = {_norm(t) for t in (highlight or "").split()} - {""}
    words: list[Word] = []
    for token in text.split(" "):
        if not token:
            continue
        lit = _norm(token) in marks
        for piece, attached in _pieces(token):
            shown = _upper(piece) if style.uppercase else piece
            strong = _strong(shown)
            path = fonts.font_for_word(shown, style.roles if strong != "L" else _latin_first(style.roles))
            words.append(Word(shown, path, rtl=strong == "R", strong=strong, highlight=lit, index=len(words),
                              attached=attached and bool(words)))
    for word in words:
        _measure(word, style.language)
    return words


def _pieces(token: str) -> list[tuple[str, bool]]:
    """Split trailing punctuation (and leading Persian marks) off a Latin word: "PlayStation؟", "iPhone،".

    Shaped with its word, "؟" (strong right-to-left) turned "PlayStation؟" into a right-to-left word in a
    Persian face without upper case, and "،" stayed on the Latin side of "iPhone" in a Persian sentence. As
    its own piece the mark is resolved by the word-level bidi pass (it sits at the end of the sentence's
    direction) and stays glued to its word (no space, no line break).
    Returns (piece, attached-to-the-previous-piece) pairs.
    """
    latin = any(unicodedata.bidirectional(ch) == "L" for ch in token)
    if not latin:
        return [(token, False)]
    def rtl_mark(ch: str) -> bool:
        return unicodedata.bidirectional(ch) in ("R", "AL") and unicodedata.category(ch).startswith("P")
    def trailing(ch: str) -> bool:  # any closing punctuation that is not itself left-to-right: ? ! ، ؟ .
        return unicodedata.category(ch) in ("Po", "Pe", "Pf") and unicodedata.bidirectional(ch) != "L"
    core = token.rstrip("".join(ch for ch in token if trailing(ch)))
    lead = len(core) - len(core.lstrip("".join(ch for ch in core if rtl_mark(ch))))
    head, body, tail = core[:lead], core[lead:], token[len(core):]
    if not body or fonts.has_rtl(body):
        return [(token, False)]
    pieces = [(head, False)] if head else []
    pieces.append((body, bool(head)))
    if tail:
        pieces.append((tail, True))
    return pieces


def _latin_first(roles: tuple[str, ...]) -> tuple[str, ...]:
    # Persian faces often carry poor Latin glyphs; Latin words prefer the Latin roles of the chain.
    latin = tuple(r for r in roles if not r.startswith("fa_"))
    return latin + tuple(r for r in roles if r.startswith("fa_")) if latin else ("display", *roles)


def _kwargs(word: Word, language: str) -> dict[str, str]:
    if not _raqm() or word.path == fonts.DEFAULT_FONT:  # Pillow's bundled face uses the basic layout
        return {}
    return {"direction": "rtl" if word.rtl else "ltr", "language": "fa" if word.rtl and language == "fa" else "en"}


def _measure(word: Word, language: str) -> None:
    word.width, word.top, word.bottom = _metrics(word.path, word.text, tuple(_kwargs(word, language).items()))


@functools.lru_cache(maxsize=4096)  # ~1 MB at most; a title's words come back with every variation
def _metrics(path: str, text: str, layout: tuple[tuple[str, str], ...]) -> tuple[float, float, float]:
    """Advance, ink top and ink bottom of `text` at REF size."""
    face = fonts.font(path, REF)
    kwargs = dict(layout)
    _l, top, _r, bottom = face.getbbox(text, anchor="ls", **kwargs)
    return face.getlength(text, **kwargs), float(top), float(bottom)


@functools.lru_cache(maxsize=64)
def _space_ref(path: str) -> float:
    return fonts.font(path, REF).getlength(" ")


def _space(path: str, size: float) -> float:
    return max(_space_ref(path) * size / REF, size * 0.24)


def _gap(a: Word, b: Word, size: float) -> float:
    """Space between two neighbouring words (either order): none inside a word split into pieces."""
    glued = (b.attached and b.index == a.index + 1) or (a.attached and a.index == b.index + 1)
    return 0.0 if glued else _space(a.path, size)


def visual_order(words: list[Word], base_rtl: bool) -> list[Word]:
    """Word-level bidi: resolve neutrals from their neighbours, then order directional runs."""
    classes = [w.strong for w in words]
    base = "R" if base_rtl else "L"
    for i, cls in enumerate(classes):
        if cls == "N":
            before = next((c for c in reversed(classes[:i]) if c != "N"), base)
            after = next((c for c in classes[i + 1:] if c != "N"), base)
            classes[i] = before if before == after else base
    runs = [list(group) for _cls, group in itertools.groupby(zip(classes, words, strict=True), key=lambda p: p[0])]
    ordered_runs = [[w for _c, w in (reversed(run) if run[0][0] == "R" else run)] for run in runs]
    if base_rtl:
        ordered_runs.reverse()
    return [w for run in ordered_runs for w in run]


def _line_metrics(line: list[Word], size: float) -> tuple[float, float, float]:
    scale = size / REF
    width = sum(w.width for w in line) * scale + sum(_gap(a, b, size) for a, b in itertools.pairwise(line))
    top = min(w.top for w in line) * scale
    bottom = max(w.bottom for w in line) * scale
    return width, top, bottom


def _partitions(count: int, lines: int) -> list[tuple[int, ...]]:
    return [cut for cut in itertools.combinations(range(1, count), lines - 1)]


def _split(words: list[Word], cut: tuple[int, ...]) -> list[list[Word]]:
    bounds = (0, *cut, len(words))
    return [words[a:b] for a, b in itertools.pairwise(bounds)]


def _block(lines: list[list[Word]], size: float, style: TitleStyle) -> tuple[float, float, list]:
    metrics = [_line_metrics(line, size) for line in lines]
    stroke = 2 * style.stroke_ratio * size if style.stroke else 0.0
    width = max(m[0] for m in metrics) + stroke
    height = sum(m[2] - m[1] for m in metrics) + style.line_gap * size * (len(lines) - 1) + stroke
    return width, height, metrics


def _best_size(lines: list[list[Word]], box_w: int, box_h: int, style: TitleStyle) -> float:
    # Block size is linear in the font size, so one measurement at REF gives the fitting size.
    width, height, _ = _block(lines, REF, style)
    return min(style.max_size, box_w / width * REF, box_h / height * REF)


def _candidates(words: list[Word], style: TitleStyle) -> list[list[list[Word]]]:
    options = []
    for count in range(1, min(style.max_lines, len(words)) + 1):
        cuts = [cut for cut in _partitions(len(words), count) if not any(words[i].attached for i in cut)]
        if len(cuts) > 400:  # very long titles: only balanced-ish cuts are worth trying
            cuts = cuts[:: len(cuts) // 400 + 1]
        options.extend(_split(words, cut) for cut in cuts)
    return options


def fit_title(title: str, box: Box, style: TitleStyle, highlight: str | None = None) -> TitleLayout:
    """The largest size and balanced line breaks that fit `box` (≤ style.max_lines lines)."""
    words = make_words(_first_words(title), style, highlight)
    if not words:
        words = make_words("…", replace(style, roles=("ui",)), None)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    if (reach := _within_reach(words, box_w, style)) < len(words):
        words = make_words(_cut(words, reach), style, highlight)
    best, best_size = _best_lines(words, box_w, box_h, style)
    # Too long even at the minimum size: a word less each time, until it fits or one word is left.
    while best_size < style.min_size and (shorter := _shortened(words)) is not None:
        words = make_words(shorter, style, highlight)
        best, best_size = _best_lines(words, box_w, box_h, style)
    return _finalize(best, max(int(best_size), 8), box_w, box_h, style, words)


def _best_lines(words: list[Word], box_w: int, box_h: int, style: TitleStyle) -> tuple[list[list[Word]], float]:
    best, best_size = None, -1.0
    for lines in _candidates(words, style):
        size = _best_size(lines, box_w, box_h, style)
        # Prefer fewer lines unless more lines make the title clearly bigger.
        if size > best_size * 1.06 or best is None:
            best, best_size = lines, size
    assert best is not None
    return best, best_size


def _first_words(title: str) -> str:
    """At most MAX_WORDS words, the cut marked: the rest is never drawn, so it is not even measured."""
    words = title.split()
    return title if len(words) <= MAX_WORDS else " ".join(words[:MAX_WORDS]).rstrip("…") + "…"


def _within_reach(words: list[Word], box_w: int, style: TitleStyle) -> int:
    """How many of the words may fit: at most MAX_WORDS, and none whose widths alone, at the minimum size, already
    overflow max_lines lines (the fitting loop would drop each of those in turn, every split tried each time)."""
    room, scale, used = style.max_lines * box_w, style.min_size / REF, 0.0
    for count, word in enumerate(words[:MAX_WORDS]):
        used += word.width * scale
        if used > room:
            return count
    return min(len(words), MAX_WORDS)


def _shortened(words: list[Word]) -> str | None:
    """The title without its last word and with the cut marked; None for a single word."""
    tokens = _tokens(words)
    return _cut(words, tokens[-2][1]) if len(tokens) > 1 else None


def _cut(words: list[Word], pieces: int) -> str:
    """The words of the title that lie within its first `pieces` pieces (at least one word), the cut marked."""
    tokens = _tokens(words)
    kept = [text for text, end in tokens if end <= pieces] or [tokens[0][0]]
    if len(kept) < len(tokens):
        kept[-1] = kept[-1].rstrip("…") + "…"
    return " ".join(kept)


def _tokens(words: list[Word]) -> list[tuple[str, int]]:
    """The title's words (text, pieces up to its end). The marks glued to a word ("WRONG…": a piece of its own)
    go with it, or the "…" just added would be all that is ever dropped."""
    tokens: list[tuple[str, int]] = []
    for end, word in enumerate(words, 1):
        if word.attached and tokens:
            tokens[-1] = (tokens[-1][0] + word.text, end)
        else:
            tokens.append((word.text, end))
    return tokens


def _finalize(lines: list[list[Word]], size: int, box_w: int, box_h: int, style: TitleStyle,
              words: list[Word]) -> TitleLayout:
    base_rtl = style.language == "fa" or (bool(words) and words[0].strong == "R")
    for _ in range(12):  # hinting makes real sizes drift by a few %; shrink until the real block fits
        width, height, metrics = _block(lines, size, style)
        if (width <= box_w and height <= box_h) or size <= 8:
            break
        size = int(size * 0.96)
    stroke = round(style.stroke_ratio * size) if style.stroke else 0
    ordered = [visual_order(line, base_rtl) for line in lines]
    return TitleLayout(ordered, size, stroke, base_rtl, (int(width + 0.999), int(height + 0.999)), metrics)


@dataclass
class DrawnTitle:
    box: Box  # real ink box of the title text (fill + outline), canvas coordinates
    layout: TitleLayout
    lines: list[Box] = field(default_factory=list)  # per-line ink boxes (for OCR checks and debugging)


def line_boxes(placed: list[tuple[Word, float, float]], size: int, stroke: int) -> list[Box]:
    """Ink box of each line from the placed words (words sharing a baseline form a line)."""
    lines: dict[float, list[float]] = {}
    for word, x, baseline in placed:
        scale = size / REF
        box = lines.setdefault(baseline, [x, baseline + word.top * scale, x, baseline + word.bottom * scale])
        box[0], box[1] = min(box[0], x), min(box[1], baseline + word.top * scale)
        box[2], box[3] = max(box[2], x + word.width * scale), max(box[3], baseline + word.bottom * scale)
    return [(int(b[0]) - stroke, int(b[1]) - stroke, int(b[2] + 0.999) + stroke, int(b[3] + 0.999) + stroke)
            for b in lines.values()]


def _origin_x(align: str, line_w: float, box: Box, stroke: int) -> float:
    if align == "left":
        return box[0] + stroke
    if align == "right":
        return box[2] - stroke - line_w
    return (box[0] + box[2] - line_w) / 2


def place(layout: TitleLayout, box: Box, align: str, valign: str = "center") -> list[tuple[Word, float, float]]:
    """Absolute (word, x, baseline) positions for the block aligned inside `box`."""
    size, stroke = layout.size, layout.stroke
    block_h = layout.block[1]
    top = box[1] if valign == "top" else box[3] - block_h if valign == "bottom" else (box[1] + box[3] - block_h) / 2
    y = top + stroke
    placed = []
    for line, (width, line_top, line_bottom) in zip(layout.lines, layout.metrics, strict=True):
        baseline = y - line_top
        x = _origin_x(align, width, box, stroke)
        for word, after in itertools.zip_longest(line, line[1:]):
            placed.append((word, x, baseline))
            x += word.width * size / REF + (_gap(word, after, size) if after is not None else 0.0)
        y = baseline + line_bottom + size * 0.16
    return placed


def draw_title(canvas: Image.Image, layout: TitleLayout, box: Box, style: TitleStyle,
               valign: str = "center") -> DrawnTitle:
    """Outline, soft shadow (blurred on the title region only), fill, highlight and marker."""
    placed = place(layout, box, style.align, valign)
    size, stroke = layout.size, layout.stroke
    pad = stroke + size // 6 + 12
    region = (max(0, box[0] - pad), max(0, box[1] - pad), min(canvas.width, box[2] + pad),
              min(canvas.height, box[3] + pad))
    masks = _TitleMasks(*(Image.new("L", (region[2] - region[0], region[3] - region[1])) for _ in range(3)))
    for word, x, baseline in placed:
        _draw_word(masks, word, (x - region[0], baseline - region[1]), size, style)
    outline = _outline(masks, style, stroke) if style.stroke else None
    ink = _union(*(m.getbbox() for m in ((outline,) if outline is not None else (masks.fill, masks.accent))))
    _composite(canvas, region[:2], masks, outline, style, size)
    real = _union(ink, masks.marker.getbbox()) or (0, 0, 1, 1)  # a marker block is part of the visible title
    title_box = (real[0] + region[0], real[1] + region[1], real[2] + region[0], real[3] + region[1])
    return DrawnTitle(title_box, layout, line_boxes(placed, size, stroke))


@dataclass
class _TitleMasks:
    fill: Image.Image  # words in the title's fill colour
    accent: Image.Image  # the highlighted word, when it is coloured
    marker: Image.Image  # the marker block or the underline bar


def _draw_word(masks: _TitleMasks, word: Word, xy: tuple[float, float], size: int, style: TitleStyle) -> None:
    face = fonts.font(word.path, size)
    kwargs = _kwargs(word, style.language)
    lit = word.highlight and (style.highlight is not None or style.underline is not None)
    coloured = lit and style.underline is None
    ImageDraw.Draw(masks.accent if coloured else masks.fill).text(xy, word.text, font=face, fill=255, anchor="ls",
                                                                  **kwargs)
    if lit and style.underline is not None:
        width = face.getlength(word.text, **kwargs)
        ImageDraw.Draw(masks.marker).rectangle((xy[0], xy[1] + size * 0.05, xy[0] + width,
                                                xy[1] + size * 0.05 + max(4, size // 14)), fill=255)
    elif lit and style.marker is not None:
        _, top, right, bottom = face.getbbox(word.text, anchor="ls", **kwargs)
        grow = max(6, size // 8)
        ImageDraw.Draw(masks.marker).rounded_rectangle((xy[0] - grow, xy[1] + top - grow, xy[0] + right + grow,
                                                        xy[1] + bottom + grow), radius=grow, fill=255)


def _union(*boxes: Box | None) -> Box | None:
    present = [b for b in boxes if b is not None]
    if not present:
        return None
    return (min(b[0] for b in present), min(b[1] for b in present), max(b[2] for b in present),
            max(b[3] for b in present))


_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def _outline(masks: _TitleMasks, style: TitleStyle, stroke: int) -> Image.Image:
    """The letters grown by `stroke` pixels: the outline FreeType's stroker would draw, ~3x cheaper.

    A grey-level dilation by an octagon (a square, then a diamond of 3x3 crosses, both cheap in OpenCV)
    keeps the letters' anti-aliasing; the octagon's corners stand at most 8% of `stroke` off the stroker's
    round joins (under a pixel at title sizes). On a marker block the highlighted word gets no outline (it
    would only clog the letters), so the accent mask joins only without one.
    """
    letters = masks.fill if style.marker is not None else ImageChops.lighter(masks.fill, masks.accent)
    box = letters.getbbox()
    outline = Image.new("L", letters.size)
    if box is None:
        return outline
    grown = (max(0, box[0] - stroke), max(0, box[1] - stroke), min(letters.width, box[2] + stroke),
             min(letters.height, box[3] + stroke))
    ink = np.asarray(letters.crop(grown))
    square = round(stroke * (math.sqrt(2) - 1))  # the octagon circumscribing the stroker's disc
    if square:
        ink = cv2.dilate(ink, np.ones((2 * square + 1, 2 * square + 1), np.uint8))
    if stroke - square:
        ink = cv2.dilate(ink, _CROSS, iterations=stroke - square)
    outline.paste(Image.fromarray(ink), grown[:2])
    return outline


def _soft(mask: Image.Image, radius: float, strength: float) -> tuple[Image.Image, tuple[int, int]]:
    """A blurred copy of the mask's ink at `strength` opacity (and where it goes in the mask), computed on
    the ink's surroundings only.

    Blurred at quarter resolution (a shadow has no detail), in OpenCV: ~10x cheaper than a full-size blur.
    The crop keeps a margin wider than the blur and is a whole number of 4x4 blocks, so the quarter-size
    picture is an exact block average.
    """
    box = mask.getbbox()
    if box is None:
        return Image.new("L", (1, 1)), (0, 0)
    blur = max(1, round(radius / 4))
    margin = 4 * (blur + 3)
    left, top = max(0, (box[0] - margin) // 4 * 4), max(0, (box[1] - margin) // 4 * 4)
    right, bottom = min(mask.width, box[2] + margin), min(mask.height, box[3] + margin)
    width, height = -(-(right - left) // 4) * 4, -(-(bottom - top) // 4) * 4
    crop = np.asarray(mask.crop((left, top, left + width, top + height)))  # zero-padded to whole blocks
    small = cv2.resize(crop, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
    small = cv2.convertScaleAbs(cv2.blur(small, (2 * blur + 1, 2 * blur + 1)), alpha=strength)
    soft = cv2.resize(small, (right - left, bottom - top), interpolation=cv2.INTER_LINEAR)
    return Image.fromarray(soft), (left, top)


def _composite(canvas: Image.Image, origin: tuple[int, int], masks: _TitleMasks, outline: Image.Image | None,
               style: TitleStyle, size: int) -> None:
    """Paint shadow, block, outline and letters in order; each paste covers only its mask's ink box."""
    if style.shadow > 0:
        _shadow(canvas, origin, outline if outline is not None else masks.fill, style.shadow, size)
    block = style.marker or style.underline
    if block is not None:
        bg.tint(canvas, block, masks.marker, origin)
    if outline is not None and style.stroke is not None:
        _outlined_letters(canvas, origin, masks, outline, style)
        if style.marker is not None and style.highlight is not None:  # the unoutlined word on its block
            bg.tint(canvas, style.highlight, masks.accent, origin)
        return
    bg.tint(canvas, style.fill, masks.fill, origin)
    if style.highlight is not None:
        bg.tint(canvas, style.highlight, masks.accent, origin)


def _shadow(canvas: Image.Image, origin: tuple[int, int], mask: Image.Image, strength: float, size: int) -> None:
    shadow, (sx, sy) = _soft(mask, size / 10, strength)
    shift = max(3, size // 18)
    # Clipped to the title region (as the whole-region shadow was).
    limit = (mask.width - shift - sx, mask.height - shift - sy)
    if limit[0] > 0 and limit[1] > 0:
        shadow = shadow.crop((0, 0, min(shadow.width, limit[0]), min(shadow.height, limit[1])))
        bg.tint(canvas, (0, 0, 0), shadow, (origin[0] + shift + sx, origin[1] + shift + sy))


def _outlined_letters(canvas: Image.Image, origin: tuple[int, int], masks: _TitleMasks, outline: Image.Image,
                      style: TitleStyle) -> None:
    """Outline, fill and (outlined) highlight in one paste: the letters' colours through the outline mask.

    Inside the outline, each pixel is the stroke colour mixed towards the fill (or the highlight) by the
    letter mask, a palette lookup; the same pixels as tinting stroke, fill and highlight in turn, with one
    pass over the canvas instead of three.
    """
    assert style.stroke is not None
    box = outline.getbbox()
    if box is None:
        return
    fill = masks.fill.crop(box)
    accent = masks.accent.crop(box) if style.marker is None and style.highlight is not None else None
    if accent is None or accent.getbbox() is None:
        colours = bg.two_tone(fill, style.stroke, style.fill)
    else:  # indices 0..127 mix stroke -> fill, 128..255 stroke -> highlight (words never overlap)
        lit = np.asarray(accent)
        index = np.where(lit > 0, 128 + (lit >> 1), np.asarray(fill) >> 1).astype(np.uint8)
        colours = Image.fromarray(index, "L")
        colours.putpalette(_split_palette(style.stroke, style.fill, style.highlight))
        colours = colours.convert("RGB")
    canvas.paste(colours, (origin[0] + box[0], origin[1] + box[1]), outline.crop(box))


@functools.lru_cache(maxsize=64)
def _split_palette(stroke: RGB, fill: RGB, highlight: RGB | None) -> list[int]:
    ramps = []
    for end in (fill, highlight or fill):
        ramps += [stroke[c] + (end[c] - stroke[c]) * i // 127 for i in range(128) for c in range(3)]
    return ramps
