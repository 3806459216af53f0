"""The real python-telegram-bot on the real core, against the local fake Bot API."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bots.bootstrap import Routix, build
from bots.settings import Settings, TelegramSettings
from bots.telegram.main import TelegramBot as Runtime
from bots.telegram.main import Webhook
from bots.telegram.replies import Timing
from core.rendering import Finish, Rendered, Scene
from tests.conftest import make_settings, thread_providers
from tests.fakes.telegram_api import FakeBotAPI
from tests.paid_support import local_on_threads

ADMIN_ID = 1  # telegram:1 is a global admin in tests.conftest.make_settings
FAST = Timing(chat_action_every=0.5, progress_after=0.25, edit_every=0.25)


class SlowProvider:
    """The real local renderer, made slow on purpose so progress messages have time to appear."""

    cpu_bound = True

    def __init__(self, inner: Any, delay: float) -> None:
        self.inner, self.delay, self.name = inner, delay, "slow-local"

    @property
    def available(self) -> bool:
        return True

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        await asyncio.sleep(self.delay)
        return await self.inner.generate(scene, finish)

    async def close(self) -> None:
        await self.inner.close()


class TelegramBot:
    """One bot process: the bot + the core on one data dir. `restart()` keeps the database."""

    def __init__(self, fake: FakeBotAPI, settings: Settings) -> None:
        self.fake, self.settings = fake, settings
        self.runtime: Runtime | None = None
        self.routix: Routix | None = None
        self.webhook: Webhook | None = None

    async def start(self, *, providers: dict[str, Any] | None = None, webhook: Webhook | None = None,
                    rate_limiter: bool = True, timing: Timing = FAST, paid: bool = False) -> TelegramBot:
        """`paid`: the paid algorithms' providers built from the settings (the real clients), not test doubles."""
        if paid:
            self.routix = build(self.settings, local=local_on_threads())
        else:
            self.routix = build(self.settings, providers=providers or thread_providers())
        self.runtime = Runtime(self.routix, self.settings, rate_limiter=rate_limiter, timing=timing, webhook=webhook,
                               poll_timeout=1)
        self.webhook = webhook
        await self.runtime.start()
        return self

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def restart(self, **kw: Any) -> TelegramBot:
        await self.stop()
        return await self.start(**kw)

    # -- talking to the bot like a user -------------------------------------------------------------
    def say(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        return self.fake.push(message=self.fake.message(chat_id, text=text, **kw))

    def press(self, chat_id: int, data: str, user_id: int | None = None, **kw: Any) -> dict[str, Any]:
        return self.fake.push(callback_query=self.fake.callback(chat_id, user_id or chat_id, data, **kw))

    async def photo_for(self, chat_id: int, count: int = 1, timeout: float = 15) -> list[Any]:
        return await self.fake.wait_calls("sendPhoto", count, chat_id=chat_id, timeout=timeout)

    async def texts_for(self, chat_id: int, count: int = 1, timeout: float = 10) -> list[str]:
        calls = await self.fake.wait_calls("sendMessage", count, chat_id=chat_id, timeout=timeout)
        return [call.params["text"] for call in calls]

    async def settle(self, seconds: float = 0.3) -> None:
        """Let in-flight handlers finish (used before asserting that nothing more happens)."""
        await asyncio.sleep(seconds)


def jpeg(width: int = 800, height: int = 600, color: str = "#3366cc") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def telegram_settings(tmp_path: Path, fake: FakeBotAPI, **jobs: int) -> Settings:
    settings = make_settings(tmp_path / "data", **jobs)
    settings.telegram = TelegramSettings(bot_token=fake.token, api_base_url=fake.base_url,
                                         file_base_url=fake.file_base_url)
    return settings


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    api = await FakeBotAPI().start()
    yield api
    await api.stop()
    assert api.errors == [], "requests that break the Bot API description:\n" + "\n".join(api.errors)


@pytest.fixture
async def bot(tmp_path: Path, fake: FakeBotAPI) -> AsyncIterator[TelegramBot]:
    """A started bot (long polling); tests that need other options restart it."""
    running = TelegramBot(fake, telegram_settings(tmp_path, fake))
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def new_bot(tmp_path: Path, fake: FakeBotAPI) -> AsyncIterator[Any]:
    """A factory for a bot with custom job settings (not started); stopped at teardown."""
    made: list[TelegramBot] = []

    def factory(**jobs: int) -> TelegramBot:
        made.append(TelegramBot(fake, telegram_settings(tmp_path, fake, **jobs)))
        return made[-1]

    yield factory
    for running in made:
        await running.stop()
