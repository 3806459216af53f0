"""The Routix service: one entry point, `handle(incoming, reply)`, for every platform.

The data path reads top to bottom in this module: access → conversation (refine the last request) →
analysis → template choice → credit reservation → queue → provider (compose + watermark + encode) →
blob store → reply with the image and buttons → settle (or refund on any failure).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from core import commands
from core.actions import Action, action, parse_action
from core.algorithms import DEFAULT_ALGORITHM
from core.analysis import STYLE_WORDS, Analyzer, KeywordAnalyzer
from core.command_handlers import CommandHandlers
from core.conversation import Refiner, RuleRefiner
from core.credits import utcnow
from core.domain import Algorithm, Analysis, ChatSettings, Conversation, Generation, Status, Template, Tier, User
from core.i18n import normalize_language, translate
from core.jobs import TooManyJobs
from core.limits import FloodLimit, Verdict
from core.messages import (
    AlbumReply,
    Button,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Incoming,
    Keyboard,
    Outgoing,
    ProgressReply,
    Reply,
    Stage,
    TextReply,
    Working,
)
from core.ordering import start_request
from core.ports import BlobStore, ImageProvider, JobQueue, Store
from core.providers import RenderFailed, RenderWorkerDied
from core.rendering import Finish, Rendered, Scene
from core.rendering.errors import BadImage
from core.rendering.photos import validate_photo
from core.rendering.types import VARIANTS
from core.templates import best_match
from core.text import clean_text

log = logging.getLogger(__name__)
CATALOGUE_TTL_S = 5.0  # other processes' admin changes show up within this time


@dataclass(frozen=True)
class ServiceConfig:
    admins: frozenset[tuple[str, str]] = frozenset()
    watermark_text: str = "made with Routix"
    watermark_position: str = "bottom-left"
    max_bytes: dict[str, int] = field(default_factory=dict)  # per platform delivery budget
    default_max_bytes: int = 2_000_000
    max_photo_bytes: int = 20_000_000
    max_request_chars: int = 1000
    variations: int = 3
    history_limit: int = 10
    link_code_ttl: timedelta = timedelta(minutes=10)
    flood_per_second: float = 2.0  # one person's messages per second on average (0: no limit)
    flood_burst: int = 8  # and at once


@dataclass(frozen=True)
class Catalogue:
    """Algorithms, templates and tiers: read on nearly every request, changed only by admins."""

    algorithms: dict[str, Algorithm]
    templates: tuple[Template, ...]
    tiers: dict[str, Tier]


@dataclass(frozen=True)
class Turn:
    """One incoming update being handled: who, in which language, and where replies go."""

    incoming: Incoming
    user: User
    language: str
    reply: Reply
    loaded: dict[str, ChatSettings] = field(default_factory=dict)  # this turn's chat settings, read once

    @property
    def actor(self) -> str:
        return f"{self.incoming.platform}:{self.incoming.user_id}"

    def text(self, key: str, **values: object) -> str:
        return translate(self.language, key, **values)

    async def send_text(self, text: str) -> None:
        await self.reply(TextReply(text))

    async def say(self, key: str, buttons: Keyboard = (), **values: object) -> None:
        await self.reply(TextReply(self.text(key, **values), buttons))

    async def refuse(self, code: str, key: str | None = None, **values: object) -> None:
        await self.reply(ErrorReply(code, self.text(key or code, **values)))


@dataclass(frozen=True)
class Request:
    """What to draw: the analysis plus everything that makes the picture reproducible."""

    prompt: str
    analysis: Analysis
    seed: int
    algorithm: str | None = None
    photo_key: str | None = None
    parent_id: uuid.UUID | None = None


class Service:
    def __init__(self, store: Store, blobs: BlobStore, queue: JobQueue, providers: dict[str, ImageProvider],
                 config: ServiceConfig, analyzer: Analyzer | None = None, refiner: Refiner | None = None) -> None:
        self.store = store
        self.blobs = blobs
        self.queue = queue
        self.providers = providers
        self.config = config
        self.analyzer = analyzer or KeywordAnalyzer()
        self.refiner = refiner or RuleRefiner()
        self.commands = CommandHandlers(self)
        self._catalogue: Catalogue | None = None
        self._catalogue_loaded_at = 0.0
        self._catalogue_lock = asyncio.Lock()  # one reload at a time, not one per waiting request
        self.flood = FloodLimit(config.flood_per_second, config.flood_burst)

    # -- entry point ------------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, reply: Reply) -> None:
        """Process one update. User errors become ErrorReply events; nothing raises to the adapter."""
        start_request()
        incoming = cleaned(incoming)
        try:
            if not await self._within_flood_limit(incoming, reply):
                return
            if incoming.update_key and not await self.store.claim_update(incoming.update_key, utcnow()):
                log.info("skipping redelivered update %s", incoming.update_key)
                return
            user = await self.store.ensure_user(incoming.platform, incoming.user_id, incoming.display_name)
            turn = Turn(incoming, user, user.language or normalize_language(incoming.locale), reply)
            await self._dispatch(turn)
        except Exception:
            log.exception("update from %s:%s failed", incoming.platform, incoming.user_id)
            language = normalize_language(incoming.locale)
            await _quietly(reply, ErrorReply("internal", translate(language, "failed",
                                                                    reason=translate(language, "reason_internal"))))

    async def _within_flood_limit(self, incoming: Incoming, reply: Reply) -> bool:
        """Checked before anything is stored: a flood costs the database nothing."""
        if self.is_admin(incoming.platform, incoming.user_id):
            return True
        verdict = self.flood.check(f"{incoming.platform}:{incoming.user_id}")
        if verdict == Verdict.WARN:
            log.info("flood limit: %s:%s", incoming.platform, incoming.user_id)
            language = await self.language_of(incoming.platform, incoming.user_id, incoming.locale)
            await reply(ErrorReply("too_fast", translate(language, "too_fast")))
        return verdict == Verdict.ALLOW

    async def _dispatch(self, turn: Turn) -> None:
        if turn.user.banned:
            await turn.refuse("banned")
        elif turn.incoming.button is not None:
            await self.on_button(turn, turn.incoming.button)
        elif parsed := commands.parse(turn.incoming.text):
            await self.commands.run(turn, *parsed)
        else:
            await self.on_request(turn, turn.incoming.text)

    # -- shared state ---------------------------------------------------------------------------------------

    async def catalogue(self) -> Catalogue:
        if self._catalogue is not None and time.monotonic() - self._catalogue_loaded_at <= CATALOGUE_TTL_S:
            return self._catalogue
        async with self._catalogue_lock:
            if self._catalogue is None or time.monotonic() - self._catalogue_loaded_at > CATALOGUE_TTL_S:
                algorithms = {a.id: a for a in await self.store.algorithms()}
                tiers = {t.name: t for t in await self.store.tiers()}
                self._catalogue = Catalogue(algorithms, tuple(await self.store.templates()), tiers)
                self._catalogue_loaded_at = time.monotonic()
            return self._catalogue

    def forget_catalogue(self) -> None:
        """Called after an admin changes algorithms or tiers, so this process sees it at once."""
        self._catalogue = None

    async def chat_settings(self, turn: Turn) -> ChatSettings:
        if "chat" not in turn.loaded:
            turn.loaded["chat"] = await self.store.chat_settings(turn.incoming.platform, turn.incoming.settings_scope)
        return turn.loaded["chat"]

    # -- helpers the adapters use -----------------------------------------------------------------------

    async def refuse(self, incoming: Incoming, reply: Reply, key: str, **values: object) -> None:
        """An adapter's own refusal (a file too big to download, …): claimed like any update, so a
        redelivery is not answered twice, and worded in the user's language."""
        if incoming.update_key and not await self.store.claim_update(incoming.update_key, utcnow()):
            return
        language = await self.language_of(incoming.platform, incoming.user_id, incoming.locale)
        await reply(ErrorReply(key, translate(language, key, **values)))

    def command_catalog(self, language: str, *, admin: bool = False) -> list[commands.CommandInfo]:
        return commands.catalog(language, admin=admin)

    def is_admin(self, platform: str, user_id: str) -> bool:
        return (platform, str(user_id)) in self.config.admins

    async def algorithm_choices(self) -> list[Algorithm]:
        algorithms = (await self.catalogue()).algorithms.values()
        return [dataclasses.replace(a, available=self._available(a)) for a in algorithms]

    def style_choices(self) -> list[str]:
        return list(STYLE_WORDS)

    async def channel_allowed(self, platform: str, space_id: str, channel_id: str) -> bool:
        allowed = (await self.store.chat_settings(platform, space_id)).allowed_channels
        return not allowed or channel_id in allowed

    async def language_of(self, platform: str, user_id: str, locale: str | None) -> str:
        user = await self.store.find_user(platform, user_id)
        return (user.language if user else None) or normalize_language(locale)

    def text(self, language: str, key: str, **values: object) -> str:
        return translate(language, key, **values)

    def _available(self, algorithm: Algorithm) -> bool:
        provider = self.providers.get(algorithm.id)
        return provider is not None and provider.available

    # -- requests ---------------------------------------------------------------------------------------

    async def on_request(self, turn: Turn, text: str) -> None:
        text, photo = text.strip(), turn.incoming.photo
        if not text and not photo:
            return await turn.refuse("empty_request")
        if len(text) > self.config.max_request_chars:
            return await turn.refuse("request_too_long", length=len(text), limit=self.config.max_request_chars)
        allowed = (await self.chat_settings(turn)).allowed_channels
        if allowed and turn.incoming.chat_id not in allowed:
            return await turn.refuse("channel_not_allowed", channels=", ".join(f"#{c}" for c in allowed))
        photo_key = await self._accept_photo(turn, photo) if photo else None
        if photo and not photo_key:
            return
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id, text or "[photo]")
        request = await self._refinement(turn, conversation, text) if not photo else None
        if request is None:
            analysis = self._with_options(turn, self.analyzer.analyze(text or "photo", turn.language))
            request = Request(text, analysis, turn.incoming.options.seed or stable_seed(text), photo_key=photo_key,
                              algorithm=turn.incoming.options.algorithm)
        await self.generate(turn, conversation, request)

    async def _accept_photo(self, turn: Turn, photo: bytes) -> str | None:
        try:
            await asyncio.to_thread(validate_photo, photo, self.config.max_photo_bytes)
        except BadImage as error:
            await turn.refuse("bad_image", f"bad_image_{error.reason}", limit=self.config.max_photo_bytes // 1_000_000)
            return None
        return await self.blobs.put(photo, "img")

    async def _refinement(self, turn: Turn, conversation: Conversation, text: str) -> Request | None:
        previous = await self._last_generation(conversation)
        if previous is None:
            return None
        refined = self.refiner.refine(Analysis(**_analysis_fields(previous.analysis)), text)
        if refined is None:
            return None
        return Request(f"{previous.prompt} / {text}", self._with_options(turn, refined), previous.seed,
                       algorithm=turn.incoming.options.algorithm or previous.algorithm, photo_key=previous.photo_key,
                       parent_id=previous.id)

    def _with_options(self, turn: Turn, analysis: Analysis) -> Analysis:
        options = turn.incoming.options
        changes = {"title": options.title, "style": options.style}
        return dataclasses.replace(analysis, **{k: v for k, v in changes.items() if v})  # type: ignore[arg-type]

    async def _last_generation(self, conversation: Conversation) -> Generation | None:
        if conversation.last_generation_id is None:
            return None
        return await self.store.get_generation(conversation.last_generation_id)

    async def redo(self, turn: Turn, source: Generation, *, algorithm: str | None = None,
                   new_seed: bool = True) -> None:
        """Regenerate (a new seed) or switch algorithm (same seed) from a stored generation."""
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        analysis = Analysis(**_analysis_fields(source.analysis))
        seed = another_design(source.seed) if new_seed else source.seed
        request = Request(source.prompt, analysis, seed, algorithm or source.algorithm, source.photo_key, source.id)
        await self.generate(turn, conversation, request)

    # -- the pipeline -----------------------------------------------------------------------------------

    async def generate(self, turn: Turn, conversation: Conversation, request: Request, count: int = 1) -> None:
        """Reserve credits for `count` pictures of the request, run them as one job, deliver, settle."""
        assert count < VARIANTS, "more siblings than design variants"
        algorithm = await self._choose_algorithm(turn, request.algorithm)
        if algorithm is None:
            return
        template = best_match((await self.catalogue()).templates, request.analysis)
        finish = await self._finish(turn)
        seeds = [request.seed + i for i in range(count)]  # consecutive seeds: each a different design
        jobs: list[tuple[Generation, Scene]] = []
        for seed in seeds:
            generation, scene = self._plan(turn, conversation, request, algorithm, template, seed, finish)
            account = await self.store.reserve(generation, utcnow(), latest=not jobs)
            if account is None:
                await self._fail_all(jobs, "not enough credits")
                return await self._refuse_credits(turn, algorithm, len(seeds))
            jobs.append((generation, scene))
        await turn.reply(Working(jobs[0][0].id.hex))
        await self._run(turn, algorithm, jobs, finish, account.balance)

    def _plan(self, turn: Turn, conversation: Conversation, request: Request, algorithm: Algorithm, template,  # type: ignore[no-untyped-def]
              seed: int, finish: Finish) -> tuple[Generation, Scene]:
        analysis = request.analysis
        scene = Scene(
            title=analysis.title, prompt=request.prompt, language=analysis.language, category=analysis.category,
            style=analysis.style, mood=analysis.mood, colors=analysis.colors, palette=template.palette,
            layout=template.layout, highlight=analysis.highlight, badge=analysis.badge, seed=seed,
        )
        generation = Generation(
            id=uuid.uuid4(), user_id=turn.user.id, conversation_id=conversation.id, platform=turn.incoming.platform,
            chat_id=turn.incoming.chat_id, algorithm=algorithm.id, prompt=request.prompt, title=analysis.title,
            seed=seed, cost=algorithm.cost, analysis=dataclasses.asdict(analysis), scene=_scene_fields(scene),
            template_id=template.id, photo_key=request.photo_key, parent_id=request.parent_id,
            watermarked=finish.watermark_text is not None,
        )
        return generation, scene

    async def _run(self, turn: Turn, algorithm: Algorithm,
                   jobs: list[tuple[Generation, Scene]], finish: Finish, balance: int) -> None:
        lead = jobs[0][0]
        progress = _Progress(turn, lead.id.hex)
        try:
            async with self.queue.slot(str(turn.user.id), progress.queued):  # held only while rendering
                rendered = await self._render(progress, algorithm, jobs, finish)
            await self._store_results(jobs, rendered)
            await progress.stage(Stage.UPLOADING)
            await self._deliver(turn, algorithm, jobs, rendered, balance)
        except TooManyJobs as error:
            await self._fail_all(jobs, "too many jobs", Status.CANCELLED)
            return await turn.refuse("too_many_jobs", count=error.limit)
        except BadImage as error:
            await self._fail_all(jobs, f"bad image: {error.reason}")
            return await turn.refuse("bad_image", f"bad_image_{error.reason}",
                                     limit=self.config.max_photo_bytes // 1_000_000)
        except Exception as error:
            log.exception("generation %s failed", lead.id)
            await self._fail_all(jobs, f"{type(error).__name__}: {error}"[:500])
            reason = turn.text(_reason(error))
            return await _quietly(turn.reply, ErrorReply("failed", turn.text("failed", reason=reason)))
        await self.store.complete([generation.id for generation, _ in jobs], lead.template_id)

    async def _render(self, progress: _Progress, algorithm: Algorithm, jobs: list[tuple[Generation, Scene]],
                      finish: Finish) -> list[Rendered]:
        provider = self.providers[algorithm.id]
        await progress.stage(Stage.ANALYSING)
        photo = await self.blobs.get(jobs[0][0].photo_key) if jobs[0][0].photo_key else None
        await progress.stage(Stage.GENERATING)
        outputs = await asyncio.gather(
            *(provider.generate(dataclasses.replace(scene, photo=photo), finish) for _, scene in jobs))
        await progress.stage(Stage.COMPOSING)
        return list(outputs)

    async def _store_results(self, jobs: list[tuple[Generation, Scene]], outputs: list[Rendered]) -> None:
        for (generation, _), rendered in zip(jobs, outputs, strict=True):
            key = await self.blobs.put(rendered.jpeg, "jpg")
            await self.store.update_generation(
                generation.id, status=Status.PROCESSING, stage=Stage.UPLOADING, result_key=key,
                byte_size=len(rendered.jpeg), width=rendered.width, height=rendered.height,
                timings={"render_ms": round(rendered.render_ms, 1), "encode_ms": round(rendered.encode_ms, 1)})

    async def _deliver(self, turn: Turn, algorithm: Algorithm, jobs: list[tuple[Generation, Scene]],
                       outputs: list[Rendered], balance: int) -> None:
        """Send the result; if the platform refuses it, the exception reaches _run, which refunds."""
        images = [await self._image_reply(turn, generation, algorithm, rendered, balance)
                  for (generation, _), rendered in zip(jobs, outputs, strict=True)]
        if len(images) == 1:
            await turn.reply(images[0])
        else:
            caption = turn.text("variations_caption", count=len(images), title=jobs[0][0].title)
            await turn.reply(AlbumReply(tuple(images), caption))

    async def _image_reply(self, turn: Turn, generation: Generation, algorithm: Algorithm, rendered: Rendered,
                           balance: int) -> ImageReply:
        caption = turn.text("caption", title=generation.title, algorithm=algorithm.name, credits=balance)
        return ImageReply(generation.id.hex, rendered.jpeg, f"routix-{generation.id.hex[:8]}.jpg", caption,
                          rendered.width, rendered.height, await self.result_buttons(turn, generation))

    async def result_buttons(self, turn: Turn, generation: Generation) -> Keyboard:
        ident = generation.id
        main = (
            Button(turn.text("button_regenerate"), action("regen", ident)),
            Button(turn.text("button_variations"), action("vars", ident)),
            Button(turn.text("button_original"), action("orig", ident)),
        )
        switch = tuple(
            Button(turn.text("button_algorithm", name=a.name, cost=a.cost), action("algo", ident, a.id))
            for a in (await self.catalogue()).algorithms.values() if a.enabled and a.id != generation.algorithm
        )
        return (main, switch) if switch else (main,)

    async def _fail_all(self, jobs: list[tuple[Generation, Scene]], error: str, status: Status = Status.FAILED) -> None:
        for generation, _ in jobs:
            await self.store.update_generation(generation.id, status=status, error=error)
            await self.store.refund(generation.id)

    async def _choose_algorithm(self, turn: Turn, wanted: str | None) -> Algorithm | None:
        chat = await self.chat_settings(turn)
        algorithm_id = (wanted or chat.default_algorithm or DEFAULT_ALGORITHM).lower()
        algorithms = (await self.catalogue()).algorithms
        algorithm = algorithms.get(algorithm_id)
        if algorithm is None:
            await turn.refuse("unknown_algorithm", id=algorithm_id, ids=", ".join(algorithms))
        elif not algorithm.enabled:
            await turn.refuse("algorithm_disabled", name=algorithm.name)
        elif not self._available(algorithm):
            await turn.refuse("algorithm_unavailable", name=algorithm.name)
        else:
            return algorithm
        return None

    async def _finish(self, turn: Turn) -> Finish:
        """The watermark rule: the chat's setting if an admin set one, else the user's tier."""
        chat = await self.chat_settings(turn)
        watermark = chat.watermark if chat.watermark is not None else (await self.tier_of(turn.user)).watermark
        return Finish(
            watermark_text=self.config.watermark_text if watermark else None,
            watermark_position=self.config.watermark_position,
            max_bytes=self.config.max_bytes.get(turn.incoming.platform, self.config.default_max_bytes),
            keep_original=False,  # "Original" re-renders or reads the provider's file on demand
        )

    async def tier_of(self, user: User) -> Tier:
        tiers = (await self.catalogue()).tiers
        return tiers.get(user.tier) or tiers["free"]

    async def _refuse_credits(self, turn: Turn, algorithm: Algorithm, count: int) -> None:
        account = await self.store.account(turn.user.id, utcnow())
        refill = account.period_end.strftime("%Y-%m-%d %H:%M UTC") if account.period_end else turn.text("never")
        await turn.refuse("no_credits", name=algorithm.name, cost=algorithm.cost * count, balance=account.balance,
                          refill=refill)

    # -- buttons ----------------------------------------------------------------------------------------

    async def on_button(self, turn: Turn, data: str) -> None:
        """A result's button. Its data is untrusted (a modified client sends anything), so it acts only on a
        finished generation of the chat it was pressed in (and, in a private chat, of the person pressing);
        anything else gets the same polite answer, so nobody learns what exists elsewhere."""
        pressed = parse_action(data)
        generation = await self._generation_for(turn, pressed) if pressed else None
        if pressed is None or generation is None:
            return await turn.refuse("generation_gone")
        if pressed.verb == "regen":
            await self.redo(turn, generation)
        elif pressed.verb == "algo":
            await self.redo(turn, generation, algorithm=pressed.argument, new_seed=False)
        elif pressed.verb == "vars":
            await self.variations(turn, generation)
        else:
            await self.original(turn, generation)

    async def _generation_for(self, turn: Turn, pressed: Action) -> Generation | None:
        generation = await self.store.get_generation(pressed.generation_id)
        if generation is None or generation.status != Status.COMPLETED:
            return None
        here = generation.platform == turn.incoming.platform and generation.chat_id == turn.incoming.chat_id
        mine = turn.incoming.is_group or generation.user_id == turn.user.id
        return generation if here and mine else None

    async def variations(self, turn: Turn, source: Generation) -> None:
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        analysis = Analysis(**_analysis_fields(source.analysis))
        request = Request(source.prompt, analysis, another_design(source.seed, offset=1), source.algorithm,
                          source.photo_key, source.id)
        await self.generate(turn, conversation, request, count=self.config.variations)

    async def original(self, turn: Turn, generation: Generation) -> None:
        """The lossless file. Local output is deterministic, so it is re-rendered once and then kept."""
        await turn.reply(Working(generation.id.hex))
        if generation.original_key is None:
            scene = Scene(**{**generation.scene, "colors": tuple(generation.scene.get("colors", ())),
                             "palette": tuple(generation.scene.get("palette", ()))})
            photo = await self.blobs.get(generation.photo_key) if generation.photo_key else None
            finish = dataclasses.replace(await self._finish(turn), keep_original=True,
                                         watermark_text=self.config.watermark_text if generation.watermarked else None)
            rendered = await self.providers[generation.algorithm].generate(
                dataclasses.replace(scene, photo=photo), finish)
            assert rendered.original_png is not None
            key = await self.blobs.put(rendered.original_png, "png")
            await self.store.update_generation(generation.id, original_key=key)
            data = rendered.original_png
        else:
            data = await self.blobs.get(generation.original_key)
        await turn.reply(DocumentReply(data, f"routix-{generation.id.hex[:8]}.png", "image/png",
                                       turn.text("original_caption", title=generation.title)))


class _Progress:
    """Sends each stage once, in order."""

    def __init__(self, turn: Turn, generation_id: str) -> None:
        self.turn = turn
        self.generation_id = generation_id

    async def queued(self, position: int) -> None:
        await self.turn.reply(ProgressReply(self.generation_id, Stage.QUEUED,
                                            self.turn.text("queued", position=position), position))

    async def stage(self, stage: Stage) -> None:
        await self.turn.reply(ProgressReply(self.generation_id, stage, self.turn.text(f"stage_{stage.value}")))


def cleaned(incoming: Incoming) -> Incoming:
    """The update without invisible or control characters, before any check of emptiness or length."""
    options = incoming.options
    title = clean_text(options.title).strip() if options.title else None
    return dataclasses.replace(incoming, text=clean_text(incoming.text), display_name=clean_text(incoming.display_name),
                               options=dataclasses.replace(options, title=title or None))


def stable_seed(text: str) -> int:
    """The same request gives the same picture; /regenerate asks for a new seed."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF


def another_design(seed: int, offset: int | None = None) -> int:
    """A fresh random seed whose design variant differs from `seed`'s, so the result visibly changes.

    With `offset`, the variant is `seed`'s plus offset: variations use offset 1, so their consecutive
    seeds are the variants after the source's, none equal to it.
    """
    step = offset if offset is not None else 1 + secrets.randbelow(VARIANTS - 1)
    return secrets.randbelow(2**31 // VARIANTS - 1) * VARIANTS + (seed + step) % VARIANTS


def _analysis_fields(stored: dict) -> dict:
    values = dict(stored)
    for name in ("colors", "elements"):
        values[name] = tuple(values.get(name) or ())
    return values


def _scene_fields(scene: Scene) -> dict:
    values = dataclasses.asdict(scene)
    values.pop("photo")
    return values


def _reason(error: Exception) -> str:
    """The text key of a failure's reason, as a creator would understand it."""
    if isinstance(error, TimeoutError):
        return "reason_timeout"
    if isinstance(error, RenderWorkerDied | RenderFailed):
        return "reason_renderer"
    return "reason_internal"


async def _quietly(reply: Reply, event: Outgoing) -> None:
    try:
        await reply(event)
    except Exception:
        log.warning("could not deliver %s", type(event).__name__)
