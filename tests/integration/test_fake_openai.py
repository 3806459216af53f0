"""The OpenAI fake, driven by the real `openai` client: what it answers must be what the client can read, and what
the client sends must pass the fake's checks against OpenAI's OpenAPI description."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import httpx
import openai
import pytest
from PIL import Image
from pydantic import BaseModel

from tests.fakes.openai_api import FakeOpenAI, encode_image, render, shared_validator
from tests.specs.trim_openapi import trim

ROOT = Path(__file__).resolve().parents[2]
SHARED_SPEC = Path("/work/shared/specs/openai-openapi.json")
TRIMMED_PATHS = ["/images/generations", "/images/edits", "/chat/completions", "/moderations"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    api = openai.AsyncOpenAI(base_url=fake.base_url, api_key=fake.api_key, max_retries=0)
    yield api
    await api.close()


def picture(b64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


def png_bytes(size: tuple[int, int] = (64, 48), fmt: str = "png") -> bytes:
    return encode_image(render("upload", *size), fmt)


def schema_errors(component: str, payload: Any) -> list[str]:
    return shared_validator().errors(f"#/components/schemas/{component}", payload, component)


# ----------------------------------------------------------------------------------------- images
async def test_gpt_image_generation_is_a_png_of_the_asked_size(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    raw = await client.images.with_raw_response.generate(model="gpt-image-1", prompt="a fox in the snow",
                                                         size="1024x1536", quality="low")
    result = raw.parse()
    image = picture(result.data[0].b64_json)
    assert (image.format, image.size, image.mode) == ("PNG", (1024, 1536), "RGB")
    assert (result.size, result.quality, result.output_format, result.background) == (
        "1024x1536", "low", "png", "opaque")
    assert result.usage is not None and result.usage.output_tokens > 0
    assert schema_errors("ImagesResponse", raw.http_response.json()) == []
    call = fake.calls_to("/images/generations")[0]
    assert (call.model, call.size, call.quality, call.status) == ("gpt-image-1", "1024x1536", "low", 200)
    assert call.headers["Authorization"] == f"Bearer {fake.api_key}"
    assert fake.errors == []


async def test_sizes_follow_the_model(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    custom = await client.images.generate(model="gpt-image-2", prompt="wide", size="1536x864")
    auto = await client.images.generate(model="gpt-image-1-mini", prompt="auto", size="auto")
    assert picture(custom.data[0].b64_json).size == (1536, 864)
    assert picture(auto.data[0].b64_json).size == (1536, 1024)
    for model, size in (("gpt-image-1", "1536x864"), ("gpt-image-2", "1500x1000"), ("dall-e-3", "1536x1024")):
        with pytest.raises(openai.BadRequestError) as refused:
            await client.images.generate(model=model, prompt="x", size=size)
        assert (refused.value.code, refused.value.param) == ("invalid_value", "size")
    assert len(fake.errors) == 3 and all("size" in error for error in fake.errors)


async def test_prompts_give_different_pictures_quickly() -> None:
    started = time.perf_counter()
    first, second = (encode_image(render(prompt, 1536, 1024)) for prompt in ("a cat", "a dog"))
    assert first != second
    fastest = min(_timed(lambda: encode_image(render("timing", 1536, 1024))) for _ in range(5))
    assert fastest < 0.05, f"rendering a 1536x1024 PNG took {fastest * 1000:.0f} ms"
    assert time.perf_counter() - started < 2


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


async def test_dall_e_answers_urls_served_by_the_fake(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    result = await client.images.generate(model="dall-e-3", prompt="a lighthouse")
    assert result.data[0].revised_prompt and result.data[0].b64_json is None
    async with httpx.AsyncClient() as http:
        download = await http.get(result.data[0].url)
    assert download.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(download.content)).size == (1024, 1024)
    encoded = await client.images.generate(model="dall-e-2", prompt="x", size="256x256", response_format="b64_json")
    assert picture(encoded.data[0].b64_json).size == (256, 256)
    assert fake.errors == []


async def test_huge_and_slow_downloads(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    url = (await client.images.generate(model="dall-e-3", prompt="x")).data[0].url
    fake.url_size_override, fake.url_delay_s = 30 * 1024 * 1024, 0.3
    received, started = 0, time.perf_counter()
    async with httpx.AsyncClient() as http, http.stream("GET", url) as response:
        assert int(response.headers["content-length"]) == 30 * 1024 * 1024
        async for chunk in response.aiter_bytes():
            assert received or chunk.startswith(b"\x89PNG")
            received += len(chunk)
            if received > 2 * 1024 * 1024:  # a reader with a 2 MB cap stops here
                break
    assert received < 30 * 1024 * 1024
    fake.url_size_override = None
    async with httpx.AsyncClient() as http:
        await http.get(url)
    assert time.perf_counter() - started >= 0.3


async def test_gpt_image_models_refuse_response_format(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        await client.images.generate(model="gpt-image-1.5", prompt="x", response_format="b64_json")
    assert refused.value.code == "unknown_parameter"
    assert fake.errors and "response_format" in fake.errors[0]


async def test_streamed_generation(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.delay_s = 0.3
    started = time.perf_counter()
    stream = await client.images.generate(model="gpt-image-1", prompt="a boat", size="1024x1024", stream=True,
                                          partial_images=2, quality="medium")
    events = [(time.perf_counter() - started, event) async for event in stream]
    kinds = [event.type for _, event in events]
    assert kinds == ["image_generation.partial_image"] * 2 + ["image_generation.completed"]
    assert [event.partial_image_index for _, event in events[:2]] == [0, 1]
    assert events[0][0] > 0.05 and events[-1][0] >= 0.3  # spread across delay_s
    previews = [picture(event.b64_json) for _, event in events]
    assert {image.size for image in previews} == {(1024, 1024)}
    assert previews[0].tobytes() != previews[-1].tobytes()
    for _, event in events:
        assert schema_errors("ImageGenStreamEvent", event.model_dump(exclude_none=True)) == []
    assert events[-1][1].usage.total_tokens > 0
    assert fake.errors == [] and fake.in_flight == 0


async def test_edits_take_an_array_of_images(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    images = [("a.png", png_bytes(), "image/png"), ("b.jpg", png_bytes(fmt="jpeg"), "image/jpeg")]
    result = await client.images.edit(model="gpt-image-1", image=images, prompt="make it blue", n=2,
                                      input_fidelity="high", size="1536x1024")
    assert [picture(item.b64_json).size for item in result.data] == [(1536, 1024)] * 2
    call = fake.calls_to("/v1/images/edits")[0]
    assert [upload[:3] for upload in call.uploads] == [("image[]", "a.png", "image/png"),
                                                       ("image[]", "b.jpg", "image/jpeg")]
    assert call.body["image"] == [images[0][1], images[1][1]] and call.body["n"] == 2
    assert list(call.files) == ["image[0]", "image[1]"]
    stream = await client.images.edit(model="gpt-image-1", image=images[0], prompt="x", stream=True, partial_images=1)
    assert [event.type async for event in stream] == ["image_edit.partial_image", "image_edit.completed"]
    assert fake.calls[-1].body["stream"] is True and fake.errors == []


async def test_edits_check_the_uploads(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as untyped:  # raw bytes go up as application/octet-stream
        await client.images.edit(model="gpt-image-1", image=png_bytes(), prompt="x")
    assert untyped.value.code == "unsupported_file_mimetype"
    with pytest.raises(openai.BadRequestError) as garbage:
        await client.images.edit(model="gpt-image-1", image=("a.png", b"not a picture", "image/png"), prompt="x")
    assert garbage.value.code == "invalid_image_file"
    assert len(fake.errors) == 2


# ----------------------------------------------------------------------------------------- chat
class Idea(BaseModel):
    title: str
    mood: Literal["bold", "calm"]
    tags: list[str]
    count: int
    score: float | None


async def test_chat_structured_output_by_default(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "an idea"}])
    assert schema_errors("CreateChatCompletionResponse", raw.http_response.json()) == []
    parsed = await client.chat.completions.parse(model="gpt-4o-mini", response_format=Idea,
                                                 messages=[{"role": "user", "content": "an idea"}])
    idea = parsed.choices[0].message.parsed
    assert idea is not None and idea.mood == "bold" and len(idea.tags) == 1 and idea.count == 1
    assert fake.calls[-1].body["response_format"]["type"] == "json_schema"
    assert fake.errors == []


async def test_chat_handler_decides_the_reply(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    messages: list[Any] = [{"role": "user", "content": "hi"}]
    fake.chat_handler = lambda body: {"title": "Custom", "mood": "calm", "tags": [], "count": 3, "score": None}
    parsed = await client.chat.completions.parse(model="gpt-4o-mini", response_format=Idea, messages=messages)
    assert parsed.choices[0].message.parsed == Idea(title="Custom", mood="calm", tags=[], count=3, score=None)
    fake.chat_handler = lambda body: "not json at all"
    plain = await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert plain.choices[0].message.content == "not json at all"
    with pytest.raises(ValueError):  # pydantic's ValidationError: what a bot must survive
        await client.chat.completions.parse(model="gpt-4o-mini", response_format=Idea, messages=messages)
    assert fake.errors == []


# ----------------------------------------------------------------------------------------- moderations
async def test_moderations(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    raw = await client.moderations.with_raw_response.create(input=["I will kill it", "a sunny day"])
    assert schema_errors("CreateModerationResponse", raw.http_response.json()) == []
    assert [result.flagged for result in raw.parse().results] == [True, False]
    assert raw.parse().results[0].categories.violence is True
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    multimodal: list[Any] = [{"type": "text", "text": "my thumbnail"},
                             {"type": "image_url", "image_url": {"url": data_url}}]
    calm = await client.moderations.create(model="omni-moderation-latest", input=multimodal)
    assert len(calm.results) == 1 and not calm.results[0].flagged
    assert calm.results[0].category_applied_input_types.violence == ["text", "image"]
    fake.flag_images = True
    flagged = await client.moderations.create(input=multimodal)
    assert flagged.results[0].flagged and flagged.results[0].category_scores.violence > 0.5
    assert fake.errors == []


# ----------------------------------------------------------------------------------------- protocol
async def test_wrong_key_is_refused_without_echoing_it(fake: FakeOpenAI) -> None:
    wrong = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
    async with openai.AsyncOpenAI(base_url=fake.base_url, api_key=wrong, max_retries=0) as api:
        with pytest.raises(openai.AuthenticationError) as refused:
            await api.moderations.create(input="x")
    assert refused.value.code == "invalid_api_key" and refused.value.type == "invalid_request_error"
    assert wrong not in refused.value.message and "Incorrect API key provided: sk-" in refused.value.message
    assert wrong[-4:] in refused.value.message
    assert fake.calls[0].status == 401 and fake.errors == []


async def test_spec_violations_land_in_errors(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        await client.images.generate(model="gpt-image-1", prompt="x", extra_body={"n": 0})
    with pytest.raises(openai.BadRequestError) as unknown:
        await client.images.generate(model="gpt-image-1", prompt="x", extra_body={"colour": "red"})
    with pytest.raises(openai.BadRequestError):
        await client.chat.completions.create(model="gpt-4o-mini", messages=[])  # minItems 1
    assert unknown.value.code == "unknown_parameter"
    assert len(fake.errors) == 3
    assert "minimum of 1" in fake.errors[0] and "colour" in fake.errors[1] and "messages" in fake.errors[2]


async def test_scripted_failures(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.fail_next("/images/generations", 429, headers={"retry-after": "1"})
    with pytest.raises(openai.RateLimitError) as limited:
        await client.images.generate(model="gpt-image-1", prompt="x")
    assert limited.value.response.headers["retry-after"] == "1" and limited.value.type == "requests"
    fake.fail_next("/images/generations", 400, code="moderation_blocked")
    with pytest.raises(openai.BadRequestError) as blocked:
        await client.images.generate(model="gpt-image-1", prompt="x")
    assert (blocked.value.code, blocked.value.type) == ("moderation_blocked", "image_generation_user_error")
    fake.fail_next("/images/generations", 500, headers={"retry-after-ms": "10"}, times=2)
    retrying = client.with_options(max_retries=2)
    result = await retrying.images.generate(model="gpt-image-1", prompt="x")
    assert result.data and [call.status for call in fake.calls[-3:]] == [500, 500, 200]
    assert fake.errors == []


async def test_blocked_words(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.blocked_words = {"forbidden"}
    with pytest.raises(openai.BadRequestError) as blocked:
        await client.images.generate(model="gpt-image-1", prompt="A Forbidden scene")
    assert blocked.value.code == "moderation_blocked" and "safety system" in blocked.value.message
    assert (await client.images.generate(model="gpt-image-1", prompt="an allowed scene")).data
    assert fake.errors == []


async def test_hang_times_the_client_out(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.hang_next("/images/generations", 5)
    with pytest.raises(openai.APITimeoutError):
        await client.images.generate(model="gpt-image-1", prompt="x", timeout=0.3)
    for _ in range(100):  # the server notices the client went away
        if fake.in_flight == 0:
            break
        await asyncio.sleep(0.01)
    assert fake.in_flight == 0 and fake.calls[0].status == 499
    assert (await client.images.generate(model="gpt-image-1", prompt="x")).data  # the hang was for one request


async def test_concurrency_is_counted(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.delay_s = 0.3
    started = time.perf_counter()
    await asyncio.gather(*(client.images.generate(model="gpt-image-1", prompt=f"n{i}") for i in range(4)))
    assert time.perf_counter() - started < 1.0
    assert (fake.max_in_flight, fake.in_flight) == (4, 0)


async def test_standalone_process() -> None:
    process = subprocess.Popen([sys.executable, "-m", "tests.fakes.openai_api", "--port", "0", "--delay", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 20)  # type: ignore[union-attr]
        base_url = line.split(" on ")[1].strip()
        async with openai.AsyncOpenAI(base_url=base_url, api_key="sk-test-not-real", max_retries=0) as api:
            assert (await api.moderations.create(input="hello")).results
        async with httpx.AsyncClient() as http:
            state = (await http.get(base_url.removesuffix("/v1") + "/_fake/state")).json()
        assert state["errors"] == [] and state["calls"][0]["path"] == "/moderations"
    finally:
        process.terminate()
        process.wait(5)


def test_trimmed_spec_is_the_source_trimmed() -> None:
    committed = json.loads((ROOT / "tests/specs/openai-openapi.json").read_text())
    assert list(committed["paths"]) == TRIMMED_PATHS
    if not SHARED_SPEC.exists():
        pytest.skip(f"{SHARED_SPEC} is not here to compare with")
    assert trim(json.loads(SHARED_SPEC.read_text()), TRIMMED_PATHS) == committed
