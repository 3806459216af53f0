"""Paid calls (spend per call to a paid provider, its stored picture) and budgets per provider.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("usd", sa.Float(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider"),
    )
    op.create_table(
        "paid_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("generation_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("algorithm", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("quality", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("image_key", sa.String(), nullable=True),
        sa.Column("subject_key", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_paid_calls_created_at"), "paid_calls", ["created_at"], unique=False)
    op.create_index(op.f("ix_paid_calls_generation_id"), "paid_calls", ["generation_id"], unique=False)
    op.create_index(op.f("ix_paid_calls_provider"), "paid_calls", ["provider"], unique=False)


def downgrade() -> None:
    op.drop_table("paid_calls")
    op.drop_table("budgets")
