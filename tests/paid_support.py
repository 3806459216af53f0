"""The paid services' fakes started together, settings pointing at them, and a title read back by tesseract."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

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


def paid_settings(data_dir: Path, fakes: AIFakes, database_url: str = "", **ai: object) -> Settings:
    """Every provider configured against its fake; short timeouts, so failure tests stay quick."""
    settings = make_settings(data_dir, database_url, per_user=500)
    fields: dict[str, object] = {
        "openai_api_key": fakes.openai.api_key, "openai_base_url": fakes.openai.base_url,
        "stability_api_key": fakes.stability.api_key, "stability_api_base_url": fakes.stability.base_url,
        "sdwebui_base_url": fakes.sdwebui.base_url, "ai_timeout_seconds": 5.0, "ai_deadline_seconds": 20.0,
        **ai}
    settings.ai = AISettings(**fields)  # type: ignore[arg-type]
    return settings


async def started_paid(settings: Settings, before_serving: Callable[[Routix], None] | None = None) -> Routix:
    """The core as the terminal runs it, with the paid providers built from settings (the real clients);
    `before_serving` sees it with its console sender in place, before unfinished jobs resume."""
    app = build(settings, role="console", local=LocalProvider(ThreadPoolExecutor(max_workers=2)))
    await app.start()
    app.add_sender("console", ConsoleSender())
    if before_serving is not None:
        before_serving(app)
    await app.serve_jobs()
    return app


def tesseract() -> str:
    path = shutil.which("tesseract")
    if path is None and os.environ.get("CI") == "true":
        pytest.fail("tesseract is required in CI (Debian: tesseract-ocr tesseract-ocr-eng)")
    if path is None:
        pytest.skip("tesseract not installed (Debian: tesseract-ocr)")
    return path


def title_read(jpeg: bytes, title: str) -> float:
    """How well tesseract reads `title` on the thumbnail (1.0: every word exactly). AI pictures carry the title in
    the top or the bottom band (or on the left beside a cut-out creator): each band is read on its own."""
    image = Image.open(io.BytesIO(jpeg)).convert("L")
    bands = (image.crop((0, 0, 1280, 340)), image.crop((0, 380, 1280, 720)), image.crop((0, 0, 700, 720)))
    return max(_words_found(_ocr(band, mode), title) for band in bands for mode in ("6", "11"))


def _ocr(image: Image.Image, mode: str) -> list[str]:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    result = subprocess.run([tesseract(), "stdin", "stdout", "--psm", mode, "-l", "eng"], input=buffer.getvalue(),
                            capture_output=True, timeout=60, check=True)
    return result.stdout.decode("utf-8", "replace").split()


def _words_found(words: list[str], title: str) -> float:
    wanted = title.casefold().split()
    found = [max((difflib.SequenceMatcher(None, w.casefold(), word).ratio() for w in words), default=0.0)
             for word in wanted]
    return sum(found) / len(found)
