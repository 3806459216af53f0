"""The SQL store on real databases: SQLite files always, PostgreSQL when it runs (always in CI)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.algorithms import SEED_ALGORITHMS
from core.credits import default_tiers, utcnow
from core.domain import Generation, Job, JobKind
from core.messages import Address
from core.ports import Acceptance, Accepted, Outcome
from core.templates import SEED_TEMPLATES
from storage.engine import create_engine
from storage.store import SqlStore
from tests.conftest import drop_postgres_schema, fresh_postgres_schema, require_service

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'routix.db'}"
    else:
        require_service("PostgreSQL", "127.0.0.1", 5432)
        schema, url = await fresh_postgres_schema(POSTGRES)
    store = SqlStore(create_engine(url))
    await store.create_schema()
    await store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, default_tiers(0, "month", 100, "month"))
    yield store
    await store.close()
    if schema:
        await drop_postgres_schema(POSTGRES, schema)


RUNNER = "test-runner"


def generation(user_id: uuid.UUID, cost: int) -> Generation:
    return Generation(id=uuid.uuid4(), user_id=user_id, conversation_id=None, platform="console", chat_id="c",
                      algorithm="basic", prompt="p", title="T", seed=1, cost=cost)


def job_for(made: Generation) -> Job:
    return Job(id=uuid.uuid4(), kind=JobKind.RENDER, user_id=made.user_id, address=Address("console", "c", "u"),
               language="en", generation_ids=(made.id,))


async def accept(store: SqlStore, job: Job, made: Generation, now: datetime | None = None) -> Accepted:
    """Accept one request the way the service does: its credits held, leased by this test's runner."""
    now = now or utcnow()
    return await store.accept(Acceptance(job, (made,), now, lease_owner=RUNNER, lease_until=now + timedelta(minutes=5)))


async def held(store: SqlStore, made: Generation, now: datetime | None = None) -> Job:
    job = job_for(made)
    assert (await accept(store, job, made, now)).outcome == Outcome.ACCEPTED
    return job


async def delivered(store: SqlStore, job: Job) -> bool:
    return await store.finish_job(job, RUNNER, None)


async def failed(store: SqlStore, job: Job) -> bool:
    return await store.fail_job(job.id, RUNNER, {"code": "failed"})


async def test_concurrent_requests_never_overspend(store: SqlStore) -> None:
    user = await store.ensure_user("console", "alice", "alice")
    await store.grant(user.id, 5, "test", utcnow())
    made = [generation(user.id, 1) for _ in range(20)]
    results = await asyncio.gather(*(accept(store, job_for(one), one) for one in made))
    accepted = [result.account for result in results if result.outcome == Outcome.ACCEPTED]
    assert len(accepted) == 5 and all(result.outcome == Outcome.NO_CREDITS for result in results
                                      if result.outcome != Outcome.ACCEPTED)
    assert sorted(account.balance for account in accepted if account) == [0, 1, 2, 3, 4]
    account = await store.account(user.id, utcnow())
    assert account.balance == 0
    assert await store.ledger_total(user.id) == account.balance


async def test_settle_and_refund_happen_exactly_once(store: SqlStore) -> None:
    user = await store.ensure_user("console", "bob", "bob")
    await store.grant(user.id, 10, "test", utcnow())
    kept = await held(store, generation(user.id, 3))
    lost = await held(store, generation(user.id, 4))
    outcomes = await asyncio.gather(delivered(store, kept), delivered(store, kept), failed(store, kept))
    assert outcomes.count(True) == 1, outcomes
    assert await asyncio.gather(failed(store, lost), failed(store, lost)) in ([True, False], [False, True])
    if outcomes[2]:  # the refund won the race: then nothing of it was charged
        kept = await held(store, generation(user.id, 3))
        assert await delivered(store, kept)
    account = await store.account(user.id, utcnow())
    assert account.balance == 7  # 10 - 3 settled; the 4 came back once
    assert await store.ledger_total(user.id) == 7


async def test_allowance_refills_lazily_each_period_and_is_spent_first(store: SqlStore) -> None:
    await store.set_tier_quota("free", 3, "day")
    user = await store.ensure_user("console", "carol", "carol")
    await store.grant(user.id, 2, "test", utcnow())
    now = utcnow()
    assert (await store.account(user.id, now)).allowance == 3
    job = await held(store, generation(user.id, 4), now)
    account = await store.account(user.id, now)
    assert (account.allowance, account.granted) == (0, 1)  # 3 from the allowance, then 1 granted
    assert await failed(store, job)
    tomorrow = now + timedelta(days=1, hours=1)
    account = await store.account(user.id, tomorrow)
    assert (account.allowance, account.granted) == (3, 2)
    assert account.period_end is not None and account.period_end > tomorrow
    assert await store.ledger_total(user.id) == account.balance


async def test_link_codes_are_single_use_and_expire(store: SqlStore) -> None:
    user = await store.ensure_user("telegram", "1", "t")
    now = utcnow()
    await store.create_link_code("ABCD2345", user.id, now + timedelta(minutes=10))
    await store.create_link_code("OLD23456", user.id, now - timedelta(seconds=1))
    claims = await asyncio.gather(*(store.consume_link_code("ABCD2345", now) for _ in range(3)))
    assert claims.count(user.id) == 1
    assert await store.consume_link_code("OLD23456", now) is None


async def test_merging_accounts_moves_identities_history_and_granted_credits(store: SqlStore) -> None:
    await store.set_tier_quota("free", 3, "month")
    telegram = await store.ensure_user("telegram", "7", "t")
    discord = await store.ensure_user("discord", "9", "d")
    await store.grant(telegram.id, 4, "t", utcnow())
    await store.grant(discord.id, 6, "d", utcnow())
    made = generation(discord.id, 1)
    assert await delivered(store, await held(store, made))
    await store.merge_users(discord.id, telegram.id, utcnow())
    assert (await store.find_user("discord", "9")).id == telegram.id  # type: ignore[union-attr]
    # The joined account keeps one allowance (3) and both granted amounts (4 + 6); the Discord account
    # had spent 1 of its own allowance, and the 2 left of it ended with the link.
    assert (await store.account(telegram.id, utcnow())).balance == 13
    assert await store.ledger_total(telegram.id) == 13
    assert [g.id for g in await store.recent_generations(telegram.id, 5)] == [made.id]


async def test_updates_are_claimed_once(store: SqlStore) -> None:
    claims = await asyncio.gather(*(store.claim_update("telegram:42", utcnow()) for _ in range(4)))
    assert claims.count(True) == 1


async def test_a_url_written_for_the_old_async_driver_opens_the_same_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "routix.db"
    first = SqlStore(create_engine(f"sqlite+aiosqlite:///{path}"))
    await first.create_schema()
    await first.ensure_user("console", "alice", "Alice")
    await first.close()
    second = SqlStore(create_engine(f"sqlite:///{path}"))
    assert (await second.find_user("console", "alice")) is not None
    await second.close()


async def test_a_lost_postgres_connection_costs_nothing_and_the_pool_recovers(tmp_path: Path) -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema, url = await fresh_postgres_schema(POSTGRES)
    store = SqlStore(create_engine(url, pool_size=2))
    try:
        await store.create_schema()
        await store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, default_tiers(0, "month", 100, "month"))
        user = await store.ensure_user("console", "dana", "dana")
        await store.grant(user.id, 3, "test", utcnow())
        await _terminate_routix_connections()  # the server drops every pooled connection (a restart, a proxy)
        await held(store, generation(user.id, 1))  # ran again on a new connection
        await _terminate_routix_connections()
        account = await store.account(user.id, utcnow())
        assert account.balance == 2 == await store.ledger_total(user.id), "the hold counted once"
    finally:
        await store.close()
        await drop_postgres_schema(POSTGRES, schema)


async def _terminate_routix_connections() -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(POSTGRES, autocommit=True) as connection:
        await connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE application_name = 'routix' AND pid <> pg_backend_pid()")
