"""Stability AI's v2beta Stable Image API over aiohttp: generate (core, ultra, sd3.5) at 16:9, and with a photo
of the creator, remove-background, so the person is cut out and stands over the AI background beside the title."""

from __future__ import annotations

import asyncio

import aiohttp

from core.ai import Fetched, ImageAsk, Preview, Problem, ProviderError
from providers.shared import LazySession, Service, error_text, problem_of_status, reaching, read_capped, retry_after

SD3_MODELS = frozenset({"sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium"})
STYLE_PRESETS = {  # our styles → Stability's presets (core, sd3 and ultra take them)
    "bold": "enhance", "cinematic": "cinematic", "playful": "digital-art", "retro": "analog-film",
    "elegant": "photographic", "minimal": "enhance",
}
PICTURE_LIMIT = 30_000_000


class StabilityClient:
    """The shared HTTP side of the service: one pool, one key."""

    def __init__(self, service: Service, base_url: str, api_key: str, timeout_s: float) -> None:
        self.service, self.base_url, self.timeout_s = service, base_url.rstrip("/"), timeout_s
        self._headers = {"authorization": f"Bearer {api_key}", "stability-client-id": "routix-bots"}
        self.session = LazySession(service.concurrency, timeout_s, self._headers)

    async def post(self, path: str, form: aiohttp.FormData) -> tuple[bytes, str]:
        """The picture's bytes and its finish reason; every failure as a ProviderError."""
        with reaching(path, self.timeout_s):
            async with self.session().post(self.base_url + path, data=form, headers={"accept": "image/*"}) as reply:
                if reply.status != 200:
                    raise self._error(reply.status, await error_text(reply), reply.headers)
                return await read_capped(reply, PICTURE_LIMIT), reply.headers.get("finish-reason", "SUCCESS")

    def _error(self, status: int, body: str, headers: object) -> ProviderError:
        if status == 403 and "moderation" in body.lower():  # 403 is also how Stability says "flagged"
            return ProviderError(Problem.FILTERED, f"HTTP 403: {body}")
        return self.service.failed(ProviderError(problem_of_status(status), f"HTTP {status}: {body}",
                                                 retry_after(headers)))

    async def close(self) -> None:
        await self.session.close()


class StabilityImages:
    """One algorithm's model on the shared Stability service."""

    cpu_bound = False
    cuts_out = True  # a photo is cut out and placed; the background is drawn from the prompt alone

    def __init__(self, client: StabilityClient, model: str) -> None:
        self.client, self.model = client, model
        self.name = client.service.name
        self.quality = "standard"
        if model not in ("core", "ultra") and model not in SD3_MODELS:
            raise ValueError(f"unknown Stability model {model!r}: use core, ultra or one of {sorted(SD3_MODELS)}")

    @property
    def available(self) -> bool:
        return self.client.service.available

    async def fetch(self, ask: ImageAsk, on_preview: Preview) -> Fetched:
        async with self.client.service.limit:
            if ask.photo is None:
                return Fetched(await self._generate(ask), self.model, self.quality)
            try:
                async with asyncio.TaskGroup() as both:  # one failing stops the other: no call left running unseen
                    background = both.create_task(self._generate(ask))
                    subject = both.create_task(self._cut_out(ask.photo))
            except ExceptionGroup as failed:
                raise _after_halves(failed.exceptions[0], background, subject) from None
            return Fetched(background.result(), self.model, self.quality, subject=subject.result())

    def extras(self, ask: ImageAsk) -> tuple[str, ...]:
        """The billed operations beside the picture, known before the call (so a budget counts them up front)."""
        return ("remove-background",) if ask.photo is not None else ()

    async def _generate(self, ask: ImageAsk) -> bytes:
        endpoint = self.model if self.model in ("core", "ultra") else "sd3"
        form = aiohttp.FormData(default_to_multipart=True)  # the API takes multipart only
        form.add_field("prompt", ask.prompt[:10000])
        form.add_field("negative_prompt", ask.negative_prompt[:10000])
        form.add_field("aspect_ratio", "16:9")
        form.add_field("seed", str(ask.seed % 4294967294))
        form.add_field("output_format", "png")
        form.add_field("style_preset", STYLE_PRESETS.get(ask.style, "enhance"))
        if endpoint == "sd3":
            form.add_field("model", self.model)
            form.add_field("mode", "text-to-image")
        image, finish = await self.client.post(f"/v2beta/stable-image/generate/{endpoint}", form)
        if finish == "CONTENT_FILTERED":  # the picture came back blurred: nothing to show
            raise ProviderError(Problem.FILTERED, "finish-reason CONTENT_FILTERED")
        return image

    async def _cut_out(self, photo: bytes) -> bytes:
        form = aiohttp.FormData(default_to_multipart=True)  # the API takes multipart only
        form.add_field("image", photo, filename="photo", content_type="application/octet-stream")
        form.add_field("output_format", "png")
        image, _ = await self.client.post("/v2beta/stable-image/edit/remove-background", form)
        return image

    async def close(self) -> None:
        return None  # the client is the service's; bootstrap closes it once


def _after_halves(error: BaseException, *halves: asyncio.Task[bytes]) -> BaseException:
    """A half that was made is paid for: trying the whole call again would buy it twice, so the failure is final."""
    bought = any(half.done() and not half.cancelled() and half.exception() is None for half in halves)
    if bought and isinstance(error, ProviderError) and not error.final:
        return ProviderError(error.problem, f"{error.detail} (the other half was made and billed)",
                             error.retry_after, final=True)
    return error
