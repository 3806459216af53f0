"""A local, protocol-faithful fake of the OpenAI API (aiohttp on 127.0.0.1) for tests with the real `openai` client.

It serves, under `/v1`:
- `POST /images/generations` (JSON) and `POST /images/edits` (multipart, `image` or `image[]` uploads): real
  pictures (PNG by default, JPEG/WebP on request) at the requested size, as `b64_json` or, for DALL·E, a `url`
  served back by the fake (`/_files/<id>.png`); `stream: true` answers Server-Sent Events (`partial_images`
  previews, then the completed image) the way the API does;
- `POST /chat/completions` (non-streaming): the reply comes from `chat_handler`, by default JSON made up from the
  request's structured-output schema;
- `POST /moderations`: text (and, with `flag_images`, image) inputs are flagged by `flagged_words`.

Every request is recorded in `calls` with a wall-clock timestamp. Its body is validated against OpenAI's OpenAPI
description (tests/specs/openai-openapi.json, trimmed to these paths): schema violations, unknown parameters and
values the description rules out for the model (a size the model cannot make, `response_format` for a GPT image
model, ...) are answered 400 in OpenAI's error shape and appended to `errors`, which tests assert empty. Tests script
failures (`fail_next`, `hang_next`), refusals (`blocked_words`) and slowness (`delay_s`, `url_delay_s`), and read
`in_flight`/`max_in_flight` to see how many image requests ran at once.

It can also run on its own (`python -m tests.fakes.openai_api --port 8090 --delay 3`) for the benchmark, so the
fake's CPU is not the bot's; `GET /_fake/state` then reports what it saw.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hashlib
import inspect
import io
import itertools
import json
import re
import secrets
import struct
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web
from jsonschema import Draft202012Validator, ValidationError
from multidict import CIMultiDict
from PIL import Image, ImageDraw, UnidentifiedImageError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "openai-openapi.json"
SPEC_URI = "urn:openai-openapi"
API_PREFIX = "/v1"
IMAGE_PATHS = ("/images/generations", "/images/edits")
# Parameters the installed client (openai 3.57) sends when asked and the API accepts, but the published description
# predates: without this list a bot using them would be told "unknown parameter".
NEWER_THAN_SPEC = {
    "/images/generations": {"safety_identifier", "complexity", "svg", "frame_count", "frame_duration_ms"},
    "/images/edits": {"safety_identifier", "complexity", "svg", "frame_count", "frame_duration_ms", "markup"},
}
GPT_IMAGE_MODELS = (
    "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "gpt-image-2-2026-04-21",
    "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.5-flare",
    "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "chatgpt-image-latest",
)
DALL_E_SIZES = {"dall-e-2": ("256x256", "512x512", "1024x1024"), "dall-e-3": ("1024x1024", "1792x1024", "1024x1792")}
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536")
MAX_CUSTOM_EDGE, MAX_CUSTOM_PIXELS = 3840, 3840 * 2160  # gpt-image-2's documented limits for WIDTHxHEIGHT sizes
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}  # GPT image models: 32000
OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160}  # gpt-image-1 at 1024x1024; scaled by area
MODERATION_CATEGORIES = (
    "hate", "hate/threatening", "harassment", "harassment/threatening", "illicit", "illicit/violent", "self-harm",
    "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
)
IMAGE_CATEGORIES = frozenset({"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence",
                              "violence/graphic"})  # the ones whose applied input types may include "image"
SAFETY_MESSAGE = ("Your request was rejected by the safety system. If you believe this is an error, contact us at "
                  "help.openai.com and include the request ID {request_id}.")
DEFAULT_MESSAGES = {
    400: "Invalid request.",
    401: "Incorrect API key provided.",
    403: "You are not allowed to sample from this model.",
    404: "The model does not exist or you do not have access to it.",
    429: "Rate limit reached for images per min (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The engine is currently overloaded, please try again later.",
}


# --------------------------------------------------------------------------------------- errors
class ApiError(Exception):
    """An answer in OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""

    def __init__(self, status: int, message: str, *, type: str | None = None, param: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.type = type or _error_type(status, code)
        self.headers = headers or {}

    def response(self) -> web.Response:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        return web.json_response(body, status=self.status, headers=self.headers)


def _error_type(status: int, code: str | None) -> str:
    if code == "moderation_blocked":
        return "image_generation_user_error"
    if status == 429:
        return "insufficient_quota" if code == "insufficient_quota" else "requests"
    return "server_error" if status >= 500 else "invalid_request_error"


def _invalid_value(param: str, value: Any, supported: tuple[str, ...] | None = None, why: str = "") -> ApiError:
    message = f"Invalid value: {value!r}."
    if supported:
        message += " Supported values are: " + ", ".join(repr(item) for item in supported) + "."
    return ApiError(400, message + (f" {why}" if why else ""), param=param, code="invalid_value")


def redact_key(key: str) -> str:
    """The way OpenAI echoes a wrong key: a few leading characters, stars, the last four (never the whole key)."""
    if len(key) < 12:
        return "*" * len(key)
    return key[:3] + "*" * (len(key) - 7) + key[-4:]


# --------------------------------------------------------------------------------------- validation
def _honour_nullable(node: Any) -> Any:
    """OpenAI's description still marks optional fields `nullable: true` (OpenAPI 3.0) although it declares 3.1,
    where JSON Schema ignores the keyword; the API does accept null there, so turn it into an explicit union."""
    if isinstance(node, list):
        return [_honour_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _honour_nullable(value) for key, value in node.items()}
    if node.get("nullable") is True:
        rest = {key: value for key, value in node.items() if key != "nullable"}
        return {"anyOf": [rest, {"type": "null"}]}
    return node


class OpenApiValidator:
    """Validates request bodies against an OpenAPI 3.1 description (any: nothing here is OpenAI-specific)."""

    def __init__(self, path: Path = SPEC_PATH, uri: str = SPEC_URI) -> None:
        self.uri = uri
        self.spec: dict[str, Any] = _honour_nullable(json.loads(path.read_text(encoding="utf-8")))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(uri, resource)

    @staticmethod
    def pointer(*parts: str) -> str:
        return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)

    def resolve(self, pointer: str) -> Any:
        node: Any = self.spec
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def body_pointer(self, method: str, path: str, content_type: str) -> str | None:
        """The JSON pointer of the operation's request schema for this content type (None: not declared)."""
        operation = self.spec["paths"].get(path, {}).get(method.lower())
        content = ((operation or {}).get("requestBody") or {}).get("content", {})
        if content_type not in content:
            return None
        return self.pointer("paths", path, method.lower(), "requestBody", "content", content_type, "schema")

    def has_operation(self, method: str, path: str) -> bool:
        return method.lower() in self.spec["paths"].get(path, {})

    @lru_cache(maxsize=64)  # noqa: B019 - one compiled validator per schema for the life of the process
    def _validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": self.uri + pointer}, registry=self.registry)

    def errors(self, pointer: str, value: Any, where: str) -> list[str]:
        return [f"{where}: {_explain(error)[:200]}" for error in self._validator(pointer).iter_errors(value)]

    def _branches(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The schema itself and everything it is composed of ($ref, allOf/anyOf/oneOf), depth first."""
        if "$ref" in schema and schema["$ref"].startswith("#/"):
            schema = {**self.resolve(schema["$ref"]), **{k: v for k, v in schema.items() if k != "$ref"}}
        found = [schema]
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(key, []):
                found += self._branches(branch)
        return found

    def properties(self, pointer: str) -> dict[str, dict[str, Any]]:
        """Top-level properties an object schema declares, across its compositions."""
        merged: dict[str, dict[str, Any]] = {}
        for branch in self._branches(self.resolve(pointer)):
            merged.update(branch.get("properties", {}))
        return merged

    def types(self, schema: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for branch in self._branches(schema):
            kind = branch.get("type")
            found |= set(kind) if isinstance(kind, list) else {kind} if kind else set()
        return found

    def coerce_form(self, pointer: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Multipart fields are all text: give numbers and booleans back the type their schema declares."""
        declared = self.properties(pointer)
        return {name: self._coerce(value, declared.get(name, {})) for name, value in fields.items()}

    def _coerce(self, value: Any, schema: dict[str, Any]) -> Any:
        if isinstance(value, list):
            items = next((b["items"] for b in self._branches(schema) if isinstance(b.get("items"), dict)), {})
            return [self._coerce(item, items) for item in value]
        if isinstance(value, dict):
            declared: dict[str, Any] = {}
            for branch in self._branches(schema):
                declared.update(branch.get("properties", {}))
            return {key: self._coerce(item, declared.get(key, {})) for key, item in value.items()}
        if not isinstance(value, str):
            return value
        types = self.types(schema)
        if "integer" in types and re.fullmatch(r"-?\d+", value):
            return int(value)
        if "number" in types and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
            return float(value)
        if "boolean" in types and value in ("true", "false"):
            return value == "true"
        return value


def _explain(error: ValidationError) -> str:
    """anyOf/oneOf only say "not valid under any of the given schemas": name what failed in the branches of the
    right type (nullable fields are all anyOf [..., null], so this is most errors)."""
    while error.context:
        relevant = [item for item in error.context if item.validator != "type"]
        if not relevant:
            expected = ", ".join(repr(item.validator_value) for item in error.context)
            return f"{error.instance!r:.80} is not of type {expected} at {list(error.absolute_path)}"
        error = relevant[0]
    return f"{error.message} at {list(error.absolute_path)}"


@lru_cache(maxsize=1)
def shared_validator() -> OpenApiValidator:
    """Parse the description once per test session."""
    return OpenApiValidator()


# --------------------------------------------------------------------------------------- pictures
def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(pixels: np.ndarray) -> bytes:
    """A standard 8-bit RGB(A) PNG. Written by hand because Pillow's encoder costs ~3x more on these pictures:
    every row uses the "Sub" filter, which turns gradients into runs that zlib's RLE strategy packs fast."""
    height, width, channels = pixels.shape
    flat = pixels.reshape(height, width * channels)
    rows = np.empty((height, width * channels + 1), np.uint8)
    rows[:, 0] = 1  # filter type Sub
    rows[:, 1:channels + 1] = flat[:, :channels]
    np.subtract(flat[:, channels:], flat[:, :-channels], out=rows[:, channels + 1:])  # wraps mod 256, as PNG says
    compressor = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = compressor.compress(rows.tobytes()) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def encode_image(image: Image.Image, output_format: str = "png", compression: int = 100) -> bytes:
    if output_format == "png":
        return encode_png(np.asarray(image))
    buffer = io.BytesIO()
    picture = image.convert("RGB") if output_format == "jpeg" else image
    picture.save(buffer, "JPEG" if output_format == "jpeg" else "WEBP", quality=max(1, min(compression, 95)))
    return buffer.getvalue()


def render(prompt: str, width: int, height: int, *, index: int = 0, transparent: bool = False,
           base: Image.Image | None = None) -> Image.Image:
    """A cheap, non-trivial picture that depends on the prompt: a two-colour gradient (or `base`, for edits) with a
    few shapes placed by a hash of the prompt. About 10 ms at 1536x1024, and 15 more to encode as PNG."""
    digest = hashlib.sha256(f"{index}:{prompt}".encode()).digest()
    if base is not None:
        image = base.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
    else:
        image = _gradient(width, height, digest[:6])
    draw = ImageDraw.Draw(image)
    mask = Image.new("L", (width, height), 0) if transparent else None
    for number in range(4):
        seed = digest[6 + number * 6: 12 + number * 6]
        left, top = seed[0] * width // 256, seed[1] * height // 256
        extent = (width + height) // 10 + seed[2] * (width + height) // 1024
        box = (left, top, left + extent, top + extent * 2 // 3)
        shape = draw.ellipse if seed[3] % 2 else draw.rectangle
        shape(box, fill=(seed[3], seed[4], seed[5]))
        if mask is not None:
            (ImageDraw.Draw(mask).ellipse if seed[3] % 2 else ImageDraw.Draw(mask).rectangle)(box, fill=255)
    if mask is not None:
        image.putalpha(mask)
    return image


def _gradient(width: int, height: int, colours: bytes) -> Image.Image:
    # computed at 1/8 size and scaled up: the same smooth picture for a fraction of the numpy work
    small_w, small_h = max(2, width // 8), max(2, height // 8)
    x = np.linspace(0.0, 1.0, small_w, dtype=np.float32)[None, :, None]
    y = np.linspace(0.0, 1.0, small_h, dtype=np.float32)[:, None, None]
    start = np.frombuffer(colours[:3], np.uint8).astype(np.float32)
    end = np.frombuffer(colours[3:6], np.uint8).astype(np.float32)
    pixels = start + (end - start) * (x * 0.7 + y * 0.3)
    small = Image.fromarray(pixels.astype(np.uint8), "RGB")
    return small.resize((width, height), Image.Resampling.BILINEAR)


def partial_preview(image: Image.Image, step: int, steps: int) -> Image.Image:
    """What a partial image looks like: the final picture, blurred (blocky) and darkened, less so at each step."""
    width, height = image.size
    factor = 2 ** (steps - step + 2)
    coarse = image.resize((max(1, width // factor), max(1, height // factor)), Image.Resampling.BOX)
    preview = coarse.resize((width, height), Image.Resampling.BILINEAR)
    darkness = 0.4 + 0.5 * step / (steps + 1)
    bands = [band.point(lambda value: int(value * darkness)) for band in preview.split()[:3]]
    return Image.merge("RGB", bands) if preview.mode == "RGB" else Image.merge("RGBA", [*bands, preview.split()[3]])


def decode_upload(data: bytes) -> Image.Image:
    """An uploaded picture, which must be a real PNG, JPEG or WebP (raises ValueError otherwise)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(str(error) or "not an image") from error
    if kind not in ("PNG", "JPEG", "WEBP"):
        raise ValueError(f"{kind} is not a supported image format")
    return image


# --------------------------------------------------------------------------------------- structured output
def sample_json(schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A plausible value matching a JSON schema: required properties only, first enum value, one array item."""
    root = root if root is not None else schema
    if depth > 12:  # a recursive schema (a tree) whose recursion is required: stop somewhere
        return None
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#").strip("/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")] if part else target
        return sample_json(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            branches = [b for b in schema[key] if b.get("type") != "null"] or schema[key]
            return sample_json(branches[0], root, depth + 1)
    kind = schema.get("type", "object")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    return _sample_value(kind, schema, root, depth + 1)


def _sample_value(kind: str, schema: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample_json(properties.get(name, {}), root, depth) for name in schema.get("required", [])}
    if kind == "array":
        return [sample_json(schema.get("items", {}), root, depth) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", 1), schema.get("maximum", max(1, schema.get("minimum", 1)))
        value = min(max(1, low), high)
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    formats = {"date-time": "2025-01-01T00:00:00Z", "date": "2025-01-01", "uri": "https://example.com/",
               "email": "someone@example.com", "uuid": "00000000-0000-4000-8000-000000000000"}
    text = formats.get(schema.get("format", ""), "sample")
    text = text.ljust(schema.get("minLength", 0), "x")
    return text[: schema["maxLength"]] if "maxLength" in schema else text


def default_chat_handler(body: dict[str, Any]) -> str:
    """Structured output: JSON made up from the requested schema; JSON mode: {}; otherwise a short sentence."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return json.dumps(sample_json(schema))
    if response_format.get("type") == "json_object":
        return "{}"
    return "This is a reply from the fake OpenAI API."


# --------------------------------------------------------------------------------------- records
@dataclass
class Recorded:
    method: str
    path: str  # without the /v1 prefix, e.g. "/images/generations"
    body: Any  # decoded JSON, or the multipart fields (files as bytes, `image[]` as a list)
    files: dict[str, bytes]  # multipart field name -> data; a repeated `image[]` becomes image[0], image[1], ...
    headers: Mapping[str, str]  # case-insensitive
    at: float  # time.time() when the request arrived
    status: int | None = None  # answered with; 499 when the client went away first
    uploads: list[tuple[str, str, str, bytes]] = field(default_factory=list)  # (field, filename, type, data)

    def _field(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None

    @property
    def model(self) -> str | None:
        return self._field("model")

    @property
    def size(self) -> str | None:
        return self._field("size")

    @property
    def quality(self) -> str | None:
        return self._field("quality")

    @property
    def prompt(self) -> str | None:
        return self._field("prompt")


@dataclass
class _Scripted:
    status: int = 0  # 0: no failure, only the hang
    message: str = ""
    code: str | None = None
    type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0


@dataclass
class _ImageJob:
    """An image request once its parameters are checked and defaults applied."""

    kind: str  # "image_generation" or "image_edit" (the prefix of its stream events)
    model: str
    prompt: str
    n: int
    width: int
    height: int
    size: str  # as requested ("auto" or WIDTHxHEIGHT)
    quality: str  # as requested, "auto" by default
    background: str
    output_format: str
    compression: int
    response_format: str
    stream: bool
    partial_images: int
    inputs: list[Image.Image] = field(default_factory=list)

    @property
    def gpt(self) -> bool:
        return self.model in GPT_IMAGE_MODELS

    @property
    def resolved_quality(self) -> str:
        if self.gpt:
            return "high" if self.quality == "auto" else self.quality
        return "hd" if self.quality == "hd" else "standard"

    @property
    def resolved_background(self) -> str:
        return "transparent" if self.background == "transparent" else "opaque"


# --------------------------------------------------------------------------------------- the fake
class FakeOpenAI:
    """The OpenAI REST API for one API key."""

    def __init__(self, api_key: str = "sk-test-not-real", *, host: str = "127.0.0.1") -> None:
        self.api_key = api_key
        self.host = host
        self.port = 0
        self.spec = shared_validator()
        self.calls: list[Recorded] = []
        self.errors: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay_s = 0.0  # each image request takes this long (streams spread it between their events)
        self.url_delay_s = 0.0  # serving a /_files/ URL takes this long
        self.url_size_override: int | None = None  # serve every /_files/ URL as this many bytes of PNG-ish garbage
        self.broken_b64 = False  # every b64_json picture arrives with its base64 cut short (bad padding)
        self.cut_streams = False  # a stream's connection drops after its first partial picture (being drawn, billed)
        self.blocked_words: set[str] = set()  # an image prompt with one is refused (moderation_blocked)
        self.flagged_words: set[str] = {"gore", "kill"}  # a moderation input with one is flagged
        self.flag_images = False  # flag every image given to /moderations
        self.flag_category = "violence"
        self.chat_handler: Callable[[dict[str, Any]], str | dict[str, Any] | Awaitable[str | dict[str, Any]]] = (
            default_chat_handler)
        self.files: dict[str, tuple[bytes, str]] = {}  # /_files/ name -> (data, content type)
        self.downloads: list[str] = []  # /_files/ names fetched, in order
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._runner: web.AppRunner | None = None
        self._handlers: dict[tuple[str, str], Callable[[web.Request, Recorded], Awaitable[web.StreamResponse]]] = {
            ("POST", "/images/generations"): self._generations, ("POST", "/images/edits"): self._edits,
            ("POST", "/chat/completions"): self._chat, ("POST", "/moderations"): self._moderations}

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self, port: int = 0) -> FakeOpenAI:
        app = web.Application(client_max_size=256 * 1024 * 1024)  # edits may carry 16 images of up to 50 MB
        app.router.add_get("/_files/{name}", self._serve_file)
        app.router.add_get("/_fake/state", self._state)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._api)
        # handler_cancellation: a client that gives up (timeout) stops the work, as it does at OpenAI
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeOpenAI:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ what tests do
    def calls_to(self, path: str) -> list[Recorded]:
        path = _api_path(path)
        return [call for call in self.calls if call.path == path]

    def fail_next(self, path: str, status: int, *, code: str | None = None, message: str | None = None,
                  headers: dict[str, str] | None = None, times: int = 1, type: str | None = None) -> None:
        """The next `times` valid requests to `path` are answered `status` in OpenAI's error shape."""
        if message is None:
            message = SAFETY_MESSAGE if code == "moderation_blocked" else DEFAULT_MESSAGES.get(status, "Error.")
        for _ in range(times):
            scripted = _Scripted(status, message, code, type, dict(headers or {}))
            self._scripted.setdefault(_api_path(path), deque()).append(scripted)

    def _b64(self, data: bytes) -> str:
        text = base64.b64encode(data).decode()
        return text[:-3] if self.broken_b64 else text

    def hang_next(self, path: str, seconds: float) -> None:
        """The next valid request to `path` waits `seconds` before it is answered (a client timeout, usually)."""
        self._scripted.setdefault(_api_path(path), deque()).append(_Scripted(hang_s=seconds))

    # ------------------------------------------------------------------ the API
    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        record = Recorded(request.method, path, None, {}, CIMultiDict(request.headers), time.time())
        self.calls.append(record)
        try:
            response = await self._answer(request, record)
        except ApiError as error:
            response = error.response()
        except asyncio.CancelledError:
            record.status = 499
            raise
        record.status = response.status
        return response

    async def _answer(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        readable = await self._read_body(request, record)  # recorded even when the key is wrong
        self._authorize(request.headers.get("Authorization"))
        method, path = request.method, record.path
        if not readable:
            self.errors.append(f"{method} {path}: the body is not JSON")
            raise ApiError(400, "We could not parse the JSON body of your request. (HINT: This likely means you "
                                "aren't using your HTTP library correctly.)")
        handler = self._handlers.get((method, path))
        if handler is None or not self.spec.has_operation(method, path):
            self.errors.append(f"{method} {path}: not an operation the fake serves")
            raise ApiError(404, f"Invalid URL ({method} {API_PREFIX}{path})")
        self._validate(method, path, request.content_type, record)
        async with self._tracked(path):
            await self._scripted_failure(path)
            return await handler(request, record)

    def _authorize(self, header: str | None) -> None:
        scheme, _, key = (header or "").partition(" ")
        if scheme.lower() == "bearer" and key == self.api_key:
            return
        if not key:
            raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        raise ApiError(401, f"Incorrect API key provided: {redact_key(key)}. You can find your API key at "
                            "https://platform.openai.com/account/api-keys.", code="invalid_api_key")

    @staticmethod
    async def _read_body(request: web.Request, record: Recorded) -> bool:
        """Decode the body into `record`; False when it claims to be JSON and is not."""
        if request.content_type == "multipart/form-data":
            record.body, record.files, record.uploads = await _read_multipart(request)
            return True
        raw = await request.read()
        try:
            record.body = json.loads(raw) if raw else None
        except ValueError:
            record.body = raw
            return False
        return True

    def _validate(self, method: str, path: str, content_type: str, record: Recorded) -> None:
        pointer = self.spec.body_pointer(method, path, content_type)
        problems: list[str] = []
        if pointer is None:
            problems.append(f"{method} {path}: content type {content_type} is not one the description allows")
        elif not isinstance(record.body, dict):
            problems.append(f"{method} {path}: the body is not an object")
        else:
            body = record.body
            if content_type == "multipart/form-data":  # files stand in as text, other fields get their types
                body = self.spec.coerce_form(pointer, _files_as_text(record.body))
            problems += self.spec.errors(pointer, body, f"{method} {path} body")
            known = set(self.spec.properties(pointer)) | NEWER_THAN_SPEC.get(path, set())
            unknown = [name for name in record.body if name not in known]
            if unknown and not problems:
                self.errors.append(f"{method} {path}: unknown parameter {unknown[0]!r}")
                raise ApiError(400, f"Unknown parameter: {unknown[0]!r}.", param=unknown[0], code="unknown_parameter")
        if problems:
            self.errors += problems
            raise ApiError(400, problems[0].split(": ", 1)[-1])
        if content_type == "multipart/form-data" and pointer is not None:
            record.body = self.spec.coerce_form(pointer, record.body)  # tests read typed values

    def _reject(self, error: ApiError, where: str) -> ApiError:
        """A value the description's text rules out: a bug in the caller, so it is an error as well as a 400."""
        self.errors.append(f"{where}: {error.param or 'body'}: {error.message}")
        return error

    @asynccontextmanager
    async def _tracked(self, path: str) -> AsyncIterator[None]:
        if path not in IMAGE_PATHS:
            yield
            return
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1

    async def _scripted_failure(self, path: str) -> None:
        queue = self._scripted.get(path)
        if not queue:
            return
        scripted = queue.popleft()
        if scripted.hang_s:
            await asyncio.sleep(scripted.hang_s)
        if scripted.status:
            message = scripted.message.replace("{request_id}", _request_id())
            raise ApiError(scripted.status, message, type=scripted.type, code=scripted.code,
                           headers=scripted.headers)

    # ------------------------------------------------------------------ images
    async def _generations(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        return await self._images(request, self._image_job(record.path, record.body, []))

    async def _edits(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        # the JSON variant names its images by URL or file id, which the fake cannot fetch
        if request.content_type == "application/json":
            self.errors.append("POST /images/edits: the fake only implements multipart edits")
            raise ApiError(400, "The fake OpenAI API only implements multipart image edits.")
        images = [upload for upload in record.uploads if upload[0] in ("image", "image[]")]
        if not images:
            raise self._reject(ApiError(400, "Invalid type for 'image': expected one of an array of files or file, "
                                             "but got a string instead.", param="image", code="invalid_type"),
                               "POST /images/edits")
        inputs = [self._decode_image(number, upload, len(images) > 1 or images[0][0] == "image[]")
                  for number, upload in enumerate(images)]
        mask = record.body.get("mask")
        if isinstance(mask, bytes):
            self._check_mask(mask, inputs[0])
        return await self._images(request, self._image_job(record.path, record.body, inputs))

    def _decode_image(self, number: int, upload: tuple[str, str, str, bytes], listed: bool) -> Image.Image:
        """An uploaded image must say it is one (the API goes by the part's Content-Type) and be one."""
        param = f"image[{number}]" if listed else "image"
        content_type = upload[2].split(";")[0].strip().lower()
        if content_type not in ("image/png", "image/jpeg", "image/webp"):
            raise self._reject(ApiError(400, f"Invalid file {param!r}: unsupported mimetype ({content_type!r}). "
                                             "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
                                        param=param, code="unsupported_file_mimetype"), "POST /images/edits")
        try:
            return decode_upload(upload[3])
        except ValueError as error:
            raise self._reject(ApiError(400, f"Invalid image file or mode for {param}, please check your image "
                                             f"file. ({error})", param=param, code="invalid_image_file"),
                               "POST /images/edits") from None

    def _check_mask(self, data: bytes, first: Image.Image) -> None:
        try:
            mask = decode_upload(data)
        except ValueError as error:
            raise self._reject(ApiError(400, f"Invalid mask image: {error}", param="mask", code="invalid_image_file"),
                               "POST /images/edits") from None
        if mask.format != "PNG" or mask.size != first.size:
            raise self._reject(ApiError(400, "The mask must be a PNG with the same dimensions as the image.",
                                        param="mask", code="invalid_image_file"), "POST /images/edits")

    def _image_job(self, path: str, body: dict[str, Any], inputs: list[Image.Image]) -> _ImageJob:
        edit = path == "/images/edits"
        where = f"POST {path}"
        model = body.get("model") or self._default_image_model(body, edit)
        if model not in GPT_IMAGE_MODELS and model not in DALL_E_SIZES:
            raise self._reject(_invalid_value("model", model, (*GPT_IMAGE_MODELS, *DALL_E_SIZES)), where)
        gpt = model in GPT_IMAGE_MODELS
        self._check_model_parameters(body, model, gpt, edit, where)
        prompt = body["prompt"]
        if len(prompt) > PROMPT_LIMITS.get(model, 32000):
            raise self._reject(ApiError(400, f"Invalid 'prompt': string too long. Expected a string with maximum "
                                             f"length {PROMPT_LIMITS.get(model, 32000)}, but got a string with "
                                             f"length {len(prompt)} instead.", param="prompt",
                                        code="string_above_max_length"), where)
        size = body.get("size") or ("1024x1024" if edit or not gpt else "auto")
        width, height = self._dimensions(model, size, inputs, where)
        job = _ImageJob(
            kind="image_edit" if edit else "image_generation", model=model, prompt=prompt, n=body.get("n") or 1,
            width=width, height=height, size=size, quality=body.get("quality") or "auto",
            background=body.get("background") or "auto", output_format=body.get("output_format") or "png",
            compression=body.get("output_compression") if body.get("output_compression") is not None else 100,
            response_format="b64_json" if gpt else body.get("response_format") or "url",
            stream=bool(body.get("stream")), partial_images=body.get("partial_images") or 0, inputs=inputs)
        self._check_options(job, where)
        blocked = _first_word_in(prompt, self.blocked_words)
        if blocked:
            raise ApiError(400, SAFETY_MESSAGE.format(request_id=_request_id()), code="moderation_blocked")
        return job

    @staticmethod
    def _default_image_model(body: dict[str, Any], edit: bool) -> str:
        # the description: generations default to dall-e-2 "unless a parameter specific to the GPT image models is
        # used"; edits default to gpt-image-1.5
        if edit:
            return "gpt-image-1.5"
        gpt_only = ("background", "moderation", "output_format", "output_compression", "partial_images", "stream")
        return "gpt-image-1" if any(body.get(name) not in (None, False) for name in gpt_only) else "dall-e-2"

    def _check_model_parameters(self, body: dict[str, Any], model: str, gpt: bool, edit: bool, where: str) -> None:
        if gpt and body.get("response_format") is not None:  # "isn't supported for the GPT image models"
            raise self._reject(ApiError(400, "Unknown parameter: 'response_format'.", param="response_format",
                                        code="unknown_parameter"), where)
        if not gpt and (body.get("stream") or body.get("partial_images") is not None):
            raise self._reject(ApiError(400, f"Streaming is not supported for {model}.", param="stream",
                                        code="invalid_value"), where)
        if model == "dall-e-3" and (body.get("n") or 1) != 1:
            raise self._reject(_invalid_value("n", body["n"], None, "dall-e-3 only supports n=1."), where)
        if edit and model == "dall-e-3":
            raise self._reject(_invalid_value("model", model, ("dall-e-2", *GPT_IMAGE_MODELS)), where)

    def _dimensions(self, model: str, size: str, inputs: list[Image.Image], where: str) -> tuple[int, int]:
        allowed = DALL_E_SIZES.get(model, (*GPT_IMAGE_SIZES, "auto"))
        if size == "auto" and model not in DALL_E_SIZES:
            return _auto_size(inputs)
        if size in allowed:
            width, height = size.split("x")
            return int(width), int(height)
        custom = re.fullmatch(r"(\d+)x(\d+)", size)
        if custom and model.startswith("gpt-image-2"):
            width, height = int(custom[1]), int(custom[2])
            if (width % 16 == 0 and height % 16 == 0 and 1 / 3 <= width / max(height, 1) <= 3
                    and max(width, height) <= MAX_CUSTOM_EDGE and width * height <= MAX_CUSTOM_PIXELS and width > 0):
                return width, height
            why = ("Width and height must both be divisible by 16, the aspect ratio between 1:3 and 3:1, "
                   "and the size at most 3840x2160.")
            raise self._reject(_invalid_value("size", size, None, why), where)
        raise self._reject(_invalid_value("size", size, allowed), where)

    def _check_options(self, job: _ImageJob, where: str) -> None:
        allowed = {"dall-e-2": ("standard", "auto"), "dall-e-3": ("standard", "hd", "auto")}.get(
            job.model, ("low", "medium", "high", "auto"))
        if job.quality not in allowed:
            raise self._reject(_invalid_value("quality", job.quality, allowed), where)
        if job.background == "transparent" and job.output_format == "jpeg":  # JPEG has no alpha channel
            raise self._reject(ApiError(400, "Transparent background is not supported with output format 'jpeg'. "
                                             "Use 'png' or 'webp'.", param="background", code="invalid_value"), where)

    async def _images(self, request: web.Request, job: _ImageJob) -> web.StreamResponse:
        if job.stream:
            return await self._stream_images(request, job)
        # drawn on a thread while the delay runs, so the fake's own CPU time does not add to the latency it models
        drawing = asyncio.ensure_future(asyncio.to_thread(_pictures, job))
        await asyncio.sleep(self.delay_s)
        data = [self._image_item(job, encoded) for encoded in await drawing]
        answer: dict[str, Any] = {"created": int(time.time()), "data": data}
        if job.gpt:
            answer |= {"background": job.resolved_background, "output_format": job.output_format,
                       "size": f"{job.width}x{job.height}", "quality": job.resolved_quality,
                       "usage": self._usage(job, detailed=True)}
        return _json(answer)

    def _image_item(self, job: _ImageJob, encoded: bytes) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if job.response_format == "url":
            name = f"img-{secrets.token_hex(8)}.png"
            self.files[name] = (encoded, "image/png")
            item["url"] = f"{self.root_url}/_files/{name}"
        else:
            item["b64_json"] = self._b64(encoded)
        if job.model == "dall-e-3":
            item["revised_prompt"] = f"A detailed, vivid illustration of {job.prompt}"
        return item

    def _usage(self, job: _ImageJob, *, detailed: bool) -> dict[str, Any]:
        text_tokens = max(1, len(job.prompt) // 4)
        image_tokens = 323 * len(job.inputs)
        scale = job.width * job.height / (1024 * 1024)
        output = int(OUTPUT_TOKENS[job.resolved_quality] * scale) * job.n
        usage: dict[str, Any] = {
            "input_tokens": text_tokens + image_tokens, "output_tokens": output,
            "total_tokens": text_tokens + image_tokens + output,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
        }
        if detailed:
            usage["output_tokens_details"] = {"image_tokens": output, "text_tokens": 0}
        return usage

    async def _stream_images(self, request: web.Request, job: _ImageJob) -> web.StreamResponse:
        """Server-Sent Events as the API sends them: `event: <type>` and one `data:` line of JSON per event,
        `partial_images` previews then the completed image, spread over `delay_s`; no `[DONE]` at the end."""
        drawing = asyncio.ensure_future(asyncio.to_thread(_stream_frames, job))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                               "Cache-Control": "no-cache", "x-request-id": _request_id()})
        await response.prepare(request)
        gap = self.delay_s / (job.partial_images + 1)
        common = {"size": job.size, "quality": job.quality, "background": job.background,
                  "output_format": job.output_format}
        for step, encoded in enumerate(itertools.chain.from_iterable(await _after(gap, drawing))):
            if step % (job.partial_images + 1) < job.partial_images:
                event = {"type": f"{job.kind}.partial_image", "partial_image_index": step % (job.partial_images + 1)}
            else:
                event = {"type": f"{job.kind}.completed", "usage": self._usage(job, detailed=False)}
            if step:
                await asyncio.sleep(gap)
            await _send_event(response, {**event, "created_at": int(time.time()),
                                         "b64_json": self._b64(encoded), **common})
            if self.cut_streams and request.transport is not None:
                request.transport.close()
                return response
        await response.write_eof()
        return response

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.downloads.append(name)
        if name not in self.files:
            return web.Response(status=404, text="BlobNotFound")
        data, content_type = self.files[name]
        if self.url_size_override is not None:
            data = _garbage_png(self.url_size_override)
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.content_length = len(data)
        await response.prepare(request)
        pieces = max(1, min(64, len(data) // 65536))  # slow downloads trickle, so a reader's cap can cut them
        step = -(-len(data) // pieces)
        for offset in range(0, len(data), step):
            await asyncio.sleep(self.url_delay_s / pieces)
            await response.write(data[offset:offset + step])
        await response.write_eof()
        return response

    # ------------------------------------------------------------------ chat
    async def _chat(self, _request: web.Request, record: Recorded) -> web.Response:
        body = record.body
        if body.get("stream"):
            self.errors.append("POST /chat/completions: the fake does not implement streaming chat")
            raise ApiError(400, "The fake OpenAI API does not stream chat completions.", param="stream")
        try:
            content = self.chat_handler(body)
            if inspect.isawaitable(content):
                content = await content
        except Exception as error:
            self.errors.append(f"chat_handler raised {error!r}")
            raise ApiError(500, DEFAULT_MESSAGES[500]) from error
        text = content if isinstance(content, str) else json.dumps(content)
        prompt_tokens = max(1, len(json.dumps(body.get("messages", []))) // 4)
        completion_tokens = max(1, len(text) // 4)
        message = {"role": "assistant", "content": text, "refusal": None, "annotations": []}
        choices = [{"index": index, "message": message, "finish_reason": "stop", "logprobs": None}
                   for index in range(body.get("n") or 1)]
        return _json({
            "id": f"chatcmpl-{secrets.token_hex(12)}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"], "choices": choices, "service_tier": "default", "system_fingerprint": "fp_fake",
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
        })

    # ------------------------------------------------------------------ moderations
    async def _moderations(self, _request: web.Request, record: Recorded) -> web.Response:
        body = record.body
        model = body.get("model") or "omni-moderation-latest"
        items = body["input"]
        if isinstance(items, str):
            groups = [[{"type": "text", "text": items}]]
        elif all(isinstance(item, str) for item in items):
            groups = [[{"type": "text", "text": item}] for item in items]  # one result per string
        else:
            groups = [items]  # multi-modal inputs are classified together
        if model.startswith("text-moderation") and any(item["type"] == "image_url" for item in groups[0]):
            raise self._reject(ApiError(400, f"{model} does not support image inputs.", param="input"),
                               "POST /moderations")
        results = [self._moderate(group) for group in groups]
        return _json({"id": f"modr-{secrets.token_hex(12)}", "model": model, "results": results})

    def _moderate(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        texts = [item["text"] for item in inputs if item["type"] == "text"]
        images = [item["image_url"]["url"] for item in inputs if item["type"] == "image_url"]
        for url in images:
            self._check_image_url(url)
        hit_text = any(_first_word_in(text, self.flagged_words) for text in texts)
        hit_image = self.flag_images and bool(images)
        flagged = hit_text or hit_image
        categories = {name: flagged and name == self.flag_category for name in MODERATION_CATEGORIES}
        scores = {name: 0.93 if categories[name] else 0.0002 for name in MODERATION_CATEGORIES}
        kinds = (["text"] if texts else []) + (["image"] if images else [])
        applied = {name: [kind for kind in kinds if kind == "text" or name in IMAGE_CATEGORIES]
                   for name in MODERATION_CATEGORIES}
        return {"flagged": flagged, "categories": categories, "category_scores": scores,
                "category_applied_input_types": applied}

    def _check_image_url(self, url: str) -> None:
        if not url.startswith("data:"):
            return  # the API fetches it; the fake takes it on trust
        header, _, payload = url.partition(",")
        try:
            decode_upload(base64.b64decode(payload, validate=True))
        except (ValueError, binascii.Error) as error:
            raise self._reject(ApiError(400, f"Invalid image in {header[:40]}: {error}", param="input",
                                        code="invalid_image_format"), "POST /moderations") from None

    # ------------------------------------------------------------------ standalone control
    async def _state(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        rows = [{"path": c.path, "model": c.model, "size": c.size, "quality": c.quality, "at": c.at,
                 "status": c.status} for c in self.calls[since:]]
        return web.json_response({"calls": rows, "errors": self.errors, "in_flight": self.in_flight,
                                  "max_in_flight": self.max_in_flight})


# --------------------------------------------------------------------------------------- helpers
def _pictures(job: _ImageJob) -> list[bytes]:
    """The job's images, encoded (the same prompt and size give the same bytes: cached when not an edit)."""
    if job.inputs:
        return [encode_image(render(job.prompt, job.width, job.height, index=number, base=job.inputs[0]),
                             job.output_format if job.gpt else "png", job.compression) for number in range(job.n)]
    transparent = job.gpt and job.background == "transparent"
    return [_generated(job.prompt, job.width, job.height, number, transparent,
                       job.output_format if job.gpt else "png", job.compression) for number in range(job.n)]


@lru_cache(maxsize=64)
def _generated(prompt: str, width: int, height: int, index: int, transparent: bool, output_format: str,
               compression: int) -> bytes:
    return encode_image(render(prompt, width, height, index=index, transparent=transparent), output_format,
                        compression)


def _stream_frames(job: _ImageJob) -> list[list[bytes]]:
    """Per image: its `partial_images` previews, then the final picture, encoded."""
    frames = []
    for number in range(job.n):
        picture = render(job.prompt, job.width, job.height, index=number, base=job.inputs[0] if job.inputs else None,
                         transparent=job.background == "transparent")
        previews = [encode_image(partial_preview(picture, step, job.partial_images), job.output_format)
                    for step in range(job.partial_images)]
        frames.append([*previews, encode_image(picture, job.output_format, job.compression)])
    return frames


async def _after(seconds: float, work: Awaitable[Any]) -> Any:
    """`work`'s result, but not before `seconds` (it runs meanwhile)."""
    await asyncio.sleep(seconds)
    return await work


def _api_path(path: str) -> str:
    return path[len(API_PREFIX):] if path.startswith(API_PREFIX + "/") else path


def _request_id() -> str:
    return f"req_{secrets.token_hex(16)}"


def _json(data: Any) -> web.Response:
    return web.json_response(data, headers={"x-request-id": _request_id(), "openai-processing-ms": "1"})


def _first_word_in(text: str, words: set[str]) -> str | None:
    """A listed word at the start of a word of `text` ("killing" has "kill"; "skill" has not), any case."""
    for word in words:
        if re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE):
            return word
    return None


def _auto_size(inputs: list[Image.Image]) -> tuple[int, int]:
    """`auto`: landscape 1536x1024 for a generation; an edit follows its first image's orientation."""
    if not inputs:
        return 1536, 1024
    width, height = inputs[0].size
    if abs(width - height) <= min(width, height) // 10:
        return 1024, 1024
    return (1536, 1024) if width > height else (1024, 1536)


@lru_cache(maxsize=4)
def _garbage_png(size: int) -> bytes:
    signature = b"\x89PNG\r\n\x1a\n"
    pattern = bytes(range(256)) * 4096  # 1 MiB
    body = pattern * (size // len(pattern) + 1)
    return (signature + body)[:size]


async def _send_event(response: web.StreamResponse, data: dict[str, Any]) -> None:
    await response.write(f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode())


async def _read_multipart(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes],
                                                         list[tuple[str, str, str, bytes]]]:
    """Fields as the client encodes them: `image` (one file) or `image[]` (repeated, a list), `svg[model]` (a
    nested object); other values as text."""
    body: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    uploads: list[tuple[str, str, str, bytes]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        name = part.name or ""  # type: ignore[union-attr]
        if part.filename is not None:  # type: ignore[union-attr]
            value: Any = bytes(await part.read())  # type: ignore[union-attr]
            content_type = part.headers.get("Content-Type", "")  # type: ignore[union-attr]
            uploads.append((name, part.filename, content_type, value))  # type: ignore[union-attr]
        else:
            value = await part.text()  # type: ignore[union-attr]
        _put_field(body, name, value)
    for name, _filename, _type, data in uploads:
        key = name
        if name.endswith("[]"):
            key = f"{name[:-2]}[{sum(1 for k in files if k.startswith(name[:-2] + '['))}]"
        files[key] = data
    return body, files, uploads


def _put_field(body: dict[str, Any], name: str, value: Any) -> None:
    if name.endswith("[]"):
        body.setdefault(name[:-2], []).append(value)
        return
    nested = re.fullmatch(r"(\w+)\[(\w+)\]", name)
    if nested:
        body.setdefault(nested[1], {})[nested[2]] = value
        return
    if name in body:  # a repeated plain name ("repeat" array format)
        body[name] = [*body[name], value] if isinstance(body[name], list) else [body[name], value]
    else:
        body[name] = value


def _files_as_text(body: dict[str, Any]) -> dict[str, Any]:
    """The multipart body with uploads standing in as strings (what `format: binary` describes)."""
    def text(value: Any) -> Any:
        if isinstance(value, bytes):
            return f"<{len(value)} bytes>"
        if isinstance(value, list):
            return [text(item) for item in value]
        if isinstance(value, dict):
            return {key: text(item) for key, item in value.items()}
        return value
    return {key: text(value) for key, value in body.items()}


async def _serve(port: int, delay_s: float, api_key: str) -> None:
    fake = FakeOpenAI(api_key)
    fake.delay_s = delay_s
    await fake.start(port=port)
    print(f"fake OpenAI API on {fake.base_url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each image request takes")
    parser.add_argument("--api-key", default="sk-test-not-real")
    arguments = parser.parse_args()
    asyncio.run(_serve(arguments.port, arguments.delay, arguments.api_key))
