"""The one composition root: every service is built here from settings, with optional overrides.

`Routix` is an async context manager that owns the life of everything it built:

    async with build(settings, role="bot") as routix:     # schema, seed
        routix.add_sender("telegram", sender)             # the adapter's outbound side
        await routix.serve_jobs()                         # warm the renderer, resume unfinished jobs, run new ones
        ...                                               # the adapter's intake
    # leaving: running jobs get JOBS_DRAIN_SECONDS to finish, the rest are released for the next start

Roles: `bot` (an adapter; with JOBS_BACKEND=local it also runs its own jobs), `worker` (runs jobs from the
shared queue), `console` (the terminal; always local).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Any, Literal

from bots.settings import Settings, load_settings
from core.algorithms import SEED_ALGORITHMS
from core.analysis import KeywordAnalyzer
from core.catalogue import Catalogue
from core.config import PipelineConfig, RequestConfig, ServiceConfig
from core.conversation import RuleRefiner
from core.credits import default_tiers
from core.jobs import InProcessSlots, LocalJobs
from core.moderation import LocalWordList
from core.paid import PaidConfig, PaidPictures
from core.pipeline import Pipeline
from core.ports import BlobStore, Decode, ImageProvider, JobBackend, Links, RemoteImages, Sender, Store
from core.providers import LocalProvider
from core.rendering import moderation_jpeg, text_support_problems
from core.requests import Requests, prepare_reading
from core.service import Service
from core.templates import SEED_TEMPLATES
from providers.build import Built, build_paid
from storage.blobs import LocalBlobStore
from storage.engine import create_engine
from storage.links import SignedLinks
from storage.store import SqlStore

log = logging.getLogger(__name__)
Role = Literal["bot", "worker", "console"]


@dataclass
class Routix:
    """The built application."""

    settings: Settings
    role: Role
    store: Store
    blobs: BlobStore
    providers: dict[str, ImageProvider | RemoteImages]
    catalogue: Catalogue
    jobs: JobBackend
    pipeline: Pipeline
    service: Service
    paid: Built | None = None  # the paid services' clients (None when a test supplied every provider)
    _started: bool = field(default=False, repr=False)
    _serving: bool = field(default=False, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def runs_jobs(self) -> bool:
        """Jobs run where they were accepted (local backend), or in workers (a shared queue)."""
        return isinstance(self.jobs, LocalJobs) or self.role == "worker"

    async def __aenter__(self) -> Routix:
        try:
            await self.start()  # refused, e.g., on an outdated PostgreSQL schema (storage/migrations)
        except BaseException:
            await self.aclose()  # the context never opened: its exit will not close what was built
            raise
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()

    async def start(self) -> None:
        if self._started:
            return
        for problem in text_support_problems():
            log.warning("text rendering: %s", problem)
        prepare_reading()
        await self.store.create_schema()
        credits = self.settings.credits
        tiers = default_tiers(credits.free_allowance, credits.free_period, credits.pro_allowance, credits.pro_period)
        await self.store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, tiers)
        start_blobs = getattr(self.blobs, "start", None)  # S3 with a spool: its background sync
        if start_blobs is not None:
            start_blobs()
        self._started = True

    def add_sender(self, platform: str, sender: Sender) -> None:
        self.pipeline.add_sender(platform, sender)

    async def serve_jobs(self) -> None:
        """Start running jobs: warm the renderer, resume what a previous run left unfinished, take new ones."""
        if not self.runs_jobs or self._serving:
            return
        self._serving = True
        local = self.providers.get("local")
        if isinstance(local, LocalProvider):
            await local.warm_up()
        if isinstance(self.jobs, LocalJobs):
            self.jobs.attach(self.pipeline.run)
        else:
            await self.jobs.serve(self.pipeline.run, tuple(self.pipeline.senders))  # type: ignore[attr-defined]
        self.pipeline.start(self.jobs.submit)

    async def idle(self) -> None:
        """Until every job started in this process has ended."""
        if isinstance(self.jobs, LocalJobs):
            await self.jobs.idle()

    async def drain(self, grace_s: float | None = None) -> None:
        """Stop taking jobs; running ones get `grace_s` (JOBS_DRAIN_SECONDS) to finish, the rest resume later."""
        grace = self.settings.jobs.drain_seconds if grace_s is None else grace_s
        if self._serving:
            await self.pipeline.stop_recovering()  # nothing new starts while the rest drains
        if isinstance(self.jobs, LocalJobs):
            stopped = await self.jobs.drain(grace)
        else:
            stopped = await self.jobs.stop_serving(grace) if self._serving else 0  # type: ignore[attr-defined]
        if stopped:
            log.info("%s jobs left for the next start", stopped)
        if self._serving:
            await self.pipeline.stop()
            self._serving = False

    async def aclose(self) -> None:
        """Drain, then close every resource; once (an adapter may close it before the context exits)."""
        if self._closed:
            return
        self._closed = True
        await self.drain()
        for provider in self.providers.values():
            await provider.close()
        if self.paid is not None:
            await self.paid.close()
        await self.jobs.close()
        close_blobs = getattr(self.blobs, "aclose", None)
        if close_blobs is not None:
            await close_blobs()
        await self.store.close()
        self._started = False


def build(settings: Settings | None = None, *, role: Role = "bot", **overrides: Any) -> Routix:
    """Build everything from settings. Overrides (store, blobs, providers, jobs) replace single parts."""
    settings = settings or load_settings()
    workers = settings.jobs.workers or os.cpu_count() or 1
    store: Store = overrides.get("store") or SqlStore(create_engine(
        settings.database_url, settings.database.database_echo, settings.database.database_pool_size))
    blobs: BlobStore = overrides.get("blobs") or blob_store(settings)
    local: LocalProvider = overrides.get("local") or LocalProvider.with_processes(workers)
    paid: Built | None = None
    providers: dict[str, ImageProvider | RemoteImages] | None = overrides.get("providers")
    if providers is None:
        paid = build_paid(settings.ai, functools.partial(local.decode, moderation_jpeg))
        providers = {"local": local, **paid.images}
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    jobs: JobBackend = overrides.get("jobs") or _job_backend(settings, role, owner)
    catalogue = Catalogue(store, providers)
    decode = _decoder(providers)
    words = LocalWordList(settings.ai.blocked_words)
    paid_pictures = PaidPictures(store, blobs, [words, *(paid.moderators if paid else [])],
                                 paid.understanding if paid else None,
                                 PaidConfig(settings.ai.prices, settings.ai.ai_deadline_seconds,
                                            settings.ai.analysis_for == "all"), owner)
    jobs_settings = settings.jobs
    lease = timedelta(seconds=jobs_settings.lease_seconds)
    requests = Requests(store, blobs, catalogue, jobs, RequestConfig(
        watermark_text=settings.render.watermark_text, watermark_position=settings.render.watermark_position,
        max_bytes={"telegram": settings.telegram.max_bytes, "discord": settings.discord.max_bytes},
        default_max_bytes=settings.render.max_bytes, max_photo_bytes=settings.render.max_upload_bytes,
        per_user=jobs_settings.per_user, lease=lease), KeywordAnalyzer(), RuleRefiner(), decode, words)
    links = share_links(settings, blobs)
    service = Service(store, catalogue, requests, ServiceConfig(
        admins=settings.app.admins, flood_per_second=settings.limits.messages_per_second,
        flood_burst=settings.limits.message_burst), links)
    slots = InProcessSlots(jobs_settings.concurrency or 2 * workers)
    pipeline = Pipeline(store, blobs, providers, catalogue, slots, PipelineConfig(
        lease_s=jobs_settings.lease_seconds, max_attempts=jobs_settings.max_attempts,
        max_age=timedelta(minutes=jobs_settings.max_age_minutes), recovery_every_s=jobs_settings.recovery_seconds,
        max_photo_mb=settings.render.max_upload_bytes // 1_000_000, job_timeout_s=jobs_settings.timeout_seconds),
        owner, paid_pictures, decode, links)
    return Routix(settings, role, store, blobs, providers, catalogue, jobs, pipeline, service, paid)


def blob_store(settings: Settings) -> BlobStore:
    """STORAGE_BACKEND=local: files under ROUTIX_DATA_DIR/blobs. s3: the bucket, with a local spool for saves made
    while it is unreachable (uploaded by `routix storage sync` and every STORAGE_SYNC_SECONDS)."""
    storage, data_dir = settings.storage, settings.app.routix_data_dir
    if storage.backend == "local":
        return LocalBlobStore(data_dir / "blobs")
    from storage.s3_blobs import FallbackBlobStore, S3BlobStore, S3Config, Spool, spool_path  # boto3: only for S3

    remote = S3BlobStore(S3Config(
        bucket=storage.s3_bucket, prefix=storage.s3_prefix, region=storage.s3_region,
        endpoint_url=storage.s3_endpoint_url, path_style=storage.s3_path_style,
        access_key_id=storage.s3_access_key_id, secret_access_key=storage.s3_secret_access_key,
        connect_timeout_s=storage.s3_connect_timeout_seconds, read_timeout_s=storage.s3_read_timeout_seconds,
        max_attempts=storage.s3_max_attempts, concurrency=storage.s3_concurrency))
    return FallbackBlobStore(remote, Spool(spool_path(data_dir)), sync_every_s=storage.sync_seconds)


def share_links(settings: Settings, blobs: BlobStore) -> Links | None:
    """Presigned links on S3; HMAC-signed ones served by `routix serve` when STORAGE_SHARE_BASE_URL is set."""
    storage = settings.storage
    remote = getattr(blobs, "remote", blobs)
    if hasattr(remote, "url") and storage.backend == "s3":
        remote.link_ttl_s = storage.share_ttl_hours * 3600
        return remote  # type: ignore[no-any-return]
    if storage.share_base_url:
        return SignedLinks(settings.app.secret_key, storage.share_base_url, storage.share_ttl_hours * 3600)
    return None


def _job_backend(settings: Settings, role: Role, owner: str) -> JobBackend:
    if role == "console" or not settings.jobs.on_redis:
        if role == "worker":
            raise ValueError("JOBS_BACKEND: `routix worker` takes jobs from a shared queue; set a Redis URL")
        return LocalJobs(owner)
    from storage.redis_jobs import RedisJobs  # only deployments with workers need Redis

    return RedisJobs(settings.jobs.backend, settings.jobs.queue_name, lease_s=settings.jobs.lease_seconds,
                     concurrency=settings.jobs.worker_jobs)


def _decoder(providers: dict[str, ImageProvider | RemoteImages]) -> Decode:
    """Photos are decoded by the local renderer's workers; without one (a test's provider), on a thread."""
    local = providers.get("local")
    if isinstance(local, LocalProvider):
        return local.decode

    async def on_a_thread(function: Callable[..., object], *args: object) -> object:
        return await asyncio.to_thread(function, *args)

    return on_a_thread
