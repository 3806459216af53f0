import asyncio
import uuid

from core.jobs import InProcessSlots, LocalJobs


async def test_concurrency_is_bounded_and_positions_are_reported_in_order() -> None:
    queue = InProcessSlots(concurrency=2, position_refresh_s=0.005)
    releases = [asyncio.Event() for _ in range(5)]
    running_peak = 0
    positions: dict[int, list[int]] = {}

    async def job(n: int) -> None:
        nonlocal running_peak

        async def seen(position: int) -> None:
            positions.setdefault(n, []).append(position)

        async with queue.slot(seen):
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


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    queue = InProcessSlots(concurrency=1)
    hold = asyncio.Event()

    async def holder() -> None:
        async with queue.slot(_ignore):
            await hold.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(_quick(queue))
    await asyncio.sleep(0.01)
    assert queue.waiting == 1
    waiter.cancel()
    await asyncio.sleep(0.01)
    assert queue.waiting == 0
    hold.set()
    await first
    assert queue.running == 0


async def _quick(queue: InProcessSlots) -> None:
    async with queue.slot(_ignore):
        pass


async def _ignore(position: int) -> None:
    return None


async def test_local_jobs_start_once_attached_and_drain_stops_what_overruns() -> None:
    jobs = LocalJobs("owner-1")
    started: list[uuid.UUID] = []
    forever = asyncio.Event()

    async def run(job_id: uuid.UUID, taken: object) -> None:
        started.append(job_id)
        if job_id.int % 2:
            await forever.wait()

    quick, slow = uuid.UUID(int=2), uuid.UUID(int=3)
    await jobs.submit(quick, "console")
    await jobs.submit(slow, "console")
    assert started == [], "nothing runs before the platform's sender is attached"
    jobs.attach(run)
    await asyncio.sleep(0.01)
    assert started == [quick, slow] and jobs.running == 1
    assert await jobs.drain(0.05) == 1, "the overrunning job was stopped (it resumes at the next start)"
    assert jobs.running == 0
    await jobs.submit(uuid.UUID(int=4), "console")
    assert started == [quick, slow] and jobs.running == 0, "nothing starts while draining"
