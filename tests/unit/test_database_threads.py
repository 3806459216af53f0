"""The database threads: oldest request first, errors reach the caller, queued work finishes on shutdown."""

from __future__ import annotations

import asyncio
import threading

import pytest

from storage.threads import DatabaseThreads


async def test_waiting_work_runs_by_priority_then_arrival() -> None:
    threads = DatabaseThreads(1)
    gate, ran = threading.Event(), []
    blocker = asyncio.ensure_future(threads.run(0, gate.wait))
    await asyncio.sleep(0.05)  # the one thread is now busy, so everything below waits in the queue
    waiting = [asyncio.ensure_future(threads.run(priority, lambda tag=tag: ran.append(tag)))
               for priority, tag in [(5, "late request"), (1, "early request, step 1"), (9, "newest"),
                                     (1, "early request, step 2")]]
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(blocker, *waiting)
    assert ran == ["early request, step 1", "early request, step 2", "late request", "newest"]
    threads.shutdown()


async def test_an_error_reaches_the_awaiting_caller_and_the_thread_lives_on() -> None:
    threads = DatabaseThreads(1)

    def fail() -> None:
        raise ValueError("constraint failed")

    with pytest.raises(ValueError, match="constraint failed"):
        await threads.run(0, fail)
    assert await threads.run(0, lambda: 42) == 42
    threads.shutdown()


async def test_shutdown_finishes_queued_work_first() -> None:
    threads = DatabaseThreads(2)
    done: list[int] = []
    futures = [asyncio.ensure_future(threads.run(i, lambda i=i: done.append(i))) for i in range(20)]
    await asyncio.sleep(0)
    await asyncio.to_thread(threads.shutdown)
    await asyncio.gather(*futures)
    assert sorted(done) == list(range(20))
