"""/link across platforms: a code issued on Discord, entered on Telegram, leaves one shared account.

Both bots run for real in one test: discord.py against the fake Discord, python-telegram-bot against the fake Bot
API, each with its own core (two processes' worth) on the same database.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bots.bootstrap import build
from bots.settings import TelegramSettings
from bots.telegram.main import TelegramBot
from tests.conftest import thread_providers
from tests.e2e.discord.conftest import make_settings, running_bot, subcommand
from tests.e2e.discord.conftest import option as opt
from tests.e2e.discord.test_permissions import ask
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI

TELEGRAM_USER = 4242


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotAPI]:
    api = await FakeBotAPI().start()
    yield api
    await api.stop()
    assert api.errors == [], api.errors


async def telegram_says(api: FakeBotAPI, text: str, expect: str) -> str:
    """Send a private message as TELEGRAM_USER; return the bot's answer containing `expect`."""
    api.push(message=api.message(TELEGRAM_USER, text=text))
    calls = await api.wait_for(lambda: [c for c in api.calls_to("sendMessage", chat_id=TELEGRAM_USER)
                                        if expect in c.params["text"]], timeout=15)
    return calls[-1].params["text"]


async def test_link_joins_discord_and_telegram_into_one_balance(fake: FakeDiscord, telegram: FakeBotAPI, users,
                                                                tmp_path) -> None:
    creator, admin = users("creator"), users("admin")
    settings = make_settings(tmp_path, fake, admins=f"discord:{admin.id}")
    settings.telegram = TelegramSettings(bot_token=telegram.token, api_base_url=telegram.base_url,
                                         file_base_url=telegram.file_base_url)
    tg_bot = TelegramBot(build(settings, providers=thread_providers()), settings, rate_limiter=False, poll_timeout=1)
    await tg_bot.start()
    try:
        async with running_bot(settings, fake):
            grant = [subcommand("grant", opt("user", f"telegram:{TELEGRAM_USER}"), opt("amount", 7, 4))]
            assert "Balance: 10" in await telegram_says(telegram, "/credits", "Balance")  # a Telegram account...
            assert "Granted 7" in await ask(fake, "admin", grant, admin)  # ...with 7 extra credits: 17

            issued = await ask(fake, "link", [], creator)  # ephemeral: the code is private
            code = re.search(r"link code: (\w+)", issued)[1]  # type: ignore[index]
            linked = await telegram_says(telegram, f"/link {code}", "Linked")
            balance = re.search(r"(\d+) credits", linked)[1]  # type: ignore[index]
            assert balance == "17"  # one allowance (10) per person, plus the linked account's granted 7

            on_discord = await ask(fake, "credits", [], creator)
            on_telegram = await telegram_says(telegram, "/credits", f"Balance: {balance}")
            assert f"Balance: {balance}" in on_discord and on_telegram.splitlines()[0] == on_discord.splitlines()[0]

            again = await ask(fake, "link", [opt("code", code)], creator)  # single-use
            assert "invalid or expired" in again
    finally:
        await tg_bot.stop()
