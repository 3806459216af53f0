"""The one composition root: every service is built here from settings, with optional overrides."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from bots.settings import Settings, load_settings
from core.algorithms import SEED_ALGORITHMS
from core.credits import default_tiers
from core.jobs import InProcessJobQueue
from core.ports import BlobStore, ImageProvider, JobQueue, Store
from core.providers import LocalProvider, UnavailableProvider
from core.rendering import text_support_problems
from core.service import Service, ServiceConfig
from core.templates import SEED_TEMPLATES
from storage.blobs import LocalBlobStore
from storage.engine import create_engine
from storage.store import SqlStore

log = logging.getLogger(__name__)


@dataclass
class Routix:
    """The built application: start it, use `service`, close it."""

    settings: Settings
    store: Store
    blobs: BlobStore
    queue: JobQueue
    providers: dict[str, ImageProvider]
    service: Service
    _started: bool = field(default=False, repr=False)

    async def start(self) -> None:
        if self._started:
            return
        for problem in text_support_problems():
            log.warning("text rendering: %s", problem)
        await self.store.create_schema()
        credits = self.settings.credits
        tiers = default_tiers(credits.free_allowance, credits.free_period, credits.pro_allowance, credits.pro_period)
        await self.store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, tiers)
        local = self.providers.get("local")
        if isinstance(local, LocalProvider):
            await local.warm_up()
        self._started = True

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.close()
        await self.store.close()
        self._started = False


def build(settings: Settings | None = None, **overrides: object) -> Routix:
    """Build everything from settings. Overrides (store, blobs, queue, providers) replace single parts."""
    settings = settings or load_settings()
    data_dir = settings.app.routix_data_dir
    workers = settings.jobs.workers or os.cpu_count() or 1
    store = overrides.get("store") or SqlStore(create_engine(settings.database_url, settings.database.database_echo))
    blobs = overrides.get("blobs") or LocalBlobStore(data_dir / "blobs")
    concurrency = settings.jobs.concurrency or 2 * workers
    queue = overrides.get("queue") or InProcessJobQueue(concurrency, settings.jobs.per_user)
    providers = overrides.get("providers") or _providers(workers)
    config = ServiceConfig(
        admins=settings.app.admins,
        watermark_text=settings.render.watermark_text,
        watermark_position=settings.render.watermark_position,
        max_bytes={"telegram": settings.telegram.max_bytes, "discord": settings.discord.max_bytes},
        default_max_bytes=settings.render.max_bytes,
        max_photo_bytes=settings.render.max_upload_bytes,
        flood_per_second=settings.limits.messages_per_second,
        flood_burst=settings.limits.message_burst,
    )
    service = Service(store, blobs, queue, providers, config)  # type: ignore[arg-type]
    return Routix(settings, store, blobs, queue, providers, service)  # type: ignore[arg-type]


def _providers(workers: int) -> dict[str, ImageProvider]:
    providers: dict[str, ImageProvider] = {"local": LocalProvider.with_processes(workers)}
    for algorithm in SEED_ALGORITHMS:
        providers.setdefault(algorithm.id, UnavailableProvider(algorithm.provider))
    return providers
