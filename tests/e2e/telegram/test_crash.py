"""kill -9 at random moments: every accepted request still ends in exactly one picture or one refund message.

150 requests from 50 chats while `routix telegram` is killed with SIGKILL six times and started again on the same
data: on SQLite with jobs in the bot process (the default), and on PostgreSQL + Redis with the bot accepting and
two `routix worker` processes making and delivering, each of them killed at random.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from pathlib import Path

from tests.conftest import drop_postgres_schema, fresh_postgres_schema, require_service
from tests.e2e.crashes import (
    Process,
    all_answered,
    eventually_held,
    finished_by,
    ledger,
    push_requests,
    until_polling,
)
from tests.fakes.telegram_api import FakeBotAPI

CHATS, PER_CHAT, KILLS = 50, 3, 6
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def requests(seed: int) -> list[tuple[int, str]]:
    made = [(9000 + chat, f"C{chat}R{n}") for chat in range(CHATS) for n in range(PER_CHAT)]
    random.Random(seed).shuffle(made)
    return made


def environment(fake: FakeBotAPI, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_FILE_BASE_URL": fake.file_base_url, "TELEGRAM_WEBHOOK_URL": "", "ROUTIX_LOG_LEVEL": "INFO",
            "JOBS_LEASE_SECONDS": "2", "JOBS_RECOVERY_SECONDS": "0.5", "JOBS_PER_USER": "10",
            "LIMITS_MESSAGES_PER_SECOND": "0", **extra}


async def postgres_and_redis(fake: FakeBotAPI) -> tuple[str, str, dict[str, str]]:
    """A schema of its own and a queue of its own: bot and workers on PostgreSQL + Redis."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    schema, url = await fresh_postgres_schema(POSTGRES)
    return schema, url, environment(fake, DATABASE_URL=url, JOBS_BACKEND="redis://127.0.0.1:6379/0",
                                    JOBS_QUEUE_NAME=f"test-{uuid.uuid4().hex[:8]}")


def check(found, titles: list[str], books, kills: int) -> None:  # type: ignore[no-untyped-def]
    lost = [title for title in titles if not found.answered(title)]
    assert not lost, f"{len(lost)} requests never answered, e.g. {lost[:5]}"
    twice = {title for title in titles if found.answered(title) > 1}
    unexplained = twice - books.resent_titles
    assert not unexplained, f"answered twice outside the delivery window: {sorted(unexplained)[:5]}"
    both = [title for title in titles if found.photos[title] and found.refunds[title]]
    assert not both, f"a picture and a refund for the same request: {both[:5]}"
    assert books.unfinished_generations == 0 and books.unsettled_credits == 0 and books.open_jobs == 0, books
    print(f"\n{len(titles)} requests, {kills} kills: {sum(found.photos.values())} photos, "
          f"{sum(found.refunds.values())} refunds, {len(twice)} delivered twice (crash between send and record)")


async def test_killed_bot_on_sqlite_loses_nothing(fake: FakeBotAPI, tmp_path: Path) -> None:
    rng = random.Random(10)
    plan = requests(10)
    titles = [title for _, title in plan]
    bot = await Process("telegram", tmp_path, "bot", **environment(fake)).start()
    pushing = asyncio.create_task(push_requests(fake, plan, rng))
    try:
        for _ in range(KILLS):
            await bot.until(until_polling(fake, bot.started_at))
            await asyncio.sleep(rng.uniform(0.3, 2.0))
            await bot.kill()
            await bot.start()
        await pushing
        found = await bot.until(all_answered(fake, titles, timeout=150))
    finally:
        pushing.cancel()
        await bot.stop()
    check(found, titles, ledger(f"sqlite:///{tmp_path / 'data' / 'routix.db'}"), bot.kills)


async def test_killed_bot_and_workers_on_postgres_and_redis_lose_nothing(fake: FakeBotAPI, tmp_path: Path) -> None:
    schema, url, env = await postgres_and_redis(fake)
    rng = random.Random(20)
    plan = requests(20)
    titles = [title for _, title in plan]
    bot = await Process("telegram", tmp_path, "bot", **env).start()
    workers = [Process("worker", tmp_path, f"worker{i}", **env) for i in range(2)]
    try:
        await bot.until(until_polling(fake, bot.started_at))
        for worker in workers:
            await worker.start()
        pushing = asyncio.create_task(push_requests(fake, plan, rng))
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            victim = rng.choice([bot, *workers])
            await victim.kill()
            await victim.start()
            if victim is bot:
                await bot.until(until_polling(fake, bot.started_at))
        await pushing
        found = await bot.until(all_answered(fake, titles, timeout=150))
    finally:
        for process in (bot, *workers):
            await process.stop()
    books = ledger(url)
    check(found, titles, books, bot.kills + sum(worker.kills for worker in workers))
    await drop_postgres_schema(POSTGRES, schema)  # kept for a look when the check fails


async def test_sigterm_drains_within_its_grace_and_the_rest_resumes_at_the_next_start(fake: FakeBotAPI,
                                                                                      tmp_path: Path) -> None:
    plan = requests(30)  # all 150: more than the bot makes in the grace period, however fast it renders
    titles = [title for _, title in plan]
    bot = await Process("telegram", tmp_path, "bot", **environment(fake, JOBS_DRAIN_SECONDS="0.5")).start()
    await bot.until(until_polling(fake, bot.started_at))
    for chat_id, title in plan:
        fake.push(message=fake.message(chat_id, text=f'Vlog thumbnail "{title}"'))
    await bot.until(fake.wait_calls("sendPhoto", 1, timeout=30))
    stopping = time.monotonic()
    assert await bot.stop() == 0, bot.log()[-2000:]
    # The grace period plus the shutdown itself (render workers, connections), with room for a loaded machine.
    assert time.monotonic() - stopping < 0.5 + 7, "drained within the grace period"
    delivered_before = len(fake.calls_to("sendPhoto"))
    await bot.start()
    found = await bot.until(all_answered(fake, titles, timeout=90))
    await bot.stop()
    print(f"\n{delivered_before} of {len(titles)} delivered before the stop")
    assert delivered_before < len(titles), "some jobs were left for the next start"
    check(found, titles, ledger(f"sqlite:///{tmp_path / 'data' / 'routix.db'}"), 0)
    assert all(found.photos[title] == 1 for title in titles)


async def test_a_worker_killed_mid_job_leaves_its_jobs_to_the_other(fake: FakeBotAPI, tmp_path: Path) -> None:
    schema, url, env = await postgres_and_redis(fake)
    plan = requests(40)[:40]
    titles = [title for _, title in plan]
    bot = await Process("telegram", tmp_path, "bot", **env).start()
    doomed, survivor = Process("worker", tmp_path, "doomed", **env), Process("worker", tmp_path, "survivor", **env)
    try:
        await bot.until(until_polling(fake, bot.started_at))
        await doomed.start()
        await doomed.logged("taking jobs")  # the doomed worker is up first and takes what comes
        await survivor.start()
        for chat_id, title in plan:
            fake.push(message=fake.message(chat_id, text=f'Vlog thumbnail "{title}"'))
        assert doomed.process is not None
        held = await eventually_held(url, doomed.process.pid)
        await doomed.kill()
        found = await bot.until(all_answered(fake, titles, timeout=90))
        finishers = finished_by(url, held)
    finally:
        for process in (bot, doomed, survivor):
            await process.stop()
    check(found, titles, ledger(url), 1)
    assert survivor.process is not None
    assert finishers and all(f":{survivor.process.pid}:" in owner for owner in finishers), finishers
    await drop_postgres_schema(POSTGRES, schema)
