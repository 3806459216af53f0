"""The job runner: an accepted job, read back from the store, made and delivered, or refunded, exactly once.

    take the lease → (render in a slot → store each picture the moment it exists) → mark delivering
    → send to the stored address → finish (settle) — or fail (refund once) and tell the person.

Nothing here depends on the update that started the job: a job accepted by a process that died resumes in
any process with a sender for its platform. Local rendering is deterministic by seed, so a half-made job is
simply made again; a stored picture is delivered, never made (or paid for) twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.actions import action
from core.catalogue import Catalogue
from core.config import PipelineConfig
from core.credits import utcnow
from core.domain import Algorithm, Generation, Job, JobKind, JobStatus
from core.i18n import translate
from core.messages import (
    AlbumReply,
    Button,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Keyboard,
    ProgressReply,
    Stage,
)
from core.ordering import urgent
from core.ports import BlobStore, ImageProvider, JobReplies, RenderSlots, Result, Sender, Store, Taken
from core.providers import RenderFailed, RenderWorkerDied
from core.rendering import BadImage, Finish, Rendered, Scene

log = logging.getLogger(__name__)
Submit = Callable[[uuid.UUID], Awaitable[None]]  # recovery hands a job id to the backend


@dataclass(frozen=True)
class Made:
    generation: Generation
    jpeg: bytes
    width: int
    height: int


class Pipeline:
    def __init__(self, store: Store, blobs: BlobStore, providers: dict[str, ImageProvider], catalogue: Catalogue,
                 slots: RenderSlots, config: PipelineConfig, owner: str) -> None:
        self.store, self.blobs, self.providers, self.catalogue = store, blobs, providers, catalogue
        self.slots, self.config, self.owner = slots, config, owner
        self.senders: dict[str, Sender] = {}
        self._loops: list[asyncio.Task[None]] = []
        self._running: set[uuid.UUID] = set()  # a job submitted twice here (recovery, a redelivery) runs once

    def add_sender(self, platform: str, sender: Sender) -> None:
        self.senders[platform] = sender

    # -- one job -------------------------------------------------------------------------------------------

    async def run(self, job_id: uuid.UUID, taken: Taken | None = None) -> None:
        """Run one job: `taken` when it was accepted and leased to this runner a moment ago, else leased now."""
        if job_id in self._running:
            return
        self._running.add(job_id)
        try:
            await self._take_and_run(job_id, taken)
        except asyncio.CancelledError:  # stopped (a drain, the queue's abort): free it for another runner now
            with contextlib.suppress(Exception):
                await asyncio.shield(self.store.release_job(job_id, self.owner, utcnow()))
            raise
        finally:
            self._running.discard(job_id)

    async def _take_and_run(self, job_id: uuid.UUID, taken: Taken | None) -> None:
        if taken is None:
            now = utcnow()
            taken = await self.store.take_job(job_id, self.owner, now, now + timedelta(seconds=self.config.lease_s))
        if taken is None:
            return  # finished, or another runner holds it
        job = taken.job
        sender = self.senders.get(job.address.platform)
        if sender is None:  # recovery only offers jobs we can deliver; a shared queue may not
            log.error("no %s sender here for job %s: left for another worker", job.address.platform, job.id)
            return
        replies = sender.open(job.address, functools.partial(self.store.keep_progress, job.id))
        try:
            await self._run(job, taken.generations, replies)
        finally:
            with contextlib.suppress(Exception):
                await replies.close()

    async def _run(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        if job.status == JobStatus.FAILED:
            return await self._tell(job, replies)  # refunded before the person was told: tell them now
        if max(job.attempts, job.deliveries) >= self.config.max_attempts or self._too_old(job):
            return await self._give_up(job, generations, replies)  # each restart mid-job was one attempt
        if job.kind == JobKind.ORIGINAL:
            return await self._original(job, generations[0], replies)
        await self._render(job, generations, replies)

    def _too_old(self, job: Job) -> bool:
        return job.created_at is not None and utcnow() - _aware(job.created_at) > self.config.max_age

    async def _render(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        lead = generations[0]
        progress = _Progress(replies, job.language, lead.id.hex)
        try:
            made = await self._make(job, generations, progress)
        except BadImage as error:
            return await self._fail(job, replies, _failure("bad_image", f"bad_image_{error.reason}", str(error),
                                                           limit=self.config.max_photo_mb))
        except Exception as error:
            log.exception("job %s failed", job.id)
            return await self._fail(job, replies, _failure("failed", "failed", f"{type(error).__name__}: {error}",
                                                           reason=_reason(error)))
        await progress.stage(Stage.UPLOADING)
        algorithms = (await self.catalogue.entries()).algorithms
        await self._deliver(job, replies, _result_event(job, made, algorithms), lead.template_id)

    async def _make(self, job: Job, generations: list[Generation], progress: _Progress) -> list[Made]:
        """Every generation's picture: stored ones are read back, the rest rendered (in a slot), each stored the
        moment it exists (a provider's output costs money: a crash after it never pays twice), and the job then
        marked as delivering."""
        missing = [g for g in generations if g.result_key is None]
        fresh: dict[uuid.UUID, Rendered] = {}
        if missing:
            provider = self.providers[generations[0].algorithm]
            photo = await self.blobs.get(generations[0].photo_key) if generations[0].photo_key else None
            finish = Finish(**job.finish)
            single = len(missing) == 1  # then recording it and starting the delivery are one step

            async def make(generation: Generation) -> None:
                rendered = await provider.generate(_scene(generation, photo), finish)
                result = await self._kept(generation, rendered)
                with urgent():
                    await self.store.record_results(job.id, [result], delivering=single)
                fresh[generation.id] = rendered

            # A render slot is held only while rendering here: a job waiting on a remote service holds none.
            slot = self.slots.slot(progress.queued) if provider.cpu_bound else contextlib.nullcontext()
            async with slot:
                await self.store.begin_work(job.id)
                await progress.stage(Stage.ANALYSING)
                await progress.stage(Stage.GENERATING)
                await asyncio.gather(*(make(generation) for generation in missing))
                await progress.stage(Stage.COMPOSING)
        if not missing or len(missing) > 1:
            with urgent():
                await self.store.start_delivery(job.id)
        made = []
        for generation in generations:
            rendered = fresh.get(generation.id)
            if rendered is not None:
                made.append(Made(generation, rendered.jpeg, rendered.width, rendered.height))
            else:
                assert generation.result_key is not None
                made.append(Made(generation, await self.blobs.get(generation.result_key), generation.width or 1280,
                                 generation.height or 720))
        return made

    async def _kept(self, generation: Generation, rendered: Rendered) -> Result:
        key = await self.blobs.put(rendered.jpeg, "jpg")
        timings = {"render_ms": round(rendered.render_ms, 1), "encode_ms": round(rendered.encode_ms, 1)}
        return Result(generation.id, key, len(rendered.jpeg), rendered.width, rendered.height, timings)

    async def _deliver(self, job: Job, replies: JobReplies, event: ImageReply | AlbumReply | DocumentReply,
                       template_id: str | None) -> None:
        """The job is marked delivering before this: a crash between the platform's answer and `finish_job` is
        the one window in which a resumed job sends its picture again (counted in `deliveries`)."""
        try:
            await replies(event)
        except Exception as error:  # the platform refused it: refunded and explained
            log.warning("delivering job %s failed: %s", job.id, error)
            return await self._fail(job, replies, _failure("failed", "failed", f"delivery: {error}"[:500],
                                                           reason="reason_delivery"))
        with urgent():
            await self.store.finish_job(job, template_id)

    async def _original(self, job: Job, generation: Generation, replies: JobReplies) -> None:
        """The lossless file. Local output is deterministic, so it is re-rendered once and then kept."""
        try:
            data = await self._original_png(job, generation)
        except Exception as error:
            log.exception("original of %s failed", generation.id)
            return await self._fail(job, replies, _failure("failed", "failed", str(error)[:500],
                                                           reason=_reason(error)))
        caption = translate(job.language, "original_caption", title=generation.title)
        with urgent():
            await self.store.start_delivery(job.id)
        await self._deliver(job, replies, DocumentReply(data, f"routix-{generation.id.hex[:8]}.png", "image/png",
                                                        caption), None)

    async def _original_png(self, job: Job, generation: Generation) -> bytes:
        if generation.original_key is not None:
            return await self.blobs.get(generation.original_key)
        photo = await self.blobs.get(generation.photo_key) if generation.photo_key else None
        finish = dataclasses.replace(Finish(**job.finish), keep_original=True)
        async with self.slots.slot(_ignore_position):
            await self.store.begin_work(job.id)
            rendered = await self.providers[generation.algorithm].generate(_scene(generation, photo), finish)
        assert rendered.original_png is not None
        await self.store.set_original(generation.id, await self.blobs.put(rendered.original_png, "png"))
        return rendered.original_png

    # -- failures: refunded once, told once ----------------------------------------------------------------

    async def _give_up(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        title = generations[0].title if generations else ""
        log.warning("job %s given up after %s attempts", job.id, max(job.attempts, job.deliveries))
        await self._fail(job, replies, _failure("gave_up", "gave_up", "gave up after restarts", title=title))

    async def _fail(self, job: Job, replies: JobReplies, failure: dict) -> None:
        await self.store.fail_job(job.id, failure)
        await self._tell(dataclasses.replace(job, failure=failure), replies)

    async def _tell(self, job: Job, replies: JobReplies) -> None:
        failure = job.failure or _failure("failed", "failed", "", reason="reason_internal")
        values = dict(failure.get("values") or {})
        if failure.get("reason"):
            values["reason"] = translate(job.language, failure["reason"])
        with urgent():
            await self.store.start_delivery(job.id)  # counted like a picture: a crash after the send repeats it
        try:
            await replies(ErrorReply(failure["code"], translate(job.language, failure["key"], **values)))
        except Exception as error:  # the platform is unreachable: the lease runs out and a runner tries again
            if job.deliveries < self.config.max_attempts + 2:
                log.warning("telling the outcome of job %s failed: %s", job.id, error)
                return
        with urgent():
            await self.store.mark_notified(job.id)

    # -- keeping jobs alive: leases and recovery -------------------------------------------------------------

    def start(self, submit: Submit) -> None:
        """Renew this runner's leases, and resume jobs nobody holds (at once, then every few seconds)."""
        self._loops = [asyncio.create_task(self._renew_forever(), name="routix-leases"),
                       asyncio.create_task(self._recover_forever(submit), name="routix-recovery")]

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []
        await self.store.release_leases(self.owner, utcnow())  # the next runner may take them at once

    async def recover(self, submit: Submit) -> int:
        if not self.senders:
            return 0
        found = await self.store.recoverable_jobs(utcnow(), tuple(self.senders))
        for job_id in found:
            await submit(job_id)
        if found:
            log.info("resuming %s unfinished jobs", len(found))
        return len(found)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease_s / 3)
            running = tuple(self._running)  # only jobs running here: a stopped one's lease must run out
            until = utcnow() + timedelta(seconds=self.config.lease_s)
            if running:
                with contextlib.suppress(Exception):
                    await self.store.renew_leases(self.owner, running, until)

    async def _recover_forever(self, submit: Submit) -> None:
        while True:
            try:
                await self.recover(submit)
            except Exception:
                log.exception("recovery pass failed")
            await asyncio.sleep(self.config.recovery_every_s)

def _result_event(job: Job, made: list[Made], algorithms: dict[str, Algorithm]) -> ImageReply | AlbumReply:
    images = [_image(job, item, algorithms) for item in made]
    if len(images) == 1:
        return images[0]
    caption = translate(job.language, "variations_caption", count=len(images), title=made[0].generation.title)
    return AlbumReply(tuple(images), caption)


def _image(job: Job, item: Made, algorithms: dict[str, Algorithm]) -> ImageReply:
    generation = item.generation
    algorithm = algorithms.get(generation.algorithm)
    caption = translate(job.language, "caption", title=generation.title,
                        algorithm=algorithm.name if algorithm else generation.algorithm, credits=job.balance or 0)
    return ImageReply(generation.id.hex, item.jpeg, f"routix-{generation.id.hex[:8]}.jpg", caption, item.width,
                      item.height, result_buttons(job.language, generation, algorithms))


def result_buttons(language: str, generation: Generation, algorithms: dict[str, Algorithm]) -> Keyboard:
    """Regenerate, Variations, Original, and a switch to every other enabled algorithm."""
    ident = generation.id
    main = (
        Button(translate(language, "button_regenerate"), action("regen", ident)),
        Button(translate(language, "button_variations"), action("vars", ident)),
        Button(translate(language, "button_original"), action("orig", ident)),
    )
    switch = tuple(
        Button(translate(language, "button_algorithm", name=a.name, cost=a.cost), action("algo", ident, a.id))
        for a in algorithms.values() if a.enabled and a.id != generation.algorithm)
    return (main, switch) if switch else (main,)


class _Progress:
    """Sends each stage once, in order."""

    def __init__(self, replies: JobReplies, language: str, generation_id: str) -> None:
        self.replies, self.language, self.generation_id = replies, language, generation_id

    async def queued(self, position: int) -> None:
        text = translate(self.language, "queued", position=position)
        await self.replies(ProgressReply(self.generation_id, Stage.QUEUED, text, position))

    async def stage(self, stage: Stage) -> None:
        await self.replies(ProgressReply(self.generation_id, stage, translate(self.language, f"stage_{stage.value}")))


async def _ignore_position(position: int) -> None:
    return None


def _scene(generation: Generation, photo: bytes | None) -> Scene:
    values = dict(generation.scene)
    for name in ("colors", "palette"):
        values[name] = tuple(values.get(name) or ())
    return Scene(**values, photo=photo)


def _failure(code: str, key: str, detail: str, reason: str | None = None, **values: object) -> dict:
    return {"code": code, "key": key, "detail": detail[:500], "reason": reason, "values": values}


def _reason(error: Exception) -> str:
    """The text key of a failure's reason, as a creator would understand it."""
    if isinstance(error, TimeoutError):
        return "reason_timeout"
    if isinstance(error, RenderWorkerDied | RenderFailed):
        return "reason_renderer"
    return "reason_internal"


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; every one of ours is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
