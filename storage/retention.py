"""`routix storage gc`: blobs nothing refers to (older than a grace period, so a picture being made right now is
never taken), and free-tier lossless originals past their retention."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from core.credits import utcnow
from storage.store import SqlStore


class Listed(Protocol):
    async def listing(self) -> list[tuple[str, float]]: ...
    async def delete(self, key: str) -> None: ...
    async def saved_at(self, key: str) -> float | None: ...


@dataclass(frozen=True)
class Collected:
    originals_expired: int
    blobs_deleted: int
    blobs_kept: int


async def collect_garbage(store: SqlStore, blobs: Listed, older_than: timedelta, originals_after: timedelta | None,
                          now: datetime | None = None) -> Collected:
    now = now or utcnow()
    expired = await store.expire_originals(("free",), now - originals_after) if originals_after is not None else 0
    referenced = await store.referenced_keys()
    cutoff = time.time() - older_than.total_seconds()
    deleted = 0
    candidates = [key for key, modified in await blobs.listing() if key not in referenced and modified <= cutoff]
    referenced = await store.referenced_keys()  # again: a picture made again while the store was listed is kept
    for key in candidates:
        if key in referenced:
            continue
        saved = await blobs.saved_at(key)  # saved again since the listing: on its way to a row (the same bytes)
        if saved is not None and saved > cutoff:
            continue
        await blobs.delete(key)
        deleted += 1
    kept = len(await blobs.listing())
    return Collected(expired, deleted, kept)
