"""OpenAI images through the official async client: the GPT image models (streamed, with partial pictures as
previews) and dall-e-3; with a reference photo, the images edit endpoint (GPT image models)."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import openai

from core.ai import Fetched, ImageAsk, Preview, Problem, ProviderError
from providers.shared import Downloader, Service, retry_after

log = logging.getLogger(__name__)
SIXTEEN_NINE = {"gpt-image-2": "1536x864"}  # models that draw any size divisible by 16: exactly 16:9
WIDE = {"dall-e-3": "1792x1024", "dall-e-2": "1024x1024"}  # the rest: their widest size (cropped to 16:9 later)
FILTER_CODES = frozenset({"moderation_blocked", "content_policy_violation", "content_filter"})


def openai_client(api_key: str, base_url: str, concurrency: int, timeout_s: float) -> openai.AsyncOpenAI:
    """Our own retries (core/ai.py) decide; the pool is never smaller than the calls allowed at once."""
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)
    http = openai.DefaultAsyncHttpxClient(limits=limits, timeout=httpx.Timeout(timeout_s, connect=10.0))
    return openai.AsyncOpenAI(api_key=api_key or "missing", base_url=base_url, max_retries=0, http_client=http,
                              timeout=httpx.Timeout(timeout_s, connect=10.0))


class OpenAIImages:
    """One algorithm's model on the shared OpenAI service."""

    cpu_bound = False
    cuts_out = False  # a reference photo goes to the edit endpoint, which keeps the person in the picture

    def __init__(self, service: Service, client: openai.AsyncOpenAI, model: str, quality: str, *, previews: int,
                 downloads: Downloader) -> None:
        self.service, self.client, self.model, self.downloads = service, client, model, downloads
        self.quality = quality or ("standard" if model.startswith("dall-e") else "medium")
        self.name = service.name
        self.previews = previews

    @property
    def gpt_image(self) -> bool:
        return not self.model.startswith("dall-e")

    @property
    def size(self) -> str:
        if self.model in WIDE:
            return WIDE[self.model]
        return next((size for prefix, size in SIXTEEN_NINE.items() if self.model.startswith(prefix)), "1536x1024")

    @property
    def available(self) -> bool:
        return self.service.available

    async def fetch(self, ask: ImageAsk, on_preview: Preview) -> Fetched:
        async with self.service.limit:
            try:
                image = await self._draw(ask, on_preview)
            except openai.OpenAIError as error:
                raise self.service.failed(_classified(error)) from None
        return Fetched(image, self.model, self.quality)

    async def _draw(self, ask: ImageAsk, on_preview: Preview) -> bytes:
        if not self.gpt_image:  # dall-e: one answer, by URL unless asked otherwise; no reference photo
            response = await self.client.images.generate(model=self.model, prompt=ask.prompt[:4000], n=1,
                                                         size=self.size, quality=self.quality)  # type: ignore[arg-type]
            return await self._image_of(response.data[0] if response.data else None)
        options: dict[str, Any] = {"model": self.model, "prompt": ask.prompt[:32000], "n": 1, "size": self.size,
                                   "quality": self.quality, "output_format": "png"}
        if self.previews:
            options |= {"stream": True, "partial_images": self.previews}
        if ask.photo is not None:
            fidelity = {} if "mini" in self.model else {"input_fidelity": "high"}  # unsupported by the mini models
            request = self.client.images.edit(image=_upload(ask.photo), **fidelity, **options)
        else:
            request = self.client.images.generate(**options)
        answer = await request
        if not self.previews:
            return await self._image_of(answer.data[0] if answer.data else None)
        return await self._streamed(answer, on_preview)

    async def _streamed(self, stream: Any, on_preview: Preview) -> bytes:
        """Partial pictures as they come (each a preview), then the final one. The stream is closed either way: an
        open one keeps its connection out of the pool (the pool ran dry after a few pictures otherwise)."""
        drawn = False  # a partial picture came: it is being drawn and billed, whatever follows
        try:
            async with stream:
                async for event in stream:
                    if event.type.endswith("partial_image"):
                        drawn = True
                        try:
                            partial = _decoded(event.b64_json)
                        except ProviderError:  # a preview that does not decode is only skipped
                            continue
                        await on_preview(partial)
                    elif event.type.endswith("completed"):
                        return _decoded(event.b64_json)
        except openai.OpenAIError as error:
            if not drawn:
                raise
            failed = _classified(error)  # bought again by a retry: final, and its estimate kept as spend
            raise ProviderError(failed.problem, f"{failed.detail}, after a partial picture", final=True) from None
        raise ProviderError(Problem.DOWN, "the stream ended without a picture", final=drawn)

    async def _image_of(self, item: Any) -> bytes:
        if item is None:
            raise ProviderError(Problem.DOWN, "the answer held no picture")
        if item.b64_json:
            return _decoded(item.b64_json)
        if item.url:
            return await self._download(item.url)
        raise ProviderError(Problem.DOWN, "the answer held neither b64_json nor a url")

    async def _download(self, url: str) -> bytes:
        """The picture is made and billed by now: only the download is tried again, never the generation."""
        for attempt in range(3):
            try:
                return await self.downloads.get(url)
            except ProviderError as error:
                if not error.retried or attempt == 2:
                    raise ProviderError(error.problem, error.detail, final=True) from None
        raise AssertionError("unreachable")

    async def close(self) -> None:
        return None  # the client is the service's; bootstrap closes it once


def _upload(photo: bytes) -> tuple[str, bytes, str]:
    """A named, typed file part (the API refuses an unnamed application/octet-stream upload); the pipeline has made
    every photo a JPEG or, with transparency, a PNG."""
    if photo.startswith(b"\x89PNG"):
        return "reference.png", photo, "image/png"
    return "reference.jpg", photo, "image/jpeg"


def _classified(error: openai.OpenAIError) -> ProviderError:
    if isinstance(error, openai.APITimeoutError):
        return ProviderError(Problem.TIMEOUT, "no answer in time")
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(Problem.DOWN, f"connection: {type(error.__cause__).__name__}")
    if isinstance(error, openai.APIStatusError):
        code = _code(error)
        detail = f"HTTP {error.status_code} {code or ''}: {_message(error)}"
        if code in FILTER_CODES:
            return ProviderError(Problem.FILTERED, detail)
        if code == "insufficient_quota" or isinstance(error, openai.AuthenticationError):
            return ProviderError(Problem.AUTH, detail)
        if isinstance(error, openai.PermissionDeniedError):  # e.g. no access to this model: the key may be fine
            return ProviderError(Problem.REFUSED, detail)
        if isinstance(error, openai.RateLimitError):
            return ProviderError(Problem.BUSY, detail, retry_after(error.response.headers))
        if error.status_code >= 500:
            return ProviderError(Problem.DOWN, detail)
        return ProviderError(Problem.REFUSED, detail)
    if isinstance(error, openai.APIError) and _code(error) in FILTER_CODES:  # an error event inside a stream
        return ProviderError(Problem.FILTERED, f"stream: {_message(error)}")
    if isinstance(error, openai.APIError) and isinstance(error.body, dict):
        return ProviderError(Problem.REFUSED, f"stream: {_code(error)}: {_message(error)}")
    return ProviderError(Problem.DOWN, type(error).__name__)


def _code(error: openai.APIError) -> str | None:
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    return getattr(error, "code", None) or inner.get("code")


def _message(error: openai.APIError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    return str(inner.get("message") or "")[:200]


def _decoded(b64: str) -> bytes:
    """The picture in an answer; one whose base64 is broken was made and billed all the same: not tried again."""
    try:
        return base64.b64decode(b64, validate=True)
    except ValueError as error:
        raise ProviderError(Problem.DOWN, f"the picture's base64 does not decode: {error}", final=True) from error
