"""Rule-based refinement: a follow-up in the same chat edits the previous request instead of starting over.

An LLM refiner can replace it later behind the `Refiner` protocol.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from core.analysis import COLORS, PERSIAN_CHARS, find_colors, quoted_title
from core.domain import Analysis
from core.text import is_blank

STYLE_CHANGES: dict[str, tuple[str, ...]] = {
    "minimal": ("minimal", "cleaner", "simpler", "less busy", "مینیمال", "ساده‌تر", "ساده تر", "خلوت‌تر"),
    "cinematic": ("cinematic", "darker", "moodier", "سینمایی", "تاریک‌تر", "تاریکتر"),
    "playful": ("playful", "brighter", "more colorful", "more colourful", "cuter", "بامزه‌تر", "شادتر", "روشن‌تر",
                "رنگارنگ‌تر"),
    "retro": ("retro", "vintage", "رترو", "قدیمی‌تر"),
    "elegant": ("elegant", "classier", "luxurious", "شیک‌تر", "لوکس‌تر"),
    "bold": ("bold", "bigger", "louder", "punchier", "جسورانه", "بزرگ‌تر", "پررنگ‌تر"),
}
MOOD_CHANGES: dict[str, tuple[str, ...]] = {
    "dramatic": ("dramatic", "scarier", "darker", "intense", "دراماتیک", "ترسناک‌تر", "تاریک‌تر"),
    "energetic": ("energetic", "hype", "exciting", "پرانرژی", "هیجان‌انگیزتر", "پرهیجان‌تر"),
    "calm": ("calm", "calmer", "softer", "relaxed", "آرام‌تر", "آرامتر", "ملایم‌تر"),
    "fun": ("fun", "funnier", "happier", "brighter", "شادتر", "خنده‌دارتر", "بامزه‌تر"),
    "serious": ("serious", "professional", "جدی‌تر", "حرفه‌ای‌تر"),
}
TITLE_CHANGE = re.compile(
    r"(?:change|set|make|rename)\s+(?:the\s+)?title\s+(?:to|as|:)?\s*(.+)|^title\s*[:=]\s*(.+)|"
    r"عنوان\s*(?:را|رو)?\s*(?:به|:)?\s*(.+?)\s*(?:تغییر\s*(?:بده|بدید|بدهید)|کن|بذار|بگذار)?$",
    re.I,
)
REFINEMENT_START = re.compile(
    r"^\s*(make|change|more|less|use|add|remove|no|try|now|but|bigger|smaller|darker|brighter|set|title|rename|"
    r"put|without|with a|switch|turn)\b",
    re.I,
)
PERSIAN_REFINEMENT = re.compile(r"(کن|بکن|بده|بذار|بگذار|تر|عنوان|رنگ|بدون)(\s|$|[.!؟])")
BADGE_ADD = re.compile(
    r"add (?:a |an |the )?(?:badge\s+)?[\"'«]?([#\w]{1,8})[\"'»]?\s*badge|add (?:a |the )?badge\s+[\"'«]?([#\w]{1,8})",
    re.I,
)
BADGE_REMOVE = re.compile(r"(?:remove|no|without)\s+(?:the\s+)?badge|بدون\s+(?:نشان|برچسب)", re.I)
MAX_REFINEMENT_WORDS = 14


class Refiner(Protocol):
    def refine(self, previous: Analysis, text: str) -> Analysis | None: ...


def looks_like_refinement(text: str) -> bool:
    if len(text.split()) > MAX_REFINEMENT_WORDS:
        return False
    if PERSIAN_CHARS.search(text):
        return PERSIAN_REFINEMENT.search(text) is not None
    return REFINEMENT_START.search(text) is not None


def _first_match(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    lowered = text.lower()
    for name, words in table.items():
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in words):
            return name
    return None


def _new_title(text: str) -> str | None:
    match = TITLE_CHANGE.search(text.strip())
    if not match:
        return None
    raw = next(group for group in match.groups() if group).strip()
    title = quoted_title(raw) or raw.strip("\"'«»“” .")
    return None if is_blank(title) else title


class RuleRefiner:
    """Applies every change it recognizes; returns None when the text is not a refinement."""

    def refine(self, previous: Analysis, text: str) -> Analysis | None:
        if not looks_like_refinement(text):
            return None
        changes: dict[str, object] = {}
        title = _new_title(text)
        if title:
            changes.update(title=title, highlight=None, language="fa" if PERSIAN_CHARS.search(title) else "en")
        colors = find_colors(text.lower()) if not title else ()
        if colors:
            changes["colors"] = colors + tuple(c for c in previous.colors if c not in colors)
        if style := _first_match(text, STYLE_CHANGES):
            changes["style"] = style
        if mood := _first_match(text, MOOD_CHANGES):
            changes["mood"] = mood
        changes.update(_badge_change(text))
        return replace(previous, **changes) if changes else None  # type: ignore[arg-type]


def _badge_change(text: str) -> dict[str, object]:
    if BADGE_REMOVE.search(text):
        return {"badge": None}
    match = BADGE_ADD.search(text)
    return {"badge": next(g for g in match.groups() if g).upper()} if match else {}


__all__ = ["COLORS", "Refiner", "RuleRefiner", "looks_like_refinement"]
