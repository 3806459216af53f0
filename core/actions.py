"""Button actions: the short strings a result's buttons carry (Telegram callback_data, Discord custom_id).

`rx:<verb>:<generation hex>[:<argument>]`. They name a stored generation so they work after restarts; they are
also untrusted input (a modified client sends any string), so parsing is strict and the service checks that
the generation belongs to the chat the button was pressed in before acting on it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

PREFIX = "rx"
VERBS = frozenset({"regen", "vars", "orig", "algo"})
_ACTION = re.compile(r"rx:(?P<verb>[a-z]{1,8}):(?P<id>[0-9a-f]{32})(?::(?P<argument>[a-z0-9_-]{1,32}))?")


@dataclass(frozen=True)
class Action:
    verb: str  # one of VERBS
    generation_id: uuid.UUID
    argument: str | None = None  # the algorithm of an "algo" switch


def parse_action(data: str) -> Action | None:
    """The action a button names, or None for anything this bot could not have sent."""
    match = _ACTION.fullmatch(data)
    if match is None or match["verb"] not in VERBS or (match["verb"] == "algo") != bool(match["argument"]):
        return None
    return Action(match["verb"], uuid.UUID(hex=match["id"]), match["argument"])


def action(verb: str, generation_id: uuid.UUID, argument: str | None = None) -> str:
    """The string a button carries (at most 3 + 9 + 32 + 33 = 77 characters; Telegram allows 64 bytes, so
    arguments stay short: algorithm ids are)."""
    assert verb in VERBS
    return f"{PREFIX}:{verb}:{generation_id.hex}" + (f":{argument}" if argument else "")
