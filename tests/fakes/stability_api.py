"""A local, protocol-faithful fake of Stability AI's REST v2beta Stable Image API (aiohttp on 127.0.0.1).

It serves `POST /v2beta/stable-image/generate/{core,sd3,ultra}` and `/v2beta/stable-image/edit/remove-background`.
Every request is matched to its operation in Stability's OpenAPI description (tests/specs/stability-openapi.json):
the declared headers (`authorization`, `content-type`, `accept`, `stability-client-*`) and the decoded
multipart/form-data fields are validated against the operation's schemas, plus the rules the spec states only in
prose (image-to-image needs `image` + `strength`, upload sizes). A violation is appended to `errors` and answered
400 in Stability's error shape (`{"id", "name", "errors"}`); fields the schema does not name are ignored, as the
real service does (its own Python sample sends `files={"none": ''}`), and noted in `warnings`.

Answers are real PNG/JPEG/WebP images, deterministic in the generation parameters, at these sizes (width x height):

    aspect ratio  core / sd3    ultra
    1:1           1024x1024     1376x1376
    16:9          1344x768      1824x1024
    21:9          1536x640      2080x896
    3:2           1216x832      1664x1120
    5:4           1088x896      1536x1216
    4:5           896x1088      1216x1536
    2:3           832x1216      1120x1664
    9:16          768x1344      1024x1824
    9:21          640x1536      896x2080

Image-to-image keeps the input's aspect ratio at the 1:1 area (multiples of 64). Tests may replace `sizes`.

The module also holds what the Stable Diffusion web UI fake shares with it: `FakeImageServer` (lifecycle,
`calls`, `errors`, in-flight counting, `fail_next`, `hang_next`) and the cheap image helpers.

Standalone, for the benchmark: `python -m tests.fakes.stability_api --port 8091 --delay 3` (`GET /_fake/stats`
reports calls, in-flight counts and errors to a benchmark in another process).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import io
import json
import math
import random
import re
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from aiohttp import web
from jsonschema import Draft4Validator
from PIL import Image, ImageDraw, ImageFilter, UnidentifiedImageError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "stability-openapi.json"
SPEC_URI = "urn:stability-openapi"
V2 = "/v2beta/stable-image"
CORE, SD3, ULTRA = f"{V2}/generate/core", f"{V2}/generate/sd3", f"{V2}/generate/ultra"
REMOVE_BACKGROUND = f"{V2}/edit/remove-background"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # "Your request was larger than 10MiB" (413)
MAX_SEED = 4294967294
IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}

SIZES_1MP = {"1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "3:2": (1216, 832),
             "5:4": (1088, 896), "4:5": (896, 1088), "2:3": (832, 1216), "9:16": (768, 1344), "9:21": (640, 1536)}
SIZES_ULTRA = {"1:1": (1376, 1376), "16:9": (1824, 1024), "21:9": (2080, 896), "3:2": (1664, 1120),
               "5:4": (1536, 1216), "4:5": (1216, 1536), "2:3": (1120, 1664), "9:16": (1024, 1824),
               "9:21": (896, 2080)}


@dataclass(frozen=True)
class ImageRule:
    """Upload limits the spec states in the `image` field's description."""

    min_side: int = 64
    max_side: int = 16384
    min_pixels: int = 0
    max_pixels: int | None = None


IMAGE_RULES = {SD3: ImageRule(), ULTRA: ImageRule(min_pixels=4096),
               REMOVE_BACKGROUND: ImageRule(min_pixels=4096, max_pixels=4_194_304)}

# Stability's error names (the spec's examples), by status, for injected failures
ERROR_NAMES = {400: "bad_request", 401: "unauthorized", 402: "payment_required", 403: "content_moderation",
               404: "not_found", 413: "payload_too_large", 422: "invalid_language", 429: "rate_limit_exceeded",
               500: "internal_error", 503: "service_unavailable"}
ERROR_MESSAGES = {
    403: "Your request was flagged by our content moderation system, as a result your request was denied and you "
         "were not charged.",
    413: "body: payloads cannot be larger than 10MiB in size",
    429: "You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for "
         "60 seconds.",
    500: "An unexpected server error has occurred, please try again later.",
}


# --------------------------------------------------------------------------------------- shared plumbing
@dataclass
class Recorded:
    method: str
    path: str
    fields: dict[str, Any]  # decoded form fields (typed per the schema) or the JSON body
    files: dict[str, bytes]  # uploaded (or base64-decoded) files by field name
    headers: dict[str, str]  # lower-case names
    at: float  # time.time()
    status: int | None = None  # of the answer


@dataclass(frozen=True)
class Failure:
    status: int
    headers: dict[str, str]
    body: Any  # None: the service's own error shape; dict/list: JSON; str/bytes: sent as is


class FakeImageServer:
    """Lifecycle, call recording, in-flight counting and fault injection shared by the image-service fakes."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay_s: float = 0.0) -> None:
        self.host, self.port, self.delay_s = host, port, delay_s
        self.calls: list[Recorded] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._failures: dict[str, list[Failure]] = {}
        self._hangs: dict[str, list[float]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> Self:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)  # the service's own limit answers 413, not aiohttp
        app.router.add_get("/_fake/stats", self._stats)
        self._add_routes(app)
        # handler_cancellation: a request whose client gave up (a timeout) is dropped, not answered later
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing.set()  # hangs and generation delays end now, so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def calls_to(self, path: str) -> list[Recorded]:
        return [call for call in self.calls if call.path == path]

    def fail_next(self, path: str, status: int, *, headers: dict[str, str] | None = None, times: int = 1,
                  body: Any = None) -> None:
        """The next `times` requests to `path` get `status` (after validation, before authentication)."""
        self._failures.setdefault(path, []).extend([Failure(status, dict(headers or {}), body)] * times)

    def hang_next(self, path: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` requests to `path` wait `seconds` before being answered (client timeouts)."""
        self._hangs.setdefault(path, []).extend([seconds] * times)

    # -- for subclasses
    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _error_body(self, status: int) -> Any:
        raise NotImplementedError

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    @contextlib.contextmanager
    def _tracking(self) -> Iterator[None]:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1

    def _record(self, request: web.Request, fields: dict[str, Any], files: dict[str, bytes]) -> Recorded:
        headers = {name.lower(): value for name, value in request.headers.items()}
        record = Recorded(request.method, request.path, fields, files, headers, time.time())
        self.calls.append(record)
        return record

    async def _injected(self, path: str) -> web.Response | None:
        """A scripted hang (then the normal answer) or failure for this request, if any."""
        hangs = self._hangs.get(path)
        if hangs:
            await self._sleep(hangs.pop(0))
        failures = self._failures.get(path)
        if not failures:
            return None
        failure = failures.pop(0)
        body = self._error_body(failure.status) if failure.body is None else failure.body
        if isinstance(body, bytes | str):
            headers = {"Content-Type": "text/plain; charset=utf-8"} | failure.headers
            return web.Response(body=body.encode() if isinstance(body, str) else body, status=failure.status,
                                headers=headers)
        headers = {"Content-Type": "application/json"} | failure.headers
        return web.Response(body=json.dumps(body).encode(), status=failure.status, headers=headers)

    async def _stats(self, _: web.Request) -> web.Response:
        return web.json_response({"calls": len(self.calls), "in_flight": self.in_flight,
                                  "max_in_flight": self.max_in_flight, "errors": self.errors})


# --------------------------------------------------------------------------------------- images
def _rng(key: str) -> random.Random:
    return random.Random(hashlib.sha256(key.encode()).digest())


def render(width: int, height: int, key: str) -> Image.Image:
    """An RGB picture that differs with `key`: a colour field plus a few discs.

    The field is built at 1/16 scale and enlarged with NEAREST, so encoding a megapixel stays ~15 ms."""
    rng = _rng(key)
    corners = Image.new("RGB", (4, 3))
    corners.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(12)])
    small = corners.resize((max(1, width // 16), max(1, height // 16)), Image.Resampling.BILINEAR)
    image = small.resize((width, height), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(image)
    short = max(8, min(width, height))
    for _ in range(4):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(short // 8, short // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def blurred(image: Image.Image, factor: int = 32) -> Image.Image:
    """Heavily blurred (as a moderated result is), cheaply: down to 1/factor and back up."""
    width, height = image.size
    tiny = image.resize((max(1, width // factor), max(1, height // factor)), Image.Resampling.BOX)
    return tiny.resize((width, height), Image.Resampling.BILINEAR)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG", compress_level=1, **options)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=80, method=0, **options)
    else:
        image.convert("RGB").save(out, "JPEG", quality=85, **options)
    return out.getvalue()


def cutout_mask(width: int, height: int) -> Image.Image:
    """Alpha for a subject: a centred, soft-edged ellipse covering half of the picture (the rest transparent)."""
    scale = 8
    small_w, small_h = max(8, width // scale), max(8, height // scale)
    mask = Image.new("L", (small_w, small_h), 0)
    k = math.sqrt(2 / math.pi)  # an ellipse with radii k*w/2, k*h/2 covers π k² / 4 = 1/2 of the rectangle
    rx, ry = k * small_w / 2, k * small_h / 2
    cx, cy = small_w / 2, small_h / 2
    ImageDraw.Draw(mask).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(1.5)).resize((width, height), Image.Resampling.BILINEAR)


def open_image(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return image


# --------------------------------------------------------------------------------------- the spec
def _with_nullable(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` as JSON Schema's `type: [T, "null"]` (no such schema in the trimmed copy yet)."""
    if isinstance(node, list):
        return [_with_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _with_nullable(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True and isinstance(converted.get("type"), str):
        converted["type"] = [converted["type"], "null"]
    return converted


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _describe(error: Any) -> str:
    """Stability words its errors "field: problem" ("prompt: is required")."""
    if error.validator == "required":
        found = re.search(r"'([^']+)'", error.message)
        return f"{found.group(1) if found else '?'}: is required"
    where = ".".join(str(part) for part in error.absolute_path) or "body"
    return f"{where}: {error.message[:200]}"


class StabilitySpec:
    """Operations of the OpenAPI 3.0 description and validators for their headers, form fields and answers.

    OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few keywords (`nullable`, `example`, `format: binary`), so
    they are validated with Draft 4 after turning `nullable` into a type list; the rest is annotation."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = _with_nullable(json.loads(path.read_text()))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT4)
        self.registry: Registry = Registry().with_resource(SPEC_URI, resource)

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        return self.spec["paths"].get(path, {}).get(method.lower())

    @lru_cache(maxsize=64)  # noqa: B019 - one validator per schema for the life of the process
    def _validator(self, pointer: str) -> Draft4Validator:
        return Draft4Validator({"$ref": SPEC_URI + pointer}, registry=self.registry)

    def _errors(self, pointer: str, value: Any, name: str | None = None) -> list[str]:
        """Described as Stability does; `name` prefixes a scalar's errors (a header's)."""
        errors = self._validator(pointer).iter_errors(value)
        return [f"{name}: {error.message[:200]}" if name else _describe(error) for error in errors]

    def form_properties(self, path: str) -> dict[str, dict[str, Any]]:
        schema = self.operation("post", path)["requestBody"]["content"]["multipart/form-data"]["schema"]  # type: ignore[index]
        return schema["properties"]

    def check_headers(self, method: str, path: str, headers: Any) -> list[str]:
        problems = []
        for index, parameter in enumerate(self.operation(method, path).get("parameters", [])):  # type: ignore[union-attr]
            if parameter["in"] != "header":
                continue
            name = parameter["name"]
            value = headers.get(name)
            if value is None:
                problems += [f"{name}: is required (header)"] if parameter.get("required") else []
                continue
            pointer = _pointer("paths", path, method.lower(), "parameters", str(index), "schema")
            problems += self._errors(pointer, value, f"{name} header")
        return problems

    def typed(self, path: str, fields: dict[str, str]) -> dict[str, Any]:
        """Form values parsed where the schema says number/integer (left as text when they do not parse)."""
        properties = self.form_properties(path)
        return {name: _parse_number(value, properties.get(name, {}).get("type")) for name, value in fields.items()}

    def check_form(self, path: str, fields: dict[str, Any], files: dict[str, bytes]) -> tuple[list[str], list[str]]:
        """(violations, names the schema does not know) of the decoded multipart body."""
        properties = self.form_properties(path)
        problems, unknown = [], sorted((set(fields) | set(files)) - set(properties))
        instance = {name: value for name, value in fields.items() if name in properties}
        for name, data in files.items():
            if name not in properties:
                continue
            if properties[name].get("format") == "binary":
                instance[name] = f"<{len(data)} bytes>"  # a file, for the schema's purposes a string
            else:
                problems.append(f"{name}: must be a text field, not a file")
        for name in fields:
            if properties.get(name, {}).get("format") == "binary":
                problems.append(f"{name}: must be a file")
                instance.pop(name)
        pointer = _pointer("paths", path, "post", "requestBody", "content", "multipart/form-data", "schema")
        return problems + self._errors(pointer, instance), unknown

    def check_response(self, path: str, status: int, content_type: str, body: Any) -> list[str]:
        """For tests of the fake itself: does a JSON answer match what the spec declares?"""
        response = self.operation("post", path)["responses"].get(str(status))  # type: ignore[index]
        if response is None or content_type not in response.get("content", {}):
            return [f"{status} {content_type}: not declared for {path}"]
        pointer = _pointer("paths", path, "post", "responses", str(status), "content", content_type, "schema")
        return self._errors(pointer, body)


def _parse_number(value: str, kind: str | None) -> Any:
    if kind not in ("number", "integer"):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if math.isfinite(number) and number.is_integer():
        return int(number)
    return value if kind == "integer" else number


@lru_cache(maxsize=1)
def shared_spec() -> StabilitySpec:
    return StabilitySpec()


# --------------------------------------------------------------------------------------- the fake
@dataclass
class Form:
    content_type: str
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    too_large: bool = False


async def read_form(request: web.Request) -> Form:
    """The multipart body's text fields and files (a part with a filename is a file), up to the 10 MiB limit."""
    form = Form(request.content_type)
    if form.content_type == "application/x-www-form-urlencoded":  # recorded, then refused for its content type
        form.fields = {name: str(value) for name, value in (await request.post()).items()}
        return form
    if form.content_type != "multipart/form-data" or not request.can_read_body:
        await request.read()
        return form
    size = 0
    async for part in await request.multipart():
        data = bytes(await part.read())  # type: ignore[union-attr]
        size += len(data)
        if size > MAX_REQUEST_BYTES:
            form.too_large = True
            return form
        name = part.name or ""  # type: ignore[union-attr]
        if part.filename is not None:  # type: ignore[union-attr]
            form.files[name] = data
        else:
            form.fields[name] = data.decode("utf-8", "replace")
    return form


class FakeStability(FakeImageServer):
    """Stability's Stable Image API: generate (core, sd3, ultra) and remove-background."""

    def __init__(self, api_key: str = "sk-stability-test-not-real", *, host: str = "127.0.0.1", port: int = 0,
                 delay_s: float = 0.0) -> None:
        super().__init__(host=host, port=port, delay_s=delay_s)
        self.api_key = api_key
        self.filtered_words: set[str] = set()  # a prompt containing one comes back blurred, CONTENT_FILTERED
        self.sizes: dict[str, dict[str, tuple[int, int]]] = {CORE: dict(SIZES_1MP), SD3: dict(SIZES_1MP),
                                                              ULTRA: dict(SIZES_ULTRA)}
        self.spec = shared_spec()

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._dispatch)

    def _error_body(self, status: int) -> dict[str, Any]:
        return _error_shape(ERROR_NAMES.get(status, "error"), [ERROR_MESSAGES.get(status, f"fake failure {status}")])

    async def _dispatch(self, request: web.Request) -> web.Response:
        with self._tracking():
            form = await read_form(request)
            known = self.spec.operation(request.method, request.path) is not None and request.method == "POST"
            fields = self.spec.typed(request.path, form.fields) if known else dict(form.fields)
            record = self._record(request, fields, form.files)
            response = await self._respond(request, form, fields, known)
            record.status = response.status
            return response

    async def _respond(self, request: web.Request, form: Form, fields: dict[str, Any], known: bool) -> web.Response:
        where = f"{request.method} {request.path}"
        if not known or request.path not in (CORE, SD3, ULTRA, REMOVE_BACKGROUND):
            self.errors.append(f"{where}: not an operation this fake serves")
            return _error(404, "not_found", [f"{request.path}: not found"])
        if form.too_large:
            self.errors.append(f"{where}: body larger than 10MiB")
            return _error(413, "payload_too_large", [ERROR_MESSAGES[413]])
        problems = self._problems(request, form, fields)
        self.errors += [f"{where}: {problem}" for problem in problems]
        injected = await self._injected(request.path)
        if injected is not None:
            return injected
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "unauthorized", ["authorization: invalid or missing header value"])
        if problems:
            return _error(400, "bad_request", problems)
        await self._sleep(self.delay_s)
        if request.path == REMOVE_BACKGROUND:
            return await self._remove_background(request, form, fields)
        return await self._generate(request, form, fields)

    # -- validation
    def _problems(self, request: web.Request, form: Form, fields: dict[str, Any]) -> list[str]:
        path = request.path
        problems = self.spec.check_headers("POST", path, request.headers)
        if form.content_type != "multipart/form-data":
            return [*problems, f"content-type: must be multipart/form-data, not {form.content_type or 'missing'}"]
        schema_problems, unknown = self.spec.check_form(path, fields, form.files)
        self.warnings += [f"POST {path}: field {name!r} is not in the spec (ignored)" for name in unknown]
        return problems + schema_problems + self._mode_problems(path, fields, form.files) + self._image_problems(
            path, form.files)

    @staticmethod
    def _mode_problems(path: str, fields: dict[str, Any], files: dict[str, bytes]) -> list[str]:
        """Rules the spec states in prose: which fields go with image-to-image."""
        problems = []
        if path == SD3:
            image_to_image = fields.get("mode", "text-to-image") == "image-to-image"
            if image_to_image:
                problems += [f"{name}: is required for image-to-image" for name in ("image", "strength")
                             if name not in fields and name not in files]
                problems += ["aspect_ratio: is only valid for text-to-image"] if "aspect_ratio" in fields else []
            else:
                problems += [f"{name}: is only valid for image-to-image (set mode=image-to-image)"
                             for name in ("image", "strength") if name in fields or name in files]
        if path == ULTRA and "image" in files and "strength" not in fields:
            problems.append("strength: is required when image is provided")
        return problems

    @staticmethod
    def _image_problems(path: str, files: dict[str, bytes]) -> list[str]:
        rule, data = IMAGE_RULES.get(path), files.get("image")
        if rule is None or data is None:
            return []
        image = open_image(data)
        if image is None or image.format not in IMAGE_FORMATS:
            return ["image: must be a jpeg, png or webp image"]
        width, height = image.size
        problems = []
        if min(width, height) < rule.min_side or max(width, height) > rule.max_side:
            problems.append(f"image: every side must be {rule.min_side}..{rule.max_side} pixels, got {width}x{height}")
        pixels = width * height
        if pixels < rule.min_pixels or (rule.max_pixels is not None and pixels > rule.max_pixels):
            limit = f"between {rule.min_pixels:,} and {rule.max_pixels:,}" if rule.max_pixels else \
                f"at least {rule.min_pixels:,}"
            problems.append(f"image: total pixel count must be {limit} pixels, got {pixels:,}")
        return problems

    # -- answers
    def _size(self, path: str, fields: dict[str, Any], init: Image.Image | None) -> tuple[int, int]:
        table = self.sizes[path]
        if init is None:
            return table[fields.get("aspect_ratio", "1:1")]
        area, ratio = table["1:1"][0] * table["1:1"][1], init.width / init.height
        return max(64, round(math.sqrt(area * ratio) / 64) * 64), max(64, round(math.sqrt(area / ratio) / 64) * 64)

    def _filtered(self, prompt: str) -> bool:
        lowered = prompt.lower()
        return any(word.lower() in lowered for word in self.filtered_words)

    async def _generate(self, request: web.Request, form: Form, fields: dict[str, Any]) -> web.Response:
        path = request.path
        seed = int(fields.get("seed") or 0) or random.randint(1, MAX_SEED)  # 0 or absent: a random seed
        fmt = fields.get("output_format", "png")
        image_to_image = path in (SD3, ULTRA) and "image" in form.files  # core has no image field: ignored
        init = open_image(form.files["image"]) if image_to_image else None
        size = self._size(path, fields, init)
        key = "|".join(str(fields.get(name, "")) for name in ("prompt", "negative_prompt", "style_preset", "model"))
        filtered = self._filtered(fields["prompt"])
        strength = float(fields.get("strength", 1.0))
        data = await asyncio.to_thread(_generated_bytes, size, f"{path}|{key}|{seed}", fmt, filtered, init, strength)
        return self._image_answer(request, data, fmt, "CONTENT_FILTERED" if filtered else "SUCCESS", seed)

    async def _remove_background(self, request: web.Request, form: Form, fields: dict[str, Any]) -> web.Response:
        fmt = fields.get("output_format", "png")
        data = await asyncio.to_thread(_cutout_bytes, form.files["image"], fmt)
        return self._image_answer(request, data, fmt, "SUCCESS", 0)

    @staticmethod
    def _image_answer(request: web.Request, data: bytes, fmt: str, finish_reason: str, seed: int) -> web.Response:
        """Raw bytes with `finish-reason`/`seed` headers, or (accept: application/json) base64 in JSON without them."""
        headers = {"x-request-id": uuid.uuid4().hex}
        if request.headers.get("accept", "image/*") == "application/json":
            body = {"image": base64.b64encode(data).decode(), "finish_reason": finish_reason, "seed": seed}
            headers["Content-Type"] = f"application/json; type=image/{fmt}"
            return web.Response(body=json.dumps(body).encode(), headers=headers)
        headers |= {"Content-Type": f"image/{fmt}", "finish-reason": finish_reason, "seed": str(seed)}
        return web.Response(body=data, headers=headers)


def _generated_bytes(size: tuple[int, int], key: str, fmt: str, filtered: bool, init: Image.Image | None,
                     strength: float) -> bytes:
    image = render(*size, key)
    if init is not None:  # strength 0 keeps the input, 1 ignores it
        base = init.convert("RGB").resize(size, Image.Resampling.BILINEAR)
        image = Image.blend(base, image, max(0.0, min(1.0, strength)))
    return encode(blurred(image) if filtered else image, fmt)


def _cutout_bytes(data: bytes, fmt: str) -> bytes:
    image = open_image(data)
    assert image is not None, "validated before"
    cutout = image.convert("RGB").convert("RGBA")
    cutout.putalpha(cutout_mask(*image.size))
    return encode(cutout, fmt)


def _error_shape(name: str, errors: list[str]) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "name": name, "errors": errors}


def _error(status: int, name: str, errors: list[str]) -> web.Response:
    return web.json_response(_error_shape(name, errors), status=status)


# --------------------------------------------------------------------------------------- standalone
async def serve_until_signalled(fake: FakeImageServer, label: str) -> None:
    await fake.start()
    print(f"{label} on {fake.base_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake of Stability AI's Stable Image API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="0: any free port")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each generation takes")
    parser.add_argument("--api-key", default="sk-stability-test-not-real")
    args = parser.parse_args(argv)
    fake = FakeStability(args.api_key, host=args.host, port=args.port, delay_s=args.delay)
    asyncio.run(serve_until_signalled(fake, "fake Stability API"))


if __name__ == "__main__":
    main()
