"""The aiohttp transport under python-telegram-bot's Bot: answers, a silent server, a refused connection."""

from __future__ import annotations

import asyncio
import io
import socket
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from PIL import Image
from telegram import Bot, InputFile
from telegram.error import TimedOut

from bots.telegram.transport import AiohttpRequest, NotConnected
from tests.fakes.telegram_api import FakeBotAPI


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts Bot API calls and answers none of them until the test is over."""
    over = asyncio.Event()

    async def hang(_request: web.Request) -> web.Response:
        await over.wait()
        return web.Response(status=503)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot"
    over.set()
    await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_photo_upload_arrives_whole_with_its_fields(fake: FakeBotAPI) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((640, 360), 60).convert("RGB").save(buffer, "JPEG", quality=95)  # ~100 kB: several chunks
    photo = buffer.getvalue()
    async with Bot(FakeBotAPI.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        message = await bot.send_photo(42, photo, caption="Title · عنوان", filename="routix.jpg")
    call = fake.calls_to("sendPhoto")[-1]
    assert message.chat.id == 42
    assert call.files["photo"] == photo
    assert call.params["caption"] == "Title · عنوان"
    assert fake.errors == []


async def test_a_server_that_never_answers_times_out_instead_of_hanging(silent_server: str) -> None:
    request = AiohttpRequest(read_timeout=0.5, connect_timeout=0.5)
    bot = Bot(FakeBotAPI.token, base_url=silent_server, request=request, get_updates_request=AiohttpRequest())
    await request.initialize()
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(42, "hello")
    assert time.monotonic() - started < 3
    await request.shutdown()


async def test_a_refused_connection_is_a_network_error_that_says_nothing_was_sent() -> None:
    """So a picture that could not be sent is sent again later; one sent whose answer was lost is not the same."""
    request = AiohttpRequest(connect_timeout=1)
    bot = Bot(FakeBotAPI.token, base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request,
              get_updates_request=AiohttpRequest())
    await request.initialize()
    with pytest.raises(NotConnected, match="aiohttp"):
        await bot.send_message(42, "hello")
    await request.shutdown()


async def test_an_upload_named_in_persian_with_quotes_and_a_line_break_keeps_the_form_intact(
        fake: FakeBotAPI) -> None:
    """The multipart body is built whole (one write, not nine): a file name cannot end its header, add one or rename
    its field, and a file handed over as a handle goes as its bytes."""
    png = io.BytesIO()
    Image.new("RGB", (64, 36), "#3366cc").save(png, "PNG")
    async with Bot(FakeBotAPI.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        await bot.send_document(42, png.getvalue(), caption="اصل",
                                filename='تامبنیل "نهایی"\r\nX-Evil: 1; name=photo\\x.png')
        handle = InputFile(io.BytesIO(png.getvalue()), filename="handle.png", read_file_handle=False)
        await bot.send_document(42, handle)
    call, handed = fake.calls_to("sendDocument")[-2:]
    assert call.files["document"] == png.getvalue() == handed.files["document"]
    assert call.params["caption"] == "اصل"
    assert call.file_names["document"] == "تامبنیل %22نهایی%22%0D%0AX-Evil: 1%3B name=photo%5Cx.png"
    assert handed.file_names["document"] == "handle.png"
    assert fake.errors == []
