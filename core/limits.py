"""A per-person message rate limit, so one person cannot fill the database or the queue with chatter.

A token bucket per person: `burst` messages at once, then `per_second` on average. The first message over
the limit gets one polite answer; the rest of that flood is dropped unanswered (answering each would let a
flooder make the bot flood the platform), until the bucket has room again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell them once
    DROP = "drop"  # still over the limit, already told


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodLimit:
    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_people: int = 100_000) -> None:
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self.max_people = max_people
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def check(self, person: str) -> Verdict:
        if not self.enabled:
            return Verdict.ALLOW
        now = self.clock()
        bucket = self._buckets.pop(person, None) or _Bucket(float(self.burst), now)
        self._buckets[person] = bucket  # most recently seen last, so the oldest are forgotten first
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        while len(self._buckets) > self.max_people:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN
