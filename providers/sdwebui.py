"""A self-hosted Stable Diffusion web UI (the AUTOMATIC1111 / Forge API, started with --api): txt2img, img2img
with the creator's photo, and its progress endpoint's preview picture shown while the GPU draws."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging

from core.ai import Fetched, ImageAsk, Preview, Problem, ProviderError
from providers.shared import LazySession, Service, error_text, problem_of_status, reaching, read_capped

log = logging.getLogger(__name__)
WIDTH, HEIGHT = 1024, 576  # 16:9, multiples of 64: what SDXL-class checkpoints draw well
POLL_EVERY_S = 1.0
ANSWER_LIMIT = 60_000_000  # base64 JSON of one picture


class SDWebUIClient:
    def __init__(self, service: Service, base_url: str, auth: str, timeout_s: float) -> None:
        self.service, self.base_url, self.timeout_s = service, base_url.rstrip("/"), timeout_s
        self._headers = {"authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
        self.session = LazySession(service.concurrency + 1, timeout_s)  # +1: the progress polls

    async def call(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            with reaching(path, self.timeout_s):
                async with self.session().request(method, self.base_url + path, json=body,
                                                  headers=self._headers) as reply:
                    if reply.status != 200:
                        status, text = reply.status, await error_text(reply)
                        raise self.service.failed(ProviderError(problem_of_status(status), f"HTTP {status}: {text}"))
                    return json.loads(await read_capped(reply, ANSWER_LIMIT))
        except ValueError as error:
            raise ProviderError(Problem.DOWN, f"{path}: not JSON ({error})") from None

    async def close(self) -> None:
        await self.session.close()


class SDWebUIImages:
    cpu_bound = False
    cuts_out = False  # a photo is the img2img starting point

    def __init__(self, client: SDWebUIClient, model: str, quality: str) -> None:
        self.client, self.model = client, model
        self.quality = quality or "standard"
        self.name = client.service.name
        self.steps = {"low": 15, "standard": 25, "high": 40}.get(self.quality, 25)

    @property
    def available(self) -> bool:
        return self.client.service.available

    async def fetch(self, ask: ImageAsk, on_preview: Preview) -> Fetched:
        async with self.client.service.limit:  # one GPU: the web UI queues anyway, and its progress is global
            # The web UI's progress is whatever its GPU draws now: only with one call at a time is that ours.
            watching = asyncio.create_task(self._watch(on_preview) if self.client.service.concurrency == 1
                                           else asyncio.sleep(0))
            try:
                answer = await self.client.call("POST", *self._request(ask))
            finally:
                watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watching
        images = answer.get("images") or []
        if not images or not isinstance(images[0], str):
            raise ProviderError(Problem.DOWN, "the answer held no picture")
        return Fetched(_decoded(images[0]), self.model, self.quality)

    def _request(self, ask: ImageAsk) -> tuple[str, dict]:
        body: dict = {"prompt": ask.prompt, "negative_prompt": ask.negative_prompt, "seed": ask.seed,
                      "width": WIDTH, "height": HEIGHT, "steps": self.steps, "cfg_scale": 6.0, "batch_size": 1,
                      "n_iter": 1, "send_images": True, "save_images": False}
        if self.model != "default":
            body["override_settings"] = {"sd_model_checkpoint": self.model}
        if ask.photo is None:
            return "/sdapi/v1/txt2img", body
        return "/sdapi/v1/img2img", {**body, "init_images": [base64.b64encode(ask.photo).decode()],
                                     "denoising_strength": 0.6, "resize_mode": 1}  # 1: crop to fit, never squash

    async def _watch(self, on_preview: Preview) -> None:
        """The web UI's own preview of the picture it is drawing, while it draws."""
        while True:
            await asyncio.sleep(POLL_EVERY_S)
            try:
                progress = await self.client.call("GET", "/sdapi/v1/progress?skip_current_image=false")
            except ProviderError as error:  # a preview is decoration
                log.debug("progress poll failed: %s", error)
                continue
            current = progress.get("current_image")
            if isinstance(current, str) and current:
                await on_preview(_decoded(current))

    async def close(self) -> None:
        return None


def _decoded(value: str) -> bytes:
    try:
        return base64.b64decode(value.split(",", 1)[-1], validate=False)
    except ValueError as error:
        raise ProviderError(Problem.DOWN, f"not base64: {error}") from None
