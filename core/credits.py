"""Credit rules that need no storage: periods, tiers and reservation arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.domain import Tier


def utcnow() -> datetime:
    """Timezone-aware UTC: the one form timestamps take in the core and in storage."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; every one of ours is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def period_end(period: str, now: datetime) -> datetime:
    """The moment the current allowance period ends (the next refill): midnight UTC boundaries."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return midnight + timedelta(days=1)
    if period == "week":
        return midnight + timedelta(days=7 - midnight.weekday())  # next Monday
    if period == "month":
        first = midnight.replace(day=1)
        return (first + timedelta(days=32)).replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def split_cost(allowance: int, cost: int) -> tuple[int, int]:
    """Spend the expiring allowance before granted credits: (from_allowance, from_granted)."""
    from_allowance = min(allowance, cost)
    return from_allowance, cost - from_allowance


def default_tiers(free_allowance: int, free_period: str, pro_allowance: int, pro_period: str) -> tuple[Tier, ...]:
    return (
        Tier("free", free_allowance, free_period, watermark=True),
        Tier("pro", pro_allowance, pro_period, watermark=False),
    )
