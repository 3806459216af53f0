"""The local word list: always on, before any paid call (a provider's moderation check comes after it).

Matching is on whole words (and whole phrases), case- and form-insensitive, in English and Persian, so "skill"
never matches "kill". The operator extends the list with MODERATION_BLOCKED_WORDS.
"""

from __future__ import annotations

import re
import unicodedata

from core.text import clean_text

# Deliberately short: content no thumbnail service should draw. Broader judgement is the provider's check.
DEFAULT_BLOCKED = (
    "child porn", "cp porn", "underage nude", "nude child", "naked child", "loli hentai", "beheading", "gore porn",
    "snuff", "rape porn", "bestiality", "isis propaganda", "nazi propaganda",
    "پورن کودک", "کودک برهنه", "سر بریدن", "تجاوز جنسی",
)
_WORD = re.compile(r"\w+", re.UNICODE)


ARABIC_FORMS = str.maketrans({"\u0643": "\u06a9", "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0640": None})


def _words(text: str) -> tuple[str, ...]:
    """Words to match: case and forms folded; Arabic kaf/yeh (Arabic keyboards) as Persian ones, no tatweel."""
    folded = unicodedata.normalize("NFKC", clean_text(text)).casefold().translate(ARABIC_FORMS)
    folded = folded.replace("\u200c", " ")  # ZWNJ splits Persian words
    return tuple(_WORD.findall(folded))


class LocalWordList:
    """A Moderator over a list of words and phrases."""

    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        self._phrases = tuple(phrase for phrase in (_words(item) for item in (*DEFAULT_BLOCKED, *extra)) if phrase)

    def match(self, text: str) -> str | None:
        words = _words(text)
        for phrase in self._phrases:
            size = len(phrase)
            if any(words[i:i + size] == phrase for i in range(len(words) - size + 1)):
                return " ".join(phrase)
        return None

    async def flagged(self, text: str, photo: bytes | None) -> str | None:
        return "blocked-word" if self.match(text) else None
