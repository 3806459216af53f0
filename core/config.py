"""What the core is configured with (bootstrap fills these from the settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class ServiceConfig:
    admins: frozenset[tuple[str, str]] = frozenset()
    history_limit: int = 10
    link_code_ttl: timedelta = timedelta(minutes=10)
    flood_per_second: float = 2.0  # one person's messages per second on average (0: no limit)
    flood_burst: int = 8  # and at once


@dataclass(frozen=True)
class RequestConfig:
    watermark_text: str = "made with Routix"
    watermark_position: str = "bottom-left"
    max_bytes: dict[str, int] = field(default_factory=dict)  # per platform delivery budget
    default_max_bytes: int = 2_000_000
    max_photo_bytes: int = 20_000_000
    max_request_chars: int = 1000
    variations: int = 3
    per_user: int = 3  # one person's unfinished jobs
    lease: timedelta = timedelta(seconds=20)  # jobs leased at acceptance to this process, when it runs them


@dataclass(frozen=True)
class PipelineConfig:
    lease_s: float = 20.0  # a runner renews its leases every third of this; a dead runner's jobs wait this long
    max_attempts: int = 3  # runs of one job (each restart mid-job is one) before it is refunded instead
    max_age: timedelta = timedelta(hours=1)  # an older unfinished job is refunded: the person has moved on
    recovery_every_s: float = 10.0
    max_photo_mb: int = 20
    job_timeout_s: float = 600.0  # making a job's pictures may take this long (a provider that never answers)
