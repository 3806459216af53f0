"""Paid AI pictures, the platform- and vendor-neutral part: what a model is asked, what came back, how failures
are classified and retried, what a call costs, and the budgets that stop spending.

The HTTP clients (providers/) translate each service's answers into `Fetched` or a `ProviderError`; everything
a creator or an operator would notice about money and failures is decided here and in the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from core.rendering import Scene, title_on_top

log = logging.getLogger(__name__)
T = TypeVar("T")
Preview = Callable[[bytes], Awaitable[None]]  # a partial picture (any image bytes) while the model works


class Problem(StrEnum):
    """What went wrong with a provider call, as far as retrying and telling the person go."""

    FILTERED = "filtered"  # the provider's safety system refused the prompt or the picture: never retried
    REFUSED = "refused"  # a bad request (our fault or the input's): never retried
    AUTH = "auth"  # the key was rejected: the provider is switched off until the operator fixes it
    BUSY = "busy"  # 429: retried after Retry-After
    DOWN = "down"  # 5xx or no connection: retried with backoff
    TIMEOUT = "timeout"  # no answer in time: retried with backoff
    TOO_LARGE = "too_large"  # an answer over the size cap: never retried


RETRIED = frozenset({Problem.BUSY, Problem.DOWN, Problem.TIMEOUT})


class ProviderError(Exception):
    """A provider call failed; `detail` is for the operator's log (never the key), `problem` for everyone."""

    def __init__(self, problem: Problem, detail: str = "", retry_after: float | None = None,
                 final: bool = False) -> None:
        super().__init__(problem, detail, retry_after, final)
        self.problem, self.detail, self.retry_after = Problem(problem), detail, retry_after
        self.final = final  # the picture was made (and billed): trying the whole call again would pay twice

    def __str__(self) -> str:
        return f"{self.problem.value}: {self.detail}"[:300]

    @property
    def retried(self) -> bool:
        return self.problem in RETRIED and not self.final


@dataclass(frozen=True)
class ImageAsk:
    """One picture asked of a model, in English whatever the creator's language."""

    prompt: str
    negative_prompt: str
    seed: int
    photo: bytes | None = None  # the creator's reference photo
    cutout: bool = False  # cut the person out of the photo and place them over the AI background
    style: str = "bold"  # the analysis' style, for services with style presets


@dataclass(frozen=True)
class Fetched:
    """A model's answer: the raw picture, stored the moment it arrives (a crash after it never pays twice)."""

    image: bytes
    model: str
    quality: str = "standard"
    subject: bytes | None = None  # the creator cut out of their photo (RGBA PNG), placed beside the title


# -- retries -----------------------------------------------------------------------------------------------

async def with_retries(call: Callable[[], Awaitable[T]], deadline_s: float, *, attempts: int = 4,
                       base_s: float = 0.5, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """`call` until it works, retrying only what may work later (429 after its Retry-After, 5xx and timeouts with
    jittered exponential backoff), never past `deadline_s` from now."""
    started = time.monotonic()
    for attempt in range(attempts):
        try:
            try:  # the call itself ends at the deadline too: its own timeout could have run past it by one more
                async with asyncio.timeout(max(0.0, deadline_s - (time.monotonic() - started))):
                    return await call()
            except TimeoutError:
                raise ProviderError(Problem.TIMEOUT, f"no picture within the {deadline_s:g} s deadline") from None
        except ProviderError as error:
            wait = error.retry_after if error.retry_after is not None else base_s * 2**attempt * random.uniform(1, 1.5)
            late = time.monotonic() - started + wait > deadline_s
            if not error.retried or attempt == attempts - 1 or late:
                raise
            log.info("provider call failed (%s); retry %s in %.1f s", error.problem, attempt + 1, wait)
            await sleep(wait)
    raise AssertionError("unreachable")


# -- prompts -----------------------------------------------------------------------------------------------

SUBJECTS = {
    "gaming": "an epic video game scene with glowing neon lights and dynamic action",
    "tech": "a sleek modern gadget on a clean desk with soft reflections",
    "education": "an inspiring study scene with books, diagrams and a bright idea",
    "business": "a confident business scene with rising charts and city lights",
    "lifestyle": "a bright lifestyle scene full of energy and natural light",
    "entertainment": "a vivid entertainment scene with stage lights and excitement",
    "other": "a striking scene that tells the story at a glance",
}
STYLES = {
    "minimal": "minimalist, clean shapes, lots of negative space",
    "cinematic": "cinematic, dramatic depth of field, film lighting",
    "playful": "playful, colourful, rounded shapes",
    "retro": "retro synthwave look, film grain",
    "elegant": "elegant, premium materials, subtle gradients",
    "bold": "bold, high contrast, saturated colours",
}
LIGHTING = {
    "energetic": "vibrant rim lighting", "dramatic": "moody low-key lighting with strong shadows",
    "calm": "soft diffused daylight", "fun": "bright cheerful lighting", "serious": "even studio lighting",
}
COLOUR_NAMES = {
    "#e11d48": "red", "#f97316": "orange", "#facc15": "yellow", "#eab308": "gold", "#16a34a": "green",
    "#2563eb": "blue", "#9333ea": "purple", "#ec4899": "pink", "#0a0a0a": "black", "#f8fafc": "white",
    "#0d9488": "teal", "#06b6d4": "cyan", "#22d3ee": "neon cyan",
}
NEGATIVE = "text, letters, words, captions, logos, watermark, signature, frame, border, blurry, low quality, deformed"


def thumbnail_ask(scene: Scene, description: str = "", photo: bytes | None = None, cutout: bool = False) -> ImageAsk:
    """An English prompt made for a 16:9 thumbnail background: subject, composition, mood, colours, lighting, and
    no text (our title is drawn on top, crisp, in the creator's language)."""
    english_request = _plain_english(scene.prompt) if scene.language == "en" else ""
    subject = description or (f"{SUBJECTS.get(scene.category, SUBJECTS['other'])}, about: {english_request}"
                              if english_request else SUBJECTS.get(scene.category, SUBJECTS["other"]))
    colours = [COLOUR_NAMES.get(c.lower(), c) for c in (*scene.colors, *scene.palette)][:3]
    parts = [
        subject.rstrip("."),
        f"YouTube thumbnail background, 16:9, {STYLES.get(scene.style, STYLES['bold'])}",
        f"{scene.mood} mood, {LIGHTING.get(scene.mood, 'striking lighting')}",
        f"colour palette: {', '.join(colours)}" if colours else "",
        f"keep {_calm_area(scene, cutout)} calm and uncluttered for a title added later",
        "the creator from the reference photo as the main subject" if photo is not None and not cutout else "",
        "absolutely no text, letters or logos anywhere",
    ]
    return ImageAsk(". ".join(part for part in parts if part) + ".", NEGATIVE, scene.seed, photo, cutout, scene.style)


def _plain_english(text: str) -> str:
    """The request as plain ASCII for the prompt: curly quotes and apostrophes straightened, emoji and other
    symbols dropped (one of them must not lose the whole request)."""
    straight = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                                             "\u00ab": '"', "\u00bb": '"'}))
    return " ".join("".join(c for c in straight if c.isascii() and (c.isprintable() or c == " ")).split())


def _calm_area(scene: Scene, cutout: bool) -> str:
    """Where finish_external will draw the title."""
    if cutout:
        return "the left half"
    return "the top third" if title_on_top(scene) else "the lower third"


# -- money -------------------------------------------------------------------------------------------------

def price_of(prices: dict[str, float], provider: str, model: str, quality: str) -> float:
    """USD per picture from the price table: the most specific entry that exists, else 0 (and a warning)."""
    for key in (f"{provider}:{model}:{quality}", f"{provider}:{model}", provider):
        if key in prices:
            return prices[key]
    log.warning("no price for %s:%s:%s in the price table: its spend counts as 0", provider, model, quality)
    return 0.0


def period_start(period: str, now: datetime) -> datetime:
    """The start of the budget period containing `now` (UTC days and calendar months)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day if period == "day" else day.replace(day=1)


def next_period(period: str, now: datetime) -> datetime:
    start = period_start(period, now)
    if period == "day":
        return start.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


@dataclass(frozen=True)
class Budget:
    provider: str  # a provider's name, or "all"
    usd: float
    period: str  # "day" | "month"

    def covers(self, provider: str) -> bool:
        return self.provider in ("all", provider)


class PreviewThrottle:
    """At most one preview every `every_s` per job: the platforms' edit limits, and the creator's eyes."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self._last = -every_s

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return False
        self._last = now
        return True
