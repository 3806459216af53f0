"""Algorithms, templates and tiers: read on nearly every request, changed only by admins; cached briefly."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass

from core.domain import Algorithm, Template, Tier, User
from core.ports import ImageProvider, Store

CATALOGUE_TTL_S = 5.0  # other processes' admin changes show up within this time


@dataclass(frozen=True)
class Entries:
    algorithms: dict[str, Algorithm]
    templates: tuple[Template, ...]
    tiers: dict[str, Tier]


class Catalogue:
    def __init__(self, store: Store, providers: dict[str, ImageProvider]) -> None:
        self.store = store
        self.providers = providers
        self._entries: Entries | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()  # one reload at a time, not one per waiting request

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
        """Called after an admin changes algorithms or tiers, so this process sees it at once."""
        self._entries = None

    def available(self, algorithm: Algorithm) -> bool:
        provider = self.providers.get(algorithm.id)
        return provider is not None and provider.available

    async def algorithm_choices(self) -> list[Algorithm]:
        algorithms = (await self.entries()).algorithms.values()
        return [dataclasses.replace(a, available=self.available(a)) for a in algorithms]

    async def tier_of(self, user: User) -> Tier:
        tiers = (await self.entries()).tiers
        return tiers.get(user.tier) or tiers["free"]
