import asyncio

import pytest

from core.jobs import InProcessJobQueue, TooManyJobs


async def test_concurrency_is_bounded_and_positions_are_reported_in_order() -> None:
    queue = InProcessJobQueue(concurrency=2, per_user=5, position_refresh_s=0.005)
    releases = [asyncio.Event() for _ in range(5)]
    running_peak = 0
    positions: dict[int, list[int]] = {}

    async def job(n: int) -> None:
        nonlocal running_peak

        async def seen(position: int) -> None:
            positions.setdefault(n, []).append(position)

        async with queue.slot(f"user{n}", seen):
            running_peak = max(running_peak, queue.running)
            await releases[n].wait()

    tasks = [asyncio.create_task(job(n)) for n in range(5)]
    await asyncio.sleep(0.02)
    assert (queue.running, queue.waiting) == (2, 3)
    assert positions == {2: [1], 3: [2], 4: [3]}
    for n in range(5):  # finish one job at a time: the line moves up by one each time
        releases[n].set()
        await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)
    assert running_peak == 2
    assert positions[4] == [3, 2, 1]
    assert (queue.running, queue.waiting) == (0, 0)


async def test_one_person_cannot_flood_the_queue() -> None:
    queue = InProcessJobQueue(concurrency=1, per_user=2)
    hold = asyncio.Event()

    async def job() -> None:
        async with queue.slot("alice", _ignore):
            await hold.wait()

    tasks = [asyncio.create_task(job()) for _ in range(2)]
    await asyncio.sleep(0.01)
    with pytest.raises(TooManyJobs):
        async with queue.slot("alice", _ignore):
            pass
    async with asyncio.timeout(1):  # someone else is still welcome (and waits their turn)
        other = asyncio.create_task(_quick(queue, "bob"))
        hold.set()
        await asyncio.gather(*tasks, other)


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    queue = InProcessJobQueue(concurrency=1, per_user=5)
    hold = asyncio.Event()

    async def holder() -> None:
        async with queue.slot("a", _ignore):
            await hold.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(_quick(queue, "b"))
    await asyncio.sleep(0.01)
    assert queue.waiting == 1
    waiter.cancel()
    await asyncio.sleep(0.01)
    assert queue.waiting == 0
    hold.set()
    await first
    assert queue.running == 0


async def _quick(queue: InProcessJobQueue, user: str) -> None:
    async with queue.slot(user, _ignore):
        pass


async def _ignore(position: int) -> None:
    return None
