"""The SQL implementation of the core's Store port (SQLite and PostgreSQL through SQLModel)."""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Insert, Row, event, func, insert, text, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel, col, select

from core.ai import Budget, period_start
from core.credits import as_utc, period_end, utcnow
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
from core.messages import Address
from core.ordering import request_order
from core.ports import Acceptance, Accepted, Outcome, PaidCall, Result, StoreUnavailable, Taken
from storage import migrations
from storage import statements as sql
from storage.engine import database_threads
from storage.tables import (
    AlgorithmRow,
    AuditRow,
    BudgetRow,
    ChatSettingsRow,
    ConversationRow,
    CreditAccountRow,
    GenerationRow,
    IdentityRow,
    InboxRow,
    JobRow,
    LedgerRow,
    LinkCodeRow,
    PaidCallRow,
    ProcessedUpdateRow,
    TemplateRow,
    TierRow,
    UserRow,
    record_from,
    row_values,
)
from storage.threads import DatabaseThreads

processed = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]
inbox = InboxRow.__table__  # type: ignore[attr-defined]

BLOB_KEY_COLUMNS = (GenerationRow.result_key, GenerationRow.original_key, GenerationRow.photo_key,
                    PaidCallRow.image_key, PaidCallRow.subject_key)  # every column that names a stored blob
ADDRESS_FIELDS = frozenset(field.name for field in fields(Address))  # what this release can deliver to
MAX_LINK_HOPS = 8  # accounts joined into accounts later joined into others: a chain, never a loop
log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def in_thread(method: Callable[Concatenate[SqlStore, P], T]) -> Callable[Concatenate[SqlStore, P], Awaitable[T]]:
    """Run a synchronous store method whole on a database thread: one hop to another thread per
    transaction, where an async driver pays one per statement (measured: 2.4x less CPU per transaction).
    The oldest request's transactions go first (core/ordering.py)."""

    @functools.wraps(method)
    async def run(self: SqlStore, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._threads.run(request_order(), functools.partial(_again_if_disconnected, method, self,
                                                                          *args, **kwargs))

    return run


_committing = threading.local()  # set while a database thread commits (see `_again_if_disconnected`)


def _again_if_disconnected(method: Callable[..., T], *args: object, **kwargs: object) -> T:
    """A transaction that found its connection dead (the server restarted, a proxy dropped it) was rolled back by
    the server: run it once more on a fresh connection (the pool invalidated the dead ones). Not when the
    connection died during the COMMIT: then the transaction may have happened, and must not happen twice."""
    _committing.now = False
    try:
        return method(*args, **kwargs)
    except DBAPIError as error:
        if not _unreachable(error) or _committing.now:
            raise
        log.warning("database connection lost: the transaction runs again on a new one")
    try:
        return method(*args, **kwargs)
    except DBAPIError as error:
        if not _unreachable(error) or _committing.now:
            raise
        log.error("the database is unreachable: %s", type(error.orig).__name__)
        raise StoreUnavailable("the database could not be reached; nothing was changed") from error


def _unreachable(error: DBAPIError) -> bool:
    """A connection that died, or one that could not be made (PostgreSQL down or restarting)."""
    return error.connection_invalidated or (isinstance(error, OperationalError) and _connection_failure(error))


def _connection_failure(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(sign in text for sign in ("connection", "server closed", "could not connect", "terminating",
                                         "the database system is"))


def _on_commit(connection: Connection) -> None:
    _committing.now = True


Inserting = tuple[Insert, dict[str, object]]
Executor = Session | Connection  # what runs a statement: an ORM session, or a Core connection on the hot paths


def _conversation_in(session: Executor, platform: str, chat_id: str) -> Conversation | None:
    row = session.execute(sql.CONVERSATION, {"b_platform": platform, "b_chat": chat_id}).first()
    return None if row is None else record_from(Conversation, row)


def _chat_settings_in(session: Executor, platform: str, scope: str) -> ChatSettings:
    row = session.execute(sql.CHAT_SETTINGS, {"b_platform": platform, "b_scope": scope}).first()
    return ChatSettings(platform, scope) if row is None else record_from(ChatSettings, row)


def _insert(model: type[SQLModel], **values: object) -> Inserting:
    """A Core INSERT (much cheaper than an ORM add on the hot path) with the model's defaults filled in. The
    statement is the table's one INSERT and the values go as parameters, so SQLAlchemy compiles it once
    instead of building a statement per row (measured: half the CPU per insert)."""
    for name, default, factory in _defaults(model):
        if name not in values:
            values[name] = factory() if factory else default
    return _table_insert(model), values


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, object, Callable[[], object] | None], ...]:
    """(name, default, default factory) of each optional field; read once, pydantic inspects on every call."""
    return tuple((name, field.default, field.default_factory)  # type: ignore[misc]
                 for name, field in model.model_fields.items() if not field.is_required())


@functools.cache
def _table_insert(model: type[SQLModel]) -> Insert:
    return insert(model.__table__)  # type: ignore[attr-defined]


def _same_instant(held: datetime | None, current: datetime | None) -> bool:
    """A hold's period end against the account's current one (a hold recorded before holds kept theirs counts as
    this period's)."""
    return held is None or current is None or as_utc(held) == as_utc(current)


def _job(row: JobRow | Row) -> Job:
    """A job from its row (ORM or Core); the interaction token lives in a column of its own, so it can be
    forgotten with a plain UPDATE once the job is over."""
    known = {key: value for key, value in row.address.items() if key in ADDRESS_FIELDS}  # a later release's too
    address = Address(**{**known, "interaction_token": row.interaction_token})
    return Job(id=row.id, kind=row.kind, user_id=row.user_id, address=address, language=row.language,
               generation_ids=tuple(uuid.UUID(hex=value) for value in row.generation_ids), finish=dict(row.finish),
               status=row.status, attempts=row.attempts, balance=row.balance, update_key=row.update_key,
               failure=row.failure, notified=row.notified, deliveries=row.deliveries, unanswered=row.unanswered,
               created_at=row.created_at)


class _Refused(Exception):
    """Rolls the acceptance back: nothing of it may stay (no claim, no hold, no rows)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


class SqlStore:
    """The async Store port over a synchronous engine; every public method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        event.listen(engine, "commit", _on_commit)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._threads = DatabaseThreads(database_threads(engine))

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A Core transaction: the hot paths run plain statements without the ORM session's bookkeeping (about a
        fifth of the database thread's time in a burst)."""
        with self.engine.begin() as connection:
            yield connection

    @in_thread
    def create_schema(self) -> None:
        """SQLite migrates to the latest revision; PostgreSQL creates an empty database and otherwise raises
        SchemaOutdated unless it is at the latest (`routix db upgrade` migrates it): storage/migrations."""
        migrations.at_start(self.engine)

    async def close(self) -> None:
        await self._dispose()
        self._threads.shutdown()

    @in_thread
    def _dispose(self) -> None:
        self.engine.dispose()

    @in_thread
    def seed(self, algorithms: tuple[Algorithm, ...], templates: tuple[Template, ...],
                   tiers: tuple[Tier, ...]) -> None:
        """Insert what is missing; never overwrite what admins changed. Processes starting together (a bot and its
        workers) may race: the loser finds the rows there on its second look."""
        try:
            self._seed(algorithms, templates, tiers)
        except IntegrityError:
            self._seed(algorithms, templates, tiers)

    def _seed(self, algorithms: tuple[Algorithm, ...], templates: tuple[Template, ...],
              tiers: tuple[Tier, ...]) -> None:
        with self._session() as session:
            for algorithm in algorithms:
                if session.get(AlgorithmRow, algorithm.id) is None:
                    session.add(AlgorithmRow(**row_values(algorithm)))
            for template in templates:
                if session.get(TemplateRow, template.id) is None:
                    session.add(TemplateRow(**row_values(template)))
            for tier in tiers:
                if session.get(TierRow, tier.name) is None:
                    session.add(TierRow(**row_values(tier)))

    # people ---------------------------------------------------------------------------------------------

    @in_thread
    def arrive(self, platform: str, external_id: str, display_name: str, update_key: str | None) -> User | None:
        """The person an update comes from (created on their first one), or None when the update was handled
        before (a redelivery): both in one transaction, the first of every update."""
        return self._ensure_user(platform, external_id, display_name, update_key)

    @in_thread
    def ensure_user(self, platform: str, external_id: str, display_name: str) -> User:
        user = self._ensure_user(platform, external_id, display_name, None)
        assert user is not None
        return user

    def _ensure_user(self, platform: str, external_id: str, display_name: str, update_key: str | None) -> User | None:
        """Find the person, or create them with their identity and credit account, in one transaction (None when
        `update_key` was handled before)."""
        try:
            with self._connection() as session:
                if update_key is not None and session.execute(sql.UPDATE_SEEN, {"b_key": update_key}).first():
                    return None
                found = self._user_by_identity(session, platform, external_id)
                if found:
                    return found
                statement, user = _insert(UserRow, display_name=display_name or f"{platform}:{external_id}")
                session.execute(statement, user)
                session.execute(*_insert(IdentityRow, user_id=user["id"], platform=platform, external_id=external_id))
                self._open_account(session, user["id"], self._tier_named(session, user["tier"]), utcnow())
                return User(user["id"], user["display_name"], user["tier"], None, False)
        except IntegrityError:  # a concurrent first message created it: use that one
            found = self._find_user(platform, external_id)
            assert found is not None
            return found

    @in_thread
    def find_user(self, platform: str, external_id: str) -> User | None:
        return self._find_user(platform, external_id)

    def _find_user(self, platform: str, external_id: str) -> User | None:
        with self._connection() as session:
            return self._user_by_identity(session, platform, external_id)

    @staticmethod
    def _user_by_identity(session: Executor, platform: str, external_id: str) -> User | None:
        row = session.execute(sql.USER_BY_IDENTITY, {"b_platform": platform, "b_external": external_id}).first()
        return record_from(User, row) if row else None

    @in_thread
    def get_user(self, user_id: uuid.UUID) -> User | None:
        """The person: an account /link joined into another is that other one (its id is in the audit log)."""
        with self._session() as session:
            row = session.get(UserRow, user_id)
            for _ in range(MAX_LINK_HOPS):
                if row is None or row.merged_into is None:
                    break
                row = session.get(UserRow, row.merged_into)
            return record_from(User, row) if row else None

    @in_thread
    def set_language(self, user_id: uuid.UUID, language: str | None) -> None:
        self._set_user(user_id, language=language)

    @in_thread
    def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        self._set_user(user_id, tier=tier)

    @in_thread
    def set_banned(self, user_id: uuid.UUID, banned: bool) -> None:
        self._set_user(user_id, banned=banned)

    def _set_user(self, user_id: uuid.UUID, **values: object) -> None:
        with self._session() as session:
            session.execute(update(UserRow).where(col(UserRow.id) == user_id).values(**values))

    @in_thread
    def merge_users(self, source: uuid.UUID, target: uuid.UUID, now: datetime) -> bool:
        """Move identities, history and granted credits of `source` into `target`, in one transaction.

        One person has one tier allowance: the joined account keeps the target's, and the source's
        unspent allowance ends (else linking spare accounts would pile up free allowances). False, and nothing
        moved, while a job of `source` is unfinished: its held allowance would be refunded into `target`.
        """
        with self._session() as session:
            account = session.get(CreditAccountRow, source, with_for_update=True)  # holds wait for this
            if self._unfinished(session, source):
                return False
            allowance, granted = (account.allowance, account.granted) if account else (0, 0)
            for table in (IdentityRow, GenerationRow, LedgerRow):
                session.execute(update(table).where(col(table.user_id) == source).values(user_id=target))
            session.execute(update(UserRow).where(col(UserRow.id) == source).values(merged_into=target))
            if (chosen := session.execute(sql.USER, {"b_id": source}).first()) is not None and chosen.language:
                session.execute(update(UserRow).where(col(UserRow.id) == target, col(UserRow.language).is_(None))
                                .values(language=chosen.language))  # a /lang of either account stays theirs
            session.execute(update(LinkCodeRow).where(col(LinkCodeRow.user_id) == source,  # would join a gone account
                                                      col(LinkCodeRow.used_at).is_(None)).values(used_at=now))
            session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == source)
                            .values(allowance=0, granted=0))
            session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == target)
                            .values(granted=CreditAccountRow.granted + granted))
            if allowance:  # the moved ledger rows sum to allowance + granted; this keeps the sum exact
                session.add(LedgerRow(user_id=target, kind=LedgerKind.REFILL, amount=-allowance,
                                      allowance_part=-allowance, note=f"allowance of linked account {source} ends"))
            return True

    # credits --------------------------------------------------------------------------------------------

    def _tier_of(self, session: Executor, user_id: uuid.UUID) -> TierRow | Row:
        user = session.execute(sql.USER, {"b_id": user_id}).first()
        return self._tier_named(session, user.tier if user else "free")

    @staticmethod
    def _tier_named(session: Executor, name: str) -> TierRow | Row:
        row = session.execute(sql.TIER, {"b_name": name}).first()
        return row or TierRow(name="free", allowance=0, period="month", watermark=True)

    @staticmethod
    def _open_account(session: Executor, user_id: uuid.UUID, tier: TierRow | Row, now: datetime) -> None:
        """A new account starts its first allowance period at once, so the first request needs no refill."""
        session.execute(*_insert(CreditAccountRow, user_id=user_id, allowance=tier.allowance,
                                 period_end=period_end(tier.period, now)))
        session.execute(*_insert(LedgerRow, user_id=user_id, kind=LedgerKind.REFILL, amount=tier.allowance,
                                 allowance_part=tier.allowance, granted_part=0, note=f"{tier.name} allowance"))

    def _refill_if_due(self, session: Executor, user_id: uuid.UUID, now: datetime) -> None:
        if not self._refill_due(session.execute(sql.ACCOUNT, {"b_user": user_id}).first(), now):
            return
        account = session.execute(sql.ACCOUNT_LOCKED, {"b_user": user_id}).first()  # a refund may have just ended
        if account is None or not self._refill_due(account, now):
            return  # refilled meanwhile by a concurrent request
        tier = self._tier_of(session, user_id)
        result = session.execute(  # conditional on the period read as well: SQLite takes no row lock
            update(CreditAccountRow)
            .where(col(CreditAccountRow.user_id) == user_id)
            .where(col(CreditAccountRow.period_end).is_(None) if account.period_end is None
                   else col(CreditAccountRow.period_end) == account.period_end)
            .values(allowance=tier.allowance, period_end=period_end(tier.period, now)))
        if result.rowcount != 1:
            return
        delta = tier.allowance - account.allowance
        session.execute(*_insert(LedgerRow, user_id=user_id, kind=LedgerKind.REFILL, amount=delta,
                                 allowance_part=delta, granted_part=0, note=f"{tier.name} allowance"))

    @staticmethod
    def _refill_due(account: Row | None, now: datetime) -> bool:
        return account is not None and (account.period_end is None or now >= as_utc(account.period_end))

    @in_thread
    def account(self, user_id: uuid.UUID, now: datetime) -> Account:
        return self._account(user_id, now)

    def _account(self, user_id: uuid.UUID, now: datetime) -> Account:
        with self._session() as session:
            return self._account_in(session, user_id, now)

    def _account_in(self, session: Session, user_id: uuid.UUID, now: datetime) -> Account:
        self._refill_if_due(session, user_id, now)
        row = session.get(CreditAccountRow, user_id, populate_existing=True)
        assert row is not None, f"no credit account for {user_id}"
        return Account(user_id, row.allowance, row.granted, row.period_end)

    @staticmethod
    def _hold(session: Executor, generation: Generation, now: datetime, this_period_only: bool) -> Account | None:
        """One conditional UPDATE holds the credits, so two requests never spend the same credit."""
        user_id, cost = generation.user_id, generation.cost
        statement = sql.HOLD_THIS_PERIOD if this_period_only else sql.HOLD_AFTER_REFILL
        parameters = {"b_user": user_id, "b_cost": cost, **({"b_now": now} if this_period_only else {})}
        row = session.execute(statement, parameters).first()
        if row is None:
            return None
        session.execute(*_insert(LedgerRow, user_id=user_id, generation_id=generation.id, kind=LedgerKind.RESERVE,
                                 amount=-cost, allowance_part=-row.last_split,
                                 granted_part=-(cost - row.last_split), note="", period_end=row.period_end))
        return Account(user_id, row.allowance, row.granted, row.period_end)

    def _record_generation(self, session: Executor, generation: Generation, latest: bool) -> None:
        session.execute(*_insert(GenerationRow, **self._generation_values(generation)))
        if latest and generation.conversation_id is not None:  # a follow-up refines it even while it runs
            session.execute(sql.POINT_CONVERSATION, {"b_id": generation.conversation_id, "b_generation": generation.id})

    def _refund_in(self, session: Session, generation_id: uuid.UUID) -> bool:
        result = session.execute(
            update(GenerationRow)
            .where(col(GenerationRow.id) == generation_id, col(GenerationRow.credit_state) == CreditState.RESERVED)
            .values(credit_state=CreditState.REFUNDED)
            .returning(GenerationRow.__table__.c.user_id)  # type: ignore[attr-defined]
        )
        user_id = result.scalar()
        if user_id is None:
            return False
        held = session.scalars(select(LedgerRow).where(
            LedgerRow.generation_id == generation_id, LedgerRow.kind == LedgerKind.RESERVE)).first()
        back_allowance, back_granted = (-held.allowance_part, -held.granted_part) if held else (0, 0)
        account = session.execute(sql.ACCOUNT_LOCKED, {"b_user": user_id}).first()  # a refill waits, or went first
        if held and back_allowance and account and not _same_instant(held.period_end, account.period_end):
            back_allowance = 0  # that period's allowance was refilled since: given back, it would top the new one up
        session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == user_id)
                        .values(allowance=CreditAccountRow.allowance + back_allowance,
                                granted=CreditAccountRow.granted + back_granted))
        session.add(LedgerRow(user_id=user_id, generation_id=generation_id, kind=LedgerKind.REFUND,
                              amount=back_allowance + back_granted, allowance_part=back_allowance,
                              granted_part=back_granted))
        return True

    @in_thread
    def grant(self, user_id: uuid.UUID, amount: int, note: str, now: datetime) -> Account:
        with self._session() as session:
            session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == user_id)
                            .values(granted=CreditAccountRow.granted + amount))
            session.add(LedgerRow(user_id=user_id, kind=LedgerKind.GRANT, amount=amount, granted_part=amount,
                                  note=note))
            return self._account_in(session, user_id, now)  # the balance this grant made, in its transaction

    @in_thread
    def ledger_total(self, user_id: uuid.UUID) -> int:
        with self._session() as session:
            total = session.execute(select(func.coalesce(func.sum(LedgerRow.amount), 0))
                                    .where(col(LedgerRow.user_id) == user_id))
            return int(total.scalar_one())

    # catalogue ------------------------------------------------------------------------------------------

    @in_thread
    def tiers(self) -> list[Tier]:
        with self._session() as session:
            rows = session.scalars(select(TierRow).order_by(TierRow.name)).all()
            return [record_from(Tier, row) for row in rows]

    @in_thread
    def set_tier_quota(self, name: str, allowance: int, period: str) -> None:
        with self._session() as session:
            session.execute(update(TierRow).where(col(TierRow.name) == name)
                            .values(allowance=allowance, period=period))

    @in_thread
    def algorithms(self) -> list[Algorithm]:
        with self._session() as session:
            rows = session.scalars(select(AlgorithmRow).order_by(AlgorithmRow.cost, AlgorithmRow.id)).all()
            return [record_from(Algorithm, row) for row in rows]

    @in_thread
    def set_algorithm_enabled(self, algorithm_id: str, enabled: bool) -> None:
        with self._session() as session:
            session.execute(update(AlgorithmRow).where(col(AlgorithmRow.id) == algorithm_id)
                            .values(enabled=enabled))

    @in_thread
    def templates(self) -> list[Template]:
        with self._session() as session:
            rows = session.scalars(select(TemplateRow).order_by(TemplateRow.id)).all()
            return [record_from(Template, row) for row in rows]

    # chats ----------------------------------------------------------------------------------------------

    @in_thread
    def conversation(self, platform: str, chat_id: str) -> Conversation:
        """The chat's conversation (created on first use)."""
        return self._conversation(platform, chat_id)

    def _conversation(self, platform: str, chat_id: str) -> Conversation:
        try:
            with self._connection() as session:
                found = _conversation_in(session, platform, chat_id)
                if found is not None:
                    return found
                statement, created = _insert(ConversationRow, platform=platform, chat_id=chat_id)
                session.execute(statement, created)
                return Conversation(created["id"], platform, chat_id, None)
        except IntegrityError:  # the chat's first two requests raced: the other one created the conversation
            return self._conversation(platform, chat_id)

    @in_thread
    def chat_state(self, platform: str, scope: str, chat_id: str) -> tuple[ChatSettings, Conversation | None]:
        """The chat's settings and its conversation if it has one, in one transaction."""
        with self._connection() as session:
            return _chat_settings_in(session, platform, scope), _conversation_in(session, platform, chat_id)

    @in_thread
    def set_last_generation(self, conversation_id: uuid.UUID, generation_id: uuid.UUID | None) -> None:
        with self._session() as session:
            session.execute(update(ConversationRow).where(col(ConversationRow.id) == conversation_id)
                            .values(last_generation_id=generation_id))

    @in_thread
    def chat_settings(self, platform: str, scope: str) -> ChatSettings:
        with self._connection() as session:
            return _chat_settings_in(session, platform, scope)

    @in_thread
    def set_default_algorithm(self, platform: str, scope: str, algorithm_id: str | None) -> None:
        self._set_chat(platform, scope, default_algorithm=algorithm_id)

    @in_thread
    def set_chat_watermark(self, platform: str, scope: str, watermark: bool | None) -> None:
        self._set_chat(platform, scope, watermark=watermark)

    @in_thread
    def set_allowed_channels(self, platform: str, scope: str, channels: tuple[str, ...]) -> None:
        self._set_chat(platform, scope, allowed_channels=list(channels))

    def _set_chat(self, platform: str, scope: str, **values: object) -> None:
        """One setting of a chat; the chat's row is made on its first setting."""
        with self._session() as session:
            row = session.get(ChatSettingsRow, (platform, scope))
            if row is None:
                row = ChatSettingsRow(platform=platform, scope=scope)
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)

    # generations ----------------------------------------------------------------------------------------

    @staticmethod
    def _generation_values(generation: Generation) -> dict[str, object]:
        values = row_values(generation)
        del values["created_at"]
        values["credit_state"] = CreditState.RESERVED
        return values

    @in_thread
    def get_generation(self, generation_id: uuid.UUID) -> Generation | None:
        with self._session() as session:
            row = session.get(GenerationRow, generation_id)
            return record_from(Generation, row) if row else None

    @in_thread
    def recent_generations(self, user_id: uuid.UUID, limit: int) -> list[Generation]:
        statement = (select(GenerationRow).where(GenerationRow.user_id == user_id)
                     .order_by(col(GenerationRow.created_at).desc()).limit(limit))
        with self._session() as session:
            return [record_from(Generation, row) for row in (session.scalars(statement)).all()]

    # jobs -----------------------------------------------------------------------------------------------

    @in_thread
    def accept(self, acceptance: Acceptance) -> Accepted:
        """Accept a request in one transaction: the update's claim, the credit holds, the generations and the job
        with everything needed to redo it. Either all of it is stored or none of it."""
        job = acceptance.job
        try:
            with self._connection() as session:
                if job.update_key is not None and not self._claimed(session, job.update_key, acceptance.now):
                    raise _Refused(Outcome.DUPLICATE)
                user = session.execute(sql.USER, {"b_id": job.user_id}).first()
                if user is not None and user.banned:
                    raise _Refused(Outcome.BANNED)  # banned while the request was being read: it spends nothing
                account = self._hold_all(session, acceptance)  # locks the account row: one person's accepts queue
                if not acceptance.generations:
                    session.execute(sql.LOCK_ACCOUNT, {"b_user": job.user_id})
                if acceptance.per_user is not None and self._unfinished(session, job.user_id) >= acceptance.per_user:
                    raise _Refused(Outcome.TOO_MANY_JOBS)
                for index, generation in enumerate(acceptance.generations):
                    self._record_generation(session, generation, acceptance.latest and index == 0)
                self._insert_job(session, acceptance, account.balance if account else job.balance)
                return Accepted(Outcome.ACCEPTED, account)
        except _Refused as refused:
            account = self._account(job.user_id, acceptance.now) if refused.outcome == Outcome.NO_CREDITS else None
            return Accepted(refused.outcome, account)

    def _claimed(self, session: Executor, key: str, now: datetime) -> bool:
        """Claim an update's key; False when it was claimed before (a redelivery)."""
        statement = (sqlite_insert if self.engine.dialect.name == "sqlite" else postgres_insert)(processed)
        claim = statement.values(key=key, created_at=now).on_conflict_do_nothing().returning(processed.c.key)
        return session.execute(claim).first() is not None

    @staticmethod
    def _insert_job(session: Executor, acceptance: Acceptance, balance: int | None) -> None:
        job = acceptance.job
        session.execute(*_insert(JobRow, id=job.id, kind=job.kind, user_id=job.user_id, platform=job.address.platform,
                                 address={**asdict(job.address), "interaction_token": None},
                                 interaction_token=job.address.interaction_token, language=job.language,
                                 generation_ids=[g.hex for g in job.generation_ids], finish=job.finish,
                                 balance=balance, update_key=job.update_key, lease_owner=acceptance.lease_owner,
                                 lease_until=acceptance.lease_until, created_at=acceptance.now))

    @staticmethod
    def _unfinished(session: Executor, user_id: uuid.UUID) -> int:
        return int(session.execute(sql.UNFINISHED_JOBS_OF, {"b_user": user_id}).scalar_one())

    def _hold_all(self, session: Executor, acceptance: Acceptance) -> Account | None:
        account = None
        for generation in acceptance.generations:
            held = self._hold(session, generation, acceptance.now, this_period_only=True)
            if held is None:
                self._refill_if_due(session, generation.user_id, acceptance.now)
                held = self._hold(session, generation, acceptance.now, this_period_only=False)
            if held is None:
                raise _Refused(Outcome.NO_CREDITS)
            account = held
        return account

    @in_thread
    def take_job(self, job_id: uuid.UUID, owner: str, now: datetime, until: datetime,
                 platforms: tuple[str, ...]) -> Taken | None:
        """Lease a job that is waiting, or whose runner's lease ran out, and read it with its generations; None
        when someone else holds it, it is finished, or it is for a platform this runner cannot deliver to."""
        with self._connection() as session:
            row = session.execute(sql.TAKE_JOB, {"b_id": job_id, "b_owner": owner, "b_now": now, "b_until": until,
                                                 "b_platforms": list(platforms)}).first()
            if row is None:
                return None
            job = _job(row)
            return Taken(job, self._generations(session, job.generation_ids))

    @in_thread
    def renew_leases(self, owner: str, job_ids: tuple[uuid.UUID, ...], until: datetime) -> int:
        with self._connection() as session:
            return int(session.execute(sql.RENEW_LEASES, {"b_owner": owner, "b_ids": list(job_ids),
                                                          "b_until": until}).rowcount)

    @in_thread
    def release_job(self, job_id: uuid.UUID, owner: str, now: datetime) -> None:
        with self._connection() as session:
            session.execute(sql.RELEASE_JOB, {"b_id": job_id, "b_owner": owner, "b_now": now})

    @in_thread
    def release_leases(self, owner: str, now: datetime) -> None:
        """A clean stop: the owner's unfinished jobs may be taken at once by the next runner."""
        with self._connection() as session:
            session.execute(sql.RELEASE_LEASES, {"b_owner": owner, "b_now": now})

    @in_thread
    def recoverable_jobs(self, now: datetime, platforms: tuple[str, ...],
                         limit: int = 200) -> list[tuple[uuid.UUID, str]]:
        """Unfinished jobs nobody holds (their runner died or stopped), and failures nobody was told about."""
        return self._unheld_jobs(now, limit, col(JobRow.platform).in_(platforms),
                                 col(JobRow.status).in_(UNFINISHED_JOBS)
                                 | ((col(JobRow.status) == JobStatus.FAILED) & col(JobRow.notified).is_(False)))

    @in_thread
    def stranded_jobs(self, created_before: datetime, served: tuple[str, ...], now: datetime,
                      limit: int = 200) -> list[tuple[uuid.UUID, str]]:
        """Unfinished jobs nobody holds, older than `created_before`, for platforms not in `served`."""
        return self._unheld_jobs(now, limit, col(JobRow.platform).not_in(served),
                                 col(JobRow.status).in_(UNFINISHED_JOBS), col(JobRow.created_at) < created_before)

    def _unheld_jobs(self, now: datetime, limit: int, *conditions: ColumnElement[bool]) -> list[tuple[uuid.UUID, str]]:
        """(id, platform) of the jobs meeting `conditions` whose lease ran out or that never had one, oldest first."""
        statement = (select(JobRow.id, JobRow.platform)
                     .where((col(JobRow.lease_until).is_(None)) | (col(JobRow.lease_until) < now), *conditions)
                     .order_by(col(JobRow.created_at)).limit(limit))
        with self._session() as session:
            return [(row.id, row.platform) for row in session.execute(statement)]

    @staticmethod
    def _generations(session: Executor, ids: tuple[uuid.UUID, ...]) -> list[Generation]:
        found = {row.id: record_from(Generation, row) for row in session.execute(sql.GENERATIONS, {"b_ids": list(ids)})}
        return [found[ident] for ident in ids if ident in found]

    @in_thread
    def begin_work(self, job_id: uuid.UUID, owner: str) -> bool:
        """The job's pictures are being made: one attempt (waiting in line is none). False: not this runner's."""
        with self._connection() as session:
            return session.execute(sql.BEGIN_WORK, {"b_id": job_id, "b_owner": owner, "b_now": utcnow()}).rowcount == 1

    @in_thread
    def record_results(self, job_id: uuid.UUID, owner: str, results: list[Result], delivering: bool = True) -> bool:
        """The pictures are stored: a crash from here on delivers them instead of making them again. With
        `delivering`, the job is marked as being sent in the same step (between the send and `finish_job` a crash
        may deliver them twice: counted in `deliveries`). False: the job is not this runner's any more."""
        with self._connection() as session:
            fence = sql.START_DELIVERY if delivering else sql.TOUCH_RUNNING
            if session.execute(fence, {"b_id": job_id, "b_owner": owner, "b_now": utcnow()}).rowcount != 1:
                return False
            for result in results:
                session.execute(sql.RECORD_RESULT, {"b_id": result.generation_id, "updated_at": utcnow(),
                                                    "status": "processing", "stage": "uploading",
                                                    "result_key": result.key, "byte_size": result.byte_size,
                                                    "width": result.width, "height": result.height,
                                                    "timings": result.timings})
            return True

    @in_thread
    def set_original(self, generation_id: uuid.UUID, original_key: str) -> None:
        with self._connection() as session:
            session.execute(sql.UPDATE_GENERATION, {"b_id": generation_id, "updated_at": utcnow(),
                                                    "original_key": original_key})

    @in_thread
    def start_delivery(self, job_id: uuid.UUID, owner: str) -> bool:
        with self._connection() as session:
            return session.execute(sql.START_DELIVERY, {"b_id": job_id, "b_owner": owner,
                                                        "b_now": utcnow()}).rowcount == 1

    @in_thread
    def mark_unanswered(self, job_id: uuid.UUID, owner: str) -> bool:
        """A send the platform may have received never got its answer: the job must not be refunded any more."""
        with self._connection() as session:
            return session.execute(sql.UNANSWERED, {"b_id": job_id, "b_owner": owner, "b_now": utcnow()}).rowcount == 1

    @in_thread
    def keep_progress(self, job_id: uuid.UUID, progress_id: str) -> None:
        """Remember the progress message, so a resumed job edits it instead of leaving it behind."""
        with self._session() as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is not None:
                row.address = {**row.address, "progress_id": progress_id}

    @in_thread
    def finish_job(self, job: Job, owner: str, template_id: str | None) -> bool:
        """Delivered: the generations completed and settled once, the job done, the interaction token forgotten.
        False: the job is not this runner's (any more)."""
        with self._connection() as session:
            if session.execute(sql.FINISH_JOB, {"b_id": job.id, "b_owner": owner, "b_now": utcnow()}).rowcount != 1:
                return False
            if job.kind == JobKind.RENDER:
                for generation_id in job.generation_ids:
                    self._settle_delivered(session, generation_id)
                if template_id is not None:
                    session.execute(sql.COUNT_TEMPLATE_USE, {"b_id": template_id})
            return True

    def _settle_delivered(self, session: Executor, generation_id: uuid.UUID) -> None:
        user_id = session.execute(sql.SETTLE_DELIVERED, {"b_id": generation_id, "b_now": utcnow()}).scalar()
        if user_id is not None:
            session.execute(*_insert(LedgerRow, user_id=user_id, generation_id=generation_id, kind=LedgerKind.SETTLE,
                                     amount=0, allowance_part=0, granted_part=0, note=""))

    @staticmethod
    def _close_job(row: JobRow, status: JobStatus) -> None:
        row.status = status
        row.finished_at = row.updated_at = utcnow()
        row.interaction_token = None  # a secret, needed no longer

    @in_thread
    def fail_job(self, job_id: uuid.UUID, owner: str, failure: dict) -> bool:
        """Refund every generation once and record what to tell the person; False if it had finished already or
        is not this runner's."""
        with self._session() as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None or row.status in (JobStatus.DONE, JobStatus.FAILED) or row.lease_owner != owner:
                return False
            if row.kind == JobKind.RENDER:
                for value in row.generation_ids:
                    generation_id = uuid.UUID(hex=value)
                    session.execute(sql.UPDATE_GENERATION, {"b_id": generation_id, "updated_at": utcnow(),
                                                            "status": "failed", "error": failure.get("detail", "")})
                    self._refund_in(session, generation_id)
            row.failure = failure
            row.status = JobStatus.FAILED
            row.updated_at = utcnow()
            return True

    @in_thread
    def mark_notified(self, job_id: uuid.UUID, owner: str) -> None:
        with self._session() as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is not None and row.lease_owner == owner and row.status == JobStatus.FAILED:
                row.notified = True
                row.lease_owner = row.lease_until = None
                self._close_job(row, JobStatus(row.status))

    @in_thread
    def jobs_summary(self) -> dict[str, int]:
        with self._session() as session:
            rows = session.execute(select(JobRow.status, func.count()).group_by(JobRow.status)).all()
            return {status: int(count) for status, count in rows}

    # bookkeeping ----------------------------------------------------------------------------------------

    @in_thread
    def claim_update(self, key: str, now: datetime) -> bool:
        """True the first time a platform update is seen; False for a redelivery."""
        try:
            with self._session() as session:
                session.execute(*_insert(ProcessedUpdateRow, key=key, created_at=now))
            return True
        except IntegrityError:
            return False

    @in_thread
    def update_seen(self, key: str) -> bool:
        """True when the update was claimed before (read only: redeliveries are answered once)."""
        with self._connection() as session:
            return session.execute(sql.UPDATE_SEEN, {"b_key": key}).first() is not None

    @in_thread
    def keep_updates(self, source: str, updates: list[tuple[int, str]], now: datetime) -> None:
        """Keep a fetched batch in one transaction; one kept already (fetched again after a crash) stays as it is."""
        if not updates:
            return
        statement = (sqlite_insert if self.engine.dialect.name == "sqlite" else postgres_insert)(inbox)
        with self._connection() as connection:
            connection.execute(statement.on_conflict_do_nothing(), [
                {"source": source, "update_id": update_id, "payload": payload, "created_at": now}
                for update_id, payload in updates])

    @in_thread
    def kept_updates(self, source: str) -> list[tuple[int, str]]:
        with self._connection() as session:
            rows = session.execute(select(InboxRow.update_id, InboxRow.payload).where(col(InboxRow.source) == source)
                                   .order_by(col(InboxRow.update_id)))
            return [(update_id, payload) for update_id, payload in rows]

    @in_thread
    def drop_stale_updates(self, before: datetime) -> int:
        with self._connection() as connection:
            return int(connection.execute(inbox.delete().where(inbox.c.created_at < before)).rowcount)

    @in_thread
    def drop_updates(self, source: str, update_ids: list[int]) -> None:
        if update_ids:
            with self._connection() as connection:
                connection.execute(inbox.delete().where(inbox.c.source == source, inbox.c.update_id.in_(update_ids)))

    @in_thread
    def audit(self, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
        with self._session() as session:
            session.add(AuditRow(actor=actor, action=action, target=target, detail=detail, created_at=now))

    @in_thread
    def audit_entries(self, limit: int = 50) -> list[AuditRow]:
        with self._session() as session:
            statement = select(AuditRow).order_by(col(AuditRow.created_at).desc()).limit(limit)
            return list(session.scalars(statement).all())

    @in_thread
    def create_link_code(self, code: str, user_id: uuid.UUID, expires_at: datetime) -> None:
        with self._session() as session:
            session.add(LinkCodeRow(code=code, user_id=user_id, expires_at=expires_at))

    @in_thread
    def consume_link_code(self, code: str, now: datetime) -> uuid.UUID | None:
        """Single use: the conditional UPDATE lets exactly one caller have the code."""
        with self._session() as session:
            result = session.execute(
                update(LinkCodeRow)
                .where(col(LinkCodeRow.code) == code, col(LinkCodeRow.used_at).is_(None),
                       col(LinkCodeRow.expires_at) > now)
                .values(used_at=now)
                .returning(LinkCodeRow.__table__.c.user_id)
            )
            return result.scalar_one_or_none()

    @in_thread
    def stats(self) -> dict[str, int]:
        with self._session() as session:
            def count(statement) -> int:  # type: ignore[no-untyped-def]
                return int(session.execute(statement).scalar_one())

            generations = select(func.count()).select_from(GenerationRow)
            settled = select(LedgerRow.generation_id).where(col(LedgerRow.kind) == LedgerKind.SETTLE)
            return {
                "users": count(select(func.count()).select_from(UserRow)
                               .where(col(UserRow.merged_into).is_(None))),
                "generations": count(generations),
                "completed": count(generations.where(col(GenerationRow.status) == "completed")),
                "failed": count(generations.where(col(GenerationRow.status) == "failed")),
                "spent": count(select(-func.coalesce(func.sum(LedgerRow.amount), 0))  # the ledger outlives /forget
                               .where(col(LedgerRow.kind) == LedgerKind.RESERVE,
                                      col(LedgerRow.generation_id).in_(settled))),
            }

    # paid calls and budgets -------------------------------------------------------------------------------

    @in_thread
    def begin_paid_call(self, call: PaidCall, budgets: list[Budget], job_id: uuid.UUID,
                        owner: str) -> Budget | bool | None:
        """Record a paid call before it is made (True), unless it would take a budget past its limit (then that
        budget, and nothing recorded; None: the job is not this runner's any more). The job's fence goes first:
        on SQLite that write takes the database's write lock, on PostgreSQL an advisory lock follows, so concurrent
        calls see each other's estimates and a budget holds."""
        with self._connection() as session:
            if session.execute(sql.TOUCH_RUNNING, {"b_id": job_id, "b_owner": owner, "b_now": utcnow()}).rowcount != 1:
                return None
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(70071)"))
            for budget in budgets:
                if budget.covers(call.provider) and self._spent(session, budget, call.at) + call.cost_usd > budget.usd:
                    return budget
            values = {**asdict(call), "created_at": call.at}
            statement, row = _insert(PaidCallRow, **{k: v for k, v in values.items() if k != "model"})
            session.execute(statement, {**row, "model": call.model})  # `model` would clash with _insert's own
            return True

    @in_thread
    def spent(self, budget: Budget, now: datetime) -> float:
        """What counts against a budget this period: completed calls and the estimates of calls under way or cut
        short (they may be billed), exactly as the check before each call counts."""
        with self._connection() as session:
            return self._spent(session, budget, now)

    @staticmethod
    def _spent(session: Executor, budget: Budget, now: datetime) -> float:
        statement = (select(func.coalesce(func.sum(PaidCallRow.cost_usd), 0.0))
                     .where(col(PaidCallRow.created_at) >= period_start(budget.period, now)))
        if budget.provider != "all":
            statement = statement.where(col(PaidCallRow.provider) == budget.provider)
        return float(session.execute(statement).scalar_one())

    @in_thread
    def end_paid_call(self, call_id: uuid.UUID, outcome: str, latency_ms: float, cost_usd: float,
                      image_key: str | None = None, subject_key: str | None = None) -> None:
        with self._session() as session:
            row = session.get(PaidCallRow, call_id)
            if row is not None:
                row.outcome, row.latency_ms, row.cost_usd = outcome, round(latency_ms, 1), cost_usd
                row.image_key, row.subject_key = image_key, subject_key

    @in_thread
    def paid_picture(self, generation_id: uuid.UUID) -> tuple[str, str | None] | None:
        statement = (select(PaidCallRow.image_key, PaidCallRow.subject_key)
                     .where(col(PaidCallRow.generation_id) == generation_id, col(PaidCallRow.image_key).is_not(None))
                     .order_by(col(PaidCallRow.created_at).desc()).limit(1))
        with self._session() as session:
            row = session.execute(statement).first()
            return (row.image_key, row.subject_key) if row else None

    @in_thread
    def spend(self, since: datetime) -> dict[tuple[str, str], tuple[float, int]]:
        """(provider, algorithm) -> (USD, pictures) of the calls made since `since`."""
        statement = (select(PaidCallRow.provider, PaidCallRow.algorithm, func.sum(PaidCallRow.cost_usd),
                            func.count()).where(col(PaidCallRow.created_at) >= since,
                                                col(PaidCallRow.outcome) == "ok")
                     .group_by(PaidCallRow.provider, PaidCallRow.algorithm))
        with self._session() as session:
            return {(p, a): (float(usd or 0), int(n)) for p, a, usd, n in session.execute(statement)}

    @in_thread
    def budgets(self) -> list[Budget]:
        with self._session() as session:
            return [Budget(row.provider, row.usd, row.period) for row in session.scalars(select(BudgetRow))]

    @in_thread
    def set_budget(self, budget: Budget) -> None:
        with self._session() as session:
            row = session.get(BudgetRow, budget.provider, with_for_update=True)
            if row is None:
                session.add(BudgetRow(provider=budget.provider, usd=budget.usd, period=budget.period))
            else:
                row.usd, row.period, row.updated_at = budget.usd, budget.period, utcnow()

    @in_thread
    def update_plan(self, generation_id: uuid.UUID, owner: str, job_id: uuid.UUID, title: str, analysis: dict,
                    scene: dict) -> bool:
        """A language model's reading of the request replaces the keywords' (fenced by the job's lease)."""
        with self._connection() as session:
            if session.execute(sql.TOUCH_RUNNING, {"b_id": job_id, "b_owner": owner, "b_now": utcnow()}).rowcount != 1:
                return False
            session.execute(sql.UPDATE_GENERATION, {"b_id": generation_id, "updated_at": utcnow(), "title": title,
                                                    "analysis": analysis, "scene": scene})
            return True

    # forgetting ---------------------------------------------------------------------------------------------

    @in_thread
    def forget_user(self, user_id: uuid.UUID, now: datetime) -> tuple[int, list[str]] | None:
        """Delete a person's generations and finished jobs (their credits, ledger and spend records stay); the
        blob keys nothing else refers to any more, for the caller to delete. None while a job is unfinished."""
        with self._session() as session:
            if self._unfinished(session, user_id):
                return None
            rows = session.scalars(select(GenerationRow).where(GenerationRow.user_id == user_id)).all()
            ids = [row.id for row in rows]
            keys = {key for row in rows for key in (row.result_key, row.original_key, row.photo_key) if key}
            calls = session.scalars(select(PaidCallRow).where(col(PaidCallRow.generation_id).in_(ids))).all()
            keys |= {key for call in calls for key in (call.image_key, call.subject_key) if key}
            for call in calls:  # the spend stays on the books; the pictures go
                call.image_key = call.subject_key = None
            session.execute(update(ConversationRow).where(col(ConversationRow.last_generation_id).in_(ids))
                            .values(last_generation_id=None))
            for job in session.scalars(select(JobRow).where(JobRow.user_id == user_id)).all():
                session.delete(job)
            for row in rows:
                session.delete(row)
            session.flush()
            return len(ids), sorted(keys - self._referenced(session, keys))

    @staticmethod
    def _referenced(session: Session, keys: set[str] | None = None) -> set[str]:
        """The blob keys a generation or a paid call refers to (identical bytes share a key): all of them, or those
        among `keys`."""
        found: set[str] = set()
        for column in BLOB_KEY_COLUMNS:
            wanted = col(column).in_(keys) if keys is not None else col(column).is_not(None)
            found |= {key for key in session.scalars(select(column).where(wanted)) if key}
        return found

    # retention ----------------------------------------------------------------------------------------------

    @in_thread
    def referenced_keys(self) -> set[str]:
        """Every blob key a generation or a paid call still refers to."""
        with self._session() as session:
            return self._referenced(session)

    @in_thread
    def expire_originals(self, tiers: tuple[str, ...], before: datetime) -> int:
        """Forget the lossless originals of these tiers' generations made before `before` (they are made again on
        demand: the picture is deterministic, or finished again from the stored AI picture)."""
        with self._connection() as session:
            users = select(UserRow.id).where(col(UserRow.tier).in_(tiers))
            return int(session.execute(
                update(GenerationRow).where(col(GenerationRow.original_key).is_not(None),
                                            col(GenerationRow.created_at) < before,
                                            col(GenerationRow.user_id).in_(users))
                .values(original_key=None)).rowcount)
