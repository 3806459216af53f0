"""What every fuzz test shares: one settings profile, one input source and the pieces user text is made of.

Hypothesis costs about a millisecond per example on this small machine, whatever the example checks, and every
extra draw adds to it. So each example draws one fixed-size byte string, `Choices` turns parts of it into
structured inputs (texts, ids, JSON payloads), and one example checks one input of every kind: 10,000 inputs per
property in about a minute for the whole suite. Shrinking still works: bytes shrink towards zero, and a zero byte
is always the simplest choice (the first token, an empty text, no optional field).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

# Reproducible in CI (derandomize, no example database); 10,000 inputs per property.
FUZZ = settings(max_examples=10_000, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def source(size: int) -> st.SearchStrategy[bytes]:
    """The bytes of one example. Hypothesis draws them one by one, so `size` is about what an input needs; past
    it every choice is the simplest one."""
    return st.binary(min_size=size, max_size=size)


PERSIAN = re.compile(r"[\u0600-\u06FF]")
JOINERS = ("\u200c", "\u200d")
# Characters that draw nothing: what a client can send to make a message look non-empty.
INVISIBLE = (
    "\u200b", *JOINERS, "\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069", "\u202a", "\u202b", "\u202c",
    "\u202d", "\u202e", "\ufeff", "\u00ad", "\u2060", "\u2061", "\u180e", "\u3164", "\u115f", "\u1160", "\uffa0",
    "\u2800", "\U000e0001", *(chr(code) for code in range(0xE0020, 0xE0080, 5)),
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\xa0", "\u2028", "\u2029", "\u3000", "\u2003", "\u202f", "\x00",
    "\x1b", "\x7f", "\x9b",
)
# Everything that must count as blank: the above, every tag character, every C0/C1 control, every space.
BLANK = (*INVISIBLE, *map(chr, range(0xE0020, 0xE0080)), *map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)),
         *map(chr, range(0x2000, 0x200B)), "\u205f", "\u1680")
PERSIAN_LETTERS = tuple("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآ۰۱۲۳۴۵۶۷۸۹")
PERSIAN_WORDS = ("بازی", "آموزش", "قرمز", "عنوان", "سینمایی", "بردم", "تامبنیل", "می\u200cروم", "ساده\u200cتر", "کن",
                 "بده", "را", "به", "تغییر", "برتر", "۵", "نکته", "جدید", "رنگ", "بدون", "نشان", "تر", "یا", "برای",
                 "«بردم»")
LATIN_WORDS = ("gaming", "review", "top", "5", "tips", "red", "blue", "minimal", "title", "make", "it", "new", "vs",
               "the", "change", "to", "more", "add", "badge", "remove", "dark", "#1", "I", "WON", "a", "iPhone",
               "darker", "brighter", "set", "rename", "as", "funny", "horror", "NEON", "Gold", "Straße", "ǅ", "ﬁ")
PUNCTUATION = (*" \n .,!?:;()[]«»“”\"'/@#-_=", "  ", ": ", ' "', '" ', " '", "' ")
ASTRAL = ("\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f1ee\U0001f1f7", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
          "\U0001d400", "\U0001f3ae")  # outside the BMP: UTF-16 pairs, where entity offsets can split a character
TOKENS = (*LATIN_WORDS, *PERSIAN_WORDS, *PERSIAN_LETTERS, *PUNCTUATION, *PUNCTUATION, *INVISIBLE, *ASTRAL,
          "e\u0301", "\u064b", "0", "12", "٣")
ESCAPE = 0xF0  # a token slot whose first byte is at least this is one arbitrary code point (1 in 16)


class Choices:
    """Choices read from one byte string; past its end every choice is 0 (the simplest)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1] if self.at <= len(self.data) else 0

    def below(self, n: int) -> int:
        """0 <= result < n."""
        return self.byte() * n // 256 if n <= 256 else self.number(0, n - 1)

    def number(self, low: int, high: int) -> int:
        span, value = high - low + 1, 0
        for _ in range(max(1, (span.bit_length() + 7) // 8)):
            value = value * 256 + self.byte()
        return low + value % span

    def pick(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def chance(self, percent: int) -> bool:
        return self.byte() * 100 < percent * 256

    def char(self, *, surrogates: bool = True) -> str:
        """Any code point; without surrogates: what valid UTF-8 JSON can carry."""
        code = (self.byte() << 16 | self.byte() << 8 | self.byte()) % 0x110000
        return chr(code - 0x800 if not surrogates and 0xD800 <= code <= 0xDFFF else code)

    def text(self, max_tokens: int = 12, tokens: Sequence[str] = TOKENS, *, surrogates: bool = True) -> str:
        """Mostly tokens (words of both scripts, punctuation, invisible characters), sometimes any code point."""
        return "".join(self.tokens(max_tokens, tokens, surrogates=surrogates))

    def tokens(self, max_tokens: int, tokens: Sequence[str] = TOKENS, *, surrogates: bool = True) -> list[str]:
        """The pieces of `text`. All `max_tokens` slots are read, used or not, so shrinking the count never
        shifts the bytes the next part of an input is read from."""
        count, wide = self.below(max_tokens + 1), len(tokens) > ESCAPE  # long lists take two bytes a slot
        pieces = []
        for _ in range(max_tokens):
            first = self.byte()
            if first >= ESCAPE:
                pieces.append(self.char(surrogates=surrogates))
            else:
                index = first * 256 + self.byte() if wide else first * 256
                pieces.append(tokens[index * len(tokens) // (ESCAPE * 256)])
        return pieces[:count]


@contextmanager
def showing(*inputs: object) -> Iterator[None]:
    """Adds the decoded inputs to a failure (hypothesis.note on every example would cost a tenth of a ms)."""
    try:
        yield
    except Exception as error:
        error.add_note(f"decoded input: {inputs!r}")
        raise


def digits(value: str) -> bool:
    """An ASCII decimal number: what platform ids look like (str.isdigit also takes "²" and "۳")."""
    return value.isascii() and value.isdigit()
