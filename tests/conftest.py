"""Shared fixtures: settings on a temporary data dir, a built Routix on real SQLite, real services."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bots.bootstrap import Routix, build
from bots.console.adapter import ConsoleSender
from bots.settings import AppSettings, DatabaseSettings, JobSettings, LimitSettings, Settings
from core.algorithms import SEED_ALGORITHMS
from core.messages import ErrorReply, Incoming, Outgoing, TextReply
from core.providers import LocalProvider, UnavailableProvider
from core.rendering import Finish, Rendered, Scene
from tests.fakes.cable import Cable

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ["no_proxy"] = os.environ["NO_PROXY"]
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN = ("console", "admin")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip with a reason on a developer machine without the service; fail under CI, where it must run."""
    if reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(message + " (CI=true: the service must run)")
    pytest.skip(message)


def make_settings(data_dir: Path, database_url: str = "", **jobs: int) -> Settings:
    return Settings(
        app=AppSettings(routix_data_dir=data_dir, routix_admins=f"{ADMIN[0]}:{ADMIN[1]},telegram:1,discord:1"),
        database=DatabaseSettings(database_url=database_url),
        jobs=JobSettings(**{"workers": 2, "per_user": 50, **jobs}),
        limits=LimitSettings(messages_per_second=0),  # tests send bursts from one person; the flood test sets it
    )


def thread_providers(extra: dict | None = None) -> dict:
    """The real local renderer on threads (no worker processes to spawn per test)."""
    providers: dict = {"local": LocalProvider(ThreadPoolExecutor(max_workers=2))}
    for algorithm in SEED_ALGORITHMS:
        providers.setdefault(algorithm.id, UnavailableProvider(algorithm.provider))
    providers.update(extra or {})
    return providers


class PaidLocal(LocalProvider):
    """Stands in for an AI provider in credit tests: the "basic" algorithm (1 credit) made by the real local
    renderer, so charges show without a paid service."""

    name = "basic-test"


class BrokenProvider(LocalProvider):
    """The "premium" algorithm (3 credits) whose service never answers."""

    name = "broken"

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        raise TimeoutError("the image service did not answer")


def paid_providers() -> dict:
    return thread_providers({"basic": PaidLocal(ThreadPoolExecutor(2)),
                             "premium": BrokenProvider(ThreadPoolExecutor(1))})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


async def started(settings: Settings, providers: dict | None = None, **overrides: object) -> Routix:
    """The core as the terminal runs it: jobs in this process, delivered to the conversations below."""
    app = build(settings, role="console", providers=providers or thread_providers(), **overrides)
    await app.start()
    app.add_sender("console", ConsoleSender())
    await app.serve_jobs()
    return app


@pytest.fixture
async def routix(settings: Settings) -> AsyncIterator[Routix]:
    app = await started(settings)
    yield app
    await app.aclose()


class Conversation:
    """Drives the service as one person in one chat and keeps every event it got back: the update's own
    answers and its jobs' (each `send` waits until the jobs it started have ended)."""

    def __init__(self, app: Routix, user: str = "alice", platform: str = "console", chat: str | None = None,
                 locale: str | None = None) -> None:
        self.app, self.user, self.platform, self.locale = app, user, platform, locale
        self.chat = chat or f"chat-{user}"
        self.events: list[Outgoing] = []

    async def reply(self, event: Outgoing) -> None:
        self.events.append(event)

    async def send(self, text: str = "", **fields: object) -> list[Outgoing]:
        start = len(self.events)
        incoming = Incoming(self.platform, self.user, self.chat, text, display_name=self.user, locale=self.locale,
                            **fields)  # type: ignore[arg-type]
        self.listen()
        await self.app.service.handle(incoming, self.reply)
        await self.app.idle()
        return self.events[start:]

    def listen(self) -> None:
        """Jobs of this chat deliver here (looked up per event: tests replace `reply`)."""
        sender = self.app.pipeline.senders.get(self.platform)
        if sender is None:
            sender = ConsoleSender()
            self.app.add_sender(self.platform, sender)
        assert isinstance(sender, ConsoleSender)
        sender.listen(self.chat, lambda event: self.reply(event))

    def last(self, kind: type) -> object:
        return next(event for event in reversed(self.events) if isinstance(event, kind))


@pytest.fixture
async def cable() -> AsyncIterator[Cable]:
    """A proxy to PostgreSQL the test can unplug (tests/fakes/cable.py)."""
    proxy = await Cable().start()
    yield proxy
    await proxy.close()


@pytest.fixture
def postgres_url() -> str:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def fresh_postgres_schema(url: str) -> tuple[str, str]:
    """A schema of its own per test, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _postgres(url, f'CREATE SCHEMA "{schema}"')
    return schema, f"{url}?schema={schema}"


async def drop_postgres_schema(url: str, schema: str) -> None:
    await _postgres(url, f'DROP SCHEMA "{schema}" CASCADE')


async def _postgres(url: str, statement: str) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(statement)  # type: ignore[arg-type]


pytest_plugins = ["tests.paid_support"]  # the `fakes` fixture of the paid services

__all__ = ["ADMIN", "IN_CI", "Conversation", "asyncio", "make_settings", "require_service", "started",
           "thread_providers"]


def text_of(events: list[Outgoing]) -> str:
    """The text of the last answer, which must be a text or a refusal."""
    last = events[-1]
    assert isinstance(last, TextReply | ErrorReply), last
    return last.text
