"""The job runner: an accepted job, read back from the store, made and delivered, or refunded, exactly once.

    take the lease → (render in a slot → store each picture the moment it exists) → mark delivering
    → send to the stored address → finish (settle) — or fail (refund once) and tell the person.

Nothing here depends on the update that started the job: a job accepted by a process that died resumes in
any process with a sender for its platform. Local rendering is deterministic by seed, so a half-made job is
simply made again; a stored picture is delivered, never made (or paid for) twice. Every write is fenced by the
lease: a runner that lost its job to another (its lease ran out) stops at its next write.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import timedelta
from typing import Any

from core.ai import Preview, PreviewThrottle, Problem, ProviderError
from core.catalogue import Catalogue
from core.config import PipelineConfig
from core.credits import as_utc, utcnow
from core.domain import Analysis, Generation, Job, JobKind, JobStatus
from core.i18n import translate
from core.messages import AlbumReply, DocumentReply, ImageReply, PreviewReply, ProgressReply, Stage
from core.ordering import urgent
from core.paid import LeaseLost, PaidPictures, Refused
from core.ports import (
    BlobStore,
    Decode,
    DeliveryUncertain,
    ImageProvider,
    JobReplies,
    Links,
    RemoteImages,
    RenderSlots,
    Result,
    Sender,
    Store,
    StoreUnavailable,
    Taken,
    kept_trying,
)
from core.providers import RenderFailed, RenderWorkerDied
from core.rendering import BadImage, Finish, Rendered, Scene, finish_external, preview_jpeg, provider_photo
from core.requests import analysis_fields
from core.results import Failure, Made, result_event

log = logging.getLogger(__name__)
Submit = Callable[[uuid.UUID, str], Awaitable[None]]  # recovery hands (job id, platform) to the backend
DELIVERY_GRACE_S = 30.0  # a stopping runner lets a send already under way end (and be recorded) first
UNANSWERED_SENDS = 2  # a send the platform may have received is made once more; unanswered again, it arrived
PREVIEW_EVERY_S = 2.0  # the platforms' edit limits, and the creator's eyes


class Pipeline:
    def __init__(self, store: Store, blobs: BlobStore, providers: dict[str, ImageProvider | RemoteImages],
                 catalogue: Catalogue, slots: RenderSlots, config: PipelineConfig, owner: str,
                 paid: PaidPictures, decode: Decode, links: Links | None = None) -> None:
        self.store, self.blobs, self.providers, self.catalogue = store, blobs, providers, catalogue
        self.links = links
        self.slots, self.config, self.owner, self.paid, self.decode = slots, config, owner, paid, decode
        self.senders: dict[str, Sender] = {}
        self._running: set[uuid.UUID] = set()  # a job submitted twice here (recovery, a redelivery) runs once
        self._deliveries: dict[uuid.UUID, asyncio.Task[None]] = {}  # sends under way: never cut in the middle
        self._renewing: asyncio.Task[None] | None = None
        self._recovering: asyncio.Task[None] | None = None

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
        except LeaseLost:
            log.info("job %s was taken over by another runner", job_id)
        except StoreUnavailable:  # not the job's fault: its lease runs out and it is resumed from what was stored
            log.warning("job %s paused: the database is unavailable; it is resumed once it is back", job_id)
        except asyncio.CancelledError:  # stopped (a drain, the queue's abort): free it for another runner now
            await self._let_delivery_end(job_id)
            with contextlib.suppress(Exception):
                await asyncio.shield(self.store.release_job(job_id, self.owner, utcnow()))
            raise
        finally:
            self._running.discard(job_id)

    async def _take_and_run(self, job_id: uuid.UUID, taken: Taken | None) -> None:
        if taken is None:
            now = utcnow()
            taken = await self.store.take_job(job_id, self.owner, now, now + timedelta(seconds=self.config.lease_s),
                                              tuple(self.senders))
        if taken is None:
            return  # finished, another runner holds it, or it is for a platform this process cannot reach
        job = taken.job
        replies = self.senders[job.address.platform].open(job.address,
                                                          functools.partial(self.store.keep_progress, job.id))
        try:
            await self._run(job, taken.generations, replies)
        finally:
            with contextlib.suppress(Exception):
                await replies.close()

    async def _run(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        if job.status == JobStatus.FAILED:
            return await self._tell(job, replies)  # refunded before the person was told: tell them now
        if self._tries(job, generations) >= self.config.max_attempts or self._too_old(job):
            return await self._give_up(job, generations, replies)  # each restart mid-job was one attempt
        if job.kind == JobKind.ORIGINAL:
            return await self._original(job, generations[0], replies)
        await self._render(job, generations, replies)

    @staticmethod
    def _tries(job: Job, generations: list[Generation]) -> int:
        """Runs that ended with their runner. Once every picture is stored only sending is left: the restarts
        while making them no longer count (refunded, a picture made, perhaps paid for, would be thrown away)."""
        made = job.kind == JobKind.RENDER and all(g.result_key for g in generations)
        return job.deliveries if made else max(job.attempts, job.deliveries)

    def _too_old(self, job: Job) -> bool:
        return job.created_at is not None and utcnow() - as_utc(job.created_at) > self.config.max_age

    async def _render(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        progress = _Progress(replies, job.language, generations[0].id.hex)
        try:
            async with asyncio.timeout(self.config.job_timeout_s):
                try:
                    made = await self._make(job, generations, progress)
                finally:
                    await progress.stop_previews()
        except BadImage as error:
            return await self._fail(job, replies, Failure("bad_image", f"bad_image_{error.reason}", str(error),
                                                          values={"limit": self.config.max_photo_mb}))
        except Refused as refused:
            return await self._fail(job, replies, refused.failure)
        except ProviderError as error:
            log.warning("job %s: %s failed: %s", job.id, generations[0].algorithm, error)
            return await self._fail(job, replies, await self._provider_failure(generations[0], error))
        except (LeaseLost, StoreUnavailable):
            raise
        except Exception as error:
            log.exception("job %s failed", job.id)
            return await self._fail(job, replies, Failure("failed", "failed", f"{type(error).__name__}: {error}",
                                                          reason=_reason(error)))
        await progress.stage(Stage.UPLOADING)
        algorithms = (await self.catalogue.entries()).algorithms
        await self._deliver(job, replies, result_event(job, made, algorithms, self.links), generations[0].template_id)

    async def _make(self, job: Job, generations: list[Generation], progress: _Progress) -> list[Made]:
        """Every generation's picture: stored ones are read back, the rest made, each stored the moment it exists
        (a provider's output costs money: a crash after it never pays twice); then the job is delivering."""
        missing = [g for g in generations if g.result_key is None]
        fresh: dict[uuid.UUID, tuple[Generation, Rendered]] = {}
        if missing:
            await self._make_missing(job, missing, progress, fresh)
        if len(missing) != 1:  # one picture: recording it marked the job delivering in the same step
            await self._fenced(kept_trying(lambda: self.store.start_delivery(job.id, self.owner)))
        return [await self._made(generation, fresh.get(generation.id)) for generation in generations]

    async def _provider_failure(self, generation: Generation, error: ProviderError) -> Failure:
        algorithms = (await self.catalogue.entries()).algorithms
        algorithm = algorithms.get(generation.algorithm)
        key = "provider_filtered" if error.problem == Problem.FILTERED else "provider_failed"
        return Failure("provider", key, str(error), reason=f"reason_{error.problem.value}",
                       values={"name": algorithm.name if algorithm else generation.algorithm},
                       local_of=generation.id.hex)

    async def _make_missing(self, job: Job, missing: list[Generation], progress: _Progress,
                            fresh: dict[uuid.UUID, tuple[Generation, Rendered]]) -> None:
        provider = self.providers[missing[0].algorithm]
        if isinstance(provider, RemoteImages):
            return await self._make_paid(job, missing, provider, progress, fresh)
        photo = await self.blobs.get(missing[0].photo_key) if missing[0].photo_key else None
        finish = Finish(**job.finish)

        async def make(generation: Generation) -> None:
            rendered = await provider.generate(_scene(generation, photo), finish)
            await self._store_result(job, generation, rendered, len(missing), fresh)

        # A render slot is held only while rendering here: a job waiting on a remote service holds none.
        slot = self.slots.slot(progress.queued) if provider.cpu_bound else contextlib.nullcontext()
        async with slot:
            await self._fenced(self.store.begin_work(job.id, self.owner))
            await progress.stage(Stage.ANALYSING)
            if self.paid.config.understand_all:  # ANALYSIS_FOR=all: free requests are read by the model too
                missing = await self._understood(job, missing)
            await progress.stage(Stage.GENERATING)
            await _all_or_none(make(generation) for generation in missing)
            await progress.stage(Stage.COMPOSING)

    async def _make_paid(self, job: Job, missing: list[Generation], provider: RemoteImages, progress: _Progress,
                         fresh: dict[uuid.UUID, tuple[Generation, Rendered]]) -> None:
        """Waiting on the provider holds no render slot: only finishing its picture (title, watermark, encode) does,
        in a render worker, like any local render."""
        await self._fenced(self.store.begin_work(job.id, self.owner))
        await progress.stage(Stage.ANALYSING)
        missing = await self._understood(job, missing)
        photo = await self.blobs.get(missing[0].photo_key) if missing[0].photo_key else None
        sent = await self.decode(provider_photo, photo) if photo is not None else None  # what the services accept
        finish = Finish(**job.finish)
        await progress.stage(Stage.GENERATING)

        async def make(generation: Generation) -> None:
            scene = dataclasses.replace(_scene(generation, photo), photo=sent)
            picture = await self.paid.picture(job, generation, provider, scene, progress.preview(self.decode))
            async with self.slots.slot(progress.queued):
                await progress.stage(Stage.COMPOSING)
                try:
                    rendered = await self.decode(finish_external, picture.image, scene, finish, picture.subject)
                except BadImage as error:  # the service's picture, not the creator's photo: its failure, told so
                    raise ProviderError(Problem.DOWN, f"its picture does not decode: {error}", final=True) from error
            await self._store_result(job, generation, rendered, len(missing), fresh)

        await _all_or_none(make(generation) for generation in missing)

    async def _understood(self, job: Job, missing: list[Generation]) -> list[Generation]:
        """The language model's reading replaces the keywords' (stored, so a resumed job does not ask again)."""
        parent = await self.store.get_generation(missing[0].parent_id) if missing[0].parent_id else None
        previous = Analysis(**analysis_fields(parent.analysis)) if parent else None
        plan = await self.paid.understood(missing[0], previous)
        if plan is None:
            return missing
        title, analysis, scene = plan
        updated = []
        for generation in missing:
            own_scene = {**scene, "seed": generation.scene.get("seed", generation.seed)}
            await self._fenced(self.store.update_plan(generation.id, self.owner, job.id, title, analysis, own_scene))
            updated.append(dataclasses.replace(generation, title=title, analysis=analysis, scene=own_scene))
        return updated

    async def _store_result(self, job: Job, generation: Generation, rendered: Rendered, count: int,
                            fresh: dict[uuid.UUID, tuple[Generation, Rendered]]) -> None:
        result = await self._kept(generation, rendered)
        with urgent():
            await self._fenced(kept_trying(lambda: self.store.record_results(job.id, self.owner, [result],
                                                                             delivering=count == 1)))
        # as made (a language model may have retitled it), with the key a share link names
        fresh[generation.id] = (dataclasses.replace(generation, result_key=result.key), rendered)

    async def _made(self, generation: Generation, made: tuple[Generation, Rendered] | None) -> Made:
        if made is not None:
            made_generation, rendered = made
            return Made(made_generation, rendered.jpeg, rendered.width, rendered.height)
        assert generation.result_key is not None
        return Made(generation, await self.blobs.get(generation.result_key), generation.width or 1280,
                    generation.height or 720)

    async def _kept(self, generation: Generation, rendered: Rendered) -> Result:
        key = await self.blobs.put(rendered.jpeg, "jpg")
        timings = {"render_ms": round(rendered.render_ms, 1), "encode_ms": round(rendered.encode_ms, 1)}
        return Result(generation.id, key, len(rendered.jpeg), rendered.width, rendered.height, timings)

    async def _deliver(self, job: Job, replies: JobReplies, event: ImageReply | AlbumReply | DocumentReply,
                       template_id: str | None) -> None:
        """The job is marked delivering before this: a crash between the platform's answer and `finish_job` is
        the one window in which a resumed job sends its picture again (counted in `deliveries`). A stop does not
        cut a send in the middle: it is shielded, and a stopping runner waits for it."""
        sending = asyncio.ensure_future(self._send_and_finish(job, replies, event, template_id))
        self._deliveries[job.id] = sending
        try:
            await asyncio.shield(sending)
        finally:
            if sending.done():
                self._deliveries.pop(job.id, None)

    async def _send_and_finish(self, job: Job, replies: JobReplies, event: ImageReply | AlbumReply | DocumentReply,
                               template_id: str | None) -> None:
        try:
            await replies(event)
        except DeliveryUncertain as error:  # never lost, never free
            if await self._sent_again(job, error):
                return
        except Exception as error:  # the platform refused it: refunded and explained
            log.warning("delivering job %s failed: %s", job.id, error)
            return await self._fail(job, replies, Failure("failed", "failed", f"delivery: {error}",
                                                          reason="reason_delivery"))
        await self._delivered(job, template_id)

    async def _delivered(self, job: Job, template_id: str | None) -> None:
        with urgent():  # it was sent: recorded, through a database restart too (else it would be sent again)
            await self._fenced(kept_trying(lambda: self.store.finish_job(job, self.owner, template_id)))

    async def _sent_again(self, job: Job, error: DeliveryUncertain) -> bool:
        """Whether a send the platform did not answer is left to be made again once the lease runs out: always when
        nothing reached the platform; once when it may have (unanswered twice, it is taken as delivered)."""
        if not error.maybe_sent:
            log.warning("delivering job %s: the platform is unreachable (%s); it is sent again", job.id, error)
            return True
        if job.unanswered + 1 >= UNANSWERED_SENDS:
            log.warning("delivering job %s: %s sends without an answer (%s); taken as delivered", job.id,
                        UNANSWERED_SENDS, error)
            return False
        with urgent():
            await self._fenced(kept_trying(lambda: self.store.mark_unanswered(job.id, self.owner)))
        log.warning("delivering job %s: no answer from the platform (%s); it is sent again", job.id, error)
        return True

    async def _taken_as_delivered(self, job: Job) -> None:
        """A send of it went unanswered (it may be in the chat) and it cannot be sent again: settled, not refunded."""
        log.warning("job %s: ended after a send the platform never confirmed; taken as delivered", job.id)
        await self._delivered(job, None)

    async def _let_delivery_end(self, job_id: uuid.UUID) -> None:
        sending = self._deliveries.pop(job_id, None)
        if sending is not None:
            await asyncio.wait({sending}, timeout=DELIVERY_GRACE_S)

    async def _original(self, job: Job, generation: Generation, replies: JobReplies) -> None:
        """The lossless file. Local output is deterministic, so it is re-rendered once and then kept."""
        try:
            data = await self._original_png(job, generation)
        except (LeaseLost, StoreUnavailable):
            raise
        except Exception as error:
            log.exception("original of %s failed", generation.id)
            return await self._fail(job, replies, Failure("failed", "failed", str(error), reason=_reason(error)))
        caption = translate(job.language, "original_caption", title=generation.title)
        await self._fenced(self.store.start_delivery(job.id, self.owner))
        await self._deliver(job, replies, DocumentReply(data, f"routix-{generation.id.hex[:8]}.png", "image/png",
                                                        caption), None)

    async def _original_png(self, job: Job, generation: Generation) -> bytes:
        if generation.original_key is not None:
            with contextlib.suppress(FileNotFoundError):  # expired by retention just now: made again below
                return await self.blobs.get(generation.original_key)
        photo = await self.blobs.get(generation.photo_key) if generation.photo_key else None
        finish = dataclasses.replace(Finish(**job.finish), keep_original=True)
        provider = self.providers[generation.algorithm]
        async with self.slots.slot(_ignore_position):
            await self._fenced(self.store.begin_work(job.id, self.owner))
            if isinstance(provider, RemoteImages):  # the AI picture it was made from, finished again losslessly
                rendered = await self._refinished(generation, _scene(generation, photo), finish)
            else:
                rendered = await provider.generate(_scene(generation, photo), finish)
        assert rendered.original_png is not None
        await self.store.set_original(generation.id, await self.blobs.put(rendered.original_png, "png"))
        return rendered.original_png

    async def _refinished(self, generation: Generation, scene: Scene, finish: Finish) -> Rendered:
        kept = await self.store.paid_picture(generation.id)
        if kept is None:
            raise LookupError(f"the AI picture of {generation.id} is not stored")
        subject = await self.blobs.get(kept[1]) if kept[1] else None
        return await self.decode(finish_external, await self.blobs.get(kept[0]), scene, finish, subject)

    @staticmethod
    async def _fenced(write: Awaitable[bool]) -> None:
        if not await write:
            raise LeaseLost

    # -- failures: refunded once, told once ----------------------------------------------------------------

    async def _give_up(self, job: Job, generations: list[Generation], replies: JobReplies) -> None:
        log.warning("job %s given up after %s attempts", job.id, max(job.attempts, job.deliveries))
        await self._fail(job, replies, _gave_up(generations))

    async def _fail(self, job: Job, replies: JobReplies, failure: Failure) -> None:
        if not await self._refunded(job, failure):
            return  # finished or failed by another runner meanwhile, or delivered after all: nothing of ours to say
        await self._tell(dataclasses.replace(job, failure=failure.stored()), replies)

    async def _refunded(self, job: Job, failure: Failure) -> bool:
        """Refunded, with what to tell the person; False if another runner finished or failed it meanwhile, or a
        send of it went unanswered: it may be in the chat, so it is taken as delivered, never refunded under it."""
        if job.unanswered:
            await self._taken_as_delivered(job)
            return False
        return await self.store.fail_job(job.id, self.owner, failure.stored())

    async def _tell(self, job: Job, replies: JobReplies) -> None:
        with urgent():  # counted like a picture: a crash after the send repeats it
            await self._fenced(self.store.start_delivery(job.id, self.owner))
        try:
            await replies(Failure.of(job.failure).message(job.language))
        except Exception as error:  # the platform is unreachable: the lease runs out and a runner tries again
            if job.deliveries < self.config.max_attempts + 2:
                log.warning("telling the outcome of job %s failed: %s", job.id, error)
                return
            log.error("job %s: its outcome could not be told after %s tries; left at that", job.id, job.deliveries)
        with urgent():
            await self.store.mark_notified(job.id, self.owner)

    # -- keeping jobs alive: leases and recovery -------------------------------------------------------------

    def start(self, submit: Submit) -> None:
        """Renew this runner's leases, and resume jobs nobody holds (at once, then every few seconds)."""
        self._renewing = asyncio.create_task(self._renew_forever(), name="routix-leases")
        self._recovering = asyncio.create_task(self._recover_forever(submit), name="routix-recovery")

    async def stop_recovering(self) -> None:
        """First step of a stop: take no more jobs from recovery."""
        await _cancelled(self._recovering)
        self._recovering = None

    async def stop(self) -> None:
        """Last step: sends under way end, then every lease of this runner is released for the next start."""
        await self.stop_recovering()
        if self._deliveries:
            await asyncio.wait(set(self._deliveries.values()), timeout=DELIVERY_GRACE_S)
        await _cancelled(self._renewing)
        self._renewing = None
        await self.store.release_leases(self.owner, utcnow())

    async def recover(self, submit: Submit) -> int:
        if not self.senders:
            return 0
        found = await self.store.recoverable_jobs(utcnow(), tuple(self.senders))
        for job_id, platform in found:
            await submit(job_id, platform)
        if found:
            log.info("resuming %s unfinished jobs", len(found))
        return len(found)

    async def refund_stranded(self) -> int:
        """A job for a platform no runner here serves waits for one that may never start again (its bot is no
        longer run): past the age limit it is refunded as a runner of its own would; that runner tells the person
        once it starts (recovery resumes failures nobody was told about)."""
        if not self.senders:
            return 0  # a runner that delivers nothing does not judge who else delivers
        now = utcnow()
        found = await self.store.stranded_jobs(now - self.config.max_age, tuple(self.senders), now)
        refunded = 0
        for job_id, platform in found:
            taken = await self.store.take_job(job_id, self.owner, now, now + timedelta(seconds=self.config.lease_s),
                                              (platform,))
            if taken is None:
                continue  # taken meanwhile by a runner of its own
            try:
                refunded += await self._refunded(taken.job, _gave_up(taken.generations))
            finally:
                await self.store.release_job(job_id, self.owner, utcnow())
        if refunded:
            log.warning("refunded %s jobs older than %s for platforms no runner here serves", refunded,
                        self.config.max_age)
        return refunded

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease_s / 3)
            running = tuple(self._running)  # only jobs running here: a stopped one's lease must run out
            if not running:
                continue
            until = utcnow() + timedelta(seconds=self.config.lease_s)
            try:
                with urgent():  # behind a queue of requests, a renewal could come too late
                    await self.store.renew_leases(self.owner, running, until)
            except Exception as error:
                log.warning("renewing %s leases failed (they may be taken over): %s", len(running), error)

    async def _recover_forever(self, submit: Submit) -> None:
        while True:
            try:
                await self.recover(submit)
                await self.refund_stranded()
            except Exception:
                log.exception("recovery pass failed")
            await asyncio.sleep(self.config.recovery_every_s)


def _gave_up(generations: list[Generation]) -> Failure:
    title = generations[0].title if generations else ""
    return Failure("gave_up", "gave_up", "gave up after restarts", values={"title": title})


class _Progress:
    """Sends each stage once, in order."""

    def __init__(self, replies: JobReplies, language: str, generation_id: str) -> None:
        self.replies, self.language, self.generation_id = replies, language, generation_id
        self._sent: set[Stage] = set()
        self._previewing: asyncio.Task[None] | None = None

    async def queued(self, position: int) -> None:
        text = translate(self.language, "queued", position=position)
        await self.replies(ProgressReply(self.generation_id, Stage.QUEUED, text, position))

    async def stage(self, stage: Stage) -> None:
        if stage in self._sent:
            return
        self._sent.add(stage)
        await self.replies(ProgressReply(self.generation_id, stage, translate(self.language, f"stage_{stage.value}")))

    def preview(self, decode: Decode) -> Preview:
        """Partial pictures as previews: small JPEGs made in a render worker, at most one every PREVIEW_EVERY_S.
        Made and sent beside the call, never in its way: the provider's stream is read on while a preview is
        made, and one still being made when the next comes is not joined by another."""
        throttle = PreviewThrottle(PREVIEW_EVERY_S)

        async def show(image: bytes) -> None:
            if self._previewing is not None and not self._previewing.done():
                return
            if throttle.due():
                self._previewing = asyncio.create_task(self._send_preview(decode, image))

        return show

    async def _send_preview(self, decode: Decode, image: bytes) -> None:
        try:
            jpeg = await decode(preview_jpeg, image)
            await self.replies(PreviewReply(self.generation_id, jpeg, translate(self.language, "stage_generating")))
        except Exception as error:  # a preview is decoration: the picture goes on
            log.info("preview skipped: %s", error)

    async def stop_previews(self) -> None:
        """Before the result (or the failure) goes out: a preview must never land after it."""
        if self._previewing is not None:
            self._previewing.cancel()
            await asyncio.gather(self._previewing, return_exceptions=True)


async def _all_or_none(makes: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Siblings made together; one failing stops the others, and its own error is what the job fails with."""
    try:
        async with asyncio.TaskGroup() as group:
            for make in makes:
                group.create_task(make)
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def _ignore_position(position: int) -> None:
    return None


async def _cancelled(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _scene(generation: Generation, photo: bytes | None) -> Scene:
    values = dict(generation.scene)
    for name in ("colors", "palette"):
        values[name] = tuple(values.get(name) or ())
    return Scene(**values, photo=photo)


def _reason(error: Exception) -> str:
    """The text key of a failure's reason, as a creator would understand it."""
    if isinstance(error, TimeoutError):
        return "reason_timeout"
    if isinstance(error, RenderWorkerDied | RenderFailed):
        return "reason_renderer"
    return "reason_internal"
