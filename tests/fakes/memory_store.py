"""An in-memory Store for the core's unit tests.

A test fake, faithful to storage/store.py's SqlStore: the same rules for credits (the tier allowance refilled
lazily per period and spent first, granted credits that never expire, refunds that return each part to its own
bucket), acceptance (all or nothing), job leases (every write of a running job fenced by its owner), paid-call
budgets and forgetting. tests/integration/test_store.py runs the same contract tests on it as on SQLite and
PostgreSQL, which is what makes it trustworthy.

State is plain dicts of the core's dataclasses. Each method runs whole under one lock (one transaction), and what
goes in or comes out is copied, so a caller can never change stored state behind the store's back.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, TypeVar

from core.ai import Budget, period_start
from core.credits import period_end, split_cost, utcnow
from core.domain import (
    UNFINISHED_JOBS,
    Account,
    Algorithm,
    ChatSettings,
    Conversation,
    CreditState,
    Generation,
    Job,
    JobKind,
    JobStatus,
    LedgerKind,
    Template,
    Tier,
    User,
)
from core.ports import Acceptance, Accepted, Outcome, PaidCall, Result, Taken

P = ParamSpec("P")
T = TypeVar("T")
FALLBACK_TIER = Tier("free", 0, "month", watermark=True)  # what SqlStore assumes when a tier's row is missing
EARLIEST = datetime.min.replace(tzinfo=UTC)


def atomic(method: Callable[Concatenate[MemoryStore, P], T]) -> Callable[Concatenate[MemoryStore, P], Awaitable[T]]:
    """One method, one transaction: run whole under the store's lock, after yielding once to the event loop as
    a real store's round trip would (so concurrent callers interleave between transactions, never inside one)."""

    @functools.wraps(method)
    async def run(self: MemoryStore, *args: P.args, **kwargs: P.kwargs) -> T:
        await asyncio.sleep(0)
        with self._lock:
            return method(self, *args, **kwargs)

    return run


def _json(value: T) -> T:
    """What a JSON column hands back: a fresh copy, tuples turned into lists, as SqlStore's would."""
    return json.loads(json.dumps(value)) if value is not None else value  # type: ignore[no-any-return]


@dataclass
class _Credits:
    allowance: int
    granted: int
    period_end: datetime | None

    @property
    def balance(self) -> int:
        return self.allowance + self.granted


@dataclass(frozen=True)
class _Entry:
    """One ledger row: a signed change of the balance, split between the two buckets."""

    user_id: uuid.UUID
    kind: str
    amount: int
    allowance_part: int = 0
    granted_part: int = 0
    generation_id: uuid.UUID | None = None
    note: str = ""
    period_end: datetime | None = None  # a hold's: the allowance period it was taken from


@dataclass
class _StoredJob:
    job: Job  # its address keeps the interaction token until the job is over
    lease_owner: str | None = None
    lease_until: datetime | None = None
    finished_at: datetime | None = None

    def is_open(self) -> bool:
        """Still to run or deliver, or failed with the person not yet told."""
        return self.job.status in UNFINISHED_JOBS or (self.job.status == JobStatus.FAILED and not self.job.notified)

    def held_by(self, owner: str) -> bool:
        return self.lease_owner == owner

    def free(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until < now


@dataclass
class _StoredCall:
    call: PaidCall
    cost_usd: float
    outcome: str = "started"
    latency_ms: float | None = None
    image_key: str | None = None
    subject_key: str | None = None


@dataclass
class _LinkCode:
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """What `audit_entries` lists (the attributes SqlStore's audit rows have)."""

    actor: str
    action: str
    target: str
    detail: str
    created_at: datetime


@dataclass
class _State:
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    merged_into: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    identities: dict[tuple[str, str], uuid.UUID] = field(default_factory=dict)  # (platform, external id) -> user
    credits: dict[uuid.UUID, _Credits] = field(default_factory=dict)
    ledger: list[_Entry] = field(default_factory=list)
    tiers: dict[str, Tier] = field(default_factory=dict)
    algorithms: dict[str, Algorithm] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    conversations: dict[tuple[str, str], Conversation] = field(default_factory=dict)  # (platform, chat id)
    chats: dict[tuple[str, str], ChatSettings] = field(default_factory=dict)  # (platform, scope)
    generations: dict[uuid.UUID, Generation] = field(default_factory=dict)
    jobs: dict[uuid.UUID, _StoredJob] = field(default_factory=dict)
    processed: dict[str, datetime] = field(default_factory=dict)  # claimed update keys
    inbox: dict[tuple[str, int], tuple[str, datetime]] = field(default_factory=dict)  # (source, id) -> payload, kept at
    audit: list[AuditEntry] = field(default_factory=list)
    link_codes: dict[str, _LinkCode] = field(default_factory=dict)
    calls: dict[uuid.UUID, _StoredCall] = field(default_factory=dict)
    budgets: dict[str, Budget] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


class MemoryStore:
    """The Store port in memory: a test fake faithful to SqlStore, proven by the shared contract tests."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._state = _State()

    # lifecycle ------------------------------------------------------------------------------------------

    @atomic
    def create_schema(self) -> None:
        return None  # nothing to migrate

    @atomic
    def seed(self, algorithms: tuple[Algorithm, ...], templates: tuple[Template, ...],
             tiers: tuple[Tier, ...]) -> None:
        """Insert what is missing; never overwrite what admins changed."""
        state = self._state
        for algorithm in algorithms:
            state.algorithms.setdefault(algorithm.id, replace(algorithm, available=False))  # never stored
        for template in templates:
            state.templates.setdefault(template.id, template)
        for tier in tiers:
            state.tiers.setdefault(tier.name, tier)

    async def close(self) -> None:
        """Nothing to release; the state stays, so a test can build the app again on the same store."""

    # people ---------------------------------------------------------------------------------------------

    @atomic
    def arrive(self, platform: str, external_id: str, display_name: str, update_key: str | None) -> User | None:
        if update_key is not None and update_key in self._state.processed:
            return None
        return self._ensure_user(platform, external_id, display_name)

    @atomic
    def ensure_user(self, platform: str, external_id: str, display_name: str) -> User:
        return self._ensure_user(platform, external_id, display_name)

    def _ensure_user(self, platform: str, external_id: str, display_name: str) -> User:
        found = self._user_by_identity(platform, external_id)
        if found is not None:
            return found
        user = User(uuid.uuid4(), display_name or f"{platform}:{external_id}")
        self._state.users[user.id] = user
        self._state.identities[(platform, external_id)] = user.id
        self._open_account(user.id, self._tier_named(user.tier), utcnow())
        return user

    @atomic
    def find_user(self, platform: str, external_id: str) -> User | None:
        return self._user_by_identity(platform, external_id)

    def _user_by_identity(self, platform: str, external_id: str) -> User | None:
        user_id = self._state.identities.get((platform, external_id))
        return self._state.users.get(user_id) if user_id else None

    @atomic
    def get_user(self, user_id: uuid.UUID) -> User | None:
        while user_id in self._state.merged_into:  # the person: a joined account is the one it joined
            user_id = self._state.merged_into[user_id]
        return self._state.users.get(user_id)

    @atomic
    def set_language(self, user_id: uuid.UUID, language: str | None) -> None:
        self._set_user(user_id, language=language)

    @atomic
    def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        self._set_user(user_id, tier=tier)

    @atomic
    def set_banned(self, user_id: uuid.UUID, banned: bool) -> None:
        self._set_user(user_id, banned=banned)

    def _set_user(self, user_id: uuid.UUID, **values: object) -> None:
        if user_id in self._state.users:
            self._state.users[user_id] = replace(self._state.users[user_id], **values)  # type: ignore[arg-type]

    @atomic
    def merge_users(self, source: uuid.UUID, target: uuid.UUID, now: datetime) -> bool:
        """Identities, generations, ledger and granted credits move to `target`; the source's allowance ends (one
        person has one tier allowance), recorded so the ledger still sums to the balance. False while a job of
        `source` is unfinished."""
        state = self._state
        if self._unfinished(source):
            return False
        moved = state.credits.get(source, _Credits(0, 0, None))
        allowance, granted = moved.allowance, moved.granted
        for key, owner in state.identities.items():
            if owner == source:
                state.identities[key] = target
        for generation in state.generations.values():
            if generation.user_id == source:
                generation.user_id = target
        state.ledger = [replace(entry, user_id=target) if entry.user_id == source else entry for entry in state.ledger]
        if source in state.users:
            state.merged_into[source] = target
            joined, chosen = state.users.get(target), state.users[source].language
            if joined is not None and joined.language is None and chosen:
                state.users[target] = replace(joined, language=chosen)
        for code in state.link_codes.values():
            if code.user_id == source and code.used_at is None:
                code.used_at = now
        if source in state.credits:
            state.credits[source].allowance = state.credits[source].granted = 0
        if target in state.credits:
            state.credits[target].granted += granted
        if allowance:
            state.ledger.append(_Entry(target, LedgerKind.REFILL, -allowance, allowance_part=-allowance,
                                       note=f"allowance of linked account {source} ends"))
        return True

    # credits --------------------------------------------------------------------------------------------

    def _tier_named(self, name: str) -> Tier:
        return self._state.tiers.get(name, FALLBACK_TIER)

    def _tier_of(self, user_id: uuid.UUID) -> Tier:
        user = self._state.users.get(user_id)
        return self._tier_named(user.tier if user else "free")

    def _open_account(self, user_id: uuid.UUID, tier: Tier, now: datetime) -> None:
        """A new account starts its first allowance period at once."""
        self._state.credits[user_id] = _Credits(tier.allowance, 0, period_end(tier.period, now))
        self._state.ledger.append(_Entry(user_id, LedgerKind.REFILL, tier.allowance, allowance_part=tier.allowance,
                                         note=f"{tier.name} allowance"))

    def _refill_if_due(self, user_id: uuid.UUID, now: datetime) -> None:
        credits = self._state.credits.get(user_id)
        if credits is None or (credits.period_end is not None and now < credits.period_end):
            return
        tier = self._tier_of(user_id)
        delta = tier.allowance - credits.allowance
        credits.allowance, credits.period_end = tier.allowance, period_end(tier.period, now)
        self._state.ledger.append(_Entry(user_id, LedgerKind.REFILL, delta, allowance_part=delta,
                                         note=f"{tier.name} allowance"))

    @atomic
    def account(self, user_id: uuid.UUID, now: datetime) -> Account:
        return self._account(user_id, now)

    def _account(self, user_id: uuid.UUID, now: datetime) -> Account:
        self._refill_if_due(user_id, now)
        credits = self._state.credits.get(user_id)
        assert credits is not None, f"no credit account for {user_id}"
        return Account(user_id, credits.allowance, credits.granted, credits.period_end)

    @atomic
    def grant(self, user_id: uuid.UUID, amount: int, note: str, now: datetime) -> Account:
        credits = self._state.credits.get(user_id)
        assert credits is not None, f"no credit account for {user_id}"
        credits.granted += amount
        self._state.ledger.append(_Entry(user_id, LedgerKind.GRANT, amount, granted_part=amount, note=note))
        return self._account(user_id, now)

    @atomic
    def ledger_total(self, user_id: uuid.UUID) -> int:
        return sum(entry.amount for entry in self._state.ledger if entry.user_id == user_id)

    def _hold(self, generation: Generation, now: datetime) -> Account | None:
        """Hold a generation's cost if the balance allows (after a refill that is due), the allowance spent
        first; the ledger keeps the split, so a refund returns each part to its own bucket."""
        self._refill_if_due(generation.user_id, now)
        credits = self._state.credits.get(generation.user_id)
        if credits is None or credits.balance < generation.cost:
            return None
        from_allowance, from_granted = split_cost(credits.allowance, generation.cost)
        credits.allowance -= from_allowance
        credits.granted -= from_granted
        self._state.ledger.append(_Entry(generation.user_id, LedgerKind.RESERVE, -generation.cost,
                                         allowance_part=-from_allowance, granted_part=-from_granted,
                                         generation_id=generation.id, period_end=credits.period_end))
        return Account(generation.user_id, credits.allowance, credits.granted, credits.period_end)

    def _refund(self, generation_id: uuid.UUID) -> bool:
        """Give a held generation's credits back, once."""
        generation = self._state.generations.get(generation_id)
        if generation is None or generation.credit_state != CreditState.RESERVED:
            return False
        generation.credit_state = CreditState.REFUNDED
        held = next((entry for entry in self._state.ledger
                     if entry.generation_id == generation_id and entry.kind == LedgerKind.RESERVE), None)
        back_allowance, back_granted = (-held.allowance_part, -held.granted_part) if held else (0, 0)
        credits = self._state.credits.get(generation.user_id)
        if held is not None and credits is not None and held.period_end != credits.period_end:
            back_allowance = 0  # that period's allowance was refilled since
        if credits is not None:
            credits.allowance += back_allowance
            credits.granted += back_granted
        self._state.ledger.append(_Entry(generation.user_id, LedgerKind.REFUND, back_allowance + back_granted,
                                         allowance_part=back_allowance, granted_part=back_granted,
                                         generation_id=generation_id))
        return True

    def _checkpoint(self, user_ids: set[uuid.UUID]) -> Callable[[], None]:
        """Undo for a refused acceptance: these people's accounts and the ledger as they were."""
        credits = {user_id: replace(self._state.credits[user_id]) for user_id in user_ids
                   if user_id in self._state.credits}
        length = len(self._state.ledger)

        def undo() -> None:
            self._state.credits.update(credits)
            del self._state.ledger[length:]

        return undo

    # catalogue ------------------------------------------------------------------------------------------

    @atomic
    def tiers(self) -> list[Tier]:
        return sorted(self._state.tiers.values(), key=lambda tier: tier.name)

    @atomic
    def set_tier_quota(self, name: str, allowance: int, period: str) -> None:
        if name in self._state.tiers:
            self._state.tiers[name] = replace(self._state.tiers[name], allowance=allowance, period=period)

    @atomic
    def algorithms(self) -> list[Algorithm]:
        return sorted(self._state.algorithms.values(), key=lambda algorithm: (algorithm.cost, algorithm.id))

    @atomic
    def set_algorithm_enabled(self, algorithm_id: str, enabled: bool) -> None:
        if algorithm_id in self._state.algorithms:
            self._state.algorithms[algorithm_id] = replace(self._state.algorithms[algorithm_id], enabled=enabled)

    @atomic
    def templates(self) -> list[Template]:
        return sorted(self._state.templates.values(), key=lambda template: template.id)

    # chats ----------------------------------------------------------------------------------------------

    @atomic
    def chat_state(self, platform: str, scope: str, chat_id: str) -> tuple[ChatSettings, Conversation | None]:
        return self._chat_settings(platform, scope), self._state.conversations.get((platform, chat_id))

    @atomic
    def conversation(self, platform: str, chat_id: str) -> Conversation:
        return self._conversation(platform, chat_id)

    def _conversation(self, platform: str, chat_id: str) -> Conversation:
        return self._state.conversations.setdefault((platform, chat_id), Conversation(uuid.uuid4(), platform, chat_id))

    @atomic
    def set_last_generation(self, conversation_id: uuid.UUID, generation_id: uuid.UUID | None) -> None:
        self._point_conversation(conversation_id, generation_id)

    def _point_conversation(self, conversation_id: uuid.UUID, generation_id: uuid.UUID | None) -> None:
        for key, found in self._state.conversations.items():
            if found.id == conversation_id:
                self._state.conversations[key] = replace(found, last_generation_id=generation_id)

    @atomic
    def chat_settings(self, platform: str, scope: str) -> ChatSettings:
        return self._chat_settings(platform, scope)

    def _chat_settings(self, platform: str, scope: str) -> ChatSettings:
        return self._state.chats.get((platform, scope), ChatSettings(platform, scope))

    @atomic
    def set_default_algorithm(self, platform: str, scope: str, algorithm_id: str | None) -> None:
        self._set_chat(platform, scope, default_algorithm=algorithm_id)

    @atomic
    def set_chat_watermark(self, platform: str, scope: str, watermark: bool | None) -> None:
        self._set_chat(platform, scope, watermark=watermark)

    @atomic
    def set_allowed_channels(self, platform: str, scope: str, channels: tuple[str, ...]) -> None:
        self._set_chat(platform, scope, allowed_channels=tuple(channels))

    def _set_chat(self, platform: str, scope: str, **values: object) -> None:
        chats = self._state.chats
        chats[(platform, scope)] = replace(chats.get((platform, scope), ChatSettings(platform, scope)),
                                           **values)  # type: ignore[arg-type]

    # generations ----------------------------------------------------------------------------------------

    @atomic
    def get_generation(self, generation_id: uuid.UUID) -> Generation | None:
        return copy.deepcopy(self._state.generations.get(generation_id))

    @atomic
    def recent_generations(self, user_id: uuid.UUID, limit: int) -> list[Generation]:
        mine = [g for g in self._state.generations.values() if g.user_id == user_id]
        mine.sort(key=lambda g: g.created_at or EARLIEST, reverse=True)
        return copy.deepcopy(mine[:limit])

    @atomic
    def set_original(self, generation_id: uuid.UUID, original_key: str) -> None:
        if (generation := self._state.generations.get(generation_id)) is not None:
            generation.original_key = original_key

    def _record_generation(self, generation: Generation, latest: bool) -> None:
        stored = replace(generation, analysis=_json(generation.analysis), scene=_json(generation.scene),
                         timings=_json(generation.timings), credit_state=CreditState.RESERVED, created_at=utcnow())
        self._state.generations[stored.id] = stored
        if latest and generation.conversation_id is not None:  # a follow-up refines it even while it runs
            self._point_conversation(generation.conversation_id, generation.id)

    # jobs -----------------------------------------------------------------------------------------------

    @atomic
    def accept(self, acceptance: Acceptance) -> Accepted:
        """The update's claim, the holds, the generations and the job: all of them, or none."""
        job = acceptance.job
        if job.update_key is not None and job.update_key in self._state.processed:
            return Accepted(Outcome.DUPLICATE)
        undo = self._checkpoint({generation.user_id for generation in acceptance.generations})
        try:
            if (user := self._state.users.get(job.user_id)) is not None and user.banned:
                raise _Refused(Outcome.BANNED)
            account = self._hold_all(acceptance)
            if acceptance.per_user is not None and self._unfinished(job.user_id) >= acceptance.per_user:
                raise _Refused(Outcome.TOO_MANY_JOBS)
        except _Refused as refused:
            undo()
            shortfall = self._account(job.user_id, acceptance.now) if refused.outcome == Outcome.NO_CREDITS else None
            return Accepted(refused.outcome, shortfall)
        if job.update_key is not None:
            self._state.processed[job.update_key] = acceptance.now
        for index, generation in enumerate(acceptance.generations):
            self._record_generation(generation, acceptance.latest and index == 0)
        self._store_job(acceptance, account.balance if account else job.balance)
        return Accepted(Outcome.ACCEPTED, account)

    def _hold_all(self, acceptance: Acceptance) -> Account | None:
        account = None
        for generation in acceptance.generations:
            account = self._hold(generation, acceptance.now)
            if account is None:
                raise _Refused(Outcome.NO_CREDITS)
        return account

    def _unfinished(self, user_id: uuid.UUID) -> int:
        return sum(1 for stored in self._state.jobs.values()
                   if stored.job.user_id == user_id and stored.job.status in UNFINISHED_JOBS)

    def _store_job(self, acceptance: Acceptance, balance: int | None) -> None:
        """As SqlStore inserts it: a fresh job's bookkeeping, whatever the given one carried."""
        job = acceptance.job
        stored = replace(job, finish=_json(job.finish), status=JobStatus.QUEUED, attempts=0, balance=balance,
                         failure=None, notified=False, deliveries=0, unanswered=0, created_at=acceptance.now)
        self._state.jobs[job.id] = _StoredJob(stored, acceptance.lease_owner, acceptance.lease_until)

    def _taken(self, stored: _StoredJob) -> Taken:
        generations = [self._state.generations[i] for i in stored.job.generation_ids if i in self._state.generations]
        return Taken(copy.deepcopy(stored.job), copy.deepcopy(generations))

    @atomic
    def take_job(self, job_id: uuid.UUID, owner: str, now: datetime, until: datetime,
                 platforms: tuple[str, ...]) -> Taken | None:
        """Lease a job that waits (or was leased to this runner on acceptance), or whose lease ran out."""
        stored = self._state.jobs.get(job_id)
        if (stored is None or not (stored.free(now) or stored.held_by(owner)) or not stored.is_open()
                or stored.job.address.platform not in platforms):
            return None
        stored.lease_owner, stored.lease_until = owner, until
        return self._taken(stored)

    def _held(self, owner: str) -> list[_StoredJob]:
        return [stored for stored in self._state.jobs.values() if stored.held_by(owner) and stored.is_open()]

    @atomic
    def renew_leases(self, owner: str, job_ids: tuple[uuid.UUID, ...], until: datetime) -> int:
        renewed = [stored for stored in self._held(owner) if stored.job.id in job_ids]
        for stored in renewed:
            stored.lease_until = until
        return len(renewed)

    @atomic
    def release_job(self, job_id: uuid.UUID, owner: str, now: datetime) -> None:
        for stored in self._held(owner):
            if stored.job.id == job_id:
                stored.lease_owner, stored.lease_until = None, now

    @atomic
    def release_leases(self, owner: str, now: datetime) -> None:
        for stored in self._held(owner):
            stored.lease_owner, stored.lease_until = None, now

    @atomic
    def recoverable_jobs(self, now: datetime, platforms: tuple[str, ...],
                         limit: int = 200) -> list[tuple[uuid.UUID, str]]:
        return self._unheld_jobs(now, limit, lambda stored: stored.job.address.platform in platforms
                                 and stored.is_open())

    @atomic
    def stranded_jobs(self, created_before: datetime, served: tuple[str, ...], now: datetime,
                      limit: int = 200) -> list[tuple[uuid.UUID, str]]:
        return self._unheld_jobs(now, limit, lambda stored: stored.job.address.platform not in served
                                 and stored.job.status in UNFINISHED_JOBS
                                 and (stored.job.created_at or EARLIEST) < created_before)

    def _unheld_jobs(self, now: datetime, limit: int,
                     wanted: Callable[[_StoredJob], bool]) -> list[tuple[uuid.UUID, str]]:
        found = [stored.job for stored in self._state.jobs.values() if stored.free(now) and wanted(stored)]
        found.sort(key=lambda job: job.created_at or EARLIEST)
        return [(job.id, job.address.platform) for job in found[:limit]]

    @atomic
    def keep_progress(self, job_id: uuid.UUID, progress_id: str) -> None:
        if (stored := self._state.jobs.get(job_id)) is not None:
            stored.job.address = replace(stored.job.address, progress_id=progress_id)

    def _fenced(self, job_id: uuid.UUID, owner: str, statuses: tuple[str, ...] | None = None) -> _StoredJob | None:
        """The job if `owner` holds it and it is open (in one of `statuses`, when given): the lease's fence."""
        stored = self._state.jobs.get(job_id)
        if stored is None or not stored.held_by(owner):
            return None
        if statuses is not None:
            return stored if stored.job.status in statuses else None
        return stored if stored.is_open() else None

    def _running(self, job_id: uuid.UUID, owner: str) -> bool:
        return self._fenced(job_id, owner, (JobStatus.RUNNING,)) is not None

    @atomic
    def begin_work(self, job_id: uuid.UUID, owner: str) -> bool:
        stored = self._fenced(job_id, owner, (JobStatus.QUEUED, JobStatus.RUNNING))
        if stored is None:
            return False
        stored.job.status = JobStatus.RUNNING
        stored.job.attempts += 1
        return True

    def _start_delivery(self, job_id: uuid.UUID, owner: str) -> bool:
        """Counted as a send started; a failed job stays failed (its notice is what is being sent)."""
        stored = self._fenced(job_id, owner)
        if stored is None:
            return False
        if stored.job.status != JobStatus.FAILED:
            stored.job.status = JobStatus.DELIVERING
        stored.job.deliveries += 1
        return True

    @atomic
    def start_delivery(self, job_id: uuid.UUID, owner: str) -> bool:
        return self._start_delivery(job_id, owner)

    @atomic
    def mark_unanswered(self, job_id: uuid.UUID, owner: str) -> bool:
        stored = self._fenced(job_id, owner)
        if stored is not None:
            stored.job.unanswered += 1
        return stored is not None

    @atomic
    def record_results(self, job_id: uuid.UUID, owner: str, results: list[Result], delivering: bool = True) -> bool:
        fenced = self._start_delivery(job_id, owner) if delivering else self._running(job_id, owner)
        if not fenced:
            return False
        for result in results:
            generation = self._state.generations.get(result.generation_id)
            if generation is None or generation.credit_state != CreditState.RESERVED:
                continue  # refunded: a sibling that finished after the job failed records nothing
            generation.status, generation.stage, generation.result_key = "processing", "uploading", result.key
            generation.byte_size, generation.width, generation.height = result.byte_size, result.width, result.height
            generation.timings = _json(result.timings)
        return True

    @atomic
    def finish_job(self, job: Job, owner: str, template_id: str | None) -> bool:
        """Delivered: each generation settled once, the job done, its interaction token forgotten."""
        stored = self._fenced(job.id, owner, UNFINISHED_JOBS)
        if stored is None:
            return False
        self._close(stored, JobStatus.DONE)
        if job.kind == JobKind.RENDER:
            for generation_id in job.generation_ids:
                self._settle(generation_id)
            if template_id in self._state.templates:
                template = self._state.templates[template_id]
                self._state.templates[template_id] = replace(template, usage=template.usage + 1)
        return True

    def _settle(self, generation_id: uuid.UUID) -> None:
        generation = self._state.generations.get(generation_id)
        if generation is None or generation.credit_state != CreditState.RESERVED:
            return
        generation.status, generation.stage, generation.credit_state = "completed", "done", CreditState.SETTLED
        self._state.ledger.append(_Entry(generation.user_id, LedgerKind.SETTLE, 0, generation_id=generation_id))

    @staticmethod
    def _close(stored: _StoredJob, status: str) -> None:
        stored.job.status = status
        stored.finished_at = utcnow()
        stored.job.address = replace(stored.job.address, interaction_token=None)  # a secret, needed no longer

    @atomic
    def fail_job(self, job_id: uuid.UUID, owner: str, failure: dict) -> bool:
        """Refund every generation once and keep what to tell the person."""
        stored = self._state.jobs.get(job_id)
        if stored is None or stored.job.status in (JobStatus.DONE, JobStatus.FAILED) or not stored.held_by(owner):
            return False
        if stored.job.kind == JobKind.RENDER:
            for generation_id in stored.job.generation_ids:
                if (generation := self._state.generations.get(generation_id)) is not None:
                    generation.status, generation.error = "failed", failure.get("detail", "")
                self._refund(generation_id)
        stored.job.failure = _json(failure)
        stored.job.status = JobStatus.FAILED
        return True

    @atomic
    def mark_notified(self, job_id: uuid.UUID, owner: str) -> None:
        stored = self._state.jobs.get(job_id)
        if stored is not None and stored.held_by(owner) and stored.job.status == JobStatus.FAILED:
            stored.job.notified = True
            stored.lease_owner = stored.lease_until = None
            self._close(stored, JobStatus.FAILED)

    @atomic
    def jobs_summary(self) -> dict[str, int]:
        summary: dict[str, int] = {}
        for stored in self._state.jobs.values():
            summary[str(stored.job.status)] = summary.get(str(stored.job.status), 0) + 1
        return summary

    # bookkeeping ----------------------------------------------------------------------------------------

    @atomic
    def claim_update(self, key: str, now: datetime) -> bool:
        if key in self._state.processed:
            return False
        self._state.processed[key] = now
        return True

    @atomic
    def update_seen(self, key: str) -> bool:
        return key in self._state.processed

    @atomic
    def keep_updates(self, source: str, updates: list[tuple[int, str]], now: datetime) -> None:
        for update_id, payload in updates:
            self._state.inbox.setdefault((source, update_id), (payload, now))

    @atomic
    def kept_updates(self, source: str) -> list[tuple[int, str]]:
        return sorted((update_id, payload) for (kept_by, update_id), (payload, _) in self._state.inbox.items()
                      if kept_by == source)

    @atomic
    def drop_stale_updates(self, before: datetime) -> int:
        stale = [key for key, (_, kept_at) in self._state.inbox.items() if kept_at < before]
        for key in stale:
            del self._state.inbox[key]
        return len(stale)

    @atomic
    def drop_updates(self, source: str, update_ids: list[int]) -> None:
        for update_id in update_ids:
            self._state.inbox.pop((source, update_id), None)

    @atomic
    def audit(self, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
        self._state.audit.append(AuditEntry(actor, action, target, detail, now))

    @atomic
    def audit_entries(self, limit: int = 50) -> list[AuditEntry]:
        newest_first = sorted(reversed(self._state.audit), key=lambda entry: entry.created_at, reverse=True)
        return newest_first[:limit]

    @atomic
    def create_link_code(self, code: str, user_id: uuid.UUID, expires_at: datetime) -> None:
        if code in self._state.link_codes:
            raise ValueError(f"link code {code} exists")  # SqlStore: the primary key refuses it
        self._state.link_codes[code] = _LinkCode(user_id, expires_at)

    @atomic
    def consume_link_code(self, code: str, now: datetime) -> uuid.UUID | None:
        """Single use, and only before it expires."""
        found = self._state.link_codes.get(code)
        if found is None or found.used_at is not None or found.expires_at <= now:
            return None
        found.used_at = now
        return found.user_id

    @atomic
    def stats(self) -> dict[str, int]:
        state = self._state
        generations = list(state.generations.values())
        return {
            "users": sum(1 for user_id in state.users if user_id not in state.merged_into),
            "generations": len(generations),
            "completed": sum(1 for g in generations if g.status == "completed"),
            "failed": sum(1 for g in generations if g.status == "failed"),
            "spent": self._spent_credits(),
        }

    def _spent_credits(self) -> int:
        """From the ledger, as SqlStore counts it: it outlives /forget."""
        settled = {entry.generation_id for entry in self._state.ledger if entry.kind == LedgerKind.SETTLE}
        return -sum(entry.amount for entry in self._state.ledger
                    if entry.kind == LedgerKind.RESERVE and entry.generation_id in settled)

    # paid calls and budgets -------------------------------------------------------------------------------

    @atomic
    def begin_paid_call(self, call: PaidCall, budgets: list[Budget], job_id: uuid.UUID,
                        owner: str) -> Budget | bool | None:
        """Recorded before it is made (True), unless it would take a budget past its limit (that budget); None: the
        job is not this runner's (running) any more."""
        if not self._running(job_id, owner):
            return None
        for budget in budgets:
            if budget.covers(call.provider) and self._spent(budget, call.at) + call.cost_usd > budget.usd:
                return budget
        self._state.calls[call.id] = _StoredCall(call, call.cost_usd)
        return True

    @atomic
    def end_paid_call(self, call_id: uuid.UUID, outcome: str, latency_ms: float, cost_usd: float,
                      image_key: str | None = None, subject_key: str | None = None) -> None:
        if (stored := self._state.calls.get(call_id)) is not None:
            stored.outcome, stored.latency_ms, stored.cost_usd = outcome, round(latency_ms, 1), cost_usd
            stored.image_key, stored.subject_key = image_key, subject_key

    @atomic
    def paid_picture(self, generation_id: uuid.UUID) -> tuple[str, str | None] | None:
        pictures = [stored for stored in self._state.calls.values()
                    if stored.call.generation_id == generation_id and stored.image_key is not None]
        if not pictures:
            return None
        latest = max(pictures, key=lambda stored: stored.call.at)
        return latest.image_key, latest.subject_key  # type: ignore[return-value]

    @atomic
    def spend(self, since: datetime) -> dict[tuple[str, str], tuple[float, int]]:
        """(provider, algorithm) -> (USD, pictures) of the calls that succeeded since `since`."""
        totals: dict[tuple[str, str], tuple[float, int]] = {}
        for stored in self._state.calls.values():
            if stored.call.at >= since and stored.outcome == "ok":
                key = (stored.call.provider, stored.call.algorithm)
                usd, count = totals.get(key, (0.0, 0))
                totals[key] = (usd + stored.cost_usd, count + 1)
        return totals

    @atomic
    def budgets(self) -> list[Budget]:
        return list(self._state.budgets.values())

    @atomic
    def spent(self, budget: Budget, now: datetime) -> float:
        return self._spent(budget, now)

    def _spent(self, budget: Budget, now: datetime) -> float:
        """Completed calls and the estimates of calls under way or cut short, this period."""
        start = period_start(budget.period, now)
        return float(sum(stored.cost_usd for stored in self._state.calls.values()
                         if stored.call.at >= start and budget.covers(stored.call.provider)))

    @atomic
    def set_budget(self, budget: Budget) -> None:
        self._state.budgets[budget.provider] = budget

    @atomic
    def update_plan(self, generation_id: uuid.UUID, owner: str, job_id: uuid.UUID, title: str, analysis: dict,
                    scene: dict) -> bool:
        if not self._running(job_id, owner):
            return False
        if (generation := self._state.generations.get(generation_id)) is not None:
            generation.title, generation.analysis, generation.scene = title, _json(analysis), _json(scene)
        return True

    # forgetting and retention -------------------------------------------------------------------------------

    @atomic
    def forget_user(self, user_id: uuid.UUID, now: datetime) -> tuple[int, list[str]] | None:
        """Delete a person's generations and finished jobs (credits, ledger and spend stay); the blob keys nothing
        else refers to any more. None while a job of theirs is unfinished."""
        state = self._state
        if self._unfinished(user_id):
            return None
        ids = {g.id for g in state.generations.values() if g.user_id == user_id}
        keys = {key for i in ids for key in _generation_keys(state.generations[i])}
        for stored in state.calls.values():
            if stored.call.generation_id in ids:  # the spend stays on the books; the pictures go
                keys |= {key for key in (stored.image_key, stored.subject_key) if key}
                stored.image_key = stored.subject_key = None
        for key, found in state.conversations.items():
            if found.last_generation_id in ids:
                state.conversations[key] = replace(found, last_generation_id=None)
        state.jobs = {i: stored for i, stored in state.jobs.items() if stored.job.user_id != user_id}
        state.generations = {i: g for i, g in state.generations.items() if i not in ids}
        return len(ids), sorted(keys - self._referenced())

    def _referenced(self) -> set[str]:
        """Every blob key a generation or a paid call refers to (identical bytes share a key)."""
        found = {key for g in self._state.generations.values() for key in _generation_keys(g)}
        return found | {key for stored in self._state.calls.values()
                        for key in (stored.image_key, stored.subject_key) if key}

    @atomic
    def referenced_keys(self) -> set[str]:
        return self._referenced()

    @atomic
    def expire_originals(self, tiers: tuple[str, ...], before: datetime) -> int:
        """Forget the lossless originals of these tiers' generations made before `before`."""
        expired = 0
        for generation in self._state.generations.values():
            user = self._state.users.get(generation.user_id)
            if (generation.original_key is not None and generation.created_at is not None
                    and generation.created_at < before and user is not None and user.tier in tiers):
                generation.original_key = None
                expired += 1
        return expired


def _generation_keys(generation: Generation) -> tuple[str, ...]:
    return tuple(key for key in (generation.result_key, generation.original_key, generation.photo_key) if key)
