"""Fixtures: a fake Discord on 127.0.0.1 and the real discord.py client running the real core against it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bots.bootstrap import Routix, build
from bots.discord.main import create_client
from bots.settings import AppSettings, CreditSettings, DiscordSettings, JobSettings, Settings
from core.providers import LocalProvider
from tests.conftest import thread_providers
from tests.fakes.discord_api import FakeDiscord, FakeUser

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # the fakes are local; never proxy them


def providers(*paid_local: str) -> dict[str, Any]:
    """The real local renderer on threads; the `paid_local` algorithms render locally too (so they cost credits)."""
    return thread_providers({algorithm: LocalProvider(ThreadPoolExecutor(1)) for algorithm in paid_local})


def make_settings(data_dir: Path, fake: FakeDiscord, *, admins: str = "", free_allowance: int = 10,
                  guild_sync: bool = True) -> Settings:
    return Settings(
        app=AppSettings(routix_data_dir=data_dir, routix_admins=admins),
        credits=CreditSettings(free_allowance=free_allowance),
        jobs=JobSettings(workers=2),
        discord=DiscordSettings(bot_token=fake.bot_token, api_base_url=fake.api_base_url,
                                gateway_url=fake.gateway_url, guild_ids=fake.guild_id if guild_sync else ""),
    )


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeDiscord, routix: Routix | None = None) -> AsyncIterator[Any]:
    """Log in, sync, connect; yield the client; close it (and its core) afterwards."""
    # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before "ready" (default 2 s)
    client = create_client(settings, routix or build(settings, providers=providers()), guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(settings.discord.bot_token))
    try:
        await fake.wait_for(lambda: client.is_ready() or task.done(), timeout=20, what="the bot to be ready")
        if task.done():
            task.result()
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()
    assert server.errors == [], server.errors  # every request matched Discord's API description


@pytest.fixture
def users(fake: FakeDiscord) -> Callable[[str], FakeUser]:
    def make(name: str) -> FakeUser:
        return FakeUser(fake.snowflake(), name)

    return make


def option(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    """A slash-command option as Discord sends it (3 string, 4 integer, 7 channel, 11 attachment)."""
    return {"name": name, "type": kind, "value": value}


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": 1, "options": list(options)}
