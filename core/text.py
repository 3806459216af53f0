"""User text made safe to read, store and draw.

Platforms deliver whatever a client sends: zero-width spaces, bidi overrides (U+202E turns "gnp.exe" around),
isolates, tag characters, lone surrogates, Hangul fillers that render as nothing. Left in, a message of only
such characters looks non-empty and becomes a thumbnail titled with nothing visible. `clean_text` removes them
before any check of emptiness or length; the renderer applies it to titles too.
"""

from __future__ import annotations

import unicodedata

# Joiners shape Persian words ("می‌روم") and emoji sequences: kept, but only between two visible characters.
JOINERS = frozenset({"\u200c", "\u200d"})
# Variation selectors and the grapheme joiner modify the character before them; alone they draw nothing.
MODIFIERS = frozenset({"\u034f", *map(chr, range(0xFE00, 0xFE10)), *map(chr, range(0xE0100, 0xE01F0))})
# Letters and symbols that draw nothing although Unicode does not call them format characters.
BLANK_GLYPHS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e", "\u17b4", "\u17b5"})
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn"})  # control, format, surrogate, unassigned
LINE_BREAKS = frozenset({"\n", "\r", "\u2028", "\u2029", "\x85"})
MARKS = frozenset({"Mn", "Me"})  # accents and enclosing marks: drawn on the character before them, else nothing


def clean_text(text: str) -> str:
    """Text without control, format or invisible characters; spaces normalised, newlines kept."""
    kept: list[str] = []
    for index, char in enumerate(text):
        if char in LINE_BREAKS:
            if not (char == "\n" and index and text[index - 1] == "\r"):  # CRLF is one break
                kept.append("\n")
            continue
        if char in JOINERS:
            if _visible(kept[-1:]) and index + 1 < len(text) and _is_visible(text[index + 1]):
                kept.append(char)
            continue
        if char in MODIFIERS or unicodedata.category(char) in MARKS:
            if _visible(kept[-1:]) or (kept[-1:] and _is_mark(kept[-1])):
                kept.append(char)  # on a visible character (or after another mark on one)
            continue
        category = unicodedata.category(char)
        if category == "Zs" or char == "\t":
            kept.append(" ")
        elif category not in DROPPED_CATEGORIES and char not in BLANK_GLYPHS:
            kept.append(char)
    return "".join(kept)


def is_blank(text: str) -> bool:
    """True when nothing visible is left."""
    return not clean_text(text).strip()


def _is_mark(char: str) -> bool:
    return char in MODIFIERS or unicodedata.category(char) in MARKS


def _visible(last: list[str]) -> bool:
    return bool(last) and _is_visible(last[0])


def _is_visible(char: str) -> bool:
    return not (char.isspace() or char in JOINERS or _is_mark(char) or char in BLANK_GLYPHS
                or unicodedata.category(char) in DROPPED_CATEGORIES | {"Zs"})


def latin_digits(text: str) -> str:
    """Digits of any script as 0-9: a Persian keyboard types "۱۲۳" (and Arabic ones "١٢٣") for 123."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)
