"""SQLModel tables. UUID keys are native on PostgreSQL and CHAR(32) on SQLite.

The tables of what the core has a record for (users, tiers, algorithms, templates, chats, generations) are made
from its dataclasses in core/domain.py, the one definition of their fields: a table adds only what storage needs
(keys, indexes, foreign keys, JSON columns, bookkeeping columns the core never reads). The others are storage's
own and declared here.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.main import FieldInfo

from core.domain import Algorithm, ChatSettings, Conversation, Generation, Template, Tier, User


def utcnow() -> datetime:
    return datetime.now(UTC)


Column_ = tuple[object, FieldInfo]  # (annotation, Field) of one column
_NOT_STORED: dict[type, tuple[str, ...]] = {}  # a record's fields its table leaves out


def _column(annotation: object, field: dataclasses.Field[Any]) -> Column_:
    """A dataclass field as a column: enums stored by value as text, tuples as JSON lists, dicts as JSON."""
    origin, optional = typing.get_origin(annotation), False
    if origin in (types.UnionType, typing.Union):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin, optional = typing.get_origin(annotation), True
    default = field.default.value if isinstance(field.default, Enum) else field.default
    if origin is tuple or annotation is tuple:
        listed = list[typing.get_args(annotation)[0]]  # type: ignore[misc]
        return listed, Field(default_factory=list, sa_column=Column(JSON))
    if origin is dict or annotation is dict:
        json = Column(JSON)
        if default is dataclasses.MISSING:
            return dict, Field(default_factory=dict, sa_column=json)
        return (dict | None) if optional else dict, Field(default=default, sa_column=json)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        annotation = str
    kind = (annotation | None) if optional else annotation  # type: ignore[operator]
    if field.default_factory is not dataclasses.MISSING:
        return kind, Field(default_factory=field.default_factory)
    return kind, Field() if default is dataclasses.MISSING else Field(default=default)


def table_of(record: type, name: str, *, columns: dict[str, Column_ | FieldInfo] | None = None,
             not_stored: tuple[str, ...] = (), table_args: tuple[object, ...] = ()) -> type[SQLModel]:
    """The SQLModel table of a core dataclass: its fields, with `columns` refining (a Field: the same type with
    a key, index or foreign key) or adding ((type, Field): a column only storage has)."""
    _NOT_STORED[record] = not_stored
    hints = typing.get_type_hints(record)
    made = {f.name: _column(hints[f.name], f) for f in dataclasses.fields(record) if f.name not in not_stored}
    for column, given in (columns or {}).items():
        made[column] = (made[column][0], given) if isinstance(given, FieldInfo) else given
    namespace: dict[str, object] = {"__tablename__": name, "__module__": __name__,
                                    "__annotations__": {column: kind for column, (kind, _) in made.items()},
                                    **{column: field for column, (_, field) in made.items()}}
    if table_args:
        namespace["__table_args__"] = table_args
    row_name = f"{record.__name__}Row"
    return types.new_class(row_name, (SQLModel,), {"table": True}, lambda body: body.update(namespace))


R = TypeVar("R")


@functools.cache
def _record_fields(record: type) -> tuple[tuple[str, bool], ...]:
    """(name, stored as a JSON list for a tuple) of each field a record's table keeps."""
    hints = typing.get_type_hints(record)
    return tuple((f.name, typing.get_origin(hints[f.name]) is tuple) for f in dataclasses.fields(record)
                 if f.name not in _NOT_STORED.get(record, ()))


def record_from(record: type[R], row: object) -> R:
    """The core's dataclass from its table's row: an ORM object, or a Core row."""
    values = getattr(row, "_mapping", None)
    read = values.__getitem__ if values is not None else functools.partial(getattr, row)
    return record(**{name: tuple(read(name)) if listed else read(name)
                     for name, listed in _record_fields(record)})


def row_values(record: object) -> dict[str, object]:
    """What a core dataclass stores in its table's columns (tuples as lists)."""
    return {name: list(getattr(record, name)) if listed else getattr(record, name)
            for name, listed in _record_fields(type(record))}


UserRow = table_of(User, "users", columns={
    "id": Field(default_factory=uuid.uuid4, primary_key=True),
    "tier": Field(default="free", index=True),
    "merged_into": (uuid.UUID | None, Field(default=None)),  # set when /link joined this account into another
    "created_at": (datetime, Field(default_factory=utcnow)),
})


class IdentityRow(SQLModel, table=True):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    platform: str
    external_id: str


class CreditAccountRow(SQLModel, table=True):
    __tablename__ = "credit_accounts"
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True)
    allowance: int = 0
    granted: int = 0
    last_split: int = 0  # the allowance share of the latest reservation (see SqlStore.reserve)
    period_end: datetime | None = None


class LedgerRow(SQLModel, table=True):
    __tablename__ = "ledger"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    generation_id: uuid.UUID | None = Field(default=None, index=True)
    kind: str
    amount: int  # signed change of the balance
    allowance_part: int = 0  # how much of `amount` touched the allowance bucket
    granted_part: int = 0  # and how much the granted bucket
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    period_end: datetime | None = None  # a hold's: the end of the allowance period it spent from


TierRow = table_of(Tier, "tiers", columns={"name": Field(primary_key=True)})


AlgorithmRow = table_of(Algorithm, "algorithms", columns={"id": Field(primary_key=True)},
                        not_stored=("available",))  # availability is the running process's, never stored


TemplateRow = table_of(Template, "templates", columns={"id": Field(primary_key=True),
                                                      "category": Field(index=True)})


ConversationRow = table_of(Conversation, "conversations", table_args=(UniqueConstraint("platform", "chat_id"),),
                           columns={
    "id": Field(default_factory=uuid.uuid4, primary_key=True),
    "created_at": (datetime, Field(default_factory=utcnow)),
})


ChatSettingsRow = table_of(ChatSettings, "chat_settings", columns={"platform": Field(primary_key=True),
                                                               "scope": Field(primary_key=True)})


GenerationRow = table_of(Generation, "generations", columns={
    "id": Field(default_factory=uuid.uuid4, primary_key=True),
    "user_id": Field(foreign_key="users.id", index=True),
    "conversation_id": Field(default=None, foreign_key="conversations.id"),
    "status": Field(default="queued", index=True),
    "created_at": (datetime, Field(default_factory=utcnow, index=True)),
    "updated_at": (datetime, Field(default_factory=utcnow)),
})


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    actor: str
    action: str
    target: str
    detail: str
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ProcessedUpdateRow(SQLModel, table=True):
    __tablename__ = "processed_updates"
    key: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class InboxRow(SQLModel, table=True):
    """An update a platform handed over and was told it has (so it sends the next ones), kept until it is dealt
    with: replayed at the next start if the process dies first."""

    __tablename__ = "inbox"
    source: str = Field(primary_key=True)  # which bot fetched it, e.g. "telegram:7000000001"
    update_id: int = Field(primary_key=True, sa_type=BigInteger)
    payload: str  # the update as the platform sent it (JSON)
    created_at: datetime = Field(default_factory=utcnow)


class LinkCodeRow(SQLModel, table=True):
    __tablename__ = "link_codes"
    code: str = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id")
    expires_at: datetime
    used_at: datetime | None = None


class JobRow(SQLModel, table=True):
    """An accepted request until it is delivered or refunded: what to make, where to deliver, who runs it."""

    __tablename__ = "jobs"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    platform: str = Field(index=True)
    status: str = Field(default="queued", index=True)
    address: dict = Field(default_factory=dict, sa_column=Column(JSON))
    interaction_token: str | None = None  # Discord's, while the job may still use it (a secret: cleared after)
    language: str = "en"
    generation_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    finish: dict = Field(default_factory=dict, sa_column=Column(JSON))
    balance: int | None = None
    update_key: str | None = None
    attempts: int = 0
    deliveries: int = 0
    unanswered: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # sends maybe received, unconfirmed
    lease_owner: str | None = None
    lease_until: datetime | None = Field(default=None, index=True)
    failure: dict | None = Field(default=None, sa_column=Column(JSON))
    notified: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class PaidCallRow(SQLModel, table=True):
    """One call to a paid provider: recorded before it is made (budgets hold under concurrency), completed with
    its outcome; its stored picture lets a resumed job finish without paying again."""

    __tablename__ = "paid_calls"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    generation_id: uuid.UUID = Field(index=True)
    provider: str = Field(index=True)
    algorithm: str
    model: str
    quality: str
    outcome: str = "started"  # "started", "ok", or the Problem that ended it
    latency_ms: float | None = None
    cost_usd: float = 0.0  # the estimate while started; what it cost (0 for a failed call) once ended
    image_key: str | None = None
    subject_key: str | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)


class BudgetRow(SQLModel, table=True):
    __tablename__ = "budgets"
    provider: str = Field(primary_key=True)  # a provider's name, or "all"
    usd: float
    period: str  # "day" | "month"
    updated_at: datetime = Field(default_factory=utcnow)
