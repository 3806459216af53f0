"""The Stability and Stable Diffusion web UI fakes, driven with plain aiohttp the way a client would."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from tests.fakes.sdwebui_api import IMG2IMG, INTERRUPT, PROGRESS, TXT2IMG, FakeSDWebUI
from tests.fakes.stability_api import CORE, MAX_SEED, REMOVE_BACKGROUND, SD3, ULTRA, FakeStability

ROOT = Path(__file__).resolve().parents[2]
BEARER = {"authorization": "Bearer sk-stability-test-not-real"}
RAW = BEARER | {"accept": "image/*"}
AS_JSON = BEARER | {"accept": "application/json"}


def form(files: dict[str, bytes] | None = None, **fields: Any) -> aiohttp.FormData:
    """multipart/form-data even without a file (aiohttp would otherwise send x-www-form-urlencoded)."""
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        data.add_field(name, str(value))
    for name, content in (files or {}).items():
        data.add_field(name, content, filename=f"{name}.png", content_type="image/png")
    return data


def png(width: int, height: int, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def sharpness(image: Image.Image) -> float:
    """How much a slight blur changes the picture: ~0 for one that is blurred already."""
    grey = image.convert("L")
    return ImageStat.Stat(ImageChops.difference(grey, grey.filter(ImageFilter.GaussianBlur(3)))).mean[0]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def stability() -> AsyncIterator[FakeStability]:
    async with FakeStability() as fake:
        yield fake


@pytest.fixture
async def sdwebui() -> AsyncIterator[FakeSDWebUI]:
    async with FakeSDWebUI() as fake:
        yield fake


# ------------------------------------------------------------------------------------------------ Stability
async def test_core_answers_raw_image_sized_by_aspect_ratio(stability: FakeStability,
                                                            session: aiohttp.ClientSession) -> None:
    fields = {"prompt": "a lighthouse at dusk", "negative_prompt": "text", "aspect_ratio": "16:9", "seed": 42,
              "style_preset": "cinematic"}
    async with session.post(stability.base_url + CORE, data=form(**fields), headers=RAW) as response:
        assert response.status == 200, await response.text()
        assert response.headers["content-type"] == "image/png"
        assert (response.headers["finish-reason"], response.headers["seed"]) == ("SUCCESS", "42")
        first = await response.read()
    image = picture(first)
    assert (image.format, image.size) == ("PNG", (1344, 768))
    assert stability.calls_to(CORE)[0].fields == fields  # seed decoded to an int, as the schema types it
    async with session.post(stability.base_url + CORE, data=form(**fields), headers=RAW) as response:
        assert await response.read() == first  # deterministic in the parameters
    async with session.post(stability.base_url + CORE, data=form(**fields | {"seed": 43}), headers=RAW) as response:
        assert await response.read() != first
    assert stability.errors == [] and stability.warnings == []


async def test_json_answers_match_the_spec(stability: FakeStability, session: aiohttp.ClientSession) -> None:
    fields = {"prompt": "a fox", "model": "sd3.5-large-turbo", "output_format": "jpeg", "cfg_scale": 1.5}
    async with session.post(stability.base_url + SD3, data=form(**fields), headers=AS_JSON) as response:
        assert response.status == 200, await response.text()
        content_type = response.headers["content-type"]
        assert content_type == "application/json; type=image/jpeg"
        assert "finish-reason" not in response.headers and "seed" not in response.headers  # in the body instead
        body = await response.json()
    assert stability.spec.check_response(SD3, 200, content_type, body) == []
    assert body["finish_reason"] == "SUCCESS" and 1 <= body["seed"] <= MAX_SEED  # no seed given: a random one
    image = picture(base64.b64decode(body["image"]))
    assert (image.format, image.size) == ("JPEG", (1024, 1024))
    assert stability.calls_to(SD3)[0].fields["model"] == "sd3.5-large-turbo"
    assert stability.errors == []


async def test_ultra_is_larger_and_image_to_image_keeps_the_input_ratio(stability: FakeStability,
                                                                        session: aiohttp.ClientSession) -> None:
    data = form(prompt="a city", aspect_ratio="16:9", output_format="webp")
    async with session.post(stability.base_url + ULTRA, data=data, headers=RAW) as response:
        assert response.headers["content-type"] == "image/webp"
        image = picture(await response.read())
    assert (image.format, image.size) == ("WEBP", (1824, 1024))

    upload = png(600, 400)
    data = form({"image": upload}, prompt="the same, at night", mode="image-to-image", strength=0.6)
    async with session.post(stability.base_url + SD3, data=data, headers=RAW) as response:
        assert response.status == 200, await response.text()
        width, height = picture(await response.read()).size
    assert abs(width / height - 1.5) < 0.05 and width * height > 900_000
    assert stability.calls_to(SD3)[0].files == {"image": upload}
    assert stability.calls_to(SD3)[0].fields["strength"] == 0.6

    data = form({"image": upload}, prompt="no strength", mode="image-to-image")
    async with session.post(stability.base_url + SD3, data=data, headers=RAW) as response:
        assert response.status == 400
    assert any("strength: is required for image-to-image" in error for error in stability.errors)


async def test_a_filtered_word_gives_a_blurred_content_filtered_image(stability: FakeStability,
                                                                      session: aiohttp.ClientSession) -> None:
    stability.filtered_words = {"forbidden"}
    results = {}
    for prompt in ("a Forbidden scene", "a harmless scene"):
        async with session.post(stability.base_url + CORE, data=form(prompt=prompt, seed=7), headers=RAW) as response:
            assert response.status == 200
            results[prompt] = (response.headers["finish-reason"], picture(await response.read()))
    assert results["a Forbidden scene"][0] == "CONTENT_FILTERED" and results["a harmless scene"][0] == "SUCCESS"
    assert sharpness(results["a Forbidden scene"][1]) < sharpness(results["a harmless scene"][1]) / 4
    assert stability.errors == []


async def test_a_wrong_or_missing_key_is_401(stability: FakeStability, session: aiohttp.ClientSession) -> None:
    wrong = {"authorization": "Bearer sk-nope", "accept": "image/*"}
    async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=wrong) as response:
        assert response.status == 401
        body = await response.json()
    assert body["name"] == "unauthorized" and re.fullmatch(r"[0-9a-f]{32}", body["id"]) and body["errors"]
    assert stability.errors == []  # a wrong key is not a protocol error
    keyless = {"accept": "image/*"}
    async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=keyless) as response:
        assert response.status == 401
    assert stability.errors == [f"POST {CORE}: authorization: is required (header)"]


async def test_spec_violations_are_400_and_land_in_errors(stability: FakeStability,
                                                          session: aiohttp.ClientSession) -> None:
    # no accept header: aiohttp sends "*/*", which the spec's enum does not allow
    data = form(aspect_ratio="7:3", seed="abc", style_preset="watercolor")
    async with session.post(stability.base_url + CORE, data=data, headers=BEARER) as response:
        assert response.status == 400
        body = await response.json()
    assert stability.spec.check_response(CORE, 400, "application/json", body) == []
    assert body["name"] == "bad_request"
    for expected in ("prompt: is required", "accept header: '*/*'", "aspect_ratio: '7:3'", "seed: 'abc'",
                     "style_preset: 'watercolor'"):
        assert any(expected in error for error in body["errors"]), expected
        assert any(expected in error for error in stability.errors), expected

    stability.errors.clear()
    async with session.post(stability.base_url + CORE, data={"prompt": "urlencoded"}, headers=RAW) as response:
        assert response.status == 400
    assert stability.errors == [f"POST {CORE}: content-type: must be multipart/form-data, "
                                "not application/x-www-form-urlencoded"]

    stability.errors.clear()  # a field the schema does not name is ignored, as Stability does
    async with session.post(stability.base_url + CORE, data=form(prompt="x", none=""), headers=RAW) as response:
        assert response.status == 200
    assert stability.errors == [] and stability.warnings == [f"POST {CORE}: field 'none' is not in the spec (ignored)"]


async def test_scripted_failures_and_hangs(stability: FakeStability, session: aiohttp.ClientSession) -> None:
    stability.fail_next(CORE, 429, headers={"retry-after": "2"}, times=2)
    for _ in range(2):
        async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=RAW) as response:
            assert (response.status, response.headers["retry-after"]) == (429, "2")
            body = await response.json()
            assert body["name"] == "rate_limit_exceeded"
            assert stability.spec.check_response(CORE, 429, "application/json", body) == []
    async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=RAW) as response:
        assert response.status == 200

    for status, name in ((500, "internal_error"), (403, "content_moderation")):
        stability.fail_next(CORE, status)
        async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=RAW) as response:
            body = await response.json()
        assert (response.status, body["name"]) == (status, name)
        assert stability.spec.check_response(CORE, status, "application/json", body) == []

    stability.hang_next(CORE, 30)
    with pytest.raises(TimeoutError):
        async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=RAW,
                                timeout=aiohttp.ClientTimeout(total=0.2)):
            pass
    async with session.post(stability.base_url + CORE, data=form(prompt="x"), headers=RAW) as response:
        assert response.status == 200
    started = time.monotonic()
    await stability.stop()  # the hung request does not hold the shutdown
    assert time.monotonic() - started < 1.5
    assert [call.status for call in stability.calls] == [429, 429, 200, 500, 403, None, 200]


async def test_remove_background_answers_a_transparent_cutout(stability: FakeStability,
                                                              session: aiohttp.ClientSession) -> None:
    data = form({"image": png(640, 480)})
    async with session.post(stability.base_url + REMOVE_BACKGROUND, data=data, headers=RAW) as response:
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        cutout = picture(await response.read())
    assert (cutout.mode, cutout.size) == ("RGBA", (640, 480))
    alpha = cutout.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((320, 240)) == 255
    opaque = sum(alpha.histogram()[128:]) / (640 * 480)
    assert 0.4 < opaque < 0.6
    assert cutout.getpixel((320, 240))[:3] == (200, 40, 40)  # the subject keeps its pixels

    data = form({"image": png(300, 200)}, output_format="webp")
    async with session.post(stability.base_url + REMOVE_BACKGROUND, data=data, headers=AS_JSON) as response:
        body = await response.json()
    webp = picture(base64.b64decode(body["image"]))
    assert (webp.format, webp.mode, webp.size) == ("WEBP", "RGBA", (300, 200))
    assert stability.errors == []

    for upload, expected in ((b"not an image", "image: must be a jpeg, png or webp image"),
                             (png(2049, 2049), "image: total pixel count must be between")):
        async with session.post(stability.base_url + REMOVE_BACKGROUND, data=form({"image": upload}),
                                headers=RAW) as response:
            assert response.status == 400
            assert expected in (await response.json())["errors"][0]
    assert len(stability.errors) == 2


async def test_generations_run_concurrently_for_delay_s(session: aiohttp.ClientSession) -> None:
    async with FakeStability(delay_s=0.3) as fake:
        started = time.monotonic()

        async def one(index: int) -> int:
            async with session.post(fake.base_url + CORE, data=form(prompt=f"picture {index}"), headers=RAW) as answer:
                await answer.read()
                return answer.status

        assert await asyncio.gather(*(one(index) for index in range(4))) == [200] * 4
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 0.9
        assert (fake.max_in_flight, fake.in_flight) == (4, 0)


# ------------------------------------------------------------------------------------------------ SD web UI
async def test_txt2img_answers_pngs_parameters_and_info(sdwebui: FakeSDWebUI, session: aiohttp.ClientSession) -> None:
    request = {"prompt": "a red fox, 4k", "negative_prompt": "blurry", "seed": 1234, "width": 640, "height": 384,
               "steps": 20, "cfg_scale": 6.5, "sampler_name": "DPM++ 2M", "batch_size": 2,
               "override_settings": {"sd_model_checkpoint": "sdxl-base"}, "send_images": True, "save_images": False}
    async with session.post(sdwebui.base_url + TXT2IMG, json=request) as response:
        assert response.status == 200, await response.text()
        body = await response.json()
    images = [picture(base64.b64decode(item)) for item in body["images"]]
    assert [(image.format, image.size) for image in images] == [("PNG", (640, 384))] * 2
    assert "Seed: 1234" in images[0].info["parameters"] and "Seed: 1235" in images[1].info["parameters"]
    info = json.loads(body["info"])
    assert (info["seed"], info["all_seeds"], info["width"], info["height"]) == (1234, [1234, 1235], 640, 384)
    assert (info["sampler_name"], info["sd_model_name"]) == ("DPM++ 2M", "sdxl-base")
    assert body["parameters"]["prompt"] == request["prompt"] and body["parameters"]["n_iter"] == 1  # defaults too
    assert sdwebui.calls_to(TXT2IMG)[0].fields == request
    assert sdwebui.errors == []


async def test_progress_follows_a_running_generation(session: aiohttp.ClientSession) -> None:
    async with FakeSDWebUI(delay_s=0.6) as fake:
        async def progress(skip: bool = False) -> dict[str, Any]:
            query = {"skip_current_image": "true" if skip else "false"}
            async with session.get(fake.base_url + PROGRESS, params=query) as response:
                assert response.status == 200
                return await response.json()

        idle = await progress()
        assert (idle["progress"], idle["current_image"], idle["state"]["job_count"]) == (0, None, 0)
        request = {"prompt": "a lake", "width": 640, "height": 384, "steps": 20}
        generation = asyncio.create_task(session.post(fake.base_url + TXT2IMG, json=request))
        while (running := await progress())["progress"] < 0.3:
            await asyncio.sleep(0.05)
        assert running["progress"] < 1 and running["eta_relative"] > 0
        state = running["state"]
        assert (state["job"], state["job_count"], state["sampling_steps"]) == ("scripts_txt2img", 1, 20)
        assert 0 < state["sampling_step"] < 20
        preview = picture(base64.b64decode(running["current_image"]))
        assert (preview.format, preview.size) == ("PNG", (160, 96))
        assert (await progress(skip=True))["current_image"] is None
        response = await generation
        assert response.status == 200
        response.release()
        assert (await progress())["progress"] == 0
        assert fake.errors == []


async def test_img2img_decodes_init_images(sdwebui: FakeSDWebUI, session: aiohttp.ClientSession) -> None:
    upload = png(320, 256, (10, 200, 10))
    request = {"prompt": "greener", "init_images": ["data:image/png;base64," + base64.b64encode(upload).decode()],
               "denoising_strength": 0.4, "width": 512, "height": 512}
    async with session.post(sdwebui.base_url + IMG2IMG, json=request) as response:
        assert response.status == 200, await response.text()
        body = await response.json()
    assert picture(base64.b64decode(body["images"][0])).size == (512, 512)
    assert body["parameters"]["init_images"] is None  # not echoed unless include_init_images
    assert sdwebui.calls_to(IMG2IMG)[0].files == {"init_images[0]": upload}

    for changes, status, detail in (({"init_images": None}, 404, "Init image not found"),
                                    ({"init_images": ["bm90IGFuIGltYWdl"]}, 500, "Invalid encoded image")):
        async with session.post(sdwebui.base_url + IMG2IMG, json=request | changes) as response:
            assert response.status == status
            assert (await response.json())["detail"] == detail
    assert sdwebui.errors == []


async def test_wrong_types_are_422_and_unknown_fields_errors(sdwebui: FakeSDWebUI,
                                                             session: aiohttp.ClientSession) -> None:
    request = {"prompt": "x", "seed": "7", "width": 500, "steps": 1.5, "promt": "typo"}
    async with session.post(sdwebui.base_url + TXT2IMG, json=request) as response:
        assert response.status == 422
        detail = (await response.json())["detail"]
    assert [item["loc"] for item in detail] == [["body", "seed"], ["body", "steps"], ["body", "width"]]
    assert detail[0] == {"loc": ["body", "seed"], "msg": "value is not a valid integer", "type": "type_error.integer"}
    assert f"POST {TXT2IMG}: unknown field 'promt' (the web UI ignores it)" in sdwebui.errors

    sdwebui.errors.clear()
    async with session.post(sdwebui.base_url + TXT2IMG, json={"prompt": "x", "sampler_name": "Nope"}) as response:
        assert response.status == 400
        assert await response.json() == {"error": "HTTPException", "detail": "Sampler not found", "body": "",
                                          "errors": "400: Sampler not found"}
    async with session.post(sdwebui.base_url + TXT2IMG,
                            json={"prompt": "x", "sampler_name": "DPM++ 2M Karras", "width": 64, "height": 64,
                                  "steps": 4}) as response:
        assert response.status == 200  # the pre-1.9 name with its scheduler still works
    assert sdwebui.errors == []


async def test_api_auth_needs_http_basic(session: aiohttp.ClientSession) -> None:
    async with FakeSDWebUI(auth=("user", "pass")) as fake:
        request = {"prompt": "x", "width": 64, "height": 64}
        async with session.post(fake.base_url + TXT2IMG, json=request) as response:
            assert (response.status, response.headers["www-authenticate"]) == (401, "Basic")
            assert (await response.json())["detail"] == "Not authenticated"
        wrong = {"Authorization": aiohttp.encode_basic_auth("user", "wrong")}
        async with session.get(fake.base_url + PROGRESS, headers=wrong) as response:
            assert response.status == 401
            assert (await response.json())["detail"] == "Incorrect username or password"
        right = {"Authorization": aiohttp.encode_basic_auth("user", "pass")}
        async with session.post(fake.base_url + TXT2IMG, json=request, headers=right) as ok:
            assert ok.status == 200


async def test_sdwebui_failures_hangs_and_interrupt(sdwebui: FakeSDWebUI, session: aiohttp.ClientSession) -> None:
    request = {"prompt": "x", "width": 64, "height": 64}
    sdwebui.fail_next(TXT2IMG, 500)
    async with session.post(sdwebui.base_url + TXT2IMG, json=request) as response:
        assert response.status == 500
        body = await response.json()
    assert body["error"] == "RuntimeError" and set(body) == {"error", "detail", "body", "errors"}

    sdwebui.hang_next(TXT2IMG, 30)
    with pytest.raises(TimeoutError):
        async with session.post(sdwebui.base_url + TXT2IMG, json=request, timeout=aiohttp.ClientTimeout(total=0.2)):
            pass

    sdwebui.delay_s = 30
    started = time.monotonic()
    generation = asyncio.create_task(session.post(sdwebui.base_url + TXT2IMG, json=request))
    while sdwebui.job is None:
        await asyncio.sleep(0.01)
    async with session.post(sdwebui.base_url + INTERRUPT) as response:
        assert response.status == 200
    response = await generation
    assert response.status == 200 and len((await response.json())["images"]) == 1
    assert time.monotonic() - started < 2


async def test_sdwebui_runs_one_generation_at_a_time(session: aiohttp.ClientSession) -> None:
    async with FakeSDWebUI(delay_s=0.2) as fake:
        started = time.monotonic()

        async def one() -> int:
            async with session.post(fake.base_url + TXT2IMG, json={"prompt": "x", "width": 64, "height": 64}) as answer:
                return answer.status

        assert await asyncio.gather(one(), one()) == [200, 200]
        assert time.monotonic() - started >= 0.4  # queued behind each other, as behind the web UI's queue_lock
        assert fake.max_in_flight == 2


# ------------------------------------------------------------------------------------------------ standalone
async def _standalone(module: str, *extra: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, "--port", "0", "--delay", "0", *extra, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()  # type: ignore[union-attr]
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert found, line
    return process, found.group(0)


async def test_both_fakes_run_standalone(session: aiohttp.ClientSession) -> None:
    (stability, stability_url), (sdwebui, sdwebui_url) = await asyncio.gather(
        _standalone("tests.fakes.stability_api"), _standalone("tests.fakes.sdwebui_api", "--api-auth", "u:p"))
    try:
        async with session.post(stability_url + CORE, data=form(prompt="x"), headers=RAW) as response:
            assert response.status == 200
        async with session.get(sdwebui_url + PROGRESS) as response:
            assert response.status == 401
        async with session.get(stability_url + "/_fake/stats") as response:
            assert await response.json() == {"calls": 1, "in_flight": 0, "max_in_flight": 1, "errors": []}
    finally:
        for process in (stability, sdwebui):
            process.terminate()
        assert await asyncio.gather(stability.wait(), sdwebui.wait()) == [0, 0]
