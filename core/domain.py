"""Domain types of the core: plain dataclasses the storage layer maps to tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.messages import Address


class Status(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CreditState(StrEnum):
    RESERVED = "reserved"
    SETTLED = "settled"
    REFUNDED = "refunded"


class LedgerKind(StrEnum):
    GRANT = "grant"  # an admin top-up (or credits moved in by /link)
    REFILL = "refill"  # the tier allowance renewed for a new period
    RESERVE = "reserve"  # held for a generation
    SETTLE = "settle"  # the generation succeeded: the hold becomes a charge (amount 0)
    REFUND = "refund"  # the generation failed: the hold comes back


class JobStatus(StrEnum):
    QUEUED = "queued"  # accepted: everything needed to make it is stored
    RUNNING = "running"  # a runner holds the lease
    DELIVERING = "delivering"  # the result is stored and being sent: a crash now may send it twice
    DONE = "done"
    FAILED = "failed"  # refunded; `notified` tells whether the person has been told


class JobKind(StrEnum):
    RENDER = "render"  # make the generations (one, or siblings delivered as an album) and deliver them
    ORIGINAL = "original"  # send a finished generation's lossless file


UNFINISHED_JOBS = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DELIVERING)
PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Analysis:
    category: str
    style: str
    mood: str
    colors: tuple[str, ...]
    title: str
    elements: tuple[str, ...] = ()
    badge: str | None = None
    highlight: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    category: str
    style: str
    mood: str
    elements: tuple[str, ...]
    palette: tuple[str, ...]
    layout: str
    rating: float = 4.0
    usage: int = 0


@dataclass(frozen=True)
class Algorithm:
    id: str
    name: str
    description: str
    cost: int
    provider: str
    enabled: bool = True
    available: bool = False  # a provider is configured and reachable


@dataclass(frozen=True)
class Tier:
    name: str
    allowance: int
    period: str
    watermark: bool


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    display_name: str
    tier: str = "free"
    language: str | None = None
    banned: bool = False


@dataclass(frozen=True)
class Account:
    user_id: uuid.UUID
    allowance: int  # what is left of this period's tier allowance
    granted: int  # admin top-ups; they never expire
    period_end: datetime | None

    @property
    def balance(self) -> int:
        return self.allowance + self.granted


@dataclass(frozen=True)
class ChatSettings:
    platform: str
    scope: str
    watermark: bool | None = None  # None: the requesting user's tier decides
    default_algorithm: str | None = None
    allowed_channels: tuple[str, ...] = ()  # empty: every channel


@dataclass(frozen=True)
class Conversation:
    id: uuid.UUID
    platform: str
    chat_id: str
    last_generation_id: uuid.UUID | None = None


@dataclass
class Generation:
    id: uuid.UUID
    user_id: uuid.UUID
    conversation_id: uuid.UUID | None
    platform: str
    chat_id: str
    algorithm: str
    prompt: str
    title: str
    seed: int
    cost: int
    status: Status = Status.QUEUED
    stage: str = "queued"
    analysis: dict = field(default_factory=dict)
    scene: dict = field(default_factory=dict)  # the rendering Scene without photo bytes
    template_id: str | None = None
    photo_key: str | None = None
    result_key: str | None = None
    original_key: str | None = None
    byte_size: int | None = None
    width: int | None = None
    height: int | None = None
    timings: dict = field(default_factory=dict)
    error: str | None = None
    credit_state: str = CreditState.RESERVED
    parent_id: uuid.UUID | None = None
    watermarked: bool = False
    created_at: datetime | None = None


@dataclass
class Job:
    """One accepted piece of work, durable from the moment it was accepted until it was delivered or refunded."""

    id: uuid.UUID
    kind: str  # JobKind
    user_id: uuid.UUID
    address: Address
    language: str
    generation_ids: tuple[uuid.UUID, ...]
    finish: dict = field(default_factory=dict)  # the rendering Finish's fields
    status: str = JobStatus.QUEUED
    attempts: int = 0  # runs started; past the limit the job is refunded instead
    balance: int | None = None  # the person's balance once this was reserved, for the caption
    update_key: str | None = None
    failure: dict | None = None  # {"code", "key", "values"}: what to tell the person
    notified: bool = False
    deliveries: int = 0  # times a send of the result was started (more than one: it may have arrived twice)
    unanswered: int = 0  # sends the platform may have received but never confirmed
    created_at: datetime | None = None
