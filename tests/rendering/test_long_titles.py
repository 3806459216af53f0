"""However long a title is, it is fitted with at most MAX_WORDS words: every split of the words into lines is tried
for each word dropped, so an 800-character title kept a render worker busy for 18 seconds."""

from __future__ import annotations

from core.rendering.typography import MAX_WORDS, TitleStyle, fit_title

STYLE = TitleStyle(roles=("display",), fill=(0, 0, 0), max_lines=3, min_size=30)
BOX = (0, 0, 1100, 330)


def shown(title: str) -> list[str]:
    return [word.text for line in fit_title(title, BOX, STYLE).lines for word in line]


def test_a_title_of_more_words_than_a_thumbnail_shows_is_cut_and_marked() -> None:
    words = shown("A " * 60)  # sixty would fit three lines, but no one reads them on a thumbnail
    assert len(words) <= MAX_WORDS and words[-1] == "…" and set(words[:-1]) == {"A"}

