"""Chat lines through the core's pure functions: a line is cleaned (`clean_text`, `is_blank`: invisible characters
go, visible ones stay untouched), read as a command (`commands.parse`: never raises, names only well-formed
commands), else analysed as a request (`KeywordAnalyzer`) or a follow-up (`RuleRefiner`): any text gives a
well-formed Analysis whose language follows its title's script. Run by test_core.py."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Collection
from typing import NamedTuple

from core.analysis import CATEGORY_WORDS, COLORS, ELEMENT_WORDS, MOOD_WORDS, STYLE_WORDS, KeywordAnalyzer
from core.commands import parse
from core.conversation import MOOD_CHANGES, STYLE_CHANGES, RuleRefiner
from core.domain import Analysis
from core.text import clean_text, is_blank
from tests.fuzz.common import BLANK, INVISIBLE, JOINERS, LATIN_WORDS, PERSIAN, PERSIAN_WORDS, PUNCTUATION, Choices

DROPPED = frozenset({"Cc", "Cf", "Cs", "Cn"})
MARKS = frozenset({"Mn", "Me"})  # drawn on the character before them: alone, they are rightly dropped
# Letters that must come through as they are: ASCII and the Arabic block Persian is written in (its few format
# and unassigned code points excluded: U+0600-U+0605 and U+061C are Cf, for example).
VISIBLE = (*string.ascii_letters,
           *(c for c in map(chr, range(0x600, 0x700)) if unicodedata.category(c) not in DROPPED | MARKS))
VISIBLE_SET = frozenset(VISIBLE)
COMMAND_NAME = re.compile(r"[a-z_]+")
STARTS = ("", "/", "/", " /", "\n/", "\u200b/", "//", "\\")
NAMES = ("help", "GRANT", "thumb", "lang", "set_tier", "x", "_", "help2", "hélp", "help-me", "")
SUFFIXES = ("", "", "@RoutixBot", "@routix_test_bot", "@", "@x y", "@бот", "@@a")
GAPS = ("", " ", " ", "  ", "\t", "\n", "\u00a0", "\u200b", "\u3000", "\r\n")
HEX_COLOR = re.compile(r"#[0-9a-f]{6}")
LATIN = (*(w for w in LATIN_WORDS if w.isascii()), *(p for p in PUNCTUATION if p.isascii()), "how to", "cinematic")
PERSIAN_ONLY = (*PERSIAN_WORDS, " ", " ", "،", "؟", "!", "«", "»", ".", "\u200c")
QUOTES = (("«", "»"), ('"', '"'), ("“", "”"), ("'", "'"))
QUOTED = (*JOINERS, " ", ".", "\u200b", "x", "GG", "بردم")
# Follow-ups the refiner recognises, so that most examples reach the code past `looks_like_refinement`.
FOLLOW_UPS = ("make it ", "change the title to ", "title: ", "rename title as ", "more ", "add a ", "remove the ",
              "عنوان را به ", "عنوان ", "رنگش را ", "بدون نشان ", "", "")
analyze, refine = KeywordAnalyzer().analyze, RuleRefiner().refine


def visible(char: str) -> bool:
    return not char.isspace() and char not in JOINERS and unicodedata.category(char) not in DROPPED | {"Zs"}


def assert_clean(text: str) -> None:
    for index, char in enumerate(text):
        if char in JOINERS:  # only inside a word: between two visible characters
            assert 0 < index < len(text) - 1 and visible(text[index - 1]) and visible(text[index + 1]), index
        else:
            assert char == "\n" or unicodedata.category(char) not in DROPPED, (index, hex(ord(char)))
        assert not char.isspace() or char in " \n", (index, hex(ord(char)))  # spaces and line breaks normalised


def command_line(choices: Choices) -> str:
    """Often a real "/name@bot args" line, sometimes one broken at the start, the name, the suffix or the gap."""
    head = choices.pick(STARTS) + choices.pick(NAMES) + choices.pick(SUFFIXES)
    return head + choices.pick(GAPS) + choices.text(8)


def assert_parsed(text: str) -> None:
    result = parse(text)
    if not text.strip().startswith("/"):
        assert result is None
    if result is not None:
        name, args = result
        assert COMMAND_NAME.fullmatch(name), name
        assert all(arg and not arg.isspace() for arg in args), args


def request(choices: Choices) -> str:
    """A request in Latin script only, in Persian script only, with a quoted title, or of anything."""
    kind = choices.below(4)
    if kind == 2:  # the quotes hold the title; joiners are the invisible characters cleaning keeps
        opening, closing = choices.pick(QUOTES)
        return choices.text(4, LATIN) + opening + choices.text(3, QUOTED) + closing + choices.text(4, PERSIAN_ONLY)
    tokens = {0: LATIN, 1: PERSIAN_ONLY}.get(kind)
    return choices.text(14, tokens) if tokens else choices.text(14)


def assert_well_formed(analysis: Analysis, styles: Collection[str] = STYLE_WORDS.keys(),
                       moods: Collection[str] = MOOD_WORDS.keys()) -> None:
    assert analysis.category in (*CATEGORY_WORDS, "other"), analysis.category
    assert analysis.style in styles and analysis.mood in moods, (analysis.style, analysis.mood)
    assert all(HEX_COLOR.fullmatch(c) and c in COLORS.values() for c in analysis.colors), analysis.colors
    assert len(set(analysis.colors)) == len(analysis.colors)
    assert set(analysis.elements) <= set(ELEMENT_WORDS)
    assert isinstance(analysis.title, str) and analysis.title
    assert analysis.language == ("fa" if PERSIAN.search(analysis.title) else "en")
    assert analysis.badge is None or (isinstance(analysis.badge, str) and analysis.badge)


def check_cleaning(anything: str, blank: str, letters: list[str], mixed: str) -> None:
    cleaned = clean_text(anything)
    assert clean_text(cleaned) == cleaned
    assert_clean(cleaned)
    assert is_blank(anything) == (not cleaned.strip())
    assert is_blank(blank) and not clean_text(blank).strip()
    assert [c for c in clean_text(mixed) if c in VISIBLE_SET] == letters
    assert clean_text(" ".join(letters)) == " ".join(letters)
    assert is_blank(mixed) == (not letters)


def check_analysis(text: str, hint: str, follow_up: str) -> None:
    first = analyze(text, hint)
    assert_well_formed(first)
    if not PERSIAN.search(text):
        assert first.language == "en"
    if text == clean_text(text):  # what the service hands over: the title then shows something
        assert not is_blank(first.title)
    refined = refine(first, follow_up)
    assert refined is None or isinstance(refined, Analysis)
    if refined is not None:
        assert_well_formed(refined, (*STYLE_CHANGES, first.style), (*MOOD_CHANGES, first.mood))
        assert refined.title == first.title or follow_up != clean_text(follow_up) or not is_blank(refined.title)


class Lines(NamedTuple):
    anything: str
    blank: str  # only spaces, controls and format characters
    letters: list[str]  # visible letters ...
    mixed: str  # ... with invisible characters between them
    command: str
    request: str
    hint: str
    follow_up: str


def draw(choices: Choices) -> Lines:
    anything = choices.text(16)
    blank = "".join(choices.pick(BLANK) for _ in range(choices.below(12)))
    letters = [choices.pick(VISIBLE) for _ in range(choices.below(10))]
    mixed = "".join(letter + (choices.pick(INVISIBLE) if choices.chance(50) else "") for letter in letters)
    command = command_line(choices)
    text, hint = request(choices), choices.pick(("en", "fa", "de", ""))
    return Lines(anything, blank, letters, mixed, command, text, hint, choices.pick(FOLLOW_UPS) + request(choices))


def check(lines: Lines) -> None:
    check_cleaning(lines.anything, lines.blank, lines.letters, lines.mixed)
    for candidate in (lines.command, clean_text(lines.command), lines.anything):
        assert_parsed(candidate)
    check_analysis(lines.request, lines.hint, lines.follow_up)
