"""The hot path's statements, built once with bound parameters.

SQLAlchemy compiles each of these a single time; a statement built per call with its values inline costs a
cache-key walk on every execution (about 0.1 ms each, several per request).
"""

from __future__ import annotations

from sqlalchemy import Integer, Select, Update, and_, bindparam, case, func, or_, select, update

from core.domain import UNFINISHED_JOBS, CreditState, JobStatus
from storage.tables import (
    ChatSettingsRow,
    ConversationRow,
    CreditAccountRow,
    GenerationRow,
    IdentityRow,
    JobRow,
    ProcessedUpdateRow,
    TemplateRow,
    TierRow,
    UserRow,
)

accounts = CreditAccountRow.__table__  # type: ignore[attr-defined]
chats = ChatSettingsRow.__table__  # type: ignore[attr-defined]
conversations = ConversationRow.__table__  # type: ignore[attr-defined]
generations = GenerationRow.__table__  # type: ignore[attr-defined]
identities = IdentityRow.__table__  # type: ignore[attr-defined]
jobs = JobRow.__table__  # type: ignore[attr-defined]
processed = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]
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

UNFINISHED_JOBS_OF = (select(func.count()).select_from(jobs)
                      .where(jobs.c.user_id == bindparam("b_user"), jobs.c.status.in_(UNFINISHED_JOBS)))
_FREE = or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < bindparam("b_now"))
_OPEN = or_(jobs.c.status.in_(UNFINISHED_JOBS), and_(jobs.c.status == JobStatus.FAILED, jobs.c.notified.is_(False)))
# Waiting (free, or leased to this runner when it was accepted here), or held by a runner whose lease ran out (it
# died, or stopped without finishing), or failed and not yet told: the conditional UPDATE lets one runner have it.
TAKE_JOB = (
    update(jobs)
    .where(jobs.c.id == bindparam("b_id"), or_(_FREE, jobs.c.lease_owner == bindparam("b_owner")), _OPEN,
           jobs.c.platform.in_(bindparam("b_platforms", expanding=True)))
    .values(lease_owner=bindparam("b_owner"), lease_until=bindparam("b_until"), updated_at=bindparam("b_now"))
    .returning(*jobs.c)
)
_MINE = jobs.c.lease_owner == bindparam("b_owner")
# Every write of a running job is fenced by its lease: a runner that lost the job to another stops there.
FINISH_JOB = (update(jobs).where(jobs.c.id == bindparam("b_id"), _MINE, jobs.c.status.in_(UNFINISHED_JOBS))
              .values(status=JobStatus.DONE, finished_at=bindparam("b_now"), updated_at=bindparam("b_now"),
                      interaction_token=None))
GENERATIONS: Select = select(generations).where(generations.c.id.in_(bindparam("b_ids", expanding=True)))
_HELD = and_(jobs.c.lease_owner == bindparam("b_owner"), _OPEN)
RENEW_LEASES = (update(jobs).where(_HELD, jobs.c.id.in_(bindparam("b_ids", expanding=True)))
                .values(lease_until=bindparam("b_until")))
RELEASE_JOB = (update(jobs).where(_HELD, jobs.c.id == bindparam("b_id"))
               .values(lease_owner=None, lease_until=bindparam("b_now")))
RELEASE_LEASES = update(jobs).where(_HELD).values(lease_owner=None, lease_until=bindparam("b_now"))
_DELIVERING = case((jobs.c.status == JobStatus.FAILED, JobStatus.FAILED), else_=JobStatus.DELIVERING)  # a notice
START_DELIVERY = (update(jobs).where(jobs.c.id == bindparam("b_id"), _MINE, _OPEN)
                  .values(status=_DELIVERING, deliveries=jobs.c.deliveries + 1, updated_at=bindparam("b_now")))
UNANSWERED = (update(jobs).where(jobs.c.id == bindparam("b_id"), _MINE, _OPEN)
              .values(unanswered=jobs.c.unanswered + 1, updated_at=bindparam("b_now")))
BEGIN_WORK = (update(jobs).where(jobs.c.id == bindparam("b_id"), _MINE,
                                 jobs.c.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
              .values(status=JobStatus.RUNNING, attempts=jobs.c.attempts + 1, updated_at=bindparam("b_now")))
TOUCH_RUNNING = (update(jobs).where(jobs.c.id == bindparam("b_id"), _MINE, jobs.c.status == JobStatus.RUNNING)
                 .values(updated_at=bindparam("b_now")))
# A refunded generation keeps its state: a sibling that finished after the job failed records nothing.
RECORD_RESULT = (update(generations)
                 .where(generations.c.id == bindparam("b_id"), generations.c.credit_state == CreditState.RESERVED))
UPDATE_SEEN: Select = select(processed.c.key).where(processed.c.key == bindparam("b_key"))
USER: Select = select(users).where(users.c.id == bindparam("b_id"))
ACCOUNT: Select = select(accounts).where(accounts.c.user_id == bindparam("b_user"))
ACCOUNT_LOCKED: Select = ACCOUNT.with_for_update()  # what a refill or a refund reads is what it changes
# A job that holds no credits ("Original") still queues behind the person's other accepts (PostgreSQL; SQLite has
# one writer), or concurrent ones would all count the same unfinished jobs and pass the per-person limit.
LOCK_ACCOUNT: Select = select(accounts.c.user_id).where(accounts.c.user_id == bindparam("b_user")).with_for_update()
