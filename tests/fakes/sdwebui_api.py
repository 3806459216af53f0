"""A local, protocol-faithful fake of a self-hosted Stable Diffusion web UI's API (AUTOMATIC1111 1.10 / Forge).

It serves, on 127.0.0.1:
- `POST /sdapi/v1/txt2img` and `/sdapi/v1/img2img` → `{"images": [base64 PNG], "parameters": {...}, "info": "<JSON>"}`
  with `batch_size * n_iter` PNGs of `width` x `height` (each carrying the infotext in its `parameters` chunk, as
  the web UI's are);
- `GET /sdapi/v1/progress[?skip_current_image=true]`, the polling endpoint: while a generation runs, the elapsed
  fraction of `delay_s` (computed with the web UI's formula) and, from 20 %, a real preview PNG (a blurred quarter-size
  version of the final picture);
- `POST /sdapi/v1/interrupt` (ends the running generation now) and `GET /sdapi/v1/samplers`.

There is no published description: bodies are checked against the fields and types of the web UI's pydantic
models (`StableDiffusionTxt2ImgProcessingAPI` / `StableDiffusionImg2ImgProcessingAPI`, every field Optional). A wrong
type is answered 422 `{"detail": [{"loc", "msg", "type"}]}` in pydantic v1's words, like FastAPI; the fake is
stricter than pydantic v1's coercion (no "5" for an int, no 1 for a bool), so type slips in a client show up. A
field the models do not have is ignored, as the web UI does, but noted in `errors` (it is a client bug). Also 422:
`width`/`height` not multiples of 8 (the real UI would silently floor them to the latent grid). Other errors take the
web UI's exception-handler shape `{"error", "detail", "body", "errors"}` (400 unknown sampler, 404 img2img without
`init_images`, 500 undecodable image).

Like the web UI (one `queue_lock`), generations run one at a time; others wait (`serial = False` lifts this).
With `auth=("user", "pass")` (the web UI's `--api-auth user:pass`) every route needs HTTP Basic.

Standalone, for the benchmark: `python -m tests.fakes.sdwebui_api --port 8092 --delay 3 [--api-auth user:pass]`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from PIL import Image, ImageFilter
from PIL.PngImagePlugin import PngInfo

from tests.fakes.stability_api import (
    FakeImageServer,
    Recorded,
    blurred,
    encode,
    open_image,
    render,
    serve_until_signalled,
)

API = "/sdapi/v1"
TXT2IMG, IMG2IMG, PROGRESS = f"{API}/txt2img", f"{API}/img2img", f"{API}/progress"
INTERRUPT, SAMPLERS = f"{API}/interrupt", f"{API}/samplers"
VERSION = "v1.10.1"
PREVIEW_FROM = 0.2  # progress from which a live preview exists

# name -> (type, default), from modules/processing.py's dataclasses and modules/api/models.py's extra fields
COMMON_FIELDS: dict[str, tuple[str, Any]] = {
    "prompt": ("str", ""), "negative_prompt": ("str", ""), "styles": ("list[str]", None), "seed": ("int", -1),
    "subseed": ("int", -1), "subseed_strength": ("float", 0), "seed_resize_from_h": ("int", -1),
    "seed_resize_from_w": ("int", -1), "sampler_name": ("str", None), "scheduler": ("str", None),
    "batch_size": ("int", 1), "n_iter": ("int", 1), "steps": ("int", 50), "cfg_scale": ("float", 7.0),
    "distilled_cfg_scale": ("float", 3.5), "width": ("int", 512), "height": ("int", 512),
    "restore_faces": ("bool", None), "tiling": ("bool", None), "do_not_save_samples": ("bool", False),
    "do_not_save_grid": ("bool", False), "eta": ("float", None), "denoising_strength": ("float", 0.75),
    "s_min_uncond": ("float", None), "s_churn": ("float", None), "s_tmax": ("float", None),
    "s_tmin": ("float", None), "s_noise": ("float", None), "override_settings": ("dict", None),
    "override_settings_restore_afterwards": ("bool", True), "refiner_checkpoint": ("str", None),
    "refiner_switch_at": ("float", None), "disable_extra_networks": ("bool", False), "comments": ("dict", None),
    "sampler_index": ("str", "Euler"), "script_name": ("str", None), "script_args": ("list", []),
    "send_images": ("bool", True), "save_images": ("bool", False), "alwayson_scripts": ("dict", {}),
    "force_task_id": ("str", None), "infotext": ("str", None),
}
TXT2IMG_FIELDS: dict[str, tuple[str, Any]] = COMMON_FIELDS | {
    "enable_hr": ("bool", False), "firstphase_width": ("int", 0), "firstphase_height": ("int", 0),
    "hr_scale": ("float", 2.0), "hr_upscaler": ("str", None), "hr_second_pass_steps": ("int", 0),
    "hr_resize_x": ("int", 0), "hr_resize_y": ("int", 0), "hr_checkpoint_name": ("str", None),
    "hr_sampler_name": ("str", None), "hr_scheduler": ("str", None), "hr_prompt": ("str", ""),
    "hr_negative_prompt": ("str", ""), "hr_cfg": ("float", 1.0), "hr_distilled_cfg": ("float", 3.5),
    "hr_additional_modules": ("list", None), "firstpass_image": ("str", None),
}
IMG2IMG_FIELDS: dict[str, tuple[str, Any]] = COMMON_FIELDS | {
    "init_images": ("list[str]", None), "resize_mode": ("int", 0), "image_cfg_scale": ("float", None),
    "mask": ("str", None), "mask_blur_x": ("int", 4), "mask_blur_y": ("int", 4), "mask_blur": ("int", None),
    "mask_round": ("bool", True), "inpainting_fill": ("int", 0), "inpaint_full_res": ("bool", True),
    "inpaint_full_res_padding": ("int", 0), "inpainting_mask_invert": ("int", 0),
    "initial_noise_multiplier": ("float", None), "latent_mask": ("str", None), "include_init_images": ("bool", False),
}
SAMPLERS_1_10 = ("DPM++ 2M", "DPM++ SDE", "DPM++ 2M SDE", "DPM++ 2M SDE Heun", "DPM++ 2S a", "DPM++ 3M SDE",
                 "Euler a", "Euler", "LMS", "Heun", "DPM2", "DPM2 a", "DPM fast", "DPM adaptive", "Restart", "DDIM",
                 "DDIM CFG++", "PLMS", "UniPC", "LCM")
# pre-1.9 names carried the scheduler ("DPM++ 2M Karras"); the web UI still splits them
SCHEDULER_SUFFIXES = (" Karras", " Exponential", " Polyexponential", " SGM Uniform", " Uniform")

# pydantic v1's messages, by type
TYPE_ERRORS = {"int": ("value is not a valid integer", "type_error.integer"),
               "float": ("value is not a valid float", "type_error.float"),
               "str": ("str type expected", "type_error.str"),
               "bool": ("value could not be parsed to a boolean", "type_error.bool"),
               "list": ("value is not a valid list", "type_error.list"),
               "dict": ("value is not a valid dict", "type_error.dict")}
BOOL_WORDS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def _is(kind: str, value: Any) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, {"str": str, "bool": bool, "list": list, "dict": dict}[kind])


def validation_errors(body: dict[str, Any], fields: dict[str, tuple[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI/pydantic v1 `detail` items for the known fields of `body` (None is fine: every field is Optional)."""
    detail = []
    for name, (kind, _) in fields.items():  # in the model's field order, as pydantic reports them
        value = body.get(name)
        if value is None:
            continue
        outer = "list" if kind == "list[str]" else kind
        if not _is(outer, value):
            msg, kind_name = TYPE_ERRORS[outer]
            detail.append({"loc": ["body", name], "msg": msg, "type": kind_name})
        elif kind == "list[str]":
            detail += [{"loc": ["body", name, index], "msg": "str type expected", "type": "type_error.str"}
                       for index, item in enumerate(value) if not isinstance(item, str)]
        elif name in ("width", "height") and (value <= 0 or value % 8):
            detail.append({"loc": ["body", name], "msg": f"{name} must be a positive multiple of 8",
                           "type": "value_error"})
    return detail


def decode_image(encoding: str) -> tuple[bytes, Image.Image] | None:
    """The web UI's decode_base64_to_image: plain base64 or a `data:image/...;base64,` URL."""
    if encoding.startswith("data:image/"):
        encoding = encoding.split(";")[1].split(",")[1] if "," in encoding else ""
    try:
        data = base64.b64decode(encoding, validate=False)
    except (binascii.Error, ValueError):
        return None
    image = open_image(data)
    return None if image is None else (data, image)


def _http_error(status: int, detail: str, *, name: str = "HTTPException", headers: dict[str, str] | None = None,
                errors: str | None = None) -> web.Response:
    """The web UI's api_middleware handle_exception shape."""
    body = {"error": name, "detail": detail, "body": "", "errors": errors or f"{status}: {detail}"}
    return web.json_response(body, status=status, headers=headers)


@dataclass
class Job:
    """The web UI's shared.state for the running generation."""

    name: str  # "scripts_txt2img" / "scripts_img2img"
    duration: float
    steps: int
    n_iter: int
    images: list[Image.Image]
    started: float = field(default_factory=time.time)
    timestamp: str = field(default_factory=lambda: datetime.now().strftime("%Y%m%d%H%M%S"))
    interrupted: bool = False
    previews: dict[int, str] = field(default_factory=dict)  # by job_no

    def fraction(self) -> float:
        if self.duration <= 0:
            return 1.0
        return min(1.0, (time.time() - self.started) / self.duration)

    def position(self) -> tuple[int, int]:
        """(job_no, sampling_step) for the elapsed time."""
        done = self.fraction() * self.n_iter
        job_no = min(int(done), self.n_iter - 1)
        return job_no, min(self.steps, int((done - job_no) * self.steps))


class FakeSDWebUI(FakeImageServer):
    """txt2img / img2img / progress of the Stable Diffusion web UI."""

    def __init__(self, *, auth: tuple[str, str] | None = None, host: str = "127.0.0.1", port: int = 0,
                 delay_s: float = 0.0) -> None:
        super().__init__(host=host, port=port, delay_s=delay_s)
        self.auth = auth
        self.serial = True  # one generation at a time, like the web UI's queue_lock
        self.samplers: set[str] = set(SAMPLERS_1_10)
        self.model_name = "v1-5-pruned-emaonly"
        self.job: Job | None = None
        self._queue = asyncio.Lock()
        self._interrupt = asyncio.Event()

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._dispatch)

    def _error_body(self, status: int) -> dict[str, Any]:
        if status == 500:  # an uncaught exception in the pipeline, e.g. CUDA out of memory
            return {"error": "RuntimeError", "detail": "", "body": "", "errors": "fake failure injected by a test"}
        if status == 422:
            return {"detail": [{"loc": ["body"], "msg": "fake failure injected by a test", "type": "value_error"}]}
        return {"error": "HTTPException", "detail": f"fake failure {status}", "body": "",
                "errors": f"{status}: fake failure {status}"}

    def _routes(self) -> dict[tuple[str, str], Any]:
        return {("POST", TXT2IMG): self._txt2img, ("POST", IMG2IMG): self._img2img,
                ("GET", PROGRESS): self._progress, ("POST", INTERRUPT): self._interrupt_job,
                ("GET", SAMPLERS): self._samplers}

    async def _dispatch(self, request: web.Request) -> web.Response:
        handler = self._routes().get((request.method, request.path))
        if handler is None:
            self.errors.append(f"{request.method} {request.path}: not a route this fake serves")
            known = any(path == request.path for _, path in self._routes())
            return web.json_response({"detail": "Method Not Allowed" if known else "Not Found"},
                                     status=405 if known else 404)
        return await handler(request)

    def _unauthorized(self, request: web.Request) -> web.Response | None:
        """HTTPBasic's 401s when `auth` is set ("Not authenticated" without credentials)."""
        if self.auth is None:
            return None
        challenge = {"WWW-Authenticate": "Basic"}
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            user, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            colon = ""
        if scheme.lower() != "basic" or not colon:
            return _http_error(401, "Not authenticated", headers=challenge)
        if (user, password) != self.auth:
            return _http_error(401, "Incorrect username or password", headers=challenge)
        return None

    # -- generation
    async def _txt2img(self, request: web.Request) -> web.Response:
        return await self._generation(request, "txt2img", TXT2IMG_FIELDS)

    async def _img2img(self, request: web.Request) -> web.Response:
        return await self._generation(request, "img2img", IMG2IMG_FIELDS)

    async def _generation(self, request: web.Request, kind: str, fields: dict[str, tuple[str, Any]]) -> web.Response:
        with self._tracking():
            raw = await request.read()
            body, parse_error = _parse_body(raw)
            record = self._record(request, body if isinstance(body, dict) else {"_body": body}, {})
            response = await self._generation_answer(request, record, kind, fields, body, parse_error)
            record.status = response.status
            return response

    async def _generation_answer(self, request: web.Request, record: Recorded, kind: str,
                                 fields: dict[str, tuple[str, Any]], body: Any,
                                 parse_error: dict[str, Any] | None) -> web.Response:
        rejected = await self._rejected(request, fields, body, parse_error)
        if rejected is not None:
            return rejected
        params = {name: default for name, (_, default) in fields.items()} | {
            name: value for name, value in body.items() if name in fields and value is not None}
        init_images: list[Image.Image] = []
        if kind == "img2img":
            if not body.get("init_images"):
                return _http_error(404, "Init image not found")
            decoded = self._decode_uploads(record, body)
            if decoded is None:
                return _http_error(500, "Invalid encoded image")
            init_images = decoded
            if len(init_images) > max(1, params["batch_size"]):
                message = f"bad number of images passed: {len(init_images)}; expecting {params['batch_size']} or less"
                return _http_error(500, "", name="RuntimeError", errors=message)
        sampler = _split_scheduler(params["sampler_name"] or params["sampler_index"] or "Euler")
        if sampler not in self.samplers:
            return _http_error(400, "Sampler not found")
        async with self._queue if self.serial else contextlib.nullcontext():
            answer = await self._generate(kind, params, sampler, init_images)
        return web.json_response(answer)

    async def _rejected(self, request: web.Request, fields: dict[str, tuple[str, Any]], body: Any,
                        parse_error: dict[str, Any] | None) -> web.Response | None:
        """In FastAPI's order: the JSON parse, then dependencies (auth), then the model's validation."""
        where = f"POST {request.path}"
        if request.content_type != "application/json":
            self.errors.append(f"{where}: content type {request.content_type or 'missing'}, not application/json")
        if parse_error is not None:
            self.errors.append(f"{where}: {parse_error['msg']}")
            return web.json_response({"detail": [parse_error]}, status=422)
        injected = await self._injected(request.path)
        if injected is not None:
            return injected
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        unknown = [name for name in body if name not in fields]
        self.errors += [f"{where}: unknown field {name!r} (the web UI ignores it)" for name in unknown]
        detail = validation_errors(body, fields)
        if detail:
            self.errors += [f"{where}: {item['loc'][1:]} {item['msg']}" for item in detail]
            return web.json_response({"detail": detail}, status=422)
        return None

    @staticmethod
    def _decode_uploads(record: Recorded, body: dict[str, Any]) -> list[Image.Image] | None:
        """init_images (and a mask) decoded and recorded as files; None when one is not an image."""
        named = {f"init_images[{i}]": item for i, item in enumerate(body["init_images"])}
        if body.get("mask"):
            named["mask"] = body["mask"]
        decoded = {name: decode_image(item) for name, item in named.items()}
        if any(item is None for item in decoded.values()):
            return None
        record.files = {name: item[0] for name, item in decoded.items() if item is not None}
        return [item[1] for name, item in decoded.items() if item is not None and name != "mask"]

    async def _generate(self, kind: str, params: dict[str, Any], sampler: str,
                        init_images: list[Image.Image]) -> dict[str, Any]:
        seed = params["seed"] if params["seed"] not in (None, -1) else random.randrange(2**32)
        count = max(1, params["batch_size"]) * max(1, params["n_iter"])
        seeds = [seed + i for i in range(count)]
        info = self._info(params, sampler, seeds)
        pictures = await asyncio.to_thread(_pictures, params, seeds, init_images)
        self.job = Job(f"scripts_{kind}", self.delay_s, max(1, params["steps"]), max(1, params["n_iter"]), pictures)
        self._interrupt.clear()
        try:
            await self._wait_or_interrupt(self.delay_s)
        finally:
            self.job = None
        images = await asyncio.to_thread(_png_b64s, pictures, info["infotexts"]) if params["send_images"] else []
        echo = dict(params)
        if kind == "img2img" and not params["include_init_images"]:
            echo["init_images"], echo["mask"] = None, None
        return {"images": images, "parameters": echo, "info": json.dumps(info)}

    async def _wait_or_interrupt(self, seconds: float) -> None:
        waiters = [asyncio.create_task(self._interrupt.wait()), asyncio.create_task(self._sleep(seconds))]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _info(self, params: dict[str, Any], sampler: str, seeds: list[int]) -> dict[str, Any]:
        """What the web UI's Processed.js() returns (a JSON string in the answer)."""
        model = (params["override_settings"] or {}).get("sd_model_checkpoint") or self.model_name
        infotexts = [_infotext(params, sampler, seed, model) for seed in seeds]
        return {
            "prompt": params["prompt"], "all_prompts": [params["prompt"]] * len(seeds),
            "negative_prompt": params["negative_prompt"],
            "all_negative_prompts": [params["negative_prompt"]] * len(seeds),
            "seed": seeds[0], "all_seeds": seeds, "subseed": seeds[0] + 1, "all_subseeds": [s + 1 for s in seeds],
            "subseed_strength": params["subseed_strength"], "width": params["width"], "height": params["height"],
            "sampler_name": sampler, "cfg_scale": params["cfg_scale"], "steps": params["steps"],
            "batch_size": params["batch_size"], "restore_faces": bool(params["restore_faces"]),
            "face_restoration_model": None, "sd_model_name": model, "sd_model_hash": "6ce0161689",
            "sd_vae_name": None, "sd_vae_hash": None, "seed_resize_from_w": params["seed_resize_from_w"],
            "seed_resize_from_h": params["seed_resize_from_h"], "denoising_strength": params["denoising_strength"],
            "extra_generation_params": {"Schedule type": params["scheduler"] or "Automatic"},
            "index_of_first_image": 0, "infotexts": infotexts, "styles": params["styles"] or [],
            "job_timestamp": datetime.now().strftime("%Y%m%d%H%M%S"), "clip_skip": 1,
            "is_using_inpainting_conditioning": False, "version": VERSION,
        }

    # -- progress and friends
    async def _progress(self, request: web.Request) -> web.Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        raw = request.query.get("skip_current_image", "false").lower()
        if raw not in BOOL_WORDS:
            self.errors.append(f"GET {PROGRESS}: skip_current_image={raw!r} is not a boolean")
            msg, kind = TYPE_ERRORS["bool"]
            return web.json_response({"detail": [{"loc": ["query", "skip_current_image"], "msg": msg, "type": kind}]},
                                     status=422)
        job = self.job
        if job is None:
            return web.json_response({"progress": 0, "eta_relative": 0, "state": _idle_state(),
                                      "current_image": None, "textinfo": None})
        return web.json_response(await self._progress_body(job, skip_image=BOOL_WORDS[raw]))

    async def _progress_body(self, job: Job, *, skip_image: bool) -> dict[str, Any]:
        job_no, step = job.position()
        progress = 0.01 + job_no / job.n_iter + step / job.steps / job.n_iter  # the web UI's progressapi formula
        since = time.time() - job.started
        state = {"skipped": False, "interrupted": job.interrupted, "stopping_generation": False, "job": job.name,
                 "job_count": job.n_iter, "job_timestamp": job.timestamp, "job_no": job_no, "sampling_step": step,
                 "sampling_steps": job.steps}
        current = None
        if progress >= PREVIEW_FROM and not skip_image:
            if job_no not in job.previews:
                picture = job.images[min(len(job.images) - 1, job_no * (len(job.images) // job.n_iter))]
                job.previews[job_no] = await asyncio.to_thread(_preview_b64, picture)
            current = job.previews[job_no]
        return {"progress": min(progress, 1.0), "eta_relative": since / progress - since, "state": state,
                "current_image": current, "textinfo": None}

    async def _interrupt_job(self, request: web.Request) -> web.Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        if self.job is not None:
            self.job.interrupted = True
            self._interrupt.set()
        return web.json_response({})

    async def _samplers(self, request: web.Request) -> web.Response:
        denied = self._unauthorized(request)
        return denied or web.json_response([{"name": name, "aliases": [], "options": {}}
                                            for name in sorted(self.samplers)])


def _parse_body(raw: bytes) -> tuple[Any, dict[str, Any] | None]:
    """(body, None) or (None, a FastAPI 422 detail item)."""
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return None, {"loc": ["body", getattr(error, "pos", 0)], "msg": str(error), "type": "value_error.jsondecode"}
    if not isinstance(body, dict):
        return body, {"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}
    return body, None


def _split_scheduler(sampler: str) -> str:
    for suffix in SCHEDULER_SUFFIXES:
        if sampler.endswith(suffix):
            return sampler.removesuffix(suffix)
    return sampler


def _idle_state() -> dict[str, Any]:
    return {"skipped": False, "interrupted": False, "stopping_generation": False, "job": "", "job_count": 0,
            "job_timestamp": "0", "job_no": 0, "sampling_step": 0, "sampling_steps": 0}


def _infotext(params: dict[str, Any], sampler: str, seed: int, model: str) -> str:
    lines = [params["prompt"]]
    if params["negative_prompt"]:
        lines.append(f"Negative prompt: {params['negative_prompt']}")
    lines.append(f"Steps: {params['steps']}, Sampler: {sampler}, Schedule type: {params['scheduler'] or 'Automatic'}, "
                 f"CFG scale: {params['cfg_scale']}, Seed: {seed}, Size: {params['width']}x{params['height']}, "
                 f"Model hash: 6ce0161689, Model: {model}, Version: {VERSION}")
    return "\n".join(lines)


def _pictures(params: dict[str, Any], seeds: list[int], init_images: list[Image.Image]) -> list[Image.Image]:
    size = (params["width"], params["height"])
    pictures = []
    for index, seed in enumerate(seeds):
        picture = render(*size, f"sdwebui|{params['prompt']}|{params['negative_prompt']}|{seed}")
        if init_images:  # denoising_strength 0 keeps the input, 1 ignores it
            base = init_images[index % len(init_images)].convert("RGB").resize(size, Image.Resampling.BILINEAR)
            picture = Image.blend(base, picture, max(0.0, min(1.0, float(params["denoising_strength"]))))
        pictures.append(picture)
    return pictures


def _png_b64s(pictures: list[Image.Image], infotexts: list[str]) -> list[str]:
    encoded = []
    for picture, text in zip(pictures, infotexts, strict=True):
        info = PngInfo()
        info.add_text("parameters", text)
        encoded.append(base64.b64encode(encode(picture, "png", pnginfo=info)).decode())
    return encoded


def _preview_b64(picture: Image.Image) -> str:
    """A quarter-size, blurred look at the final picture, like a mid-sampling live preview."""
    small = picture.resize((max(8, picture.width // 4), max(8, picture.height // 4)), Image.Resampling.BILINEAR)
    return base64.b64encode(encode(blurred(small, 8).filter(ImageFilter.SMOOTH), "png")).decode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake of the Stable Diffusion web UI's API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092, help="0: any free port")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each generation takes")
    parser.add_argument("--api-auth", default=None, help="user:pass, as the web UI's --api-auth")
    args = parser.parse_args(argv)
    auth = tuple(args.api_auth.split(":", 1)) if args.api_auth else None
    fake = FakeSDWebUI(auth=auth, host=args.host, port=args.port, delay_s=args.delay)  # type: ignore[arg-type]
    asyncio.run(serve_until_signalled(fake, "fake SD web UI"))


if __name__ == "__main__":
    main()
