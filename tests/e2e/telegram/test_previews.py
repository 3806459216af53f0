"""An AI model's previews: the person watches the picture form where the progress is, then gets the result.

The job's sender is driven directly, as the pipeline drives it (in the bot, a restarted bot or a worker), with
the real python-telegram-bot against the fake Bot API, which validates every request against the published API.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bots.telegram.main import build_bot
from bots.telegram.replies import ChatReplies, TelegramSender
from core.messages import Address, Button, ErrorReply, ImageReply, PreviewReply, ProgressReply, Stage
from tests.e2e.previews import PREVIEWS, Kept, same_picture
from tests.e2e.telegram.conftest import FAST, telegram_settings
from tests.fakes.telegram_api import Call, FakeBotAPI

GENERATION = "ab" * 16






def final_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), "#264653").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def uploaded(call: Call) -> bytes:
    """The bytes a sendPhoto / editMessageMedia call uploaded."""
    if call.method == "sendPhoto":
        return call.files["photo"]
    return call.files[call.params["media"]["media"].removeprefix("attach://")]






@pytest.fixture
async def sender(tmp_path: Path, fake: FakeBotAPI) -> AsyncIterator[TelegramSender]:
    bot = build_bot(telegram_settings(tmp_path, fake))
    await bot.initialize()
    yield TelegramSender(bot, FAST)
    await bot.shutdown()


def progress(text: str, stage: Stage = Stage.GENERATING) -> ProgressReply:
    return ProgressReply(GENERATION, stage, text)


def result() -> ImageReply:
    rows = ((Button("🔁 Regenerate", f"rx:regen:{GENERATION}"),),)
    return ImageReply(GENERATION, final_jpeg(), "thumb.jpg", '"I WON" · 9 credits left', 1280, 720, rows)


async def show_previews(fake: FakeBotAPI, replies: Any, chat_id: int, edits_before: int = 0) -> None:
    """Each preview in turn, waiting until it is on screen (a newer one would otherwise replace a waiting one)."""
    for n, image in enumerate(PREVIEWS, 1):
        await replies(PreviewReply(GENERATION, image, f"🎨 Drawing… {n}/3"))
        await fake.wait_calls("editMessageMedia", edits_before + n, chat_id=chat_id)


async def test_previews_replace_the_progress_then_the_result_replaces_them(fake: FakeBotAPI,
                                                                          sender: TelegramSender) -> None:
    kept = Kept()
    replies = sender.open(Address("telegram", "501", "501"), kept)
    await replies(progress("🧠 Understanding your request…", Stage.ANALYSING))
    [text_message] = await fake.wait_calls("sendMessage", chat_id=501)
    await show_previews(fake, replies, 501)
    await replies(progress("🖌 Adding your title…", Stage.COMPOSING))
    [caption] = await fake.wait_calls("editMessageCaption", chat_id=501)
    assert len(kept.ids) == 1, "the progress message was reported once, so a resumed job edits it"
    message_id = int(kept.ids[0])
    shown = fake.message_in(501, message_id)
    assert shown is not None and "text" not in shown, "the text progress message is gone: it is the preview now"
    assert shown["photo"][0]["width"] == 640 and shown["caption"] == "🖌 Adding your title…"
    assert text_message.params["text"] == "🧠 Understanding your request…"
    await replies(result())
    await replies.close()

    media = fake.calls_to("editMessageMedia", chat_id=501)
    assert [c.params["message_id"] for c in media] == [message_id] * 3, "one message, its picture replaced"
    for call, sent in zip(media, PREVIEWS, strict=True):
        assert same_picture(uploaded(call), sent), "each preview as it was sent, in order"
    assert [c.params["media"]["caption"] for c in media] == [f"🎨 Drawing… {n}/3" for n in (1, 2, 3)]
    assert caption.params == {"chat_id": 501, "message_id": message_id, "caption": "🖌 Adding your title…"}
    assert not fake.calls_to("editMessageText", chat_id=501), "once a photo, later stages edit its caption"
    photos = fake.calls_to("sendPhoto", chat_id=501)
    assert len(photos) == 1 and same_picture(uploaded(photos[0]), result().image), "the result, once"
    assert photos[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"rx:regen:{GENERATION}"
    deletes = fake.calls_to("deleteMessage", chat_id=501)
    assert [c.params["message_id"] for c in deletes] == [message_id], "the preview goes once the result is out"
    assert fake.message_in(501, message_id) is None
    assert deletes[0].at >= photos[0].at, "replaced by the result, never a gap"
    assert len(fake.calls_to("sendMessage", chat_id=501)) == 1, "no second progress message"
    stamps = [c.at for c in fake.calls_to("sendMessage", "editMessageMedia", "editMessageCaption", chat_id=501)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert all(gap >= FAST.edit_every * 0.8 for gap in gaps), f"the per-chat edit budget holds: {gaps}"


async def test_an_older_bot_api_gets_a_photo_message_in_place_of_the_text_one(fake: FakeBotAPI,
                                                                             sender: TelegramSender) -> None:
    """A Bot API that cannot put media into a text message: a new photo message replaces the text one, and that
    is the message a resumed job continues with."""
    kept = Kept()
    replies = sender.open(Address("telegram", "502", "502"), kept)
    await replies(progress("⏳ Waiting: 1 ahead of you", Stage.QUEUED))
    [text_message] = await fake.wait_calls("sendMessage", chat_id=502)
    fake.fail_next("editMessageMedia", status=400, description="Bad Request: there is no media in the message to edit")
    await replies(PreviewReply(GENERATION, PREVIEWS[0], "🎨 Drawing… 1/3"))
    [photo] = await fake.wait_calls("sendPhoto", chat_id=502)
    await fake.wait_calls("deleteMessage", chat_id=502)
    assert same_picture(uploaded(photo), PREVIEWS[0]) and photo.params["caption"] == "🎨 Drawing… 1/3"
    assert len(kept.ids) == 2, f"the photo message was reported too: {kept.ids}"
    photo_id = int(kept.ids[1])
    text_id = int(kept.ids[0])
    assert [c.params["message_id"] for c in fake.calls_to("deleteMessage", chat_id=502)] == [text_id], \
        "the text progress message is gone"
    await replies(PreviewReply(GENERATION, PREVIEWS[1], "🎨 Drawing… 2/3"))
    edits = await fake.wait_calls("editMessageMedia", 2, chat_id=502)  # the failed one, then this one
    assert edits[1].params["message_id"] == photo_id and same_picture(uploaded(edits[1]), PREVIEWS[1])

    # The process dies here (no result, nothing tidied); a restarted one resumes the job with the stored id.
    resumed = sender.open(Address("telegram", "502", "502", progress_id=kept.ids[-1]), kept)
    before = len(fake.calls)
    await resumed(progress("🎨 Designing your thumbnail…"))
    await fake.wait_calls("editMessageCaption", chat_id=502)
    await resumed(PreviewReply(GENERATION, PREVIEWS[2], "🎨 Drawing… 3/3"))
    edits = await fake.wait_calls("editMessageMedia", 3, chat_id=502)
    await resumed(result())
    await resumed.close()
    later = [c for c in fake.calls[before:] if c.chat_id == 502 and c.method not in ("sendChatAction",)]
    assert [c.method for c in later if c.method.startswith("send")] == ["sendPhoto"], "only the result is new"
    for call in later:
        if call.method.startswith(("edit", "delete")):
            assert call.params["message_id"] == photo_id, f"{call.method} on the same message"
    assert same_picture(uploaded(edits[2]), PREVIEWS[2])
    assert [c.method for c in later][-1] == "deleteMessage", "the preview goes once the result is out"
    assert len(kept.ids) == 2, "the resumed job kept the message it was given"
    assert text_message.params["text"].startswith("⏳")
    await replies.close()  # the dead process's replies: its message is gone already, which is no error


async def test_a_resumed_job_with_a_photo_progress_message_edits_it(fake: FakeBotAPI, sender: TelegramSender) -> None:
    """The stored id names a photo (a preview was showing): a stage line edits its caption, not its text."""
    kept = Kept()
    first = sender.open(Address("telegram", "503", "503"), kept)
    await first(progress("🎨 Designing your thumbnail…"))
    await fake.wait_calls("sendMessage", chat_id=503)
    await first(PreviewReply(GENERATION, PREVIEWS[0], "🎨 Drawing… 1/3"))
    await fake.wait_calls("editMessageMedia", chat_id=503)
    [message_id] = kept.ids

    resumed = sender.open(Address("telegram", "503", "503", progress_id=message_id), kept)
    await resumed(progress("🎨 Designing your thumbnail… (again)"))
    [caption] = await fake.wait_calls("editMessageCaption", chat_id=503)
    assert caption.params["message_id"] == int(message_id)
    await resumed(PreviewReply(GENERATION, PREVIEWS[1], "🎨 Drawing… 2/3"))
    edits = await fake.wait_calls("editMessageMedia", 2, chat_id=503)
    assert edits[1].params["message_id"] == int(message_id) and same_picture(uploaded(edits[1]), PREVIEWS[1])
    await resumed(result())
    await resumed.close()
    assert len(fake.calls_to("sendMessage", chat_id=503)) == 1 and len(fake.calls_to("sendPhoto", chat_id=503)) == 1
    assert [c.params["message_id"] for c in fake.calls_to("deleteMessage", chat_id=503)] == [int(message_id)]
    assert kept.ids == [message_id]
    await first.close()  # the dead process's replies: its message is gone already, which is no error


async def test_a_failed_preview_is_skipped_and_the_job_goes_on(fake: FakeBotAPI, sender: TelegramSender) -> None:
    kept = Kept()
    replies = sender.open(Address("telegram", "504", "504"), kept)
    await replies(PreviewReply(GENERATION, PREVIEWS[0], "🎨 Drawing… 1/3"))  # before any stage: a photo message
    [photo] = await fake.wait_calls("sendPhoto", chat_id=504)
    assert same_picture(uploaded(photo), PREVIEWS[0]) and kept.ids
    fake.fail_next("editMessageMedia", status=400, description="Bad Request: message is not modified")
    await replies(PreviewReply(GENERATION, PREVIEWS[1], "🎨 Drawing… 2/3"))
    await fake.wait_calls("editMessageMedia", 1, chat_id=504)
    await replies(PreviewReply(GENERATION, PREVIEWS[2], "🎨 Drawing… 3/3"))
    edits = await fake.wait_calls("editMessageMedia", 2, chat_id=504)
    assert same_picture(uploaded(edits[1]), PREVIEWS[2]), "the next preview is shown as usual"
    assert len(fake.calls_to("sendPhoto", chat_id=504)) == 1, "a failed edit of a photo sends nothing new"
    await replies(result())
    await replies.close()
    assert len(fake.calls_to("sendPhoto", chat_id=504)) == 2
    assert [c.params["message_id"] for c in fake.calls_to("deleteMessage", chat_id=504)] == [int(kept.ids[0])]


async def test_a_fast_job_shows_no_preview(fake: FakeBotAPI, sender: TelegramSender) -> None:
    replies = sender.open(Address("telegram", "505", "505"), Kept())
    await replies(PreviewReply(GENERATION, PREVIEWS[0], "🎨 Drawing… 1/3"))
    await replies(result())  # within Timing.progress_after
    await replies.close()
    assert [c.method for c in fake.calls_to(chat_id=505) if c.method != "sendChatAction"] == ["sendPhoto"]


LOCAL = (Button("🖼 Try Local (free)", f"rx:algo:{GENERATION}:local"),)


async def test_an_error_with_a_button_carries_it(fake: FakeBotAPI, sender: TelegramSender) -> None:
    replies = sender.open(Address("telegram", "506", "506"), Kept())
    await replies(ErrorReply("failed", "❌ Premium could not draw it. Your 3 credits are back.", (LOCAL,)))
    await replies.close()
    [message] = fake.calls_to("sendMessage", chat_id=506)
    assert message.params["reply_markup"] == {"inline_keyboard": [[
        {"text": "🖼 Try Local (free)", "callback_data": f"rx:algo:{GENERATION}:local"}]]}


async def test_an_error_answering_a_button_is_a_message_when_it_has_buttons(fake: FakeBotAPI,
                                                                             sender: TelegramSender) -> None:
    """A short error to a pressed button is an alert, unless it has buttons: an alert cannot carry them."""
    from telegram import CallbackQuery

    for chat_id, buttons in ((507, (LOCAL,)), (508, ())):
        query = CallbackQuery.de_json(fake.callback(chat_id, chat_id, f"rx:regen:{GENERATION}"), sender.bot)
        replies = ChatReplies(sender.bot, chat_id, timing=FAST, budget=sender.budget, query=query)
        await replies(ErrorReply("failed", "❌ Could not draw it.", buttons))
        await replies.close()
    [answer_with_buttons, plain_alert] = fake.calls_to("answerCallbackQuery")
    assert "text" not in answer_with_buttons.params, "the spinner stops; the message says it"
    [message] = fake.calls_to("sendMessage", chat_id=507)
    assert message.params["text"] == "❌ Could not draw it."
    assert message.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"rx:algo:{GENERATION}:local"
    assert plain_alert.params["text"] == "❌ Could not draw it." and plain_alert.params["show_alert"] is True
    assert not fake.calls_to("sendMessage", chat_id=508)


async def test_a_group_gets_previews_more_sparingly(fake: FakeBotAPI, sender: TelegramSender) -> None:
    """A group's 20 messages a minute are shared with the result: previews come at most once per
    `group_preview_every` there, however often the model sends them."""
    paced = TelegramSender(sender.bot, dataclasses.replace(FAST, group_preview_every=0.8))
    group = -100504
    replies = paced.open(Address("telegram", str(group), "504"), Kept())
    await replies(progress("🎨 Designing your thumbnail…"))
    await fake.wait_calls("sendMessage", chat_id=group)
    await show_previews(fake, replies, group)
    await replies(result())
    await replies.close()
    stamps = [c.at for c in fake.calls_to("editMessageMedia", chat_id=group)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert len(stamps) == 3 and all(gap >= 0.75 for gap in gaps), f"previews paced in a group: {gaps}"
