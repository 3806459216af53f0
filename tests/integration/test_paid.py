"""The paid algorithms through the real clients (openai, aiohttp) against local fakes of OpenAI, Stability and a
Stable Diffusion web UI: a picture that was paid for arrives with our title, and a failure never costs the creator."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from bots.bootstrap import Routix
from core.messages import ErrorReply, ImageReply, Options, PreviewReply, TextReply
from tests.conftest import ADMIN, Conversation
from tests.ocr import title_read
from tests.paid_support import AIFakes, paid_settings, started_paid

TITLE = "EPIC BOSS FIGHT"
REQUEST = f'Gaming "{TITLE}"'
GENERATIONS = "/images/generations"




async def paid_app(tmp_path: Path, fakes: AIFakes, **ai: object) -> Routix:
    return await started_paid(paid_settings(tmp_path / "data", fakes, **ai))


@pytest.fixture
async def app(tmp_path: Path, fakes: AIFakes) -> AsyncIterator[Routix]:
    routix = await paid_app(tmp_path, fakes)
    yield routix
    await routix.aclose()


async def ask(person: Conversation, algorithm: str, text: str = REQUEST, **fields: object) -> list:
    return await person.send(text, options=Options(algorithm=algorithm), **fields)


def image_of(events: list) -> ImageReply:
    images = [event for event in events if isinstance(event, ImageReply)]
    errors = [event.text for event in events if isinstance(event, ErrorReply)]
    assert len(images) == 1, f"one picture, got {len(images)} ({errors})"
    return images[0]


def error_of(events: list) -> ErrorReply:
    errors = [event for event in events if isinstance(event, ErrorReply)]
    assert len(errors) == 1 and not any(isinstance(event, ImageReply) for event in events), events
    return errors[0]


async def balance(person: Conversation) -> int:
    text = (await person.send("/credits"))[-1]
    assert isinstance(text, TextReply)
    return int(text.text.split()[1])


def photo_bytes(size: tuple[int, int] = (800, 1000)) -> bytes:
    image = Image.new("RGB", size, (200, 150, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


# -- each paid algorithm -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("algorithm", "cost", "model", "size"), [
    ("basic", 1, "gpt-image-1-mini", "1536x1024"), ("premium", 3, "gpt-image-2", "1536x864")])
async def test_openai_algorithms_deliver_a_titled_thumbnail_and_charge_once(app: Routix, fakes: AIFakes,
                                                                             algorithm: str, cost: int, model: str,
                                                                             size: str) -> None:
    person = Conversation(app)
    image = image_of(await ask(person, algorithm))
    assert (image.width, image.height) == (1280, 720) and Image.open(io.BytesIO(image.image)).format == "JPEG"
    assert title_read(image.image, TITLE) >= 0.9
    assert await balance(person) == 10 - cost
    calls = fakes.openai.calls_to(GENERATIONS)
    assert [(call.model, call.size) for call in calls] == [(model, size)]
    prompt = calls[0].prompt or ""
    assert "no text" in prompt and "gaming" in prompt.lower(), "an English thumbnail prompt, asking for no text"


async def test_stability_ultra_delivers_16_9_with_seed_and_negative_prompt(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    image = image_of(await ask(person, "pro"))
    assert title_read(image.image, TITLE) >= 0.9
    assert await balance(person) == 5
    (call,) = fakes.stability.calls_to("/v2beta/stable-image/generate/ultra")
    assert call.fields["aspect_ratio"] == "16:9" and "text" in call.fields["negative_prompt"]
    assert isinstance(call.fields["seed"], int | float) and call.fields["style_preset"]


async def test_a_photo_of_the_creator_is_cut_out_and_placed_beside_the_title(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    image = image_of(await ask(person, "pro", photo=photo_bytes()))
    assert len(fakes.stability.calls_to("/v2beta/stable-image/edit/remove-background")) == 1
    picture = Image.open(io.BytesIO(image.image)).convert("RGB")
    assert picture.size == (1280, 720)
    skin = sum(1 for x in range(700, 1280, 20) for y in range(100, 720, 20)
               if _near(picture.getpixel((x, y)), (200, 150, 120)))
    assert skin > 100, "the creator stands in the right half"
    assert title_read(image.image, TITLE) >= 0.9


async def test_a_half_of_a_two_part_call_that_was_made_is_not_bought_again(app: Routix, fakes: AIFakes) -> None:
    """The background was drawn (and billed), then the cut-out failed: trying the whole call again drew and paid
    for the background twice. The creator is refunded; nothing is bought twice."""
    cut_out = "/v2beta/stable-image/edit/remove-background"
    fakes.stability.hang_next(cut_out, 1.0)
    fakes.stability.fail_next(cut_out, 500)
    person = Conversation(app)
    error = error_of(await ask(person, "pro", photo=photo_bytes()))
    assert "not charged" in error.text and await balance(person) == 10
    generated = [call for call in fakes.stability.calls if "/generate/" in call.path]
    assert len(generated) == 1, "the background was bought once"


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 25 for a, b in zip(pixel, colour, strict=False))


async def test_a_reference_photo_goes_to_the_openai_edit_endpoint(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    image_of(await ask(person, "premium", photo=photo_bytes()))
    (call,) = fakes.openai.calls_to("/images/edits")
    assert call.model == "gpt-image-2" and call.files, "the photo went up as a typed image file"


async def test_a_self_hosted_web_ui_draws_with_previews(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.sdwebui.delay_s = 2.5
    app = await paid_app(tmp_path, fakes, algorithm_pro="sdwebui:default:low")
    try:
        person = Conversation(app)
        events = await ask(person, "pro")
        image = image_of(events)
        assert title_read(image.image, TITLE) >= 0.9
        previews = [event for event in events if isinstance(event, PreviewReply)]
        assert previews and events.index(previews[0]) < events.index(image), "the forming picture was shown first"
        assert Image.open(io.BytesIO(previews[0].image)).size == (640, 360)
        (call,) = fakes.sdwebui.calls_to("/sdapi/v1/txt2img")
        assert (call.fields["width"], call.fields["height"], call.fields["steps"]) == (1024, 576, 15)
    finally:
        await app.aclose()


async def test_streamed_partial_pictures_become_previews_at_most_every_two_seconds(app: Routix,
                                                                                   fakes: AIFakes) -> None:
    fakes.openai.delay_s = 3.0  # two partial pictures, a second apart
    events = await ask(Conversation(app), "basic")
    previews = [event for event in events if isinstance(event, PreviewReply)]
    assert len(previews) == 1, "the second partial came within 2 s of the first: skipped"
    assert events.index(previews[0]) < events.index(image_of(events))
    (call,) = fakes.openai.calls_to(GENERATIONS)
    assert call.body["stream"] is True and call.body["partial_images"] == 2


# -- failures never cost the creator ---------------------------------------------------------------------------

async def test_a_429_is_waited_out_and_the_picture_charged_once(app: Routix, fakes: AIFakes) -> None:
    fakes.openai.fail_next(GENERATIONS, 429, headers={"retry-after": "1"})
    person = Conversation(app)
    image_of(await ask(person, "basic"))
    calls = fakes.openai.calls_to(GENERATIONS)
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 1.0, "Retry-After honoured"
    assert await balance(person) == 9


async def test_server_errors_are_retried_then_refunded_with_a_free_local_button(app: Routix,
                                                                                fakes: AIFakes) -> None:
    fakes.openai.fail_next(GENERATIONS, 500, times=10)
    person = Conversation(app)
    error = error_of(await ask(person, "basic"))
    assert "You were not charged" in error.text
    assert len(fakes.openai.calls_to(GENERATIONS)) == 4, "retried with backoff, within the deadline"
    assert await balance(person) == 10
    (button,) = [button for row in error.buttons for button in row]
    assert "Local" in button.label and button.action.endswith(":local")
    image = image_of(await person.send(button=button.action))
    assert "Local" in image.caption and await balance(person) == 10, "one tap, free"


async def test_a_call_that_times_out_is_retried(tmp_path: Path, fakes: AIFakes) -> None:
    app = await paid_app(tmp_path, fakes, ai_timeout_seconds=1.0)
    try:
        fakes.openai.hang_next(GENERATIONS, 3.0)
        person = Conversation(app)
        image_of(await ask(person, "basic"))
        assert len(fakes.openai.calls_to(GENERATIONS)) == 2 and await balance(person) == 9
    finally:
        await app.aclose()


async def test_the_providers_safety_filter_refunds_without_retrying(app: Routix, fakes: AIFakes) -> None:
    fakes.openai.blocked_words = {"forbidden"}
    person = Conversation(app)
    error = error_of(await ask(person, "basic", 'Gaming "forbidden art"'))
    assert "safety filter" in error.text and "not charged" in error.text
    assert len(fakes.openai.calls_to(GENERATIONS)) == 1
    assert await balance(person) == 10


async def test_stability_content_filtered_is_refunded(app: Routix, fakes: AIFakes) -> None:
    fakes.stability.filtered_words = {"forbidden"}
    person = Conversation(app)
    error = error_of(await ask(person, "pro", 'Gaming "forbidden art"'))
    assert "safety filter" in error.text
    assert await balance(person) == 10


async def test_a_rejected_key_turns_the_provider_off_without_crashing(app: Routix, fakes: AIFakes,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    fakes.openai.api_key = "sk-rotated-by-the-operator"  # ours is now wrong
    person = Conversation(app)
    error = error_of(await ask(person, "basic"))
    assert "not set up correctly" in error.text and await balance(person) == 10
    assert any("rejected the API key" in record.getMessage() for record in caplog.records)
    refused = error_of(await ask(person, "premium"))
    assert "not available" in refused.text, "the other OpenAI algorithm is off too, before any call"
    assert len(fakes.openai.calls_to(GENERATIONS)) == 1
    assert image_of(await ask(person, "pro")), "Stability is unaffected"


async def test_no_key_means_unavailable_and_nothing_is_faked(tmp_path: Path, fakes: AIFakes) -> None:
    app = await paid_app(tmp_path, fakes, openai_api_key="", stability_api_key="", sdwebui_base_url="")
    try:
        person = Conversation(app)
        listing = (await person.send("/algorithms"))[-1]
        assert isinstance(listing, TextReply) and listing.text.count("not available") >= 3
        assert "not available" in error_of(await ask(person, "basic")).text
        assert fakes.image_calls() == 0 and await balance(person) == 10
    finally:
        await app.aclose()


# -- moderation -------------------------------------------------------------------------------------------------

async def test_the_word_list_refuses_before_anything_is_held(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    error = error_of(await ask(person, "basic", "a beheading scene"))
    assert "safety check" in error.text and "not charged" in error.text
    assert fakes.image_calls() == 0 and not fakes.openai.calls_to("/moderations")
    assert await balance(person) == 10


async def test_the_moderation_model_refuses_before_the_paid_call(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    error = error_of(await ask(person, "premium", 'Horror "GORE NIGHT"', photo=photo_bytes()))
    assert "safety check" in error.text and "violence" in error.text
    (check,) = fakes.openai.calls_to("/moderations")
    kinds = [item["type"] for item in check.body["input"]]
    assert kinds == ["text", "image_url"], "the text and the reference photo were checked"
    assert fakes.image_calls() == 0 and await balance(person) == 10


async def test_moderation_in_persian_is_explained_in_persian(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app, locale="fa")
    error = error_of(await ask(person, "basic", "یک صحنهٔ سر بریدن"))
    assert "هزینه‌ای کسر نشد" in error.text
    assert fakes.image_calls() == 0


# -- money: spend, budgets, concurrency ---------------------------------------------------------------------------

async def test_spend_is_recorded_and_shown_per_provider_and_algorithm(app: Routix, fakes: AIFakes) -> None:
    person = Conversation(app)
    image_of(await ask(person, "basic"))
    image_of(await ask(person, "pro", 'Tech "NEW PHONE"'))
    stats = (await Conversation(app, user=ADMIN[1]).send("/stats"))[-1]
    assert isinstance(stats, TextReply)
    spend = stats.text.splitlines()[-1]
    assert "openai/basic $0.015 (1)" in spend and "stability/pro $0.080 (1)" in spend
    assert spend.count("$0.095") == 2, "today's and this month's totals"


async def test_a_budget_pauses_its_algorithms_until_the_period_rolls_over(app: Routix, fakes: AIFakes) -> None:
    admin, person = Conversation(app, user=ADMIN[1]), Conversation(app)
    answer = (await admin.send("/budget openai 0.02 day"))[-1]
    assert isinstance(answer, TextReply) and "$0.02 per day" in answer.text
    image_of(await ask(person, "basic"))  # 0.015: within
    error = error_of(await ask(person, "basic"))  # would be 0.03
    assert "spending limit" in error.text and "not charged" in error.text
    assert [b.label for row in error.buttons for b in row] == ["🖼 Try Local (free)"]
    refused = error_of(await ask(person, "premium"))
    assert "paused until" in refused.text, "once reached, the request is refused before anything is held"
    assert image_of(await ask(person, "pro")), "another provider's budget is its own"
    assert len(fakes.openai.calls_to(GENERATIONS)) == 1
    assert await balance(person) == 10 - 1 - 5
    listing = (await admin.send("/budget"))[-1]
    assert isinstance(listing, TextReply) and "openai $0.015 / $0.02 per day" in listing.text


async def test_the_budget_reached_is_the_one_whose_period_the_refusal_names(app: Routix) -> None:
    """A monthly budget for all and a daily one for OpenAI: the daily one stops the call, so the pause ends
    tomorrow, not on the first of next month (the first budget that applied was named)."""
    from core.ai import next_period
    from core.credits import utcnow

    admin, person = Conversation(app, user=ADMIN[1]), Conversation(app)
    await admin.send("/budget all 100 month")
    await admin.send("/budget openai 0.02 day")
    image_of(await ask(person, "basic"))  # 0.015 of 0.02
    error = error_of(await ask(person, "basic"))
    assert next_period("day", utcnow()).strftime("%Y-%m-%d") in error.text, error.text


async def test_budget_usage_is_explained(app: Routix) -> None:
    admin = Conversation(app, user=ADMIN[1])
    for wrong in ("/budget openai", "/budget nobody 5 day", "/budget openai -1 day", "/budget openai 5 year",
                  "/budget openai 1e3 day", "/budget openai 1_0 day", "/budget openai nan day"):  # typos, not $1000
        reply = (await admin.send(wrong))[-1]
        assert isinstance(reply, ErrorReply) and "/budget" in reply.text
    creator = (await Conversation(app).send("/budget all 1 day"))[-1]
    assert isinstance(creator, ErrorReply) and creator.code == "not_admin"


async def test_waiting_on_a_provider_holds_no_render_slot(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.openai.delay_s = 0.6
    settings = paid_settings(tmp_path / "data", fakes, openai_concurrency=4)
    settings.jobs = settings.jobs.model_copy(update={"concurrency": 1})
    app = await started_paid(settings)
    try:
        people = [Conversation(app, user=f"p{i}") for i in range(12)]
        for person in people:
            person.listen()
        results = await asyncio.gather(*(ask(person, "basic") for person in people))
        assert all(image_of(events) for events in results)
        assert fakes.openai.max_in_flight == 4, "four calls at once (the provider's limit) on one render slot"
    finally:
        await app.aclose()


async def test_200_concurrent_paid_requests_against_10_credits_charge_exactly_10(app: Routix,
                                                                                  fakes: AIFakes) -> None:
    chats = [Conversation(app, chat=f"chat-{n}") for n in range(200)]  # one person, 200 chats at once
    for chat in chats:
        chat.listen()
    answers = await asyncio.gather(*(ask(chat, "basic", f'Gaming "LEVEL {n}"') for n, chat in enumerate(chats)))
    pictures = sum(1 for events in answers for event in events if isinstance(event, ImageReply))
    refusals = [event for events in answers for event in events
                if isinstance(event, ErrorReply) and event.code == "no_credits"]
    assert pictures == 10 and len(refusals) == 190
    assert "you have 0" in refusals[0].text and "refills on" in refusals[0].text
    assert len(fakes.openai.calls_to(GENERATIONS)) == 10, "one provider call per accepted request"
    assert await balance(chats[0]) == 0


# -- the language model reads the request ---------------------------------------------------------------------

def analysis_answer(**fields: object) -> dict:
    return {"title": "BOSS DOWN", "category": "gaming", "style": "cinematic", "mood": "dramatic",
            "colors": ["#e11d48"], "elements": [], "badge": "", "highlight": "",
            "description": "A lone knight facing a giant dragon in a burning castle hall", **fields}


async def test_the_language_model_writes_the_title_and_the_scene(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.openai.chat_handler = lambda body: analysis_answer()
    app = await paid_app(tmp_path, fakes, analysis_base_url=fakes.openai.base_url, analysis_model="gpt-5-mini")
    try:
        image = image_of(await ask(Conversation(app), "basic", "make me something for my boss fight video"))
        assert "BOSS DOWN" in image.caption and title_read(image.image, "BOSS DOWN") >= 0.9
        (chat,) = fakes.openai.calls_to("/chat/completions")
        assert chat.body["response_format"]["type"] == "json_schema"
        prompt = fakes.openai.calls_to(GENERATIONS)[0].prompt or ""
        assert prompt.startswith("A lone knight facing a giant dragon"), "the model's scene leads the image prompt"
    finally:
        await app.aclose()


@pytest.mark.parametrize("garbage", ["not json at all", '{"title": "X"}', analysis_answer(category="weather")])
async def test_garbage_from_the_language_model_falls_back_to_keywords(tmp_path: Path, fakes: AIFakes,
                                                                      garbage: object) -> None:
    fakes.openai.chat_handler = lambda body: garbage
    app = await paid_app(tmp_path, fakes, analysis_base_url=fakes.openai.base_url)
    try:
        image = image_of(await ask(Conversation(app), "basic"))
        assert TITLE in image.caption, "the keyword analyzer's title"
    finally:
        await app.aclose()


async def test_a_quoted_title_and_a_persian_title_are_kept(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.openai.chat_handler = lambda body: analysis_answer(title="SOMETHING ELSE")
    app = await paid_app(tmp_path, fakes, analysis_base_url=fakes.openai.base_url)
    try:
        assert TITLE in image_of(await ask(Conversation(app), "basic")).caption
        persian = image_of(await ask(Conversation(app, user="sara", locale="fa"), "basic", "ولاگ سفر به شیراز"))
        assert "SOMETHING ELSE" not in persian.caption, "a Persian request keeps a Persian title"
    finally:
        await app.aclose()


async def test_a_follow_up_is_merged_by_the_language_model(tmp_path: Path, fakes: AIFakes) -> None:
    answers = iter([analysis_answer(), analysis_answer(title="BOSS DOWN", colors=["#2563eb"])])
    fakes.openai.chat_handler = lambda body: next(answers)
    app = await paid_app(tmp_path, fakes, analysis_base_url=fakes.openai.base_url)
    try:
        person = Conversation(app)
        image_of(await ask(person, "basic", "something for my boss fight video"))
        image_of(await person.send("make it blue"))
        follow_up = fakes.openai.calls_to("/chat/completions")[1]
        user_message = follow_up.body["messages"][-1]["content"]
        assert "Previous analysis" in user_message and "make it blue" in user_message
    finally:
        await app.aclose()


# -- never paid twice -----------------------------------------------------------------------------------------

async def test_a_job_stopped_after_the_provider_answered_resumes_without_paying_again(tmp_path: Path,
                                                                                      fakes: AIFakes) -> None:
    settings = paid_settings(tmp_path / "data", fakes)
    settings.jobs = settings.jobs.model_copy(update={"concurrency": 1, "drain_seconds": 0})
    app = await started_paid(settings)
    person = Conversation(app)
    person.listen()
    async with app.pipeline.slots.slot(_nowhere):  # every render slot busy: the job waits after its paid call
        request = asyncio.create_task(app.service.handle(
            _incoming(person, REQUEST, "basic"), person.reply))
        await _until(lambda: len(fakes.openai.calls_to(GENERATIONS)) == 1)
        await request
        await asyncio.sleep(0.3)  # the picture is stored; the job waits for the slot
        await app.aclose()  # stopped (as by a deploy) before finishing: nothing delivered yet
    assert not any(isinstance(event, ImageReply) for event in person.events)
    again = await started_paid(settings, before_serving=lambda routix: _listen(person, routix))
    try:
        await _until(lambda: any(isinstance(event, ImageReply) for event in person.events), timeout=20)
        assert len(fakes.openai.calls_to(GENERATIONS)) == 1, "the stored AI picture was used, not bought again"
        assert await balance(person) == 9
    finally:
        await again.aclose()


def _listen(person: Conversation, routix: Routix) -> None:
    person.app = routix
    person.listen()


async def _nowhere(position: int) -> None:
    return None


def _incoming(person: Conversation, text: str, algorithm: str):  # type: ignore[no-untyped-def]
    from core.messages import Incoming

    return Incoming(person.platform, person.user, person.chat, text, display_name=person.user,
                    options=Options(algorithm=algorithm), update_key=f"console:{uuid.uuid4().hex}")


async def _until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


# -- answers by URL ------------------------------------------------------------------------------------------------

async def test_dall_e_answers_by_url_and_the_picture_is_downloaded(tmp_path: Path, fakes: AIFakes) -> None:
    app = await paid_app(tmp_path, fakes, algorithm_basic="openai:dall-e-3:hd")
    try:
        person = Conversation(app)
        image = image_of(await ask(person, "basic"))
        assert title_read(image.image, TITLE) >= 0.9 and len(fakes.openai.downloads) == 1
        (call,) = fakes.openai.calls_to(GENERATIONS)
        assert (call.model, call.size, call.quality) == ("dall-e-3", "1792x1024", "hd")
        assert "stream" not in call.body and "response_format" not in call.body
    finally:
        await app.aclose()


async def test_a_url_answer_past_the_size_cap_is_refused_and_refunded(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.openai.url_size_override = 3_000_000
    app = await paid_app(tmp_path, fakes, algorithm_basic="openai:dall-e-3", ai_download_max_bytes=1_000_000)
    try:
        person = Conversation(app)
        error = error_of(await ask(person, "basic"))
        assert "more than a picture" in error.text and await balance(person) == 10
        assert len(fakes.openai.calls_to(GENERATIONS)) == 1, "too large is not retried"
    finally:
        await app.aclose()


async def test_a_picture_from_the_service_that_does_not_decode_is_its_failure_not_the_creator_s(
        tmp_path: Path, fakes: AIFakes) -> None:
    """The creator sent no photo: "That file isn't an image I can read" blamed them, with no way on."""
    fakes.openai.url_size_override = 50_000  # under the cap, and no picture
    app = await paid_app(tmp_path, fakes, algorithm_basic="openai:dall-e-3")
    try:
        person = Conversation(app)
        error = error_of(await ask(person, "basic"))
        assert "could not make that picture" in error.text and "isn't an image" not in error.text
        assert any("Local" in button.label for row in error.buttons for button in row), "the free way on"
        assert await balance(person) == 10
        assert len(fakes.openai.calls_to(GENERATIONS)) == 1, "made and billed once: not bought again"
    finally:
        await app.aclose()


async def test_a_picture_whose_base64_is_broken_is_the_service_s_failure_refunded_and_recorded(
        tmp_path: Path, fakes: AIFakes) -> None:
    """It was "an internal error", and its paid call stayed "started" for ever."""
    fakes.openai.broken_b64 = True
    app = await paid_app(tmp_path, fakes)
    try:
        person = Conversation(app)
        error = error_of(await ask(person, "basic"))
        assert "could not make that picture" in error.text and await balance(person) == 10
        assert len(fakes.openai.calls_to(GENERATIONS)) == 1, "made and billed: not bought again"
        with sqlite3.connect(tmp_path / "data" / "routix.db") as db:
            assert [row[0] for row in db.execute("SELECT outcome FROM paid_calls")] == ["down"]
    finally:
        await app.aclose()


async def test_a_stream_cut_after_a_partial_picture_is_not_bought_again(tmp_path: Path, fakes: AIFakes) -> None:
    """A partial picture means it is being drawn, and billed: each of four retries bought it again, each counted
    as costing nothing."""
    fakes.openai.cut_streams = True
    app = await paid_app(tmp_path, fakes)
    try:
        person = Conversation(app)
        error = error_of(await ask(person, "basic"))
        assert "not charged" in error.text and await balance(person) == 10
        assert len(fakes.openai.calls_to(GENERATIONS)) == 1
        with sqlite3.connect(tmp_path / "data" / "routix.db") as db:
            assert [cost > 0 for (cost,) in db.execute("SELECT cost_usd FROM paid_calls")] == [True], "kept as spend"
    finally:
        await app.aclose()


# -- the same money rules on PostgreSQL ---------------------------------------------------------------------------

async def test_on_postgresql_200_requests_charge_10_and_a_budget_holds_under_concurrency(
        tmp_path: Path, fakes: AIFakes, postgres_url: str) -> None:
    from tests.conftest import drop_postgres_schema, fresh_postgres_schema

    schema, url = await fresh_postgres_schema(postgres_url)
    app = await started_paid(paid_settings(tmp_path / "data", fakes, url))
    try:
        chats = [Conversation(app, chat=f"chat-{n}") for n in range(200)]
        for chat in chats:
            chat.listen()
        answers = await asyncio.gather(*(ask(chat, "basic", f'Gaming "LEVEL {n}"') for n, chat in enumerate(chats)))
        assert sum(isinstance(e, ImageReply) for events in answers for e in events) == 10
        assert len(fakes.openai.calls_to(GENERATIONS)) == 10
        await Conversation(app, user=ADMIN[1]).send("/budget openai 0.2 day")  # 0.15 spent: room for 3 more
        others = [Conversation(app, user=f"fan{n}") for n in range(30)]
        for other in others:
            other.listen()
        answers = await asyncio.gather(*(ask(other, "basic", f'Vlog "DAY {n}"') for n, other in enumerate(others)))
        assert sum(isinstance(e, ImageReply) for events in answers for e in events) == 3
        assert len(fakes.openai.calls_to(GENERATIONS)) == 13, "concurrent calls never pass the budget"
    finally:
        await app.aclose()
        await drop_postgres_schema(postgres_url, schema)


async def test_analysis_for_all_reads_free_requests_too(tmp_path: Path, fakes: AIFakes) -> None:
    fakes.openai.chat_handler = lambda body: analysis_answer()
    app = await paid_app(tmp_path, fakes, analysis_base_url=fakes.openai.base_url, analysis_for="all")
    try:
        image = image_of(await ask(Conversation(app), "local", "make me something for my boss fight video"))
        assert "BOSS DOWN" in image.caption and "Local" in image.caption
        assert fakes.image_calls() == 0
    finally:
        await app.aclose()


async def test_variations_and_the_original_of_a_paid_picture(app: Routix, fakes: AIFakes) -> None:
    from core.messages import AlbumReply, DocumentReply

    person = Conversation(app)
    image = image_of(await ask(person, "basic"))
    actions = {button.action.split(":")[1]: button.action for row in image.buttons for button in row}
    album = next(e for e in await person.send(button=actions["vars"]) if isinstance(e, AlbumReply))
    assert len(album.images) == 3 and len(fakes.openai.calls_to(GENERATIONS)) == 4, "three siblings, three calls"
    original = next(e for e in await person.send(button=actions["orig"]) if isinstance(e, DocumentReply))
    png = Image.open(io.BytesIO(original.data))
    assert (png.format, png.size) == ("PNG", (1280, 720))
    assert len(fakes.openai.calls_to(GENERATIONS)) == 4, "the original is finished from the stored AI picture"
    assert await balance(person) == 10 - 1 - 3


async def test_a_large_photo_is_shrunk_for_the_services_and_works_on_every_provider(app: Routix,
                                                                                     fakes: AIFakes) -> None:
    person = Conversation(app)
    big = photo_bytes((2600, 2000))  # 5.2 MP: Stability's background removal takes 4.2 MP at most
    image_of(await ask(person, "pro", photo=big))
    (cut,) = fakes.stability.calls_to("/v2beta/stable-image/edit/remove-background")
    sent = Image.open(io.BytesIO(cut.files["image"]))
    assert sent.width * sent.height <= 4_194_304 and abs(sent.width / sent.height - 1.3) < 0.01
    image_of(await ask(person, "basic", 'Vlog "MY ROOM"', photo=big))
    image_of(await ask(person, "premium", 'Vlog "MY DESK"', photo=big))
    mini, full = fakes.openai.calls_to("/images/edits")
    assert "input_fidelity" not in mini.body, "gpt-image-1-mini does not take input_fidelity"
    assert full.body["input_fidelity"] == "high"
