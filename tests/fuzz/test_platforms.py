"""Platform payloads through the real libraries and our translators: Telegram updates (telegram_updates.py) and
Discord messages and interactions (discord_events.py).

One test for both, as in test_core.py: each of the 10,000 examples carries one input of every kind, each read from
its own part of the bytes.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import discord_events, telegram_updates
from tests.fuzz.common import FUZZ, Choices, showing, source

TELEGRAM_BYTES, DISCORD_BYTES = 160, 160


@FUZZ
@given(source(TELEGRAM_BYTES + DISCORD_BYTES))
def test_telegram_and_discord_payloads_translate_by_the_chat_rules(data: bytes) -> None:
    update = telegram_updates.draw(Choices(data[:TELEGRAM_BYTES]))
    events = discord_events.draw(Choices(data[TELEGRAM_BYTES:]))
    with showing(update, events):
        telegram_updates.check(update)
        discord_events.check(events)
