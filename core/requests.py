"""Requests become accepted jobs: conversation (refine the last request) → analysis → template → algorithm and
watermark rule → one transaction that claims the update, holds the credits and stores the job → the job backend.

Accepting is the only thing done while the platform waits; the pipeline (core/pipeline.py) makes and delivers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
import string
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.ai import next_period
from core.algorithms import DEFAULT_ALGORITHM
from core.analysis import Analyzer, Comparison, comparison, is_quality, list_count, split_subject
from core.catalogue import Catalogue
from core.config import RequestConfig
from core.conversation import Refiner
from core.credits import utcnow
from core.domain import Algorithm, Analysis, ChatSettings, Conversation, Generation, Job, JobKind, Status, Template
from core.messages import MAX_TITLE_CHARS, Working
from core.moderation import LocalWordList
from core.ports import Acceptance, BlobStore, Decode, JobBackend, Outcome, Store, Taken
from core.providers import RenderFailed, RenderWorkerDied
from core.rendering import Finish, Scene, fonts
from core.rendering.errors import BadImage
from core.rendering.motifs import PHOTO, motif_for, motif_in, side_motif
from core.rendering.photos import validate_photo
from core.rendering.types import VARIANTS
from core.templates import Intent, best_match, fits
from core.turn import Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """What to draw: the analysis plus everything that makes the picture reproducible."""

    prompt: str
    analysis: Analysis
    seed: int
    algorithm: str | None = None
    photo_key: str | None = None
    parent_id: uuid.UUID | None = None


class Requests:
    def __init__(self, store: Store, blobs: BlobStore, catalogue: Catalogue, jobs: JobBackend,
                 config: RequestConfig, analyzer: Analyzer, refiner: Refiner, decode: Decode,
                 words: LocalWordList) -> None:
        self.store, self.blobs, self.catalogue, self.jobs = store, blobs, catalogue, jobs
        self.config, self.analyzer, self.refiner, self.decode, self.words = config, analyzer, refiner, decode, words

    async def chat_settings(self, turn: Turn) -> ChatSettings:
        if "chat" not in turn.loaded:
            turn.loaded["chat"] = await self.store.chat_settings(turn.incoming.platform, turn.incoming.settings_scope)
        return turn.loaded["chat"]

    async def _channel_refused(self, turn: Turn) -> bool:
        """A server that keeps the bot to some channels: requests and a result's buttons alike (an older result's
        Regenerate would still draw where the bot may no longer answer)."""
        allowed = (await self.chat_settings(turn)).allowed_channels
        incoming = turn.incoming
        if allowed and not {incoming.chat_id, incoming.parent_chat_id} & set(allowed):  # a thread: its channel's
            links = (incoming.channel_link.format(id=channel) for channel in allowed)
            await turn.refuse("channel_not_allowed", channels=", ".join(links))
            return True
        return False

    async def _chat_and_conversation(self, turn: Turn) -> Conversation | None:
        """A request needs both the chat's settings (kept for the turn) and its conversation: one trip to the
        database (a chat's first request makes its conversation later)."""
        incoming = turn.incoming
        settings, conversation = await self.store.chat_state(incoming.platform, incoming.settings_scope,
                                                             incoming.chat_id)
        turn.loaded["chat"] = settings
        return conversation

    # -- what to make ----------------------------------------------------------------------------------

    async def on_request(self, turn: Turn, text: str) -> None:
        text, photo = text.strip(), turn.incoming.photo
        if not text and not photo:
            return await turn.refuse("empty_request")
        if len(text) > self.config.max_request_chars:
            return await turn.refuse("request_too_long", length=len(text), limit=self.config.max_request_chars)
        conversation = await self._chat_and_conversation(turn)
        if await self._channel_refused(turn):
            return
        stored = await self._accept_photo(turn, photo) if photo is not None else (None, False)  # b"": refused
        if stored is None:
            return
        photo_key, new_photo = stored
        if conversation is None:  # the chat's first request taken: a refused one leaves nothing behind
            conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        await self._request(turn, conversation, text, photo_key)
        if new_photo and photo_key and "claimed" not in turn.marks:  # refused: nothing will ever read it
            await self._unkept(photo_key)

    async def _request(self, turn: Turn, conversation: Conversation, text: str, photo_key: str | None) -> None:
        request = await self._refinement(turn, conversation, text) if photo_key is None else None
        if request is None:
            analysis = self._with_options(turn, self.analyzer.analyze(text or "photo", turn.language))
            request = Request(text, analysis, turn.incoming.options.seed or stable_seed(text), photo_key=photo_key,
                              algorithm=turn.incoming.options.algorithm)
        if len(request.analysis.title) > MAX_TITLE_CHARS:  # quoted, "change the title to …" or an option alike
            return await turn.refuse("title_too_long", length=len(request.analysis.title), limit=MAX_TITLE_CHARS)
        await self.generate(turn, conversation, request)

    async def _accept_photo(self, turn: Turn, photo: bytes) -> tuple[str, bool] | None:
        """Decoded whole before it is accepted, in a render worker: a photo that crashes the decoder costs that
        worker (replaced at once), never this process (which would get the same update again after a restart).
        Stored: (its key, whether it is new: stored before, someone's generation may use it)."""
        try:
            await self.decode(validate_photo, photo, self.config.max_photo_bytes)
        except (BadImage, RenderWorkerDied, RenderFailed) as error:
            reason = error.reason if isinstance(error, BadImage) else "not_image"
            await turn.refuse("bad_image", f"bad_image_{reason}", limit=self.config.max_photo_bytes // 1_000_000)
            return None
        try:
            new = await self.blobs.saved_at(self.blobs.key_of(photo, "img")) is None
        except Exception as error:  # unknown: kept either way, as before (retention's gc takes what nothing uses)
            log.info("could not tell whether a photo was stored before: %s", error)
            new = False
        return await self.blobs.put(photo, "img"), new

    async def _unkept(self, photo_key: str) -> None:
        """A refused request's new photo: deleted now, or anyone could fill the disk with refused uploads until
        retention's next pass."""
        try:
            await self.blobs.delete(photo_key)
        except Exception as error:
            log.warning("a refused request's photo %s stays until retention's next pass: %s", photo_key, error)

    async def _refinement(self, turn: Turn, conversation: Conversation, text: str) -> Request | None:
        previous = await self._last_generation(conversation)
        if previous is None:
            return None
        refined = self.refiner.refine(Analysis(**analysis_fields(previous.analysis)), text)
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

    async def last_in_chat(self, turn: Turn) -> Generation | None:
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        return await self._last_generation(conversation)

    async def redo(self, turn: Turn, source: Generation, *, algorithm: str | None = None,
                   new_seed: bool = True) -> None:
        """Regenerate (a new seed) or switch algorithm (same seed) from a stored generation."""
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        analysis = Analysis(**analysis_fields(source.analysis))
        seed = another_design(source.seed) if new_seed else source.seed
        request = Request(source.prompt, analysis, seed, algorithm or source.algorithm, source.photo_key, source.id)
        await self.generate(turn, conversation, request)

    async def variations(self, turn: Turn, source: Generation) -> None:
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        analysis = Analysis(**analysis_fields(source.analysis))
        request = Request(source.prompt, analysis, another_design(source.seed, offset=1), source.algorithm,
                          source.photo_key, source.id)
        await self.generate(turn, conversation, request, count=self.config.variations)

    async def original(self, turn: Turn, generation: Generation) -> None:
        """The lossless file of a finished generation: a job of its own, free."""
        if await self._channel_refused(turn):
            return
        finish = dataclasses.replace(await self._finish(turn), keep_original=True,
                                     watermark_text=self.config.watermark_text if generation.watermarked else None)
        await self._accept(turn, self._job(turn, JobKind.ORIGINAL, (generation,), finish), (), subjects=(generation,))

    # -- accepting -----------------------------------------------------------------------------------------

    async def generate(self, turn: Turn, conversation: Conversation, request: Request, count: int = 1) -> None:
        """Accept `count` pictures of the request as one job (siblings arrive as an album)."""
        assert count < VARIANTS, "more siblings than design variants"
        if await self._channel_refused(turn):  # read once per turn: a request checked it already
            return
        algorithm = await self._choose_algorithm(turn, request.algorithm)
        if algorithm is None:
            return
        if algorithm.cost and self.words.match(request.prompt):  # nothing is held for what will never be drawn
            log.info("request refused by the word list")
            return await turn.refuse("moderated", reason=turn.text("flag_blocked-word"))
        template = template_for(request, (await self.catalogue.entries()).templates)
        finish = await self._finish(turn)
        generations = tuple(self._plan(turn, conversation, request, algorithm, template, request.seed + i, finish)
                            for i in range(count))  # consecutive seeds: each a different design
        await self._accept(turn, self._job(turn, JobKind.RENDER, generations, finish), generations, algorithm)

    def _job(self, turn: Turn, kind: JobKind, generations: tuple[Generation, ...], finish: Finish) -> Job:
        return Job(id=uuid.uuid4(), kind=kind, user_id=turn.user.id, address=turn.incoming.reply_address,
                   language=turn.language, generation_ids=tuple(g.id for g in generations),
                   finish=dataclasses.asdict(finish), update_key=turn.incoming.update_key)

    async def _accept(self, turn: Turn, job: Job, generations: tuple[Generation, ...],
                      algorithm: Algorithm | None = None, subjects: tuple[Generation, ...] = ()) -> None:
        """`generations`: new ones, to hold credits for and store; `subjects`: finished ones the job is about."""
        now = utcnow()
        owner = self.jobs.owner
        accepted = await self.store.accept(Acceptance(
            job, generations, now, per_user=self.config.per_user, lease_owner=owner,
            lease_until=now + self.config.lease if owner else None))
        if accepted.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE):
            turn.marks.add("claimed")  # a refusal rolled the claim back: the service claims after answering
        if accepted.outcome == Outcome.DUPLICATE:
            log.info("skipping redelivered update %s", job.update_key)
        elif accepted.outcome == Outcome.TOO_MANY_JOBS:
            await turn.refuse("too_many_jobs", count=self.config.per_user)
        elif accepted.outcome == Outcome.BANNED:
            await turn.refuse("banned")
        elif accepted.outcome == Outcome.NO_CREDITS:
            assert algorithm is not None and accepted.account is not None
            account = accepted.account
            refill = account.period_end.strftime("%Y-%m-%d %H:%M UTC") if account.period_end else turn.text("never")
            await turn.refuse("no_credits", name=algorithm.name, cost=algorithm.cost * len(generations),
                              balance=account.balance, refill=refill)
        else:
            await self._started(turn, job, accepted.account.balance if accepted.account else None, now,
                                list(generations or subjects))

    async def _started(self, turn: Turn, job: Job, balance: int | None, now: datetime,
                       generations: list[Generation]) -> None:
        """The job is stored: from here on nothing may say it failed (it will run, or be refunded, regardless)."""
        try:
            await turn.reply(Working(job.generation_ids[0].hex))
        except Exception as error:  # the sign of work is decoration
            log.warning("acknowledging job %s failed: %s", job.id, error)
        taken = Taken(dataclasses.replace(job, created_at=now, balance=balance), generations)
        try:
            await self.jobs.submit(job.id, job.address.platform, taken if self.jobs.owner else None)
        except Exception as error:  # the queue is down: recovery hands the stored job over once it is back
            log.warning("job %s is stored but could not be queued (recovery will): %s", job.id, error)

    def _plan(self, turn: Turn, conversation: Conversation, request: Request, algorithm: Algorithm,
              template: Template, seed: int, finish: Finish) -> Generation:
        analysis = request.analysis
        scene = scene_for(request, template, seed)
        return Generation(
            id=uuid.uuid4(), user_id=turn.user.id, conversation_id=conversation.id, platform=turn.incoming.platform,
            chat_id=turn.incoming.chat_id, algorithm=algorithm.id, prompt=request.prompt, title=analysis.title,
            seed=seed, cost=algorithm.cost, analysis=dataclasses.asdict(analysis), scene=_scene_fields(scene),
            template_id=template.id, photo_key=request.photo_key, parent_id=request.parent_id,
            watermarked=finish.watermark_text is not None, status=Status.QUEUED,
        )

    async def _choose_algorithm(self, turn: Turn, wanted: str | None) -> Algorithm | None:
        chat = await self.chat_settings(turn)
        algorithm_id = (wanted or chat.default_algorithm or DEFAULT_ALGORITHM).lower()
        algorithms = (await self.catalogue.entries()).algorithms
        algorithm = algorithms.get(algorithm_id)
        if algorithm is None:
            await turn.refuse("unknown_algorithm", id=algorithm_id, ids=", ".join(algorithms))
            return None
        return None if await self.refused(turn, algorithm) else algorithm

    async def refused(self, turn: Turn, algorithm: Algorithm) -> bool:
        """Whether the algorithm cannot be used now (switched off, no provider, its budget reached): said so."""
        if not algorithm.enabled:
            await turn.refuse("algorithm_disabled", name=algorithm.name)
        elif not self.catalogue.available(algorithm):
            await turn.refuse("algorithm_unavailable", name=algorithm.name)
        elif (budget := await self.catalogue.budget_reached(algorithm)) is not None:
            until = next_period(budget.period, utcnow()).strftime("%Y-%m-%d %H:%M UTC")
            await turn.refuse("algorithm_over_budget", name=algorithm.name, until=until)
        else:
            return False
        return True

    async def _finish(self, turn: Turn) -> Finish:
        """The watermark rule: the chat's setting if an admin set one, else the user's tier."""
        chat = await self.chat_settings(turn)
        watermark = chat.watermark
        if watermark is None:
            watermark = (await self.catalogue.tier_of(turn.user)).watermark
        return Finish(
            watermark_text=self.config.watermark_text if watermark else None,
            watermark_position=self.config.watermark_position,
            max_bytes=self.config.max_bytes.get(turn.incoming.platform, self.config.default_max_bytes),
            keep_original=False,  # "Original" re-renders or reads the provider's file on demand
        )


# -- what the picture shows: the layout the request means, the things it names ----------------------------------

FALLBACK_LAYOUT = "headline"  # when a library has no template whose layout the request means


_ALPHABETS = string.ascii_letters + string.digits + "!?'\".,:-&#%$" + "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیء۰۱۲۳۴۵۶۷۸۹؟،"


def prepare_reading() -> None:
    """Build the subject index (~1,100 keywords) and open the title fonts (a caption names what they cannot draw)
    now: done on first use, they would cost the first request tens of milliseconds of the event loop, and every
    update of a burst would wait behind it."""
    motif_in("warm up")
    fonts.undrawable(_ALPHABETS)


def intent_of(request: Request) -> Intent:
    return Intent(compares=comparison(request.prompt) is not None, counts=list_count(request.prompt) is not None,
                  photo=request.photo_key is not None)


def template_for(request: Request, templates: Iterable[Template]) -> Template:
    """The best template for the words whose layout also means what the request says."""
    return best_match(templates, request.analysis, intent_of(request))


def scene_for(request: Request, template: Template, seed: int) -> Scene:
    """What to draw: the analysis, the template's palette, its layout if the request means it, the subjects."""
    analysis = request.analysis
    layout = template.layout if fits(template.layout, intent_of(request)) else FALLBACK_LAYOUT
    motifs, sides = subjects(request, layout)
    return Scene(
        title=analysis.title, prompt=request.prompt, language=analysis.language, category=analysis.category,
        style=analysis.style, mood=analysis.mood, colors=analysis.colors, palette=template.palette,
        layout=layout, highlight=analysis.highlight, badge=analysis.badge, seed=seed, motifs=motifs, sides=sides,
    )


def subjects(request: Request, layout: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(motifs, side labels): the request's subject, or for a comparison each side's own thing and name."""
    compared = comparison(request.prompt) if layout == "versus" else None
    if compared is None:
        return (motif_for(request.prompt, request.analysis.category),), ()
    compared = split_subject(compared, lambda words: motif_in(words) is not None)
    sides = (compared.first, compared.second)
    shared = motif_in(compared.subject)
    whole = motif_for(request.prompt, request.analysis.category)
    # A side's own thing ("pizza"; not "$1"), else what both are ("sushi"), else its quality ("cheap", "rich"),
    # else the request's.
    own = tuple(None if is_quality(side) else motif_in(side) for side in sides)
    motifs = tuple(mine or shared or side_motif(side) or whole for mine, side in zip(own, sides, strict=True))
    return (_with_photo(motifs, compared) if request.photo_key else motifs), sides


def _with_photo(motifs: tuple[str, ...], compared: Comparison) -> tuple[str, ...]:
    """The creator's photo on both sides of a before/after, else on their own side ("me"), else the first."""
    if compared.over_time:
        return PHOTO, PHOTO
    mine = 1 if side_motif(compared.second) == "person" and side_motif(compared.first) != "person" else 0
    return tuple(PHOTO if index == mine else motif for index, motif in enumerate(motifs))


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


def analysis_fields(stored: dict) -> dict:
    values = dict(stored)
    for name in ("colors", "elements"):
        values[name] = tuple(values.get(name) or ())
    return values


def _scene_fields(scene: Scene) -> dict:
    values = dataclasses.asdict(scene)
    values.pop("photo")
    return values
