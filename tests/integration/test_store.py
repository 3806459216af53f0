"""The Store contract on real databases (SQLite files always, PostgreSQL when it runs: always in CI), and on the
unit tests' in-memory fake, which these same tests prove faithful."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.ai import Budget
from core.algorithms import SEED_ALGORITHMS
from core.credits import default_tiers, utcnow
from core.domain import ChatSettings, Generation, Job, JobKind
from core.messages import Address
from core.ports import Acceptance, Accepted, Outcome, PaidCall, Result, Store
from core.templates import SEED_TEMPLATES
from storage.engine import create_engine
from storage.store import SqlStore
from tests.conftest import drop_postgres_schema, fresh_postgres_schema, require_service
from tests.fakes.memory_store import MemoryStore

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    schema = None
    store: Store
    if request.param == "memory":
        store = MemoryStore()
    elif request.param == "sqlite":
        store = SqlStore(create_engine(f"sqlite:///{tmp_path / 'routix.db'}"))
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


async def accept(store: Store, job: Job, made: Generation, now: datetime | None = None) -> Accepted:
    """Accept one request the way the service does: its credits held, leased by this test's runner."""
    now = now or utcnow()
    return await store.accept(Acceptance(job, (made,), now, lease_owner=RUNNER, lease_until=now + timedelta(minutes=5)))


async def held(store: Store, made: Generation, now: datetime | None = None) -> Job:
    job = job_for(made)
    assert (await accept(store, job, made, now)).outcome == Outcome.ACCEPTED
    return job


async def delivered(store: Store, job: Job) -> bool:
    return await store.finish_job(job, RUNNER, None)


async def failed(store: Store, job: Job) -> bool:
    return await store.fail_job(job.id, RUNNER, {"code": "failed"})


async def test_concurrent_requests_never_overspend(store: Store) -> None:
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


async def test_settle_and_refund_happen_exactly_once(store: Store) -> None:
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


async def test_a_person_banned_while_their_request_was_read_is_not_charged_for_it(store: Store) -> None:
    user = await store.ensure_user("console", "gus", "gus")
    await store.grant(user.id, 5, "test", utcnow())
    before = await store.account(user.id, utcnow())
    await store.set_banned(user.id, True)  # /ban, between the arrival's check and the acceptance
    made = generation(user.id, 2)
    assert (await accept(store, job_for(made), made)).outcome == Outcome.BANNED
    assert await store.account(user.id, utcnow()) == before and await store.get_generation(made.id) is None
    costly = generation(user.id, 100)  # more than they have: still told they are banned, not "no credits"
    assert (await accept(store, job_for(costly), costly)).outcome == Outcome.BANNED


async def test_allowance_refills_lazily_each_period_and_is_spent_first(store: Store) -> None:
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


async def test_a_refund_after_the_refill_gives_back_only_what_has_not_expired(store: Store) -> None:
    """Held on the last day, refunded after the refill: the old allowance ended with its period; given back, it
    topped the new one up (a request that fails at midnight was worth a credit)."""
    await store.set_tier_quota("free", 3, "day")
    user = await store.ensure_user("console", "dora", "dora")
    await store.grant(user.id, 2, "test", utcnow())
    now = utcnow()
    job = await held(store, generation(user.id, 4), now)  # 3 from today's allowance, 1 granted
    tomorrow = now + timedelta(days=1, hours=1)
    assert (await store.account(user.id, tomorrow)).allowance == 3  # refilled
    assert await failed(store, job)
    account = await store.account(user.id, tomorrow)
    assert (account.allowance, account.granted) == (3, 2), "the granted credit comes back, the old allowance not"
    assert await store.ledger_total(user.id) == account.balance


async def test_a_refund_judges_its_hold_by_the_period_it_spent_from_not_the_tier_s_period_now(store: Store) -> None:
    """/quota changes a tier's period between a hold and its refund: the refund still knows the hold's own period,
    so it neither tops a new allowance up nor keeps the current one."""
    await store.set_tier_quota("free", 10, "day")
    early = await store.ensure_user("console", "ezra", "ezra")
    now = utcnow()
    refilled = await held(store, generation(early.id, 3), now)
    await store.set_tier_quota("free", 10, "month")
    tomorrow = now + timedelta(days=1, hours=1)
    assert (await store.account(early.id, tomorrow)).allowance == 10  # this month's allowance
    assert await failed(store, refilled)
    assert (await store.account(early.id, tomorrow)).allowance == 10, "yesterday's allowance ended with yesterday"
    assert await store.ledger_total(early.id) == 10

    late = await store.ensure_user("console", "fay", "fay")  # this month's allowance: the period runs on
    same = await held(store, generation(late.id, 3), now)
    await store.set_tier_quota("free", 10, "week")
    assert await failed(store, same)
    assert (await store.account(late.id, now)).allowance == 10, "held and refunded in one period: all back"
    assert await store.ledger_total(late.id) == 10


async def test_refunds_racing_the_refill_at_the_period_s_end_neither_make_nor_lose_credits(store: Store) -> None:
    """Held today, failing tomorrow just as the person's next request refills their allowance: in either order
    the allowance is the tier's and the ledger adds up to the balance."""
    await store.set_tier_quota("free", 10, "day")
    now = utcnow()
    people = [await store.ensure_user("console", f"p{n}", f"p{n}") for n in range(60)]
    jobs = [await held(store, generation(person.id, 3), now) for person in people]
    tomorrow = now + timedelta(days=1, hours=1)
    await asyncio.gather(*(asyncio.gather(failed(store, job), store.account(person.id, tomorrow))
                           for person, job in zip(people, jobs, strict=True)))
    for person in people:
        account = await store.account(person.id, tomorrow)
        assert (account.allowance, await store.ledger_total(person.id)) == (10, 10), person.display_name


async def test_link_codes_are_single_use_and_expire(store: Store) -> None:
    user = await store.ensure_user("telegram", "1", "t")
    now = utcnow()
    await store.create_link_code("ABCD2345", user.id, now + timedelta(minutes=10))
    await store.create_link_code("OLD23456", user.id, now - timedelta(seconds=1))
    claims = await asyncio.gather(*(store.consume_link_code("ABCD2345", now) for _ in range(3)))
    assert claims.count(user.id) == 1
    assert await store.consume_link_code("OLD23456", now) is None


async def test_merging_accounts_moves_identities_history_and_granted_credits(store: Store) -> None:
    await store.set_tier_quota("free", 3, "month")
    telegram = await store.ensure_user("telegram", "7", "t")
    discord = await store.ensure_user("discord", "9", "d")
    await store.grant(telegram.id, 4, "t", utcnow())
    await store.grant(discord.id, 6, "d", utcnow())
    made = generation(discord.id, 1)
    assert await delivered(store, await held(store, made))
    await store.create_link_code("DISCORD2", discord.id, utcnow() + timedelta(minutes=10))
    await store.set_language(discord.id, "fa")  # /lang fa, on the account that types the code
    await store.merge_users(discord.id, telegram.id, utcnow())
    assert (await store.get_user(telegram.id)).language == "fa"  # type: ignore[union-attr]  # still theirs
    assert (await store.find_user("discord", "9")).id == telegram.id  # type: ignore[union-attr]
    assert (await store.get_user(discord.id)).id == telegram.id  # type: ignore[union-attr]  # the person now
    assert await store.consume_link_code("DISCORD2", utcnow()) is None, "it would join someone to a gone account"
    # The joined account keeps one allowance (3) and both granted amounts (4 + 6); the Discord account
    # had spent 1 of its own allowance, and the 2 left of it ended with the link.
    assert (await store.account(telegram.id, utcnow())).balance == 13
    assert await store.ledger_total(telegram.id) == 13
    assert [g.id for g in await store.recent_generations(telegram.id, 5)] == [made.id]


async def test_updates_are_claimed_once(store: Store) -> None:
    claims = await asyncio.gather(*(store.claim_update("telegram:42", utcnow()) for _ in range(4)))
    assert claims.count(True) == 1


async def test_the_inbox_keeps_a_batch_once_per_bot_until_each_update_is_dropped(store: Store) -> None:
    now = utcnow()
    await store.keep_updates("telegram:1", [(5, '{"update_id": 5}'), (3, '{"update_id": 3}')], now)
    await store.keep_updates("telegram:1", [(5, '{"update_id": 5, "again": true}'), (8, "{}")], now)
    await store.keep_updates("telegram:2", [(4, "{}")], now)
    assert await store.kept_updates("telegram:1") == [(3, '{"update_id": 3}'), (5, '{"update_id": 5}'), (8, "{}")]
    await store.drop_updates("telegram:1", [3, 8, 99])
    assert await store.kept_updates("telegram:1") == [(5, '{"update_id": 5}')]
    assert await store.kept_updates("telegram:2") == [(4, "{}")], "another bot's inbox is its own"
    await store.keep_updates("telegram:1", [], now)
    await store.drop_updates("telegram:1", [])
    await store.keep_updates("telegram:3", [(1, "{}")], now + timedelta(hours=2))
    assert await store.drop_stale_updates(now + timedelta(hours=1)) == 2, "any bot's, kept before the time"
    assert await store.kept_updates("telegram:3") == [(1, "{}")]


async def test_a_refused_acceptance_leaves_nothing_behind_and_a_redelivery_is_refused(store: Store) -> None:
    user = await store.ensure_user("console", "erin", "erin")
    await store.grant(user.id, 3, "test", utcnow())
    first, second = generation(user.id, 2), generation(user.id, 2)
    job = replace(job_for(first), generation_ids=(first.id, second.id), update_key="console:7")
    both = Acceptance(job, (first, second), utcnow())
    refused = await store.accept(both)  # 4 credits asked, 3 there: neither is held
    assert refused.outcome == Outcome.NO_CREDITS and refused.account is not None and refused.account.balance == 3
    assert await store.get_generation(first.id) is None and not await store.update_seen("console:7")
    assert await store.ledger_total(user.id) == 3
    await store.grant(user.id, 1, "test", utcnow())
    assert (await store.accept(both)).outcome == Outcome.ACCEPTED
    assert (await store.accept(both)).outcome == Outcome.DUPLICATE
    assert (await store.account(user.id, utcnow())).balance == 0 == await store.ledger_total(user.id)


async def test_unfinished_jobs_are_limited_per_person_and_the_chat_points_at_the_latest(store: Store) -> None:
    user = await store.ensure_user("console", "finn", "finn")
    await store.grant(user.id, 10, "test", utcnow())
    chat = await store.conversation("console", "finn-chat")
    now = utcnow()
    first, second, aside = (replace(generation(user.id, 1), conversation_id=chat.id) for _ in range(3))
    assert (await store.accept(Acceptance(job_for(first), (first,), now, per_user=1))).outcome == Outcome.ACCEPTED
    assert (await store.conversation("console", "finn-chat")).last_generation_id == first.id
    refused = await store.accept(Acceptance(job_for(second), (second,), now, per_user=1))
    assert refused.outcome == Outcome.TOO_MANY_JOBS and await store.get_generation(second.id) is None
    assert (await store.accept(Acceptance(job_for(aside), (aside,), now, latest=False))).outcome == Outcome.ACCEPTED
    assert (await store.conversation("console", "finn-chat")).last_generation_id == first.id
    assert (await store.account(user.id, now)).balance == 8 == await store.ledger_total(user.id)


async def test_a_lease_fences_every_write_of_the_runner_that_lost_it(store: Store) -> None:
    user = await store.ensure_user("console", "gus", "gus")
    await store.grant(user.id, 5, "test", utcnow())
    made = generation(user.id, 1)
    job = await held(store, made)  # leased to RUNNER for five minutes
    now = utcnow()
    assert await store.take_job(job.id, "other", now, now + timedelta(minutes=5), ("console",)) is None
    assert await store.take_job(job.id, RUNNER, now, now + timedelta(minutes=5), ("telegram",)) is None
    later = now + timedelta(minutes=6)  # RUNNER's lease ran out: another runner may take the job
    taken = await store.take_job(job.id, "other", later, later + timedelta(minutes=5), ("console",))
    assert taken is not None and taken.job.id == job.id and [g.id for g in taken.generations] == [made.id]
    assert not await store.begin_work(job.id, RUNNER)
    assert not await store.record_results(job.id, RUNNER, [picture(made, "lost.jpg")])
    assert not await delivered(store, job) and not await failed(store, job)
    assert await store.renew_leases(RUNNER, (job.id,), later) == 0
    assert await store.renew_leases("other", (job.id,), later + timedelta(minutes=9)) == 1
    assert await store.recoverable_jobs(later, ("console",)) == []
    await store.release_job(job.id, "other", later)
    assert await store.recoverable_jobs(later + timedelta(seconds=1), ("console",)) == [(job.id, "console")]


async def test_a_delivered_job_settles_its_generation_once(store: Store) -> None:
    user = await store.ensure_user("console", "hana", "hana")
    await store.grant(user.id, 5, "test", utcnow())
    made = generation(user.id, 2)
    job = await held(store, made)
    assert await store.begin_work(job.id, RUNNER)
    now = utcnow()
    taken = await store.take_job(job.id, RUNNER, now, now + timedelta(minutes=5), ("console",))
    assert taken is not None and (taken.job.status, taken.job.attempts) == ("running", 1)
    assert await store.record_results(job.id, RUNNER, [picture(made, "hana.jpg")])
    assert await store.jobs_summary() == {"delivering": 1}
    assert await delivered(store, job)
    stored = await store.get_generation(made.id)
    assert stored is not None and (stored.status, stored.credit_state, stored.result_key, stored.width) == (
        "completed", "settled", "hana.jpg", 1280)
    assert await store.jobs_summary() == {"done": 1}
    assert await store.take_job(job.id, RUNNER, now, now + timedelta(minutes=5), ("console",)) is None
    stats = await store.stats()
    assert (stats["users"], stats["generations"], stats["completed"], stats["spent"]) == (1, 1, 1, 2)
    assert (await store.account(user.id, now)).balance == 3 == await store.ledger_total(user.id)


async def test_a_failed_job_is_refunded_and_recovered_until_the_person_is_told(store: Store) -> None:
    user = await store.ensure_user("console", "ivan", "ivan")
    await store.grant(user.id, 5, "test", utcnow())
    made = generation(user.id, 2)
    job = await held(store, made)
    assert await store.begin_work(job.id, RUNNER)
    assert await store.fail_job(job.id, RUNNER, {"code": "failed", "detail": "no answer"})
    assert (await store.account(user.id, utcnow())).balance == 5 == await store.ledger_total(user.id)
    stored = await store.get_generation(made.id)
    assert stored is not None and (stored.status, stored.credit_state, stored.error) == (
        "failed", "refunded", "no answer")
    later = utcnow() + timedelta(minutes=6)
    assert await store.recoverable_jobs(later, ("console",)) == [(job.id, "console")]  # nobody told the person
    taken = await store.take_job(job.id, RUNNER, later, later + timedelta(minutes=5), ("console",))
    assert taken is not None and taken.job.failure == {"code": "failed", "detail": "no answer"}
    assert await store.start_delivery(job.id, RUNNER)
    assert await store.jobs_summary() == {"failed": 1}  # sending the notice leaves it a failure
    await store.mark_notified(job.id, RUNNER)
    assert await store.recoverable_jobs(later, ("console",)) == []


async def test_stranded_jobs_are_old_unfinished_jobs_nobody_holds_on_platforms_not_served(store: Store) -> None:
    user = await store.ensure_user("console", "uma", "uma")
    await store.grant(user.id, 5, "test", utcnow())
    old = await held(store, generation(user.id, 1), utcnow() - timedelta(hours=2))  # its lease ran out long ago
    await held(store, generation(user.id, 1))  # young, and held
    hour_ago = utcnow() - timedelta(hours=1)
    assert await store.stranded_jobs(hour_ago, ("discord",), utcnow()) == [(old.id, "console")]
    assert await store.stranded_jobs(hour_ago, ("console", "discord"), utcnow()) == []  # served: its own runners
    later = utcnow() + timedelta(minutes=6)
    assert await store.stranded_jobs(hour_ago, ("discord",), later) == [(old.id, "console")]  # the young one waits
    assert await failed(store, old)
    assert await store.stranded_jobs(hour_ago, ("discord",), later) == []  # refunded: left to tell the person


async def test_a_job_addressed_by_a_later_release_still_loads(store: Store) -> None:
    """A rollback, or processes of two releases side by side: an address field this release does not know (a
    later one's) is passed over, not a TypeError on every such job."""
    if not isinstance(store, SqlStore):
        pytest.skip("addresses are stored as JSON by the SQL store only")
    from sqlalchemy import update

    from storage.tables import JobRow

    user = await store.ensure_user("console", "vic", "vic")
    job = await held(store, generation(user.id, 0))
    with store.engine.begin() as connection:
        connection.execute(update(JobRow).values(address={**job.address.__dict__, "topic_icon": "🎮"}))
    later = utcnow() + timedelta(minutes=6)
    taken = await store.take_job(job.id, RUNNER, later, later + timedelta(minutes=1), ("console",))
    assert taken is not None and taken.job.address == job.address


async def test_paid_calls_are_fenced_by_the_lease_and_held_to_their_budget(store: Store) -> None:
    user = await store.ensure_user("console", "jo", "jo")
    await store.grant(user.id, 5, "test", utcnow())
    made = generation(user.id, 1)
    job = await held(store, made)
    now = utcnow()
    budget = Budget("remote", 0.10, "day")
    await store.set_budget(budget)
    assert await store.budgets() == [budget]

    def call(cost: float) -> PaidCall:
        return PaidCall(uuid.uuid4(), made.id, "remote", "basic", "image-model", "low", cost, now)

    assert await store.begin_paid_call(call(0.04), [budget], job.id, RUNNER) is None  # not running yet
    assert await store.begin_work(job.id, RUNNER)
    first = call(0.04)
    assert await store.begin_paid_call(first, [budget], job.id, RUNNER) is True
    assert await store.begin_paid_call(call(0.04), [budget], job.id, RUNNER) is True
    roomy = Budget("all", 100.0, "month")
    assert await store.begin_paid_call(call(0.04), [roomy, budget], job.id, RUNNER) == budget  # 0.12 is past 0.10
    assert await store.spent(budget, now) == pytest.approx(0.08)  # estimates of calls under way count
    await store.end_paid_call(first.id, "ok", 1234.56, 0.03, "paid.png", None)
    assert await store.spend(now - timedelta(seconds=1)) == {("remote", "basic"): (pytest.approx(0.03), 1)}
    assert await store.paid_picture(made.id) == ("paid.png", None)
    assert await store.begin_paid_call(call(0.01), [budget], job.id, "other") is None


async def test_forgetting_a_person_deletes_their_files_but_not_shared_ones_nor_credits(store: Store) -> None:
    zoe, kim = [await store.ensure_user("console", name, name) for name in ("zoe", "kim")]
    for person in (zoe, kim):
        await store.grant(person.id, 5, "test", utcnow())
    chat = await store.conversation("console", "zoe-chat")
    mine = replace(generation(zoe.id, 1), conversation_id=chat.id, photo_key="photo.jpg")
    theirs = generation(kim.id, 1)
    mine_job = await held(store, mine)
    assert await store.forget_user(zoe.id, utcnow()) is None  # a job of hers is unfinished
    await run_to_delivery(store, mine_job, mine, "mine.jpg")
    await run_to_delivery(store, await held(store, theirs), theirs, "shared.png")
    await store.set_original(mine.id, "shared.png")  # identical bytes share a key
    assert await store.forget_user(zoe.id, utcnow()) == (1, ["mine.jpg", "photo.jpg"])
    assert await store.get_generation(mine.id) is None and await store.recent_generations(zoe.id, 5) == []
    assert (await store.conversation("console", "zoe-chat")).last_generation_id is None
    assert (await store.account(zoe.id, utcnow())).balance == 4
    assert await store.referenced_keys() == {"shared.png"}
    stats = await store.stats()  # the service's figures: what was spent stays spent
    assert (stats["generations"], stats["spent"]) == (1, 2)


async def test_originals_of_a_tier_expire_and_the_others_stay(store: Store) -> None:
    free, pro = [await store.ensure_user("console", name, name) for name in ("free", "pro")]
    await store.set_tier(pro.id, "pro")
    for person in (free, pro):
        await store.grant(person.id, 5, "test", utcnow())
        made = generation(person.id, 1)
        await run_to_delivery(store, await held(store, made), made, f"{person.display_name}.jpg")
        await store.set_original(made.id, f"{person.display_name}.png")
    assert await store.expire_originals(("free",), utcnow() + timedelta(seconds=1)) == 1
    assert await store.referenced_keys() == {"free.jpg", "pro.jpg", "pro.png"}


async def test_what_people_and_chats_set_is_kept(store: Store) -> None:
    user = await store.ensure_user("telegram", "5", "")
    assert user.display_name == "telegram:5"
    await store.set_language(user.id, "fa")
    await store.set_tier(user.id, "pro")
    await store.set_banned(user.id, True)
    found = await store.find_user("telegram", "5")
    assert found == await store.get_user(user.id)
    assert found is not None and (found.language, found.tier, found.banned) == ("fa", "pro", True)
    next_period = utcnow() + timedelta(days=32)
    assert (await store.account(user.id, next_period)).allowance == 100  # the pro tier's, from its next refill
    assert await store.chat_settings("discord", "guild") == ChatSettings("discord", "guild")
    await store.set_default_algorithm("discord", "guild", "basic")
    await store.set_chat_watermark("discord", "guild", False)
    await store.set_allowed_channels("discord", "guild", ("111", "222"))
    assert await store.chat_settings("discord", "guild") == ChatSettings("discord", "guild", False, "basic",
                                                                         ("111", "222"))
    await store.set_chat_watermark("discord", "guild", None)  # the tier decides again
    assert (await store.chat_settings("discord", "guild")).watermark is None
    settings, conversation = await store.chat_state("discord", "guild", "111")
    assert settings == await store.chat_settings("discord", "guild")
    assert conversation is None, "reading a chat's state makes no conversation"
    made = await store.conversation("discord", "111")
    assert made == await store.conversation("discord", "111"), "the channel's conversation, made once"
    assert (await store.chat_state("discord", "guild", "111"))[1] == made and made.last_generation_id is None


async def test_seeding_again_keeps_what_admins_changed(store: Store) -> None:
    await store.set_tier_quota("free", 9, "week")
    await store.set_algorithm_enabled("local", False)
    await store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, default_tiers(0, "month", 100, "month"))
    tiers = {tier.name: tier for tier in await store.tiers()}
    assert (tiers["free"].allowance, tiers["free"].period) == (9, "week")
    algorithms = await store.algorithms()
    assert [a.id for a in algorithms] == ["local", "basic", "premium", "pro"] and not algorithms[0].enabled
    assert [t.id for t in await store.templates()] == sorted(t.id for t in SEED_TEMPLATES)


async def test_the_audit_lists_the_newest_first_and_linked_people_count_once(store: Store) -> None:
    one, two = [await store.ensure_user("console", name, name) for name in ("one", "two")]
    await store.merge_users(two.id, one.id, utcnow())
    now = utcnow()
    await store.audit("console:admin", "grant", "console:one", "5", now)
    await store.audit("console:admin", "ban", "console:one", "", now + timedelta(seconds=1))
    assert [entry.action for entry in await store.audit_entries()] == ["ban", "grant"]  # type: ignore[attr-defined]
    assert (await store.stats())["users"] == 1


def picture(made: Generation, key: str) -> Result:
    return Result(made.id, key, 1000, 1280, 720, {"render_ms": 5.0})


async def run_to_delivery(store: Store, job: Job, made: Generation, key: str) -> None:
    assert await store.begin_work(job.id, RUNNER)
    assert await store.record_results(job.id, RUNNER, [picture(made, key)])
    assert await delivered(store, job)


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
