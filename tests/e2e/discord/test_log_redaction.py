"""`routix discord` at DEBUG against the fake Discord: neither the bot token nor an interaction token (in webhook and
callback routes, and in the gateway events discord.py logs) reaches the log."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bot_process import TEST_SECRET_KEY, BotProcess, assert_redacted
from tests.e2e.discord.conftest import option
from tests.fakes.discord_api import FakeDiscord, FakeUser

STARTUP = 60  # seconds: the subprocess imports, logs in, syncs commands and connects to the gateway
RENDER = 60


async def test_a_debug_run_logs_bot_and_interaction_tokens_only_as_redacted(fake: FakeDiscord, tmp_path: Path) -> None:
    bot = BotProcess("discord", tmp_path, DISCORD_BOT_TOKEN=fake.bot_token, DISCORD_API_BASE_URL=fake.api_base_url,
                     DISCORD_GATEWAY_URL=fake.gateway_url, DISCORD_GUILD_IDS=fake.guild_id)
    async with bot:
        await bot.until(fake.wait_ready(timeout=STARTUP))  # IDENTIFY accepted: commands are synced by then
        record = await fake.slash("thumbnail", [option("prompt", 'Gaming thumbnail "I WON"')],
                                  user=FakeUser(fake.snowflake(), "alice"))
        await bot.until(fake.wait_for(lambda: any(message["attachments"] for _, message in record.edits),
                                      timeout=RENDER, what="the thumbnail"))

    assert record.token in fake.interactions and len(record.token) >= 8
    assert_redacted(bot.log(), [fake.bot_token, record.token, TEST_SECRET_KEY], library="discord")
