"""What the bot sends. Reply texts format with any values for their placeholders, in the script of their language;
button actions come back from clients as untrusted strings: parsing is strict, and exact for what the bot sent.
Run by test_core.py."""

from __future__ import annotations

import re
import string
import uuid
from typing import NamedTuple

from core.actions import VERBS, Action, action, parse_action
from core.i18n import TEXTS, translate
from tests.fuzz.common import TOKENS, Choices

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PERSIAN_LETTER = re.compile(r"[\u0621-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")  # letters, not digits or signs
KEYS = sorted(TEXTS)
VERB_LIST = sorted(VERBS)
ARGUMENT_CHARS = string.ascii_lowercase + string.digits + "_-"
# Pieces of almost-valid actions, so arbitrary strings often come close to the grammar.
PIECES = (*ARGUMENT_CHARS, "rx:", "rx", ":", "::", "regen", "vars", "orig", "algo", "basic", "pro", "0" * 32,
          uuid.UUID(int=1).hex, "f" * 31, "A", "-", "_", "\n", *TOKENS[:40])


def spliced(choices: Choices, text: str) -> str:
    """A few characters of `text` replaced by pieces: sometimes still valid, mostly not."""
    start = choices.below(len(text) + 1)
    return text[:start] + choices.text(3, PIECES) + text[start + choices.below(4):]


def valid(choices: Choices) -> Action:
    verb = choices.pick(VERB_LIST)
    generation = uuid.UUID(bytes=bytes(choices.byte() for _ in range(16)))
    length = choices.below(32) + 1
    argument = "".join(choices.pick(ARGUMENT_CHARS) for _ in range(length))
    return Action(verb, generation, argument if verb == "algo" else None)


def mutated(choices: Choices, sent: Action) -> str | None:
    """`sent` broken in one way the grammar forbids; None when that way does not apply to it."""
    text, hex_ = action(sent.verb, sent.generation_id, sent.argument), sent.generation_id.hex
    at = choices.below(len(text) + 1)
    other_verb = "".join(choices.pick(string.ascii_lowercase) for _ in range(choices.below(8) + 1))
    argument = sent.argument or "basic"
    options = (
        text[:at] + ":" + text[at:],
        text.replace(hex_, hex_.upper()) if hex_.upper() != hex_ else None,
        text.replace(hex_, hex_[:-1]),
        text.replace(hex_, hex_ + choices.pick("0123456789abcdef")),
        text.replace(f":{sent.verb}:", f":{other_verb}:") if other_verb not in VERBS else None,
        f"rx:algo:{hex_}",
        f"rx:{choices.pick(sorted(VERBS - {'algo'}))}:{hex_}:{argument}",
        f"rx:algo:{hex_}:{argument}{choices.pick('A:. é')}",
        f"rx:algo:{hex_}:{argument * 33}"[: 3 + 5 + 33 + 34],
        choices.pick((" ", "\n", "RX", "x")) + text, text + choices.pick((" ", "\n", ":")), text.upper(),
    )
    return choices.pick(options)


def value(choices: Choices) -> object:
    return choices.number(-(10**6), 10**9) if choices.chance(30) else choices.text(4)


def shown(value: object, language: str) -> str:
    """A number is written in the reader's digits (Persian: ۰-۹); anything else as it is."""
    if language == "fa" and isinstance(value, int) and not isinstance(value, bool):
        return str(value).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    return str(value)


def check_text(key: str, values: dict[str, object]) -> None:
    for language in ("fa", "en"):
        text = translate(language, key, **values)
        assert all(shown(v, language) in text for v in values.values())
    bare = {language: translate(language, key, **dict.fromkeys(values, "")) for language in ("fa", "en")}
    assert not PERSIAN_LETTER.search(bare["en"]), bare["en"]
    # A text with words has Persian words ("history_line" is only layout around its values).
    assert PERSIAN_LETTER.search(bare["fa"]) or not re.search("[A-Za-z]", bare["en"]), bare["fa"]


def check_action(anything: str, sent: Action, broken: str | None) -> None:
    accepted = parse_action(anything)
    assert accepted is None or action(accepted.verb, accepted.generation_id, accepted.argument) == anything
    assert parse_action(action(sent.verb, sent.generation_id, sent.argument)) == sent
    assert broken is None or parse_action(broken) is None


class Replies(NamedTuple):
    key: str
    values: dict[str, object]
    sent: Action
    broken: str | None  # `sent` mutated in a way the grammar forbids
    anything: str


def draw(choices: Choices) -> Replies:
    key = choices.pick(KEYS)
    values = {name: value(choices) for name in PLACEHOLDER.findall(TEXTS[key]["en"])}
    sent = valid(choices)
    broken = mutated(choices, sent)
    anything = spliced(choices, action(sent.verb, sent.generation_id, sent.argument)) if choices.chance(50) \
        else choices.text(12, PIECES)
    return Replies(key, values, sent, broken, anything)


def check(replies: Replies) -> None:
    check_text(replies.key, replies.values)
    check_action(replies.anything, replies.sent, replies.broken)
