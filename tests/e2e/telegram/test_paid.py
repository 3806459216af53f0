"""Paid algorithms on Telegram: the real bot, the real core and the real openai/aiohttp clients against local fakes
of the Bot API, OpenAI and Stability."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.telegram.conftest import ADMIN_ID, TelegramBot, decode, telegram_settings
from tests.fakes.telegram_api import FakeBotAPI
from tests.ocr import title_read
from tests.paid_support import AIFakes, with_ai

TITLE = "EPIC BOSS FIGHT"
REQUEST = f'Gaming "{TITLE}"'




@pytest.fixture
async def paid_bot(tmp_path: Path, fake: FakeBotAPI, fakes: AIFakes) -> AsyncIterator[TelegramBot]:
    running = TelegramBot(fake, with_ai(telegram_settings(tmp_path, fake), fakes))
    await running.start(paid=True)
    yield running
    await running.stop()


async def choose(bot: TelegramBot, chat: int, algorithm: str) -> None:
    bot.say(chat, f"/algorithm {algorithm}")
    await bot.texts_for(chat)


async def said(bot: TelegramBot, chat: int, words: str, timeout: float = 30) -> Any:
    """The first message to `chat` containing `words` (progress messages come and go around it)."""
    def found() -> Any:
        return next((call for call in bot.fake.calls_to("sendMessage", chat_id=chat)
                     if words in call.params["text"]), None)

    return await bot.fake.wait_for(found, timeout=timeout)


async def balance(bot: TelegramBot, chat: int) -> int:
    bot.say(chat, "/credits")
    return int((await said(bot, chat, "Balance:")).params["text"].split()[1])


async def test_a_paid_picture_forms_in_the_progress_message_then_arrives_titled(paid_bot: TelegramBot,
                                                                                 fakes: AIFakes) -> None:
    fakes.openai.delay_s = 3.0  # partial pictures at 1 s and 2 s: the first one is shown
    await choose(paid_bot, 70, "premium")
    paid_bot.say(70, REQUEST)
    (photo,) = await paid_bot.photo_for(70, timeout=30)
    picture = decode(photo.files["photo"])
    assert (picture.format, picture.size) == ("JPEG", (1280, 720))
    assert title_read(photo.files["photo"], TITLE) >= 0.9
    assert "Premium AI · 7 credits left" in photo.params["caption"]
    previews = paid_bot.fake.calls_to("editMessageMedia", chat_id=70) + [
        call for call in paid_bot.fake.calls_to("sendPhoto", chat_id=70) if call is not photo]
    assert previews, "the forming picture was shown in the progress message"
    assert await balance(paid_bot, 70) == 7, "charged once"


async def test_a_failed_paid_picture_costs_nothing_and_offers_local_in_one_tap(paid_bot: TelegramBot,
                                                                              fakes: AIFakes) -> None:
    fakes.stability.fail_next("/v2beta/stable-image/generate/ultra", 500, times=10)
    await choose(paid_bot, 71, "pro")
    paid_bot.say(71, REQUEST)
    failure = await said(paid_bot, 71, "not charged")
    (row,) = failure.params["reply_markup"]["inline_keyboard"]
    assert row[0]["text"] == "🖼 Try Local (free)"
    paid_bot.press(71, row[0]["callback_data"])
    (photo,) = await paid_bot.photo_for(71)
    assert "Local" in photo.params["caption"] and "10 credits left" in photo.params["caption"]


async def test_moderation_refuses_before_any_paid_call(paid_bot: TelegramBot,
                                                                              fakes: AIFakes) -> None:
    await choose(paid_bot, 72, "basic")
    paid_bot.say(72, 'Horror "GORE NIGHT"')
    assert "safety check" in (await said(paid_bot, 72, "not charged")).params["text"]
    assert fakes.image_calls() == 0


async def test_an_admin_budget_turns_the_paid_algorithms_off(paid_bot: TelegramBot, fakes: AIFakes) -> None:
    await choose(paid_bot, 73, "basic")
    paid_bot.say(ADMIN_ID, "/budget all 0 month")
    assert "$0.00 per month" in (await paid_bot.texts_for(ADMIN_ID))[0]
    paid_bot.say(73, REQUEST)
    await said(paid_bot, 73, "paused until")
    paid_bot.say(73, "/algorithm pro")
    await said(paid_bot, 73, "Pro AI is paused until")
    assert fakes.image_calls() == 0

