"""The paid services' fakes started together (a pytest plugin: the `fakes` fixture), and settings pointing at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bots.bootstrap import Routix, build
from bots.console.adapter import ConsoleSender
from bots.settings import AISettings, Settings
from core.providers import LocalProvider
from tests.conftest import make_settings
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.sdwebui_api import FakeSDWebUI
from tests.fakes.stability_api import FakeStability


@dataclass
class AIFakes:
    openai: FakeOpenAI
    stability: FakeStability
    sdwebui: FakeSDWebUI

    def errors(self) -> list[str]:
        """What our clients sent that the published API descriptions do not allow."""
        return [*self.openai.errors, *self.stability.errors, *self.sdwebui.errors]

    def image_calls(self) -> int:
        openai = len(self.openai.calls_to("/images/generations")) + len(self.openai.calls_to("/images/edits"))
        stability = sum(1 for call in self.stability.calls if "/generate/" in call.path)
        sdwebui = sum(1 for call in self.sdwebui.calls if call.path.endswith("2img"))
        return openai + stability + sdwebui


@asynccontextmanager
async def ai_fakes() -> AsyncIterator[AIFakes]:
    openai, stability, sdwebui = FakeOpenAI(), FakeStability(), FakeSDWebUI()
    openai.flagged_words = {"gore"}  # "kill the boss" is a gaming title, not a threat
    await openai.start()
    await stability.start()
    await sdwebui.start()
    try:
        yield AIFakes(openai, stability, sdwebui)
    finally:
        for fake in (openai, stability, sdwebui):
            await fake.stop()


@pytest.fixture
async def fakes() -> AsyncIterator[AIFakes]:
    """The three paid services' fakes; every request our clients sent must fit the published API descriptions."""
    async with ai_fakes() as started:
        yield started
        assert started.errors() == [], started.errors()


def paid_settings(data_dir: Path, fakes: AIFakes, database_url: str = "", **ai: object) -> Settings:
    """Every provider configured against its fake; short timeouts, so failure tests stay quick."""
    return with_ai(make_settings(data_dir, database_url, per_user=500), fakes, **ai)


def with_ai(settings: Settings, fakes: AIFakes, **ai: object) -> Settings:
    """`settings` with every paid provider pointed at its fake."""
    fields: dict[str, object] = {
        "openai_api_key": fakes.openai.api_key, "openai_base_url": fakes.openai.base_url,
        "stability_api_key": fakes.stability.api_key, "stability_api_base_url": fakes.stability.base_url,
        "sdwebui_base_url": fakes.sdwebui.base_url, "ai_timeout_seconds": 5.0, "ai_deadline_seconds": 20.0,
        **ai}
    settings.ai = AISettings(**fields)  # type: ignore[arg-type]
    return settings


def local_on_threads() -> LocalProvider:
    return LocalProvider(ThreadPoolExecutor(max_workers=2))


async def started_paid(settings: Settings, before_serving: Callable[[Routix], None] | None = None) -> Routix:
    """The core as the terminal runs it, with the paid providers built from settings (the real clients);
    `before_serving` sees it with its console sender in place, before unfinished jobs resume."""
    app = build(settings, role="console", local=local_on_threads())
    await app.start()
    app.add_sender("console", ConsoleSender())
    if before_serving is not None:
        before_serving(app)
    await app.serve_jobs()
    return app
