"""Jobs on Redis for worker processes, through SAQ (an asyncio job queue on Redis).

Why SAQ: it is asyncio from end to end (our pipeline is), acknowledges a job only when its function returns,
notices a worker that died by its missing heartbeat and gives the job to another worker (its sweep), retries,
and keeps its state in a handful of Redis keys an operator can read. taskiq with its Redis streams broker would
serve too; SAQ needs no separate broker and result backend configuration.

The database stays the truth: a job's lease there decides who runs it, so a job delivered twice by the queue
still runs once, and a job the queue lost (Redis restarted without persistence) is found again by the
pipeline's recovery and put back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis
from saq import Worker
from saq.queue.redis import RedisQueue

log = logging.getLogger(__name__)
JOB_FUNCTION = "routix_job"
RETRIES = 1000  # a job is retried until it finishes; the database's attempt count decides when to give up


class _Worker(Worker):
    SIGNALS: list = []  # no signal handlers of SAQ's own: the process's lifecycle drains and stops it


class _Queue(RedisQueue):
    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """SAQ waits `abort` seconds for each stuck job's worker to acknowledge the abort, one job after the other:
        a worker killed with twenty jobs would hold the sweep for over a minute. A dead worker never answers, and a
        live one that missed its heartbeats loses nothing (the job's database lease decides who runs it)."""
        return await super().sweep(lock, abort=0.2)


class RedisJobs:
    """The shared backend: bot processes `submit`, `routix worker` processes `serve`. One queue per platform, so
    a worker takes only jobs it can deliver (a worker with only a Telegram token never holds a Discord job)."""

    owner: str | None = None  # jobs accepted here run in a worker, which takes the lease itself

    def __init__(self, url: str, name: str = "routix", *, lease_s: float = 20.0, concurrency: int = 500) -> None:
        # Every job slot of a worker waits on Redis with a blocking call of its own: one connection each, plus room
        # for enqueues, heartbeats and the queues' upkeep.
        self.redis = redis.from_url(url, max_connections=concurrency + 50)
        self.name = name
        self.lease_s = lease_s
        self.concurrency = concurrency
        self._queues: dict[str, _Queue] = {}
        self._workers: list[tuple[_Worker, asyncio.Task[None]]] = []

    def queue(self, platform: str) -> _Queue:
        if platform not in self._queues:
            self._queues[platform] = _Queue(self.redis, name=f"{self.name}-{platform}")
        return self._queues[platform]

    async def submit(self, job_id: uuid.UUID, platform: str, taken: object = None) -> None:
        """Once per job at a time: a key that is queued or running already is not added again (a worker reads
        the job itself: `taken` is for in-process runners)."""
        await self.queue(platform).enqueue(JOB_FUNCTION, key=job_id.hex, job_id=job_id.hex, timeout=0,
                                           heartbeat=self._heartbeat_s, retries=RETRIES, retry_delay=1.0, ttl=600)

    @property
    def _heartbeat_s(self) -> int:
        return max(2, round(self.lease_s))

    async def serve(self, run: Callable[[uuid.UUID, None], Awaitable[None]], platforms: tuple[str, ...]) -> None:
        """Take jobs of these platforms in the background until `stop_serving`."""

        async def routix_job(context: dict[str, Any], *, job_id: str) -> None:
            beat = asyncio.create_task(self._beat(context["job"]))
            try:
                await run(uuid.UUID(hex=job_id), None)
            finally:
                beat.cancel()

        sweep = max(1, round(self.lease_s / 2))
        for platform in platforms:
            worker = _Worker(self.queue(platform), functions=[(JOB_FUNCTION, routix_job)],
                             concurrency=max(1, self.concurrency // len(platforms)),
                             timers={"sweep": sweep, "abort": 1, "schedule": 1, "worker_info": 10})
            self._workers.append((worker, asyncio.create_task(worker.start(), name=f"routix-saq-{platform}")))

    async def _beat(self, job: Any) -> None:
        """The queue's heartbeat: a job whose worker stops beating is swept and given to another worker."""
        while True:
            await asyncio.sleep(self._heartbeat_s / 3)
            with contextlib.suppress(Exception):
                await job.update()

    async def stop_serving(self, grace_s: float) -> int:
        """Running jobs get `grace_s` to finish; the rest go back on the queue for another worker."""
        stopped = 0
        for worker, serving in self._workers:
            running = len(worker.job_task_contexts)
            worker._shutdown_grace_period_s = grace_s  # SAQ reads it at stop time
            await worker.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
            stopped += min(running, len(worker.job_task_contexts))
        self._workers = []
        return stopped

    async def close(self) -> None:
        for queue in self._queues.values():
            await queue.disconnect()  # its listener, and the shared connection pool (closing it twice is harmless)
        if not self._queues:
            await self.redis.aclose()
