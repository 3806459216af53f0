"""A paid AI picture for one generation, made at most once and never paid for twice:

    a picture stored by an earlier attempt? use it → moderation (word list, then the provider's check)
    → the budget, with this call's estimate recorded in the same step → the provider, with retries
    → its picture stored at once, the call completed with latency and cost.

Every way this can end without a picture raises `Refused` (with what to tell the person, refunded by the
pipeline) or a `ProviderError` (classified by the pipeline); nothing here charges credits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from dataclasses import dataclass

from core.ai import (
    Budget,
    Fetched,
    ImageAsk,
    Preview,
    Problem,
    ProviderError,
    next_period,
    price_of,
    thumbnail_ask,
    with_retries,
)
from core.analysis import QUOTED, Analyzer, KeywordAnalyzer
from core.credits import utcnow
from core.domain import Analysis, Generation, Job
from core.ports import BlobStore, Moderator, PaidCall, RemoteImages, Store, Understanding, kept_trying
from core.rendering import Scene
from core.results import Failure

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another runner has the job (this one's lease ran out): this one stops, quietly."""


class Refused(Exception):
    """The picture will not be made (moderation, a budget): the job is refunded with this failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.code)
        self.failure = failure


@dataclass(frozen=True)
class PaidConfig:
    prices: dict[str, float] = dataclasses.field(default_factory=dict)  # "provider:model:quality" -> USD
    deadline_s: float = 180.0  # one picture, retries included
    understand_all: bool = False  # the language model reads free (local) requests too


@dataclass(frozen=True)
class Picture:
    image: bytes
    subject: bytes | None


class PaidPictures:
    def __init__(self, store: Store, blobs: BlobStore, moderators: list[Moderator],
                 understanding: Understanding | None, config: PaidConfig, owner: str,
                 analyzer: Analyzer | None = None) -> None:
        self.store, self.blobs = store, blobs
        self.analyzer = analyzer or KeywordAnalyzer()
        self.moderators, self.understanding, self.config, self.owner = moderators, understanding, config, owner

    async def picture(self, job: Job, generation: Generation, provider: RemoteImages, scene: Scene,
                      on_preview: Preview) -> Picture:
        kept = await self.store.paid_picture(generation.id)
        if kept is not None:  # made by an attempt that died before finishing: already paid for
            image_key, subject_key = kept
            return Picture(await self.blobs.get(image_key), await self.blobs.get(subject_key) if subject_key else None)
        ask = thumbnail_ask(scene, scene.description, scene.photo, getattr(provider, "cuts_out", False))
        await self._moderate(generation, ask)
        extras = getattr(provider, "extras", lambda ask: ())(ask)
        estimate = price_of(self.config.prices, provider.name, provider.model, provider.quality) + sum(
            price_of(self.config.prices, provider.name, extra, "") for extra in extras)
        call = PaidCall(uuid.uuid4(), generation.id, provider.name, generation.algorithm, provider.model,
                        provider.quality, estimate, utcnow())
        await self._within_budget(job, generation, call)
        fetched = await self._fetch(provider, ask, call, on_preview)
        image_key = await self.blobs.put(fetched.image, "img")
        subject_key = await self.blobs.put(fetched.subject, "png") if fetched.subject else None
        # paid for: recorded through a database restart too, or a resumed job would pay for it again
        await kept_trying(lambda: self.store.end_paid_call(call.id, "ok", self._ms(call), call.cost_usd, image_key,
                                                            subject_key))
        return Picture(fetched.image, fetched.subject)

    async def _fetch(self, provider: RemoteImages, ask: ImageAsk, call: PaidCall, on_preview: Preview) -> Fetched:
        try:
            return await with_retries(lambda: provider.fetch(ask, on_preview), self.config.deadline_s)
        except ProviderError as error:
            # a refusal costs nothing; a picture made but not received, or a call that timed out, may be billed
            billed = error.final or error.problem == Problem.TIMEOUT
            await self.store.end_paid_call(call.id, error.problem.value, self._ms(call), call.cost_usd if billed else 0)
            raise
        except asyncio.CancelledError:  # stopped (a drain, the job's deadline) mid-call: it may have been billed
            await asyncio.shield(self.store.end_paid_call(call.id, "cancelled", self._ms(call), call.cost_usd))
            raise

    @staticmethod
    def _ms(call: PaidCall) -> float:
        return (utcnow() - call.at).total_seconds() * 1000

    async def _moderate(self, generation: Generation, ask: ImageAsk) -> None:
        for moderator in self.moderators:
            try:
                category = await moderator.flagged(generation.prompt, ask.photo)
            except Exception as error:  # a moderation service that is down: the word list and the provider remain
                log.warning("moderation check %s failed: %s", type(moderator).__name__, error)
                continue
            if category:
                log.info("generation %s refused by moderation (%s)", generation.id, category)
                raise Refused(Failure("moderated", "moderated", f"moderation: {category}", reason=f"flag_{category}"
                                      if category in FLAG_KEYS else "flag_other"))

    async def _within_budget(self, job: Job, generation: Generation, call: PaidCall) -> None:
        began = await self.store.begin_paid_call(call, await self.store.budgets(), job.id, self.owner)
        if began is None:
            raise LeaseLost
        if isinstance(began, Budget):  # the budget the call would take past its limit: its period says until when
            raise Refused(over_budget(generation, began, call.provider))

    # -- understanding -------------------------------------------------------------------------------------

    async def understood(self, generation: Generation, previous: Analysis | None) -> tuple[str, dict, dict] | None:
        """The language model's (title, analysis, scene) for a generation, or None to keep the keywords'."""
        if self.understanding is None or generation.scene.get("description"):
            return None  # not configured, or read already by an earlier attempt
        text = generation.prompt.rsplit(" / ", 1)[-1] if previous is not None else generation.prompt
        language = generation.analysis.get("language", "en")
        started = time.monotonic()
        result = await self.understanding.understand(text, language, previous)
        if result is None:
            return None
        log.info("request understood in %.0f ms", (time.monotonic() - started) * 1000)
        analysis = dataclasses.asdict(result.analysis)
        if self._title_given(generation, text, language):
            analysis["title"] = generation.title  # the creator's own words stay exactly as typed
        scene = {**generation.scene, **{key: analysis[key] for key in ("category", "style", "mood", "highlight",
                                                                         "badge", "title")},
                 "colors": list(analysis["colors"]), "description": result.description}
        return analysis["title"], analysis, scene


    def _title_given(self, generation: Generation, text: str, language: str) -> bool:
        """A quoted title, or one the creator set some other way (an option, an earlier change): never rewritten.
        A title the keywords did not find in the text was set that way."""
        return bool(QUOTED.search(generation.prompt)) or self.analyzer.analyze(text, language).title != generation.title


FLAG_KEYS = frozenset({"sexual", "violence", "hate", "harassment", "self-harm", "illicit", "blocked-word"})


def over_budget(generation: Generation, budget: Budget, provider: str) -> Failure:
    until = next_period(budget.period, utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    return Failure("budget", "budget_reached", f"budget {budget.provider} {budget.usd} per {budget.period}",
                   values={"provider": provider, "until": until}, local_of=generation.id.hex)


