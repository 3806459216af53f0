"""The core's pure text functions on any input: chat lines (lines.py) and what the bot sends (replies.py).

One test for both: a Hypothesis example costs about a millisecond on a small machine whatever it checks, so
each of the 10,000 examples carries one input of every kind, each read from its own part of the bytes.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import lines, replies
from tests.fuzz.common import FUZZ, Choices, showing, source

LINE_BYTES, REPLY_BYTES = 192, 128


@FUZZ
@given(source(LINE_BYTES + REPLY_BYTES))
def test_chat_lines_replies_and_buttons(data: bytes) -> None:
    line, reply = lines.draw(Choices(data[:LINE_BYTES])), replies.draw(Choices(data[LINE_BYTES:]))
    with showing(line, reply):
        lines.check(line)
        replies.check(reply)
