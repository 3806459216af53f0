"""Algorithms, templates and tiers: read on nearly every request, changed only by admins; cached briefly."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass

from core.ai import Budget
from core.credits import utcnow
from core.domain import Algorithm, Template, Tier, User
from core.ports import ImageProvider, RemoteImages, Store

CATALOGUE_TTL_S = 5.0  # other processes' admin changes show up within this time


@dataclass(frozen=True)
class Entries:
    algorithms: dict[str, Algorithm]
    templates: tuple[Template, ...]
    tiers: dict[str, Tier]


class Catalogue:
    def __init__(self, store: Store, providers: dict[str, ImageProvider | RemoteImages]) -> None:
        self.store = store
        self.providers = providers
        self._entries: Entries | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()  # one reload at a time, not one per waiting request
        self._reached: list[Budget] = []
        self._spend_checked = -CATALOGUE_TTL_S

    async def entries(self) -> Entries:
        if self._entries is not None and time.monotonic() - self._loaded_at <= CATALOGUE_TTL_S:
            return self._entries
        async with self._lock:
            if self._entries is None or time.monotonic() - self._loaded_at > CATALOGUE_TTL_S:
                algorithms = {a.id: a for a in await self.store.algorithms()}
                tiers = {t.name: t for t in await self.store.tiers()}
                self._entries = Entries(algorithms, tuple(await self.store.templates()), tiers)
                self._loaded_at = time.monotonic()
            return self._entries

    def forget(self) -> None:
        """Called after an admin changes algorithms, tiers or budgets, so this process sees it at once."""
        self._entries = None
        self._spend_checked = -CATALOGUE_TTL_S

    async def budget_reached(self, algorithm: Algorithm) -> Budget | None:
        """The budget that pauses this algorithm's provider until its period rolls over, if one is reached."""
        provider = self.providers.get(algorithm.id)
        if algorithm.cost == 0 or provider is None:
            return None
        if time.monotonic() - self._spend_checked > CATALOGUE_TTL_S:
            self._reached = await self._reached_budgets()
            self._spend_checked = time.monotonic()
        return next((budget for budget in self._reached if budget.covers(provider.name)), None)

    async def _reached_budgets(self) -> list[Budget]:
        reached, now = [], utcnow()
        for budget in await self.store.budgets():
            if await self.store.spent(budget, now) >= budget.usd:  # counted as the check before each call counts
                reached.append(budget)
        return reached

    def available(self, algorithm: Algorithm) -> bool:
        provider = self.providers.get(algorithm.id)
        return provider is not None and provider.available

    async def algorithm_choices(self) -> list[Algorithm]:
        algorithms = (await self.entries()).algorithms.values()
        return [dataclasses.replace(a, available=self.available(a) and await self.budget_reached(a) is None)
                for a in algorithms]

    async def tier_of(self, user: User) -> Tier:
        tiers = (await self.entries()).tiers
        return tiers.get(user.tier) or tiers["free"]
