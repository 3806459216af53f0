"""`routix telegram` at DEBUG against the fake Bot API: the token (in every Bot API URL) never reaches the log."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bot_process import TEST_SECRET_KEY, BotProcess, assert_redacted
from tests.fakes.telegram_api import FakeBotAPI

CHAT_ID = 4242
STARTUP_AND_RENDER = 60  # seconds: the subprocess imports, starts its render worker, then renders


async def test_a_debug_run_logs_the_token_only_as_redacted(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess("telegram", tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                     TELEGRAM_FILE_BASE_URL=fake.file_base_url, TELEGRAM_WEBHOOK_URL="")
    async with bot:
        fake.push(message=fake.message(CHAT_ID, text='Gaming thumbnail "I WON"'))
        await bot.until(fake.wait_calls("sendPhoto", 1, chat_id=CHAT_ID, timeout=STARTUP_AND_RENDER))
    fake.push(message=fake.message(CHAT_ID, text="/help"))  # ends the fake's side of the bot's last 30 s long poll

    bot_id, _, secret_part = fake.token.partition(":")
    assert bot_id.isdigit() and len(secret_part) >= 8
    assert_redacted(bot.log(), [fake.token, secret_part, TEST_SECRET_KEY], library="telegram")
