"""Running accepted jobs in this process: render slots with a visible place in line, and the local job backend."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from core.ports import PositionCallback, Taken

log = logging.getLogger(__name__)


class _Waiter:
    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.granted = False


class InProcessSlots:
    """Bounded concurrency, first come first served, each waiting job told its place in line."""

    def __init__(self, concurrency: int, position_refresh_s: float = 1.0) -> None:
        self.concurrency = concurrency
        # Waiters look up their place on this beat instead of being woken by every departure:
        # waking everyone on each release costs O(n²) wake-ups (and progress edits) in a long line.
        self.position_refresh_s = position_refresh_s
        self._running = 0
        self._waiters: deque[_Waiter] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def running(self) -> int:
        return self._running

    @asynccontextmanager
    async def slot(self, on_position: PositionCallback) -> AsyncIterator[None]:
        await self._acquire(on_position)
        try:
            yield
        finally:
            self._release()

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


JobRunner = Callable[[uuid.UUID, Taken | None], Awaitable[None]]
Pending = tuple[uuid.UUID, Taken | None]


class LocalJobs:
    """The `local` backend: jobs accepted here run here, one task each (their render slots bound the work).

    Accepting leases the job to this process (`owner`), so no other process takes it while it waits; if this
    process dies, the lease runs out and recovery (here after a restart, or in another process) resumes it.
    """

    def __init__(self, owner: str) -> None:
        self.owner: str | None = owner
        self._run: JobRunner | None = None
        self._pending: list[Pending] = []  # submitted before the runner was attached
        self._draining = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def attach(self, run: JobRunner) -> None:
        """Jobs start once the platform's sender exists; what was submitted before starts now."""
        self._run = run
        pending, self._pending = self._pending, []
        for job_id, taken in pending:
            self._start(job_id, taken)

    async def submit(self, job_id: uuid.UUID, platform: str, taken: Taken | None = None) -> None:
        """`taken`: the job as it was just accepted and leased here, so running it needs no read. While draining,
        nothing starts: the job stays stored, and the next start (its lease released) resumes it."""
        if self._draining:
            return
        if self._run is None:
            self._pending.append((job_id, taken))
        else:
            self._start(job_id, taken)

    def _start(self, job_id: uuid.UUID, taken: Taken | None) -> None:
        assert self._run is not None
        task = asyncio.create_task(self._guarded(self._run, job_id, taken), name=f"job-{job_id.hex[:8]}")
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    @staticmethod
    async def _guarded(run: JobRunner, job_id: uuid.UUID, taken: Taken | None) -> None:
        try:
            await run(job_id, taken)
        except Exception:  # the pipeline reports its own failures; this is a bug, logged, never silent
            log.exception("job %s crashed", job_id)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Until every job started here has ended (tests, the terminal chat, `routix generate`)."""
        while self._tasks or self._pending:
            await self._idle.wait()
            await asyncio.sleep(0)

    async def drain(self, grace_s: float) -> int:
        """Let running jobs finish for up to `grace_s`, then stop the rest (they resume at the next start).
        Returns how many were stopped."""
        self._draining = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_s)
        left = list(self._tasks)
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)
        return len(left)

    async def close(self) -> None:
        await self.drain(0)
