"""SQLModel tables. UUID keys are native on PostgreSQL and CHAR(32) on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    display_name: str = ""
    tier: str = Field(default="free", index=True)
    language: str | None = None
    banned: bool = False
    merged_into: uuid.UUID | None = None  # set when /link joined this account into another
    created_at: datetime = Field(default_factory=utcnow)


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


class TierRow(SQLModel, table=True):
    __tablename__ = "tiers"
    name: str = Field(primary_key=True)
    allowance: int
    period: str
    watermark: bool


class AlgorithmRow(SQLModel, table=True):
    __tablename__ = "algorithms"
    id: str = Field(primary_key=True)
    name: str
    description: str
    cost: int
    provider: str
    enabled: bool = True


class TemplateRow(SQLModel, table=True):
    __tablename__ = "templates"
    id: str = Field(primary_key=True)
    name: str
    category: str = Field(index=True)
    style: str
    mood: str
    elements: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    palette: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    layout: str
    rating: float = 4.0
    usage: int = 0


class ConversationRow(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    platform: str
    chat_id: str
    last_generation_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow)


class MessageRow(SQLModel, table=True):
    __tablename__ = "messages"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    conversation_id: uuid.UUID = Field(foreign_key="conversations.id", index=True)
    role: str
    text: str
    created_at: datetime = Field(default_factory=utcnow)


class ChatSettingsRow(SQLModel, table=True):
    __tablename__ = "chat_settings"
    platform: str = Field(primary_key=True)
    scope: str = Field(primary_key=True)
    watermark: bool | None = None
    default_algorithm: str | None = None
    allowed_channels: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class GenerationRow(SQLModel, table=True):
    __tablename__ = "generations"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    conversation_id: uuid.UUID | None = Field(default=None, foreign_key="conversations.id")
    parent_id: uuid.UUID | None = None
    platform: str
    chat_id: str
    status: str = Field(default="queued", index=True)
    stage: str = "queued"
    algorithm: str
    prompt: str
    title: str
    seed: int
    cost: int
    credit_state: str = "reserved"
    watermarked: bool = False
    analysis: dict = Field(default_factory=dict, sa_column=Column(JSON))
    scene: dict = Field(default_factory=dict, sa_column=Column(JSON))
    template_id: str | None = None
    photo_key: str | None = None
    result_key: str | None = None
    original_key: str | None = None
    byte_size: int | None = None
    width: int | None = None
    height: int | None = None
    timings: dict = Field(default_factory=dict, sa_column=Column(JSON))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


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
