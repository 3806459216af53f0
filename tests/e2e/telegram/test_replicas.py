"""Webhook mode as several replicas behind a load balancer: each update is answered once, whichever replica (or
both, when Telegram retries on another) receives it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from bots.settings import DatabaseSettings
from bots.telegram.main import Webhook
from tests.conftest import drop_postgres_schema, fresh_postgres_schema, require_service
from tests.e2e.telegram.conftest import TelegramBot, free_port, telegram_settings
from tests.fakes.telegram_api import FakeBotAPI

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "replica-secret_0K"


async def post(url: str, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
        return response.status


async def test_two_webhook_replicas_answer_each_update_once(fake: FakeBotAPI, tmp_path: Path) -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema, url = await fresh_postgres_schema(POSTGRES)
    replicas: list[TelegramBot] = []
    try:
        for name in ("a", "b"):
            settings = telegram_settings(tmp_path / name, fake)
            settings.database = DatabaseSettings(database_url=url)
            port = free_port()
            hook = Webhook(f"http://127.0.0.1:{port}/telegram", SECRET, listen="127.0.0.1", port=port)
            replicas.append(await TelegramBot(fake, settings).start(webhook=hook))
        updates = [{"update_id": 7000 + n, "message": fake.message(800 + n, text=f'Vlog "REPLICA {n}"')}
                   for n in range(20)]
        hooks = [replica.webhook.url for replica in replicas]  # type: ignore[union-attr]
        statuses = await asyncio.gather(*(post(hook, update) for update in updates for hook in hooks))
        assert set(statuses) == {200}
        for n in range(20):
            photos = await fake.wait_calls("sendPhoto", 1, chat_id=800 + n, timeout=30)
            assert f'"REPLICA {n}"' in photos[0].params["caption"]
        await asyncio.sleep(1.0)
        assert all(len(fake.calls_to("sendPhoto", chat_id=800 + n)) == 1 for n in range(20)), "never twice"
        progress = len(fake.calls_to("sendMessage"))
        assert progress == len(fake.calls_to("deleteMessage")), "no answer but the pictures (progress is removed)"
    finally:
        for replica in replicas:
            await replica.stop()
        await drop_postgres_schema(POSTGRES, schema)
