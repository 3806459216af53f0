"""A hold remembers the allowance period it spent from (`ledger.period_end`): its refund gives the allowance part
back only within that period. Judged by the tier's period instead, a refund after `/quota` changed the period, or
after a request straddled the period's end, created or lost credits.

Holds still reserved at the upgrade are taken to be from the account's current period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger", sa.Column("period_end", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE ledger SET period_end = (SELECT period_end FROM credit_accounts"
               " WHERE credit_accounts.user_id = ledger.user_id)"
               " WHERE kind = 'reserve' AND generation_id IN (SELECT id FROM generations"
               " WHERE credit_state = 'reserved')")


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("period_end")
