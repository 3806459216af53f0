"""Keyword analysis of a request, in English and Persian.

Extracts category, style, mood, colours, elements, a badge and the title. An LLM analyzer can replace
it later behind the `Analyzer` protocol.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Protocol

from core.domain import Analysis
from core.text import is_blank

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "gaming": ("game", "gaming", "gamer", "minecraft", "fortnite", "valorant", "gta", "boss", "speedrun", "won",
               "win", "victory", "level", "stream", "بازی", "گیم", "گیمینگ", "مینکرفت", "بردم", "برد", "استریم"),
    "tech": ("tech", "iphone", "android", "review", "unboxing", "laptop", "ai", "code", "coding", "programming",
             "python", "gadget", "phone", "pc", "setup", "فناوری", "تکنولوژی", "آیفون", "گوشی", "لپ‌تاپ", "برنامه‌نویسی",
             "بررسی", "آنباکس", "هوش"),
    "education": ("learn", "lesson", "tutorial", "how to", "guide", "course", "explained", "math", "science",
                  "history", "tips", "steps", "آموزش", "یادگیری", "درس", "ریاضی", "علم", "راهنما", "نکته", "ترفند"),
    "business": ("business", "money", "invest", "investing", "startup", "marketing", "sales", "crypto", "finance",
                 "income", "profit", "stock", "کسب", "کار", "پول", "سرمایه", "بازاریابی", "درآمد", "بورس", "ارز"),
    "lifestyle": ("vlog", "travel", "food", "recipe", "cooking", "fitness", "workout", "morning", "routine",
                  "fashion", "beauty", "home", "ولاگ", "سفر", "غذا", "آشپزی", "ورزش", "تناسب", "روتین", "مد", "زیبایی"),
    "entertainment": ("movie", "film", "music", "reaction", "funny", "prank", "challenge", "celebrity", "trailer",
                      "show", "comedy", "فیلم", "موسیقی", "آهنگ", "واکنش", "خنده", "چالش", "سریال", "کمدی"),
}
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "minimal": ("minimal", "minimalist", "clean", "simple", "مینیمال", "ساده", "تمیز"),
    "cinematic": ("cinematic", "epic", "movie-like", "dark", "سینمایی", "حماسی"),
    "playful": ("playful", "cartoon", "cute", "colorful", "colourful", "fun", "کارتونی", "بامزه", "رنگارنگ"),
    "retro": ("retro", "vintage", "80s", "90s", "synthwave", "رترو", "قدیمی", "نوستالژی"),
    "elegant": ("elegant", "luxury", "premium", "classy", "لوکس", "شیک"),
    "bold": ("bold", "loud", "big", "shocking", "crazy", "insane", "جسورانه", "بزرگ", "دیوانه", "باورنکردنی"),
}
MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "energetic": ("energetic", "hype", "exciting", "fast", "intense", "won", "win", "پرانرژی", "هیجان", "هیجان‌انگیز"),
    "dramatic": ("dramatic", "shocking", "scary", "horror", "mystery", "secret", "truth", "dark", "ترسناک", "راز",
                 "حقیقت", "دراماتیک", "تاریک"),
    "calm": ("calm", "relaxing", "peaceful", "chill", "cozy", "soft", "آرام", "آرامش", "دنج"),
    "fun": ("funny", "fun", "happy", "joy", "lol", "prank", "خنده", "شاد", "خوشحال", "بامزه"),
    "serious": ("serious", "professional", "explained", "analysis", "news", "جدی", "تحلیل", "خبر", "حرفه‌ای"),
}
COLORS: dict[str, str] = {
    "red": "#e11d48", "قرمز": "#e11d48", "orange": "#f97316", "نارنجی": "#f97316", "yellow": "#facc15",
    "زرد": "#facc15", "gold": "#eab308", "طلایی": "#eab308", "green": "#16a34a", "سبز": "#16a34a",
    "blue": "#2563eb", "آبی": "#2563eb", "purple": "#9333ea", "بنفش": "#9333ea", "pink": "#ec4899",
    "صورتی": "#ec4899", "black": "#0a0a0a", "مشکی": "#0a0a0a", "سیاه": "#0a0a0a", "white": "#f8fafc",
    "سفید": "#f8fafc", "teal": "#0d9488", "فیروزه‌ای": "#0d9488", "cyan": "#06b6d4", "neon": "#22d3ee",
    "نئون": "#22d3ee",
}
ELEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "versus": (" vs ", " vs. ", "versus", " or ", "compare", "comparison", "مقایسه", " یا ", "در برابر"),
    "list": ("top", "tips", "steps", "ways", "reasons", "list", "نکته", "دلیل", "روش", "مرحله", "برتر"),
    "face": ("face", "reaction", "me ", "selfie", "چهره", "صورت", "واکنش"),
    "product": ("review", "unboxing", "product", "بررسی", "آنباکس", "محصول"),
    "number": ("#", "top", "برتر"),
}
FILLER_WORDS = {
    "a", "an", "the", "for", "my", "about", "of", "on", "in", "with", "and", "video", "thumbnail", "thumb", "make",
    "create", "design", "please", "youtube", "channel", "style", "mood", "me", "i", "want", "need", "to", "it", "is",
    "some", "that", "this", "color", "colour", "background", "برای", "یک", "درباره", "ویدیو", "ویدئو", "تامبنیل",
    "بساز", "بسازید", "لطفا", "لطفاً", "با", "و", "از", "به", "را", "در", "من", "کانال", "یوتیوب", "رنگ", "سبک",
}
QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|\'([^\']{2,})\'')
TOP_NUMBER = re.compile(
    r"(?:top|best|برتر(?:ین)?)\s*(\d{1,3})|(\d{1,3})\s*(?:tips|ways|steps|reasons|things|نکته|روش|دلیل)|#(\d{1,3})",
    re.I,
)
PERSIAN_CHARS = re.compile(r"[\u0600-\u06FF]")
MAX_TITLE_WORDS = 5


class Analyzer(Protocol):
    def analyze(self, text: str, language_hint: str = "en") -> Analysis: ...


def _score(text: str, table: dict[str, tuple[str, ...]], default: str) -> str:
    padded = f" {text} "
    best, best_hits = default, 0
    for name, words in table.items():
        hits = sum(1 for word in words if _contains(padded, word))
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _contains(padded: str, word: str) -> bool:
    return _matcher(word)(padded)


@functools.cache
def _matcher(word: str) -> Callable[[str], bool]:
    """Compiled once per keyword: every request tests a few hundred of them."""
    if word.startswith(" ") or word == "#" or PERSIAN_CHARS.search(word):
        # Persian attaches suffixes; substring matching is the useful rule there.
        return lambda padded: word in padded
    search = re.compile(rf"\b{re.escape(word)}\b").search
    return lambda padded: search(padded) is not None


def quoted_title(text: str) -> str | None:
    match = QUOTED.search(text)
    title = next(group for group in match.groups() if group).strip() if match else None
    return None if title is None or is_blank(title) else title  # "\u200c" in quotes names no title


def derive_title(text: str, language: str) -> str:
    """A short punchy title from the request when none was quoted."""
    words = [word for word in (word.strip(".,!?:;()[]") for word in text.split()) if not is_blank(word)]  # ". ."
    keep = [w for w in words if w.lower() not in FILLER_WORDS and w.lower() not in COLORS and not _is_style(w)]
    title = " ".join(keep[:MAX_TITLE_WORDS]) or " ".join(words[:MAX_TITLE_WORDS]) or "WATCH THIS"
    return title if language == "fa" else title.upper()


def _is_style(word: str) -> bool:
    return any(word.lower() in words for words in (*STYLE_WORDS.values(), *MOOD_WORDS.values()))


def _badge(text: str, elements: tuple[str, ...]) -> str | None:
    match = TOP_NUMBER.search(text)
    if match:
        number = next(group for group in match.groups() if group)
        return f"#{number}" if match.group(3) else number
    if re.search(r"\bnew\b|جدید", text, re.I):
        return "NEW" if not PERSIAN_CHARS.search(text) else "جدید"
    return None


def _highlight(title: str) -> str | None:
    words = [word for word in title.split() if len(word.strip("!?.,")) >= 3]
    return max(words, key=len).strip("!?.,") if words else None


class KeywordAnalyzer:
    def analyze(self, text: str, language_hint: str = "en") -> Analysis:
        lowered = text.lower()
        language = "fa" if PERSIAN_CHARS.search(text) else "en"  # the text's script, not the UI language
        padded = f" {lowered} "
        elements = tuple(name for name, words in ELEMENT_WORDS.items() if any(_contains(padded, w) for w in words))
        title = quoted_title(text) or derive_title(_without_quotes(text), language)
        return Analysis(
            category=_score(lowered, CATEGORY_WORDS, "other"),
            style=_score(lowered, STYLE_WORDS, "bold"),
            mood=_score(lowered, MOOD_WORDS, "energetic"),
            colors=find_colors(lowered),
            title=title,
            elements=elements,
            badge=_badge(text, elements),
            highlight=_highlight(title),
            language="fa" if PERSIAN_CHARS.search(title) else "en",
        )


def find_colors(lowered: str) -> tuple[str, ...]:
    found = [(lowered.find(word), hex_) for word, hex_ in COLORS.items() if _contains(f" {lowered} ", word)]
    ordered: list[str] = []
    for _, hex_ in sorted(found):
        if hex_ not in ordered:
            ordered.append(hex_)
    return tuple(ordered)


def _without_quotes(text: str) -> str:
    return QUOTED.sub(" ", text)
