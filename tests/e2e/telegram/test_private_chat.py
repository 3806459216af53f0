"""Private chats: commands, requests, refinements, reference photos, refusals."""

from __future__ import annotations

from tests.e2e.telegram.conftest import TelegramBot, decode, jpeg

REQUEST = 'Gaming thumbnail "I WON"'


async def test_start_in_english_and_persian(bot: TelegramBot) -> None:
    bot.say(10, "/start", language_code="en")
    bot.say(11, "/start", language_code="fa")
    english = (await bot.texts_for(10))[0]
    persian = (await bot.texts_for(11))[0]
    assert english.startswith("Hi Creator! I'm Routix")
    assert persian.startswith("سلام \u2068Creator\u2069!")  # a Latin name isolated: the line stays right to left


async def test_request_shows_work_at_once_then_a_thumbnail_with_buttons(bot: TelegramBot) -> None:
    update = bot.say(20, REQUEST)
    photo = (await bot.photo_for(20))[0]
    await bot.settle()
    methods = bot.fake.methods(chat_id=20)
    assert methods[0] == "sendChatAction", methods  # the first sign of life, before anything else
    assert bot.fake.calls_to("sendChatAction", chat_id=20)[0].params["action"] == "upload_photo"
    assert "sendMessage" not in methods, "a fast job must not cost a progress message"
    image = decode(photo.params["photo"])
    assert (image.format, image.size) == ("JPEG", (1280, 720))
    assert len(photo.params["photo"]) <= bot.settings.telegram.max_bytes
    assert '"I WON"' in photo.params["caption"] and "credits left" in photo.params["caption"]
    rows = photo.params["reply_markup"]["inline_keyboard"]
    actions = [button["callback_data"] for row in rows for button in row]
    assert [a.split(":")[1] for a in actions[:3]] == ["regen", "vars", "orig"]
    assert any(a.startswith("rx:algo:") for a in actions), "an algorithm switch row"
    first_action = bot.fake.calls_to("sendChatAction", chat_id=20)[0].at
    assert first_action - bot.fake.updates_pushed[update["update_id"]] < 1.0


async def test_a_follow_up_refines_the_last_thumbnail(bot: TelegramBot) -> None:
    bot.say(21, REQUEST)
    first = (await bot.photo_for(21))[0]
    bot.say(21, "make it red")
    second = (await bot.photo_for(21, 2))[1]
    assert '"I WON"' in second.params["caption"], "the refinement keeps the title"
    assert first.params["photo"] != second.params["photo"]
    red, green, blue = decode(second.params["photo"]).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert red > blue and red > green, "the refined thumbnail is red"


async def test_photo_with_caption_is_a_request_with_a_reference_photo(bot: TelegramBot) -> None:
    bot.fake.push(message=bot.fake.photo_message(22, jpeg(), caption='Vlog "MY TRIP"'))
    photo = (await bot.photo_for(22))[0]
    assert '"MY TRIP"' in photo.params["caption"]
    assert decode(photo.params["photo"]).size == (1280, 720)
    assert bot.fake.calls_to("getFile") and bot.fake.calls_to("download"), "the photo was fetched via getFile"


async def test_image_sent_as_a_document_is_a_reference_photo(bot: TelegramBot) -> None:
    png = jpeg(640, 640)
    bot.fake.push(message=bot.fake.document_message(23, png, "image/jpeg", "me.jpg", caption='Podcast "EP 1"'))
    photo = (await bot.photo_for(23))[0]
    assert '"EP 1"' in photo.params["caption"]


async def test_non_image_document_is_refused_politely(bot: TelegramBot) -> None:
    bot.fake.push(message=bot.fake.document_message(24, b"%PDF-1.4", "application/pdf", "cv.pdf", caption="hi"))
    text = (await bot.texts_for(24))[0]
    assert "isn't an image" in text
    assert not bot.fake.calls_to("getFile"), "nothing is downloaded"


async def test_file_over_20_mb_is_refused_before_downloading(bot: TelegramBot) -> None:
    message = bot.fake.photo_message(25, jpeg(), caption="Vlog", size=25 * 1024 * 1024, language_code="fa")
    bot.fake.push(message=message)
    text = (await bot.texts_for(25))[0]
    assert "بزرگ" in text, "refused in the user's language"
    assert not bot.fake.calls_to("getFile") and not bot.fake.calls_to("download")


async def test_empty_and_huge_requests_get_clear_answers(bot: TelegramBot) -> None:
    bot.say(26, "/thumb")
    bot.say(27, "x" * 10_000)
    assert "describe" in (await bot.texts_for(26))[0].lower()
    assert "too long" in (await bot.texts_for(27))[0]
    assert not bot.fake.calls_to("sendPhoto")
