"""Startup: command menus per language and scope; webhook mode with a secret token."""

from __future__ import annotations

from typing import Any

import aiohttp

from bots.settings import AppSettings, Settings, TelegramSettings
from bots.telegram.main import Webhook, webhook_secret
from tests.e2e.telegram.conftest import ADMIN_ID, TelegramBot, free_port


def menus(bot: TelegramBot) -> dict[tuple[str, str | None], list[str]]:
    found = {}
    for call in bot.fake.calls_to("setMyCommands"):
        scope = call.params.get("scope", {"type": "default"})
        key = (scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else ""), call.params.get("language_code"))
        found[key] = [command["command"] for command in call.params["commands"]]
    return found


async def test_commands_are_registered_in_english_and_persian_admin_ones_only_for_admins(bot: TelegramBot) -> None:
    found = menus(bot)
    for language in (None, "fa"):
        assert "start" in found[("default", language)] and "grant" not in found[("default", language)]
        assert "thumb" in found[("all_group_chats", language)]
        assert {"grant", "quota", "stats"} <= set(found[(f"chat:{ADMIN_ID}", language)])
    persian = next(c for c in bot.fake.calls_to("setMyCommands") if c.params.get("language_code") == "fa")
    assert persian.params["commands"][0]["description"] == "سلام و راهنمای شروع"


async def test_webhook_rejects_a_wrong_secret_and_processes_the_right_one(new_bot: Any) -> None:
    bot: TelegramBot = new_bot()
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/telegram/hook", "s3cret-token_OK", listen="127.0.0.1", port=port)
    await bot.start(webhook=hook)
    assert bot.fake.webhook["url"] == hook.url and bot.fake.webhook["secret_token"] == hook.secret_token
    update = {"update_id": 5000, "message": bot.fake.message(70, text='Travel "TOKYO"')}
    assert await bot.fake.post_webhook(update, "wrong") == 403
    assert await bot.fake.post_webhook(update, None) == 403
    await bot.settle(0.5)
    assert bot.fake.methods(chat_id=70) == [], "rejected requests are not processed"
    assert await bot.fake.post_webhook(update, hook.secret_token) == 200
    assert '"TOKYO"' in (await bot.photo_for(70))[0].params["caption"]
    async with aiohttp.ClientSession() as session, session.get(hook.url) as response:
        assert response.status == 405, "only POSTs from Telegram are served"


def test_webhook_secret_is_derived_from_secret_key_unless_set() -> None:
    def settings(key: str, secret: str = "") -> Settings:
        return Settings(app=AppSettings(secret_key=key), telegram=TelegramSettings(
            bot_token="1:x", webhook_url="https://bots.example.com/tg", webhook_secret=secret))

    key = "k" * 48
    derived = webhook_secret(settings(key))
    assert derived == webhook_secret(settings(key)) != webhook_secret(settings("j" * 48))
    assert key not in derived and len(derived) == 64
    assert webhook_secret(settings(key, "mine")) == "mine"
    hook = Webhook.from_settings(settings(key))
    assert hook is not None and (hook.port, hook.secret_token) == (8443, derived)


async def test_a_webhook_without_a_path_is_served_where_telegram_posts(new_bot: Any) -> None:
    """https://bot.example.org/ made the bot listen on /telegram while Telegram posted to /: every update a 404."""
    bot: TelegramBot = new_bot()
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/", "s3cret-token_OK", listen="127.0.0.1", port=port)
    await bot.start(webhook=hook)
    update = {"update_id": 5001, "message": bot.fake.message(71, text='Travel "ROOT PATH"')}
    assert await bot.fake.post_webhook(update, hook.secret_token) == 200
    assert '"ROOT PATH"' in (await bot.photo_for(71))[0].params["caption"]


async def test_a_webhook_answers_what_is_no_update_with_4xx_not_a_traceback(new_bot: Any) -> None:
    """A non-ASCII secret header (anyone can send one) and bodies that are JSON but no update were a 500 with a
    traceback in the log; Telegram retries a 500."""
    bot: TelegramBot = new_bot()
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/hook", "s3cret-token_OK", listen="127.0.0.1", port=port)
    await bot.start(webhook=hook)
    secret = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token}
    async with aiohttp.ClientSession() as session:
        async with session.post(hook.url, data=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": "s3cr3\u00e9"}) as r:
            assert r.status == 403
        for body in (b"null", b"[1, 2]", b"5", b'{"update_id": 7, "message": "x"}'):
            async with session.post(hook.url, data=body, headers=secret) as response:
                assert response.status == 400, body
