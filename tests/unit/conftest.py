"""The core on the in-memory store, as the unit tests drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bots.bootstrap import Routix
from bots.settings import Settings
from tests.conftest import paid_providers, started
from tests.fakes.memory_store import MemoryStore


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Routix]:
    """Built by the real composition root on the memory store, with the paid algorithms on local fakes."""
    built = await started(settings, paid_providers(), store=MemoryStore())
    assert isinstance(built.store, MemoryStore)
    yield built
    await built.aclose()
