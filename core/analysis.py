"""Keyword analysis of a request, in English and Persian.

Extracts category, style, mood, colours, elements, a badge and the title. An LLM analyzer can replace
it later behind the `Analyzer` protocol.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from core.domain import Analysis
from core.messages import MAX_TITLE_CHARS
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
# "versus" and "number" are not read from words: `comparison` and `list_count` decide them (the layout follows).
ELEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "versus": (),
    "list": ("top", "tips", "steps", "ways", "reasons", "list", "نکته", "دلیل", "روش", "مرحله", "برتر"),
    "face": ("face", "reaction", "me ", "selfie", "چهره", "صورت", "واکنش"),
    "product": ("review", "unboxing", "product", "بررسی", "آنباکس", "محصول"),
    "number": (),
}
FILLER_WORDS = {
    "a", "an", "the", "for", "my", "about", "of", "on", "in", "with", "and", "video", "thumbnail", "thumb", "make",
    "create", "design", "please", "youtube", "channel", "style", "mood", "me", "i", "want", "need", "to", "it", "is",
    "some", "that", "this", "color", "colour", "background", "برای", "یک", "درباره", "ویدیو", "ویدئو", "تامبنیل",
    "بساز", "بسازید", "لطفا", "لطفاً", "با", "و", "از", "به", "را", "در", "من", "کانال", "یوتیوب", "رنگ", "سبک",
}
QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|(?<!\w)\'([^\']{2,})\'(?!\w)')  # an apostrophe (don't) is no quote
RANK = re.compile(r"#(\d{1,3})\b")
PERSIAN_CHARS = re.compile(r"[\u0600-\u06FF]")
MAX_TITLE_WORDS = 5


class Analyzer(Protocol):
    def analyze(self, text: str, language_hint: str = "en") -> Analysis: ...


class _Words:
    """A request's lowered text, read once for its keyword tests: a keyword of word characters only is one set
    lookup among the text's words (what `\\bword\\b` finds), not a regular-expression search (a few hundred a
    request)."""

    __slots__ = ("padded", "words")

    def __init__(self, lowered: str) -> None:
        self.padded = f" {lowered} "
        self.words = frozenset(_WORD.findall(lowered))


_WORD = re.compile(r"\w+")


def _score(text: _Words, table: dict[str, tuple[str, ...]], default: str) -> str:
    best, best_hits = default, 0
    for name, words in table.items():
        hits = sum(1 for word in words if _contains(text, word))
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _contains(text: _Words, word: str) -> bool:
    return _matcher(word)(text)


@functools.cache
def _matcher(word: str) -> Callable[[_Words], bool]:
    """Decided once per keyword: every request tests a few hundred of them."""
    if word.startswith(" ") or word == "#" or PERSIAN_CHARS.search(word):
        # Persian attaches suffixes; substring matching is the useful rule there.
        return lambda text: word in text.padded
    if _WORD.fullmatch(word):
        return lambda text: word in text.words
    search = re.compile(rf"\b{re.escape(word)}\b").search
    return lambda text: search(text.padded) is not None


def quoted_title(text: str) -> str | None:
    match = QUOTED.search(text)
    title = next(group for group in match.groups() if group).strip() if match else None
    return None if title is None or is_blank(title) else title  # "\u200c" in quotes names no title


def derive_title(text: str, language: str) -> str:
    """A short punchy title from the request when none was quoted."""
    words = [word for word in (word.strip(".,!?:;()[]") for word in text.split()) if not is_blank(word)]  # ". ."
    keep = [word for index, word in enumerate(words) if _belongs_in_title(words, index)]
    title = " ".join(keep[:MAX_TITLE_WORDS]) or " ".join(words[:MAX_TITLE_WORDS]) or "WATCH THIS"
    return _clipped(title if language == "fa" else title.upper())


def _clipped(title: str) -> str:
    """A derived title within MAX_TITLE_CHARS (five long words, or a script written without spaces, can pass it):
    cut at a word where there is one, the cut marked. Only a title the person gave is refused for its length."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    head = title[:MAX_TITLE_CHARS - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip() + "…"


def _belongs_in_title(words: list[str], index: int) -> bool:
    """Not filler, a colour or a look; a filler side of a comparison stays ("ME VS BOSS")."""
    word = words[index].lower()
    if word in COLORS or _is_style(word):
        return False
    if word not in FILLER_WORDS:
        return True
    if word in ("the", "a", "an"):
        return False
    neighbours = words[max(0, index - 1):index] + words[index + 1:index + 2]
    return any(_SEPARATOR.match(n) for n in neighbours)


# Moods that describe the picture, not the topic: "horror", "mystery", "funny" are what the video is about.
LOOK_MOODS = frozenset({"energetic", "dramatic", "calm", "relaxing", "peaceful", "chill", "cozy", "soft", "serious",
                        "professional", "intense", "hype", "پرانرژی", "دراماتیک", "آرام", "آرامش", "جدی",
                        "حرفه‌ای", "هیجان‌انگیز"})


def _is_style(word: str) -> bool:
    return word.lower() in LOOK_MOODS or any(word.lower() in words for words in STYLE_WORDS.values())


def _badge(text: str) -> str | None:
    """The list's count ("10"), a rank ("#1"), or NEW."""
    count = list_count(text)
    if count:
        return count
    rank = RANK.search(text)
    if rank:
        return f"#{rank.group(1)}"
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
        read = _Words(lowered)
        elements = tuple(name for name, words in ELEMENT_WORDS.items() if any(_contains(read, w) for w in words)
                         or (name == "versus" and comparison(text)) or (name == "number" and list_count(text)))
        title = quoted_title(text) or derive_title(_without_quotes(text), language)
        return Analysis(
            category=_score(read, CATEGORY_WORDS, "other"),
            style=_score(read, STYLE_WORDS, "bold"),
            mood=_score(read, MOOD_WORDS, "energetic"),
            colors=_colors(lowered, read),
            title=title,
            elements=elements,
            badge=_badge(text),
            highlight=_highlight(title),
            language="fa" if PERSIAN_CHARS.search(title) else "en",
        )


def find_colors(lowered: str) -> tuple[str, ...]:
    return _colors(lowered, _Words(lowered))


def _colors(lowered: str, text: _Words) -> tuple[str, ...]:
    """The colours named, in the order they are named."""
    found = [(lowered.find(word), hex_) for word, hex_ in COLORS.items() if _contains(text, word)]
    ordered: list[str] = []
    for _, hex_ in sorted(found):
        if hex_ not in ordered:
            ordered.append(hex_)
    return tuple(ordered)


def _without_quotes(text: str) -> str:
    return QUOTED.sub(" ", text)


# -- what the request compares and counts: the layout follows them (core/requests.py) ----------------------------


@dataclass(frozen=True)
class Comparison:
    """Two things set against each other, as typed ("cheap", "expensive"), and what both are ("sushi")."""

    first: str
    second: str
    subject: str = ""

    @property
    def over_time(self) -> bool:
        """Before and after: one thing at two moments, not two things."""
        return _BEFORE_AFTER.fullmatch(f"{self.first} {self.second}") is not None


_SEPARATOR = re.compile(
    r"^(?:vs\.?|versus|v/s|against|or|یا|مقابل|در برابر|در مقابل|در مقایسه با|compared to|compared with)$", re.I)
_LEAD = re.compile(r"^(?:compare|comparing|comparison|difference|differences|مقایسه|تفاوت|فرق)$", re.I)
_LEAD_JOINS = frozenset({"and", "with", "to", "&", "و", "با"})
_BEFORE_AFTER = re.compile(r"\b(before)\s*(?:and|&|/|vs\.?|or|to|->|→)?\s*(after)\b|(قبل)\s*(?:و|/)?\s*(بعد)", re.I)
# Words a side of a comparison stops at ("which is better", "review", "should I buy").
_SIDE_STOPS = (FILLER_WORDS - {"me", "my"}) | {
    "which", "who", "what", "is", "are", "better", "best", "review", "reviews", "comparison", "test", "battle",
    "showdown", "challenge", "in", "at", "for", "from", "than", "should", "buy", "choose", "between", "you", "we",
    "kind", "one", "its", "it's", "compare", "comparing", "of", "part", "honest",
    "کدام", "کدوم", "کدومش", "بهتره", "بهتر", "است", "هست", "بررسی", "مقایسه", "بین", "تفاوت", "فرق", "چالش",
    "بخرم", "بخریم", "خرید", "کدام‌یک", "کدوم‌یکی",
}
_NOT_A_SIDE = frozenset({"less", "more", "not", "so", "else", "something", "anything", "whatever", "never", "later",
                         "nothing", "no", "نه", "نیست", "خیر"})
_SIDE_WORDS = 3
# Sayings built on "or" that compare nothing ("a do or die challenge").
_IDIOMS = frozenset({"do or die", "trick or treat", "truth or dare", "all or nothing", "double or nothing",
                     "rain or shine", "make or break", "sink or swim", "hit or miss", "life or death", "dead or alive",
                     "now or never", "win or lose", "more or less", "sooner or later", "with or without"})
_PUNCTUATION = ".,!?:;()[]{}«»\"'“”؟،|"
_WHOLE_PUNCTUATION = re.compile(r"^\W+$")


@functools.lru_cache(maxsize=1024)  # asked several times per request (analysis, template, scene, sides)
def comparison(text: str) -> Comparison | None:
    """What the request compares: "pizza vs pasta", "cheap or expensive sushi", "before/after", "مقایسه A و B"."""
    before_after = _BEFORE_AFTER.search(text)
    if before_after:
        first, second = (group for group in before_after.groups() if group)
        return Comparison(first, second)
    tokens = text.split()
    for index, token in enumerate(tokens):
        found = _around_lead(tokens, index) if _LEAD.match(_bare(token)) else _around(tokens, index)
        if found is not None:
            return found
    return None


def _separator_length(tokens: list[str], index: int) -> int:
    """How many tokens from `index` form a separator ("vs", "در برابر", "compared to"), 0 for none."""
    for length in (3, 2, 1):
        phrase = " ".join(_bare(t) for t in tokens[index:index + length])
        if len(tokens[index:index + length]) == length and _SEPARATOR.match(phrase):
            return length
    return 0


def _around(tokens: list[str], index: int) -> Comparison | None:
    length = _separator_length(tokens, index)
    if not length or _ends_clause(tokens[index - 1] if index else ""):
        return None
    first = _side(reversed(tokens[:index]), backwards=True)
    second = _side(_without_article(tokens[index + length:]))
    if not first or not second or second[0].lower() in _NOT_A_SIDE:
        return None
    if " ".join((first[0], _bare(tokens[index]), second[0])).lower() in _IDIOMS:
        return None
    # Sides are parallel; the shared noun comes after them in English ("cheap vs expensive sushi"), so the first
    # side is no longer than the second ("I tested cheap vs ..."); in Persian it comes first ("سوشی ارزان یا گران").
    if PERSIAN_CHARS.search(" ".join(first + second)):
        second = second[:len(first)]
    else:
        first = first[:len(second)]
    return Comparison(" ".join(reversed(first)), " ".join(second))


def _around_lead(tokens: list[str], index: int) -> Comparison | None:
    """ "compare A and B", "difference between A and B", "مقایسه A و B"."""
    rest = tokens[index + 1:]
    join = next((i for i, t in enumerate(rest) if _bare(t).lower() in _LEAD_JOINS), None)
    if join is None:
        return None
    first = _side(reversed(rest[:join]), backwards=True)
    second = _side(rest[join + 1:])
    return Comparison(" ".join(reversed(first)), " ".join(second)) if first and second else None


def _side(tokens: Iterable[str], backwards: bool = False) -> list[str]:
    """Up to three words next to a separator, stopping at punctuation, filler and question words."""
    words: list[str] = []
    for token in tokens:
        word = _bare(token)
        if not word or word.lower() in _SIDE_STOPS or (backwards and words and _ends_clause(token)):
            break
        words.append(word)
        if len(words) == _SIDE_WORDS or (not backwards and _ends_clause(token)):
            break
    return words


def _without_article(tokens: list[str]) -> list[str]:
    """ "me vs the boss": the second side is "boss"."""
    return tokens[1:] if tokens and _bare(tokens[0]).lower() in ("the", "a", "an") else tokens


def _bare(token: str) -> str:
    return "" if _WHOLE_PUNCTUATION.match(token) else token.strip(_PUNCTUATION)


def _ends_clause(token: str) -> bool:
    return bool(token) and token[-1] in ",.!?:;|؟،"


def split_subject(compared: Comparison, names_a_thing: Callable[[str], bool]) -> Comparison:
    """ "cheap vs expensive sushi" -> cheap / expensive, both sushi; "$1 pizza vs $100 pizza" -> $1 / $100, pizza.

    The shared subject is what both sides end with, or the end of the second side when it names a thing
    (`names_a_thing`) or the first side is a bare quality or number; "me vs pro player" stays as typed. Persian
    puts the shared noun first ("سوشی ارزان یا گران"): the same rule, read from the other end.
    """
    persian = PERSIAN_CHARS.search(f"{compared.first} {compared.second}") is not None
    first, second = compared.first.split(), compared.second.split()
    if persian:  # mirrored: the subject leads the first side
        first, second = second[::-1], first[::-1]
    near, far, subject = _subject_split(first, second, names_a_thing)
    if not subject:
        return compared
    if persian:
        near, far, subject = far[::-1], near[::-1], subject[::-1]
    return Comparison(" ".join(near), " ".join(far), " ".join(subject))


def _subject_split(first: list[str], second: list[str],
                   names_a_thing: Callable[[str], bool]) -> tuple[list[str], list[str], list[str]]:
    """(first side, second side, subject) for the English word order: the subject ends the second side."""
    common = _common_end(first, second)
    if common and common < min(len(first), len(second)):
        return first[:-common], second[:-common], second[-common:]
    for cut in range(1, len(second)):  # the longest ending of the second side that names a thing
        if names_a_thing(" ".join(second[cut:])) or (cut == len(first) and is_quality(" ".join(first))):
            return first[-cut:], second[:cut], second[cut:]
    return first, second, []


def _common_end(first: list[str], second: list[str]) -> int:
    count = 0
    while count < min(len(first), len(second)) and first[-1 - count].lower() == second[-1 - count].lower():
        count += 1
    return count


QUALITY_WORDS = frozenset({
    "cheap", "expensive", "budget", "luxury", "premium", "flagship", "rich", "poor", "old", "new", "real", "fake",
    "small", "big", "homemade", "restaurant", "hot", "cold", "healthy", "junk", "good", "bad", "fast", "slow",
    "ارزان", "گران", "لوکس", "قدیمی", "جدید", "واقعی", "تقلبی", "کوچک", "بزرگ", "خانگی", "خوب", "بد", "سالم",
})


def is_quality(words: str) -> bool:
    """A bare quality or amount ("cheap", "old", "$100"): it says how a thing is, not what it is."""
    return words.lower() in QUALITY_WORDS or re.fullmatch(r"[$€£]?[\d۰-۹]+[kK]?", words) is not None


# -- a numbered list: "10 money mistakes", "top 5", "five ways", "۱۰ نکته" ---------------------------------------

_ENGLISH_NUMBERS = {word: n for n, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))} | {
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_PERSIAN_NUMBERS = {"دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "ده": 10, "یازده": 11,
                    "دوازده": 12, "پانزده": 15, "بیست": 20, "سی": 30, "پنجاه": 50, "صد": 100}
_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_RANKING = frozenset({"top", "best", "برترین", "بهترین"})
# A number right after these names a thing (a model, an episode, a day), it counts nothing.
_NAMES_A_NUMBER = frozenset({
    "part", "episode", "ep", "season", "chapter", "day", "level", "vol", "volume", "version", "v", "no", "number",
    "iphone", "galaxy", "pixel", "ps", "gta", "windows", "python", "ios", "android", "macos", "fifa", "round",
    "class", "grade", "week", "stage", "act", "phase", "gen", "generation", "series", "mark", "model",
    "قسمت", "فصل", "روز", "پارت", "نسخه", "سری", "سطح", "مرحله", "کلاس", "آیفون", "هفته", "جلسه", "شماره", "نسل",
})
# Quantities: "24 hours in Tokyo", "100 days", "$1000" are challenges and sums, not lists.
_UNITS = frozenset({
    "hour", "hours", "hr", "hrs", "day", "days", "minute", "minutes", "min", "mins", "second", "seconds", "sec", "secs",
    "week", "weeks", "month", "months", "year", "years", "yr", "yrs", "times", "dollars", "bucks", "euros",
    "pounds", "kg", "kilos", "lbs", "km", "miles", "percent", "%", "k", "subs", "subscribers", "followers", "views",
    "likes", "vs", "or", "and", "to", "in", "on",
    "ساعت", "روز", "دقیقه", "ثانیه", "هفته", "ماه", "سال", "تومان", "تومن", "دلار", "درصد", "بار", "کیلو", "هزار",
    "میلیون", "میلیارد", "یا", "و",
})
_LOOKAHEAD = 3


@functools.lru_cache(maxsize=1024)
def list_count(text: str) -> str | None:
    """The count of a numbered list the request asks for, as it should be shown ("10", "5", "۱۰"), or None."""
    tokens = [_bare(token) for token in text.split()]
    for index, token in enumerate(tokens):
        value, shown = _number(token)
        if value is None:
            continue
        before = tokens[index - 1].lower() if index else ""
        if before in _RANKING and 2 <= value <= 100:
            return shown
        if 2 <= value <= 50 and before not in _NAMES_A_NUMBER and _counts_things(tokens[index + 1:]):
            return shown
    return None


def _number(token: str) -> tuple[int | None, str]:
    """(value, how to show it) of a number token: digits (Persian too) or a number word."""
    lowered = token.lower()
    top = re.fullmatch(r"top([\d۰-۹]{1,3})", lowered)
    digits = (top.group(1) if top else token).translate(_PERSIAN_DIGITS)
    if digits.isascii() and digits.isdigit() and len(digits) <= 3:
        return int(digits), top.group(1) if top else token
    if lowered in _ENGLISH_NUMBERS:
        return _ENGLISH_NUMBERS[lowered], str(_ENGLISH_NUMBERS[lowered])
    if token in _PERSIAN_NUMBERS:
        return _PERSIAN_NUMBERS[token], str(_PERSIAN_NUMBERS[token]).translate(_TO_PERSIAN_DIGITS)
    return None, token


def _counts_things(following: list[str]) -> bool:
    """Whether the words after a number are what it counts: a plural noun soon ("5 hidden beaches"), or in Persian
    (which does not pluralise after numbers) the next word itself ("۱۰ اشتباه")."""
    for word in following[:_LOOKAHEAD]:
        lowered = word.lower()
        if not lowered or lowered in _UNITS:
            return False
        if PERSIAN_CHARS.search(word):
            return True
        if _plural(lowered):
            return True
    return False


def _plural(word: str) -> bool:
    return (len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is"))) or word in {
        "people", "men", "women", "children", "kids", "foods", "things"}
