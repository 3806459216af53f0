"""The in-process job queue: bounded concurrency, FIFO, visible positions, a per-user limit."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.ports import PositionCallback


class TooManyJobs(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} jobs already in flight")
        self.limit = limit


class _Waiter:
    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.granted = False


class InProcessJobQueue:
    def __init__(self, concurrency: int, per_user: int, position_refresh_s: float = 1.0) -> None:
        self.concurrency = concurrency
        self.per_user = per_user
        # Waiters look up their place on this beat instead of being woken by every departure:
        # waking everyone on each release costs O(n²) wake-ups (and progress edits) in a long line.
        self.position_refresh_s = position_refresh_s
        self._running = 0
        self._waiters: deque[_Waiter] = deque()
        self._in_flight: Counter[str] = Counter()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def running(self) -> int:
        return self._running

    @asynccontextmanager
    async def slot(self, user_key: str, on_position: PositionCallback) -> AsyncIterator[None]:
        if self._in_flight[user_key] >= self.per_user:
            raise TooManyJobs(self.per_user)
        self._in_flight[user_key] += 1
        try:
            await self._acquire(on_position)
            try:
                yield
            finally:
                self._release()
        finally:
            self._in_flight[user_key] -= 1
            if not self._in_flight[user_key]:
                del self._in_flight[user_key]

    async def _acquire(self, on_position: PositionCallback) -> None:
        if self._running < self.concurrency and not self._waiters:
            self._running += 1
            return
        waiter = _Waiter()
        self._waiters.append(waiter)
        reported = -1
        try:
            while not waiter.granted:
                position = self._waiters.index(waiter) + 1  # 1: next in line
                if position != reported:
                    reported = position
                    await on_position(position)
                if not waiter.granted:  # a grant may have come while the position was being reported
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.changed.wait(), self.position_refresh_s)
        except BaseException:
            if waiter.granted:
                self._release()
            else:
                self._waiters.remove(waiter)
            raise

    def _release(self) -> None:
        if self._waiters:
            waiter = self._waiters.popleft()  # the slot passes straight to the next in line
            waiter.granted = True
            waiter.changed.set()
        else:
            self._running -= 1
