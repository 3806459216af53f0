"""The SQL implementation of the core's Store port (SQLite and PostgreSQL through SQLModel)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, fields
from datetime import datetime

from sqlalchemy import Insert, case, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col, select

from core.credits import period_end, utcnow
from core.domain import (
    Account,
    Algorithm,
    ChatSettings,
    Conversation,
    CreditState,
    Generation,
    LedgerKind,
    Template,
    Tier,
    User,
)
from storage.tables import (
    AlgorithmRow,
    AuditRow,
    ChatSettingsRow,
    ConversationRow,
    CreditAccountRow,
    GenerationRow,
    IdentityRow,
    LedgerRow,
    LinkCodeRow,
    MessageRow,
    ProcessedUpdateRow,
    TemplateRow,
    TierRow,
    UserRow,
)

GENERATION_FIELDS = {f.name for f in fields(Generation)}


def _insert(model: type[SQLModel], **values: object) -> Insert:
    """A Core INSERT (much cheaper than an ORM add on the hot path), with ids and timestamps filled in."""
    columns = model.__table__.c  # type: ignore[attr-defined]
    if "id" in columns:
        values.setdefault("id", uuid.uuid4())
    for stamp in ("created_at", "updated_at"):
        if stamp in columns:
            values.setdefault(stamp, utcnow())
    return insert(model.__table__).values(**values)  # type: ignore[attr-defined]


def _user(row: UserRow) -> User:
    return User(row.id, row.display_name, row.tier, row.language, row.banned)


def _generation(row: GenerationRow) -> Generation:
    return Generation(**{name: getattr(row, name) for name in GENERATION_FIELDS})


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def create_schema(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

    async def seed(self, algorithms: tuple[Algorithm, ...], templates: tuple[Template, ...],
                   tiers: tuple[Tier, ...]) -> None:
        """Insert what is missing; never overwrite what admins changed."""
        async with self._session() as session:
            for algorithm in algorithms:
                if await session.get(AlgorithmRow, algorithm.id) is None:
                    values = asdict(algorithm)
                    values.pop("available")  # decided at run time by the configured providers
                    session.add(AlgorithmRow(**values))
            for template in templates:
                if await session.get(TemplateRow, template.id) is None:
                    values = asdict(template)
                    values.update(elements=list(template.elements), palette=list(template.palette))
                    session.add(TemplateRow(**values))
            for tier in tiers:
                if await session.get(TierRow, tier.name) is None:
                    session.add(TierRow(**asdict(tier)))

    # people ---------------------------------------------------------------------------------------------

    async def ensure_user(self, platform: str, external_id: str, display_name: str) -> User:
        found = await self.find_user(platform, external_id)
        if found:
            return found
        try:
            async with self._session() as session:
                user = UserRow(display_name=display_name or f"{platform}:{external_id}")
                session.add(user)
                await session.flush()
                session.add(IdentityRow(user_id=user.id, platform=platform, external_id=external_id))
                session.add(CreditAccountRow(user_id=user.id))
            return _user(user)
        except IntegrityError:  # a concurrent first message created it: use that one
            found = await self.find_user(platform, external_id)
            assert found is not None
            return found

    async def find_user(self, platform: str, external_id: str) -> User | None:
        async with self._session() as session:
            statement = select(UserRow).join(IdentityRow, col(IdentityRow.user_id) == col(UserRow.id)).where(
                IdentityRow.platform == platform, IdentityRow.external_id == external_id)
            row = (await session.scalars(statement)).first()
            return _user(row) if row else None

    async def get_user(self, user_id: uuid.UUID) -> User | None:
        async with self._session() as session:
            row = await session.get(UserRow, user_id)
            return _user(row) if row else None

    async def update_user(self, user_id: uuid.UUID, **values: object) -> None:
        async with self._session() as session:
            await session.execute(update(UserRow).where(col(UserRow.id) == user_id).values(**values))

    async def merge_users(self, source: uuid.UUID, target: uuid.UUID, now: datetime) -> None:
        """Move identities, history and granted credits of `source` into `target`, in one transaction.

        One person has one tier allowance: the joined account keeps the target's, and the source's
        unspent allowance ends (else linking spare accounts would pile up free allowances).
        """
        async with self._session() as session:
            account = await session.get(CreditAccountRow, source, with_for_update=True)
            allowance, granted = (account.allowance, account.granted) if account else (0, 0)
            for table in (IdentityRow, GenerationRow, LedgerRow):
                await session.execute(update(table).where(col(table.user_id) == source).values(user_id=target))
            await session.execute(update(UserRow).where(col(UserRow.id) == source).values(merged_into=target))
            await session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == source)
                                  .values(allowance=0, granted=0))
            await session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == target)
                                  .values(granted=CreditAccountRow.granted + granted))
            if allowance:  # the moved ledger rows sum to allowance + granted; this keeps the sum exact
                session.add(LedgerRow(user_id=target, kind=LedgerKind.REFILL, amount=-allowance,
                                      allowance_part=-allowance, note=f"allowance of linked account {source} ends"))

    # credits --------------------------------------------------------------------------------------------

    async def _tier_of(self, session: AsyncSession, user_id: uuid.UUID) -> TierRow:
        user = await session.get(UserRow, user_id)
        tier = await session.get(TierRow, user.tier if user else "free")
        return tier or TierRow(name="free", allowance=0, period="month", watermark=True)

    async def _refill_if_due(self, user_id: uuid.UUID, now: datetime) -> None:
        async with self._session() as session:
            account = await session.get(CreditAccountRow, user_id)
            if account is None or (account.period_end is not None and now < account.period_end):
                return
            tier = await self._tier_of(session, user_id)
            old_allowance, old_end = account.allowance, account.period_end  # the UPDATE syncs `account`
            # Conditional on the period we read, so concurrent refills apply once.
            result = await session.execute(
                update(CreditAccountRow)
                .where(col(CreditAccountRow.user_id) == user_id)
                .where(col(CreditAccountRow.period_end).is_(None) if old_end is None
                       else col(CreditAccountRow.period_end) == old_end)
                .values(allowance=tier.allowance, period_end=period_end(tier.period, now))
            )
            if result.rowcount == 1:
                delta = tier.allowance - old_allowance
                session.add(LedgerRow(user_id=user_id, kind=LedgerKind.REFILL, amount=delta, allowance_part=delta,
                                      note=f"{tier.name} allowance"))

    async def account(self, user_id: uuid.UUID, now: datetime) -> Account:
        await self._refill_if_due(user_id, now)
        async with self._session() as session:
            row = await session.get(CreditAccountRow, user_id)
            assert row is not None, f"no credit account for {user_id}"
            return Account(user_id, row.allowance, row.granted, row.period_end)

    async def reserve(self, generation: Generation, now: datetime, latest: bool = True) -> Account | None:
        """Hold the generation's cost and record the generation, in one transaction.

        The common case is a single conditional UPDATE within the current allowance period; only when
        it finds nothing (the period ended, or the balance is short) is a refill checked and the hold
        tried again.
        """
        held = await self._hold(generation, now, latest, this_period_only=True)
        if held is None:
            await self._refill_if_due(generation.user_id, now)
            held = await self._hold(generation, now, latest, this_period_only=False)
        return held

    async def _hold(self, generation: Generation, now: datetime, latest: bool,
                    this_period_only: bool) -> Account | None:
        """One conditional UPDATE holds the credits, so two requests never spend the same credit. Its SET
        expressions all read the row's old values, so `last_split` records how much came from the
        expiring allowance (spent first) for an exact refund later."""
        user_id, cost = generation.user_id, generation.cost
        accounts = CreditAccountRow.__table__.c
        from_allowance = case((accounts.allowance >= cost, cost), else_=accounts.allowance)
        conditions = [accounts.user_id == user_id, accounts.allowance + accounts.granted >= cost]
        if this_period_only:
            conditions.append(accounts.period_end > now)
        async with self._session() as session:
            result = await session.execute(
                update(CreditAccountRow.__table__)
                .where(*conditions)
                .values(allowance=accounts.allowance - from_allowance, granted=accounts.granted - cost + from_allowance,
                        last_split=from_allowance)
                .returning(accounts.last_split, accounts.allowance, accounts.granted, accounts.period_end)
            )
            row = result.first()
            if row is None:
                return None
            await session.execute(_insert(LedgerRow, user_id=user_id, generation_id=generation.id,
                                          kind=LedgerKind.RESERVE, amount=-cost, allowance_part=-row.last_split,
                                          granted_part=-(cost - row.last_split), note=""))
            await session.execute(_insert(GenerationRow, **self._generation_values(generation)))
            if latest and generation.conversation_id is not None:  # a follow-up refines it even while it runs
                await session.execute(update(ConversationRow.__table__)
                                      .where(ConversationRow.__table__.c.id == generation.conversation_id)
                                      .values(last_generation_id=generation.id))
            return Account(user_id, row.allowance, row.granted, row.period_end)

    async def settle(self, generation_id: uuid.UUID) -> bool:
        return await self._finish_credits(generation_id, CreditState.SETTLED)

    async def complete(self, generation_ids: list[uuid.UUID], template_id: str | None) -> None:
        """Delivered: mark completed, settle each once, count the template's use."""
        async with self._session() as session:
            for generation_id in generation_ids:
                settled = await session.execute(
                    update(GenerationRow)
                    .where(col(GenerationRow.id) == generation_id,
                           col(GenerationRow.credit_state) == CreditState.RESERVED)
                    .values(status="completed", stage="done", credit_state=CreditState.SETTLED, updated_at=utcnow())
                    .returning(GenerationRow.__table__.c.user_id)
                )
                user_id = settled.scalar_one_or_none()
                if user_id is not None:
                    await session.execute(_insert(LedgerRow, user_id=user_id, generation_id=generation_id,
                                                  kind=LedgerKind.SETTLE, amount=0, allowance_part=0, granted_part=0,
                                                  note=""))
            if template_id is not None:
                await session.execute(update(TemplateRow).where(col(TemplateRow.id) == template_id)
                                      .values(usage=TemplateRow.usage + 1))

    async def refund(self, generation_id: uuid.UUID) -> bool:
        return await self._finish_credits(generation_id, CreditState.REFUNDED)

    async def _finish_credits(self, generation_id: uuid.UUID, state: CreditState) -> bool:
        """Settle or refund exactly once: the generation's credit_state leaves 'reserved' only once."""
        async with self._session() as session:
            result = await session.execute(
                update(GenerationRow)
                .where(col(GenerationRow.id) == generation_id, col(GenerationRow.credit_state) == CreditState.RESERVED)
                .values(credit_state=state)
            )
            if result.rowcount != 1:
                return False
            generation = await session.get(GenerationRow, generation_id)
            assert generation is not None
            if state == CreditState.SETTLED:
                session.add(LedgerRow(user_id=generation.user_id, generation_id=generation_id,
                                      kind=LedgerKind.SETTLE, amount=0))
                return True
            held = (await session.scalars(select(LedgerRow).where(
                LedgerRow.generation_id == generation_id, LedgerRow.kind == LedgerKind.RESERVE))).first()
            back_allowance, back_granted = (-held.allowance_part, -held.granted_part) if held else (0, 0)
            await session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == generation.user_id)
                                  .values(allowance=CreditAccountRow.allowance + back_allowance,
                                          granted=CreditAccountRow.granted + back_granted))
            session.add(LedgerRow(user_id=generation.user_id, generation_id=generation_id, kind=LedgerKind.REFUND,
                                  amount=back_allowance + back_granted, allowance_part=back_allowance,
                                  granted_part=back_granted))
            return True

    async def grant(self, user_id: uuid.UUID, amount: int, note: str, now: datetime) -> Account:
        async with self._session() as session:
            await session.execute(update(CreditAccountRow).where(col(CreditAccountRow.user_id) == user_id)
                                  .values(granted=CreditAccountRow.granted + amount))
            session.add(LedgerRow(user_id=user_id, kind=LedgerKind.GRANT, amount=amount, granted_part=amount,
                                  note=note))
        return await self.account(user_id, now)

    async def ledger_total(self, user_id: uuid.UUID) -> int:
        async with self._session() as session:
            total = await session.execute(select(func.coalesce(func.sum(LedgerRow.amount), 0))
                                          .where(col(LedgerRow.user_id) == user_id))
            return int(total.scalar_one())

    # catalogue ------------------------------------------------------------------------------------------

    async def tiers(self) -> list[Tier]:
        async with self._session() as session:
            rows = (await session.scalars(select(TierRow).order_by(TierRow.name))).all()
            return [Tier(r.name, r.allowance, r.period, r.watermark) for r in rows]

    async def set_tier_quota(self, name: str, allowance: int, period: str) -> None:
        async with self._session() as session:
            await session.execute(update(TierRow).where(col(TierRow.name) == name)
                                  .values(allowance=allowance, period=period))

    async def algorithms(self) -> list[Algorithm]:
        async with self._session() as session:
            rows = (await session.scalars(select(AlgorithmRow).order_by(AlgorithmRow.cost, AlgorithmRow.id))).all()
            return [Algorithm(r.id, r.name, r.description, r.cost, r.provider, r.enabled) for r in rows]

    async def set_algorithm_enabled(self, algorithm_id: str, enabled: bool) -> None:
        async with self._session() as session:
            await session.execute(update(AlgorithmRow).where(col(AlgorithmRow.id) == algorithm_id)
                                  .values(enabled=enabled))

    async def templates(self) -> list[Template]:
        async with self._session() as session:
            rows = (await session.scalars(select(TemplateRow).order_by(TemplateRow.id))).all()
            return [Template(r.id, r.name, r.category, r.style, r.mood, tuple(r.elements), tuple(r.palette), r.layout,
                             r.rating, r.usage) for r in rows]

    # chats ----------------------------------------------------------------------------------------------

    async def conversation(self, platform: str, chat_id: str, message: str | None = None) -> Conversation:
        """The chat's conversation (created on first use), recording the user's `message` in the same trip."""
        statement = select(ConversationRow).where(ConversationRow.platform == platform,
                                                  ConversationRow.chat_id == chat_id)
        try:
            async with self._session() as session:
                row = (await session.scalars(statement)).first()
                if row is None:
                    row = ConversationRow(platform=platform, chat_id=chat_id)
                    session.add(row)
                    await session.flush()
                if message is not None:
                    await session.execute(_insert(MessageRow, conversation_id=row.id, role="user", text=message))
        except IntegrityError:  # the chat's first two messages raced: the other one created it
            return await self.conversation(platform, chat_id, message)
        return Conversation(row.id, row.platform, row.chat_id, row.last_generation_id)

    async def set_last_generation(self, conversation_id: uuid.UUID, generation_id: uuid.UUID | None) -> None:
        async with self._session() as session:
            await session.execute(update(ConversationRow).where(col(ConversationRow.id) == conversation_id)
                                  .values(last_generation_id=generation_id))

    async def chat_settings(self, platform: str, scope: str) -> ChatSettings:
        async with self._session() as session:
            row = await session.get(ChatSettingsRow, (platform, scope))
        if row is None:
            return ChatSettings(platform, scope)
        return ChatSettings(platform, scope, row.watermark, row.default_algorithm, tuple(row.allowed_channels))

    async def update_chat_settings(self, platform: str, scope: str, **values: object) -> ChatSettings:
        async with self._session() as session:
            row = await session.get(ChatSettingsRow, (platform, scope))
            if row is None:
                row = ChatSettingsRow(platform=platform, scope=scope)
                session.add(row)
            for name, value in values.items():
                setattr(row, name, list(value) if name == "allowed_channels" else value)  # type: ignore[call-overload]
        return await self.chat_settings(platform, scope)

    # generations ----------------------------------------------------------------------------------------

    @staticmethod
    def _generation_values(generation: Generation) -> dict[str, object]:
        values = {name: getattr(generation, name) for name in GENERATION_FIELDS if name != "created_at"}
        values["credit_state"] = CreditState.RESERVED
        return values

    async def update_generation(self, generation_id: uuid.UUID, **values: object) -> None:
        async with self._session() as session:
            await session.execute(update(GenerationRow).where(col(GenerationRow.id) == generation_id)
                                  .values(updated_at=utcnow(), **values))

    async def get_generation(self, generation_id: uuid.UUID) -> Generation | None:
        async with self._session() as session:
            row = await session.get(GenerationRow, generation_id)
            return _generation(row) if row else None

    async def recent_generations(self, user_id: uuid.UUID, limit: int) -> list[Generation]:
        statement = (select(GenerationRow).where(GenerationRow.user_id == user_id)
                     .order_by(col(GenerationRow.created_at).desc()).limit(limit))
        async with self._session() as session:
            return [_generation(row) for row in (await session.scalars(statement)).all()]

    # bookkeeping ----------------------------------------------------------------------------------------

    async def claim_update(self, key: str, now: datetime) -> bool:
        """True the first time a platform update is seen; False for a redelivery."""
        try:
            async with self._session() as session:
                await session.execute(_insert(ProcessedUpdateRow, key=key, created_at=now))
            return True
        except IntegrityError:
            return False

    async def audit(self, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
        async with self._session() as session:
            session.add(AuditRow(actor=actor, action=action, target=target, detail=detail, created_at=now))

    async def audit_entries(self, limit: int = 50) -> list[AuditRow]:
        async with self._session() as session:
            statement = select(AuditRow).order_by(col(AuditRow.created_at).desc()).limit(limit)
            return list((await session.scalars(statement)).all())

    async def create_link_code(self, code: str, user_id: uuid.UUID, expires_at: datetime) -> None:
        async with self._session() as session:
            session.add(LinkCodeRow(code=code, user_id=user_id, expires_at=expires_at))

    async def consume_link_code(self, code: str, now: datetime) -> uuid.UUID | None:
        """Single use: the conditional UPDATE lets exactly one caller have the code."""
        async with self._session() as session:
            result = await session.execute(
                update(LinkCodeRow)
                .where(col(LinkCodeRow.code) == code, col(LinkCodeRow.used_at).is_(None),
                       col(LinkCodeRow.expires_at) > now)
                .values(used_at=now)
                .returning(LinkCodeRow.__table__.c.user_id)
            )
            return result.scalar_one_or_none()

    async def stats(self) -> dict[str, int]:
        async with self._session() as session:
            async def count(statement) -> int:  # type: ignore[no-untyped-def]
                return int((await session.execute(statement)).scalar_one())

            generations = select(func.count()).select_from(GenerationRow)
            return {
                "users": await count(select(func.count()).select_from(UserRow)
                                     .where(col(UserRow.merged_into).is_(None))),
                "generations": await count(generations),
                "completed": await count(generations.where(col(GenerationRow.status) == "completed")),
                "failed": await count(generations.where(col(GenerationRow.status) == "failed")),
                "spent": await count(select(func.coalesce(func.sum(GenerationRow.cost), 0))
                                     .where(col(GenerationRow.credit_state) == "settled")),
            }
