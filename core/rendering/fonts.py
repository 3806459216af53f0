"""Font discovery, per-script font choice and glyph coverage.

Fonts come from Debian packages (fonts-dejavu-core, fonts-noto-core, fonts-farsiweb). Pillow does
no font fallback, so the typesetter asks `font_for_word` for a face that covers every character of
a word: Persian words get a Persian display face, Latin words a Latin one (per-script runs), and a
missing font degrades to the next present one with a logged warning instead of crashing.
"""

from __future__ import annotations

import functools
import logging
import os
import unicodedata
from collections.abc import Iterable

from PIL import ImageFont, features

log = logging.getLogger(__name__)

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.local/share/fonts"),
             os.path.expanduser("~/.fonts"))

# Role -> candidate file names (or absolute paths), best first. Tests patch this to simulate a missing font.
FONT_CHOICES: dict[str, tuple[str, ...]] = {
    "display": ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"),
    "clean": ("NotoSansDisplay-Bold.ttf", "NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("NotoSerifDisplay-Bold.ttf", "DejaVuSerifCondensed-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    "wide": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"),
    "fa_display": ("titr.ttf", "NotoKufiArabic-Bold.ttf", "NotoSansArabic-Bold.ttf", "nazlib.ttf"),
    "fa_clean": ("NotoSansArabic-Bold.ttf", "NotoKufiArabic-Bold.ttf", "nazlib.ttf", "titr.ttf"),
    "ui": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"),
}
# Appended to every chain: broad-coverage faces (DejaVu Sans Bold covers Latin and Persian).
FALLBACK: tuple[str, ...] = ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "NotoSansArabic-Bold.ttf", "nazlib.ttf")

DEFAULT_FONT = "<pillow-default>"  # Pillow's bundled face: Latin only, last resort
_NOTDEF_PROBE = "\U0010fffd"  # a private-use code point no display font maps: renders as .notdef
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


@functools.cache
def _font_index() -> dict[str, str]:
    """Lower-case file name -> path for every font under the standard directories (read once per process)."""
    index: dict[str, str] = {}
    for root_dir in FONT_DIRS:
        for root, _dirs, files in os.walk(root_dir):
            for name in files:
                if name.lower().endswith((".ttf", ".otf", ".ttc")):
                    index.setdefault(name.lower(), os.path.join(root, name))
    return index


def find_font(name: str) -> str | None:
    """An absolute path if it exists, else a file name looked up in the font directories."""
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    return _font_index().get(name.lower())


def chain(role: str) -> tuple[str, ...]:
    """Present font paths for a role, best first; never empty (Pillow's default face closes it)."""
    return _chain(role, FONT_CHOICES.get(role, FONT_CHOICES["display"]), FALLBACK)


@functools.lru_cache(maxsize=64)  # keyed on the choices themselves, so a changed FONT_CHOICES is seen
def _chain(role: str, wanted: tuple[str, ...], fallback: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for name in (*wanted, *fallback):
        path = find_font(name)
        if path is None:
            if name in wanted:
                _warn_once(f"font {name!r} for role {role!r} not found; falling back (install fonts-dejavu-core, "
                           "fonts-noto-core, fonts-farsiweb)")
        elif path not in found:
            found.append(path)
    if not found:
        _warn_once("no TrueType font found at all; using Pillow's default face (Latin only)")
    return (*found, DEFAULT_FONT)


def layout_engine() -> ImageFont.Layout:
    # raqm gives shaping and bidi (Persian); without it Latin still renders, Persian comes out unjoined.
    if features.check("raqm"):
        return ImageFont.Layout.RAQM
    _warn_once("libraqm/libfribidi unavailable: Persian text will not be shaped (Debian: libfribidi0)")
    return ImageFont.Layout.BASIC


@functools.lru_cache(maxsize=512)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    size = max(1, int(size))
    if path == DEFAULT_FONT:
        return ImageFont.load_default(size)  # type: ignore[return-value]
    try:
        return ImageFont.truetype(path, size, layout_engine=layout_engine())
    except OSError:
        _warn_once(f"font {path!r} could not be loaded; using Pillow's default face")
        return ImageFont.load_default(size)  # type: ignore[return-value]


@functools.cache
def _notdef(path: str) -> tuple[tuple[int, int], bytes]:
    mask = font(path, 48).getmask(_NOTDEF_PROBE)
    return mask.size, bytes(mask)


def _invisible(ch: str) -> bool:
    # Spaces and format characters (ZWNJ is everywhere in Persian) legitimately draw nothing.
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Mn")


@functools.lru_cache(maxsize=8192)
def covers_char(path: str, ch: str) -> bool:
    """True when the font has a real glyph for `ch` (its rendering differs from the .notdef glyph)."""
    if _invisible(ch):
        return True
    if path == DEFAULT_FONT:
        return ch.isascii()
    mask = font(path, 48).getmask(ch)
    return (mask.size, bytes(mask)) != _notdef(path)


def covers(path: str, text: str) -> bool:
    return all(covers_char(path, ch) for ch in text)


def is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def has_rtl(text: str) -> bool:
    return any(is_rtl_char(ch) for ch in text)


def font_for_word(word: str, roles: Iterable[str]) -> str:
    """The first font (over the roles' chains, in order) covering every character of `word`."""
    paths = [p for role in roles for p in chain(role)]
    for path in paths:
        if covers(path, word):
            return path
    # No single face covers it (e.g. an emoji): take the best-covering one; `visible_text` drops the rest.
    return max(paths, key=lambda p: sum(covers_char(p, ch) for ch in word))


def drop_uncovered(text: str, roles: Iterable[str]) -> str:
    """Remove characters no available font can draw, so a title never shows tofu boxes."""
    paths = _paths(roles)
    kept: list[str] = []
    base_kept = True
    for ch in text:
        if unicodedata.category(ch).startswith("M"):  # a combining mark goes with its letter: alone it is a
            if base_kept:                               # dotted circle (a Devanagari vowel sign)
                kept.append(ch)
            continue
        base_kept = _drawn(ch, paths)
        if base_kept:
            kept.append(ch)
    if len(kept) != len(text):
        _warn_once("title characters without any font glyph were dropped (e.g. emoji)")
    return "".join(kept)


def undrawable(text: str, roles: Iterable[str] = ("fa_display", "display")) -> str:
    """The characters of `text` that no font of these roles draws (emoji, CJK, …), each once, in order: what
    `drop_uncovered` leaves out of a title, for telling its creator."""
    paths = _paths(roles)
    return "".join(dict.fromkeys(ch for ch in text if not _drawn(ch, paths)))


def _paths(roles: Iterable[str]) -> list[str]:
    return [p for role in roles for p in chain(role)]


def _drawn(ch: str, paths: list[str]) -> bool:
    return any(covers_char(p, ch) for p in paths)


def text_support_problems() -> list[str]:
    """Empty when Persian shaping and the fonts are usable; otherwise what to install."""
    problems: list[str] = []
    if not features.check("raqm"):
        problems.append("Pillow cannot shape Persian/Arabic text: libraqm is missing (Debian: libfribidi0; "
                        "Pillow wheels bundle raqm but load libfribidi from the system)")
    elif not features.check("fribidi"):
        problems.append("Persian bidi ordering needs libfribidi (Debian: libfribidi0)")
    if find_font("DejaVuSans-Bold.ttf") is None and find_font("NotoSans-Bold.ttf") is None:
        problems.append("no bold Latin display font found (Debian: fonts-dejavu-core or fonts-noto-core)")
    fa_fonts = [p for p in chain("fa_display") if p != DEFAULT_FONT]
    if not any(covers(p, "گچپژی") for p in fa_fonts):
        problems.append("no font covering Persian letters found (Debian: fonts-farsiweb or fonts-noto-core)")
    return problems
