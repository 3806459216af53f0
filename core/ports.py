"""Ports: what the core needs from the outside world, as Protocols; storage/, adapters and bootstrap provide them."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

from core.ai import Budget, Fetched, ImageAsk, Preview
from core.domain import Account, Algorithm, Analysis, ChatSettings, Conversation, Generation, Job, Template, Tier, User
from core.messages import Address, Outgoing
from core.rendering import Finish, Rendered, Scene

log = logging.getLogger(__name__)
T = TypeVar("T")
STORE_PAUSES_S = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)  # ~16 s, under a job's lease: a PostgreSQL restart or failover


class StoreUnavailable(Exception):
    """The database could not be reached (down, restarting, unreachable): the transaction did not happen, so the
    request can simply be sent again."""


async def kept_trying(write: Callable[[], Awaitable[T]], pauses: Sequence[float] = STORE_PAUSES_S) -> T:
    """A write that must not be lost (a picture paid for, a send that happened) is tried again while the database
    is briefly away; StoreUnavailable once it stays away (the job is resumed from what was stored)."""
    for pause in pauses:
        try:
            return await write()
        except StoreUnavailable:
            log.warning("the database is unavailable; trying again in %.1f s", pause)
            await asyncio.sleep(pause)
    return await write()


class DeliveryUncertain(Exception):
    """A result's send ended without the platform's answer: neither refunded nor settled, it is sent again.
    `maybe_sent`: the request went out (a timeout after the upload, a 5xx, a connection cut): it may be in the chat.
    Otherwise nothing reached the platform (no connection): sending again cannot repeat it."""

    def __init__(self, message: str, *, maybe_sent: bool = True) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the update was accepted before (a redelivery): nothing more to do
    NO_CREDITS = "no_credits"
    TOO_MANY_JOBS = "too_many_jobs"
    BANNED = "banned"  # banned after the request arrived, before it was accepted


@dataclass(frozen=True)
class Acceptance:
    """Everything one accepted request stores, in one transaction."""

    job: Job
    generations: tuple[Generation, ...]  # to reserve credits for and record (none for a job on a finished one)
    now: datetime
    latest: bool = True  # the first generation becomes the chat's latest, which a follow-up refines
    per_user: int | None = None  # refuse when the person already has this many unfinished jobs
    lease_owner: str | None = None  # the runner that will run it at once (in-process jobs), if any
    lease_until: datetime | None = None


@dataclass(frozen=True)
class Accepted:
    outcome: Outcome
    account: Account | None = None  # after the hold (accepted), or the balance that fell short (no credits)


@dataclass(frozen=True)
class Result:
    """A stored picture of one generation."""

    generation_id: uuid.UUID
    key: str
    byte_size: int
    width: int
    height: int
    timings: dict


@dataclass(frozen=True)
class Taken:
    """A job leased to a runner, with its generations."""

    job: Job
    generations: list[Generation]


class Store(Protocol):
    """Durable state. Every method is one transaction; credit methods are atomic under concurrency."""

    async def create_schema(self) -> None: ...
    async def seed(self, algorithms: tuple[Algorithm, ...], templates: tuple[Template, ...],
                   tiers: tuple[Tier, ...]) -> None: ...
    async def close(self) -> None: ...

    # people
    async def arrive(self, platform: str, external_id: str, display_name: str,
                     update_key: str | None) -> User | None: ...
    async def ensure_user(self, platform: str, external_id: str, display_name: str) -> User: ...
    async def find_user(self, platform: str, external_id: str) -> User | None: ...
    async def get_user(self, user_id: uuid.UUID) -> User | None: ...
    async def set_language(self, user_id: uuid.UUID, language: str | None) -> None: ...
    async def set_tier(self, user_id: uuid.UUID, tier: str) -> None: ...
    async def set_banned(self, user_id: uuid.UUID, banned: bool) -> None: ...
    async def merge_users(self, source: uuid.UUID, target: uuid.UUID, now: datetime) -> bool: ...  # False: busy

    # credits
    async def account(self, user_id: uuid.UUID, now: datetime) -> Account: ...
    async def grant(self, user_id: uuid.UUID, amount: int, note: str, now: datetime) -> Account: ...
    async def ledger_total(self, user_id: uuid.UUID) -> int: ...

    # catalogue
    async def tiers(self) -> list[Tier]: ...
    async def set_tier_quota(self, name: str, allowance: int, period: str) -> None: ...
    async def algorithms(self) -> list[Algorithm]: ...
    async def set_algorithm_enabled(self, algorithm_id: str, enabled: bool) -> None: ...
    async def templates(self) -> list[Template]: ...

    # chats
    async def conversation(self, platform: str, chat_id: str) -> Conversation: ...
    async def set_last_generation(self, conversation_id: uuid.UUID, generation_id: uuid.UUID | None) -> None: ...
    async def chat_settings(self, platform: str, scope: str) -> ChatSettings: ...
    async def chat_state(self, platform: str, scope: str, chat_id: str) -> tuple[ChatSettings, Conversation | None]:
        """The chat's settings and its conversation if it has one, in one trip: every request starts with both.
        A chat gets its conversation (`conversation`) only once a request is taken, never for a refused one."""
    async def set_default_algorithm(self, platform: str, scope: str, algorithm_id: str | None) -> None: ...
    async def set_chat_watermark(self, platform: str, scope: str, watermark: bool | None) -> None: ...
    async def set_allowed_channels(self, platform: str, scope: str, channels: tuple[str, ...]) -> None: ...

    # generations
    async def get_generation(self, generation_id: uuid.UUID) -> Generation | None: ...
    async def recent_generations(self, user_id: uuid.UUID, limit: int) -> list[Generation]: ...
    async def set_original(self, generation_id: uuid.UUID, original_key: str) -> None: ...

    # jobs: accepted once, leased by one runner at a time, finished or failed (refunded) exactly once
    async def accept(self, acceptance: Acceptance) -> Accepted: ...
    async def take_job(self, job_id: uuid.UUID, owner: str, now: datetime, until: datetime,
                       platforms: tuple[str, ...]) -> Taken | None: ...
    async def renew_leases(self, owner: str, job_ids: tuple[uuid.UUID, ...], until: datetime) -> int: ...
    async def release_job(self, job_id: uuid.UUID, owner: str, now: datetime) -> None: ...
    async def release_leases(self, owner: str, now: datetime) -> None: ...
    async def recoverable_jobs(self, now: datetime, platforms: tuple[str, ...],
                               limit: int = 200) -> list[tuple[uuid.UUID, str]]: ...
    async def stranded_jobs(self, created_before: datetime, served: tuple[str, ...], now: datetime,
                            limit: int = 200) -> list[tuple[uuid.UUID, str]]: ...  # for platforms not `served`
    async def keep_progress(self, job_id: uuid.UUID, progress_id: str) -> None: ...
    async def mark_unanswered(self, job_id: uuid.UUID, owner: str) -> bool: ...  # fenced, like the writes below
    # writes of a running job are fenced by its lease: False when it is not `owner`'s (any more)
    async def begin_work(self, job_id: uuid.UUID, owner: str) -> bool: ...
    async def record_results(self, job_id: uuid.UUID, owner: str, results: list[Result],
                             delivering: bool = True) -> bool: ...
    async def start_delivery(self, job_id: uuid.UUID, owner: str) -> bool: ...
    async def finish_job(self, job: Job, owner: str, template_id: str | None) -> bool: ...
    async def fail_job(self, job_id: uuid.UUID, owner: str, failure: dict) -> bool: ...
    async def mark_notified(self, job_id: uuid.UUID, owner: str) -> None: ...
    async def jobs_summary(self) -> dict[str, int]: ...

    # bookkeeping
    async def claim_update(self, key: str, now: datetime) -> bool: ...
    async def update_seen(self, key: str) -> bool: ...
    # An intake's inbox: updates a platform handed over, kept until dealt with, so the platform can be told at once.
    async def keep_updates(self, source: str, updates: list[tuple[int, str]], now: datetime) -> None: ...
    async def kept_updates(self, source: str) -> list[tuple[int, str]]: ...  # (update id, payload), oldest first
    async def drop_updates(self, source: str, update_ids: list[int]) -> None: ...
    async def drop_stale_updates(self, before: datetime) -> int: ...  # any source's, kept before `before`
    async def audit(self, actor: str, action: str, target: str, detail: str, now: datetime) -> None: ...
    async def create_link_code(self, code: str, user_id: uuid.UUID, expires_at: datetime) -> None: ...
    async def consume_link_code(self, code: str, now: datetime) -> uuid.UUID | None: ...
    async def stats(self) -> dict[str, int]: ...

    # paid calls and budgets
    async def begin_paid_call(self, call: PaidCall, budgets: list[Budget], job_id: uuid.UUID,
                              owner: str) -> Budget | bool | None: ...  # True, the budget it would exceed, or None
    async def end_paid_call(self, call_id: uuid.UUID, outcome: str, latency_ms: float, cost_usd: float,
                            image_key: str | None = None, subject_key: str | None = None) -> None: ...
    async def paid_picture(self, generation_id: uuid.UUID) -> tuple[str, str | None] | None: ...  # (image, subject)
    async def spend(self, since: datetime) -> dict[tuple[str, str], tuple[float, int]]: ...
    async def budgets(self) -> list[Budget]: ...
    async def spent(self, budget: Budget, now: datetime) -> float: ...
    async def set_budget(self, budget: Budget) -> None: ...
    async def forget_user(self, user_id: uuid.UUID, now: datetime) -> tuple[int, list[str]] | None: ...
    async def update_plan(self, generation_id: uuid.UUID, owner: str, job_id: uuid.UUID, title: str,
                          analysis: dict, scene: dict) -> bool: ...
    async def audit_entries(self, limit: int = 50) -> list[object]: ...


class BlobStore(Protocol):
    async def put(self, data: bytes, suffix: str) -> str: ...  # returns a content-addressed key
    async def get(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...
    async def delete(self, key: str) -> None: ...  # a key that is not there is no error
    async def saved_at(self, key: str) -> float | None: ...  # epoch seconds of its last save; None: not stored
    def key_of(self, data: bytes, suffix: str) -> str: ...  # the key `put` gives these bytes, without storing them


class Links(Protocol):
    """Share links to stored pictures: signed and expiring (the local store) or presigned (S3)."""

    def url(self, key: str, filename: str) -> str: ...


class ImageProvider(Protocol):
    """Turns a scene into a finished 1280x720 thumbnail (compose, watermark, encode)."""

    name: str
    cpu_bound: bool  # renders here (waits for a render slot); False: mostly waits on a remote service

    @property
    def available(self) -> bool: ...

    async def generate(self, scene: Scene, finish: Finish) -> Rendered: ...

    async def close(self) -> None: ...


@runtime_checkable
class RemoteImages(Protocol):
    """A paid image model behind an algorithm: asked over the network (holding no render slot while it works);
    its answer is stored at once, then finished here (title, watermark, byte budget)."""

    name: str  # the provider ("openai", "stability", "sdwebui"): budgets and spend are per provider
    model: str
    quality: str
    cpu_bound: bool  # False: waiting on a remote service

    @property
    def available(self) -> bool: ...  # configured, and its key not rejected

    async def fetch(self, ask: ImageAsk, on_preview: Preview) -> Fetched: ...  # raises ProviderError

    async def close(self) -> None: ...


class Moderator(Protocol):
    """Checks what a paid call would send; the category that was flagged, or None."""

    async def flagged(self, text: str, photo: bytes | None) -> str | None: ...


class Understanding(Protocol):
    """A language model reading a request (and the request it refines) into an analysis and a scene description;
    None whenever it cannot (no answer in time, an error, an answer that does not fit): keywords decide then."""

    async def understand(self, text: str, language: str, previous: Analysis | None) -> Understood | None: ...


@dataclass(frozen=True)
class Understood:
    analysis: Analysis
    description: str  # the picture in English, for the image prompt


@dataclass(frozen=True)
class PaidCall:
    """One call to a paid provider, recorded before it is made (so budgets hold under concurrency) and completed
    with its outcome, latency and cost; its picture's key makes a resumed job reuse it instead of paying again."""

    id: uuid.UUID
    generation_id: uuid.UUID
    provider: str
    algorithm: str
    model: str
    quality: str
    cost_usd: float  # estimated, from the price table
    at: datetime


PositionCallback = Callable[[int], Awaitable[None]]
Decode = Callable[..., Awaitable[Any]]  # runs a decoding function (and its arguments) away from this process


class RenderSlots(Protocol):
    """Bounded concurrency with a visible position in line."""

    def slot(self, on_position: PositionCallback) -> AbstractAsyncContextManager[None]: ...

    @property
    def waiting(self) -> int: ...

    @property
    def running(self) -> int: ...


class JobReplies(Protocol):
    """One job's events on their way to its stored address. Opening one starts the platform's sign of work
    (a chat action, "typing…"); closing it stops it."""

    async def __call__(self, event: Outgoing) -> None: ...

    async def close(self) -> None: ...


ProgressKept = Callable[[str], Awaitable[None]]  # the sender reports the message it shows progress in


class Sender(Protocol):
    """An adapter's outbound side: delivers to a stored address, without the update that started the job."""

    def open(self, address: Address, on_progress: ProgressKept) -> JobReplies: ...


class JobBackend(Protocol):
    """Where accepted jobs wait for a runner: in this process, or on a shared queue for worker processes."""

    owner: str | None  # set when jobs accepted here run here: accepting leases them to this process at once

    async def submit(self, job_id: uuid.UUID, platform: str, taken: Taken | None = None) -> None: ...

    async def close(self) -> None: ...


__all__ = ["Acceptance", "Accepted", "BlobStore", "Decode", "DeliveryUncertain", "ImageProvider", "JobBackend",
           "JobReplies", "Links", "Moderator", "Outcome", "PaidCall", "PositionCallback", "ProgressKept",
           "RemoteImages", "RenderSlots", "Result", "Sender", "Store", "StoreUnavailable", "Taken", "Understanding",
           "Understood", "kept_trying"]
