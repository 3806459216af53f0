"""The hot path's statements, built once with bound parameters.

SQLAlchemy compiles each of these a single time; a statement built per call with its values inline costs a
cache-key walk on every execution (about 0.1 ms each, several per request).
"""

from __future__ import annotations

from sqlalchemy import Integer, Select, Update, bindparam, case, select, update

from core.domain import CreditState
from storage.tables import (
    ChatSettingsRow,
    ConversationRow,
    CreditAccountRow,
    GenerationRow,
    IdentityRow,
    TemplateRow,
    TierRow,
    UserRow,
)

accounts = CreditAccountRow.__table__  # type: ignore[attr-defined]
chats = ChatSettingsRow.__table__  # type: ignore[attr-defined]
conversations = ConversationRow.__table__  # type: ignore[attr-defined]
generations = GenerationRow.__table__  # type: ignore[attr-defined]
identities = IdentityRow.__table__  # type: ignore[attr-defined]
templates = TemplateRow.__table__  # type: ignore[attr-defined]
tiers = TierRow.__table__  # type: ignore[attr-defined]
users = UserRow.__table__  # type: ignore[attr-defined]


def _hold(this_period_only: bool) -> Update:
    """Hold `b_cost` credits of `b_user` if the balance allows. Every SET expression reads the row's old
    values, so `last_split` records how much came from the allowance (spent first) for an exact refund."""
    cost = bindparam("b_cost", type_=Integer)
    from_allowance = case((accounts.c.allowance >= cost, cost), else_=accounts.c.allowance)
    conditions = [accounts.c.user_id == bindparam("b_user"), accounts.c.allowance + accounts.c.granted >= cost]
    if this_period_only:
        conditions.append(accounts.c.period_end > bindparam("b_now"))
    return (
        update(accounts)
        .where(*conditions)
        .values(allowance=accounts.c.allowance - from_allowance,
                granted=accounts.c.granted - cost + from_allowance, last_split=from_allowance)
        .returning(accounts.c.last_split, accounts.c.allowance, accounts.c.granted, accounts.c.period_end)
    )


HOLD_THIS_PERIOD = _hold(this_period_only=True)
HOLD_AFTER_REFILL = _hold(this_period_only=False)

# Completed and settled in one step, only while still reserved, so a generation settles at most once.
SETTLE_DELIVERED = (
    update(generations)
    .where(generations.c.id == bindparam("b_id"), generations.c.credit_state == CreditState.RESERVED)
    .values(status="completed", stage="done", credit_state=CreditState.SETTLED, updated_at=bindparam("b_now"))
    .returning(generations.c.user_id)
)
COUNT_TEMPLATE_USE = update(templates).where(templates.c.id == bindparam("b_id")).values(usage=templates.c.usage + 1)
# The columns to SET come from the execution's parameters (all but b_id).
UPDATE_GENERATION = update(generations).where(generations.c.id == bindparam("b_id"))
POINT_CONVERSATION = (update(conversations).where(conversations.c.id == bindparam("b_id"))
                      .values(last_generation_id=bindparam("b_generation")))

USER_BY_IDENTITY: Select = (
    select(users)
    .join(identities, identities.c.user_id == users.c.id)
    .where(identities.c.platform == bindparam("b_platform"), identities.c.external_id == bindparam("b_external"))
)
CHAT_SETTINGS: Select = select(chats).where(chats.c.platform == bindparam("b_platform"),
                                            chats.c.scope == bindparam("b_scope"))
CONVERSATION: Select = select(conversations).where(conversations.c.platform == bindparam("b_platform"),
                                                   conversations.c.chat_id == bindparam("b_chat"))
TIER: Select = select(tiers).where(tiers.c.name == bindparam("b_name"))
