"""Signs of work: chat action first and repeated; one progress message, edited and then removed."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from tests.conftest import thread_providers
from tests.e2e.telegram.conftest import SlowProvider, TelegramBot
from tests.fakes.telegram_api import Call


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def slow_providers(delay: float) -> dict[str, Any]:
    providers = thread_providers()
    providers["local"] = SlowProvider(providers["local"], delay)
    return providers


def progress_calls(bot: TelegramBot, chat_id: int) -> tuple[Call, list[Call], list[Call]]:
    sent = bot.fake.calls_to("sendMessage", chat_id=chat_id)
    assert len(sent) == 1, f"exactly one progress message, got {[c.params['text'] for c in sent]}"
    return sent[0], bot.fake.calls_to("editMessageText", chat_id=chat_id), bot.fake.calls_to("deleteMessage",
                                                                                            chat_id=chat_id)


async def test_slow_job_gets_one_progress_message_edited_then_deleted(new_bot: Any) -> None:
    bot: TelegramBot = await new_bot(concurrency=1).start(providers=slow_providers(1.2))
    bot.say(30, 'Gaming thumbnail "SLOW"')
    await bot.photo_for(30)
    await bot.fake.wait_calls("deleteMessage", chat_id=30)
    methods = bot.fake.methods(chat_id=30)
    assert methods[0] == "sendChatAction"
    assert methods.count("sendChatAction") >= 2, "the chat action is repeated while the job runs"
    progress, edits, deletes = progress_calls(bot, 30)
    assert edits, "the progress message follows the stages"
    message_id = deletes[0].params["message_id"]
    assert all(edit.params["message_id"] == message_id for edit in edits)
    assert methods.index("sendPhoto") < methods.index("deleteMessage"), "replaced by the result, never a gap"
    stamps = [progress.at] + [edit.at for edit in edits]
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert all(gap >= 0.2 for gap in gaps), f"edits are throttled per chat: {gaps}"  # FAST.edit_every = 0.25
    assert not [c for c in bot.fake.calls_to("sendChatAction", chat_id=30) if c.at > deletes[0].at + 0.1], \
        "no chat action after the result"


async def test_queued_job_shows_its_place_in_the_queue(new_bot: Any) -> None:
    bot: TelegramBot = await new_bot(concurrency=1).start(providers=slow_providers(0.6))
    bot.say(31, 'Gaming thumbnail "FIRST"')
    await until(lambda: bot.routix is not None and bot.routix.pipeline.slots.running == 1)  # the only slot is taken
    bot.say(32, 'Gaming thumbnail "SECOND"')
    await bot.photo_for(32)
    progress, edits, _ = progress_calls(bot, 32)
    shown = [progress.params["text"]] + [edit.params["text"] for edit in edits]
    assert shown[0].startswith("⏳"), f"the queue position comes first: {shown}"
    assert len(set(shown)) == len(shown) > 1, "every edit changes the text, through the stages"
    await bot.fake.wait_calls("deleteMessage", chat_id=32)
