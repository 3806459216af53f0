"""Inline buttons under a thumbnail: Regenerate, Variations, Original, algorithm switch; after a restart."""

from __future__ import annotations

from typing import Any

from tests.e2e.telegram.conftest import TelegramBot, decode

REQUEST = 'Tech review "PHONE 17"'


def buttons(photo: Any) -> dict[str, str]:
    """verb -> callback_data of a sendPhoto's keyboard."""
    rows = photo.params["reply_markup"]["inline_keyboard"]
    return {button["callback_data"].split(":")[1]: button["callback_data"] for row in rows for button in row}


async def first_thumbnail(bot: TelegramBot, chat_id: int) -> Any:
    bot.say(chat_id, REQUEST)
    return (await bot.photo_for(chat_id))[0]


async def test_regenerate_sends_a_new_design_and_answers_the_button(bot: TelegramBot) -> None:
    photo = await first_thumbnail(bot, 40)
    bot.press(40, buttons(photo)["regen"])
    second = (await bot.photo_for(40, 2))[1]
    assert buttons(second)["regen"] != buttons(photo)["regen"], "a new generation, with its own buttons"
    answers = await bot.fake.wait_calls("answerCallbackQuery")
    assert "text" not in answers[0].params, "the spinner stops without an alert"
    methods = bot.fake.methods(chat_id=40)
    assert methods.count("sendChatAction") >= 2 and methods[-1] == "sendPhoto"


async def test_variations_arrive_as_one_media_group(bot: TelegramBot) -> None:
    photo = await first_thumbnail(bot, 41)
    bot.press(41, buttons(photo)["vars"])
    album = (await bot.fake.wait_calls("sendMediaGroup", chat_id=41))[0]
    media = album.params["media"]
    assert 2 <= len(media) <= 4
    assert media[0]["caption"].startswith(f"{len(media)} variations")
    for item in media:
        assert decode(album.files[item["media"].removeprefix("attach://")]).size == (1280, 720)
    keyboards = await bot.fake.wait_for(lambda: [c for c in bot.fake.calls_to("sendMessage", chat_id=41)
                                                 if "reply_markup" in c.params])
    rows = keyboards[0].params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"][:2] for row in rows] == [f"{n}." for n in range(1, len(media) + 1)], \
        "each variation stays actionable, numbered like the pictures"


async def test_original_is_sent_as_an_uncompressed_document(bot: TelegramBot) -> None:
    photo = await first_thumbnail(bot, 42)
    bot.press(42, buttons(photo)["orig"])
    document = (await bot.fake.wait_calls("sendDocument", chat_id=42))[0]
    image = decode(document.params["document"])
    assert (image.format, image.size) == ("PNG", (1280, 720))
    assert "original" in document.params["caption"].lower()


async def test_buttons_keep_working_after_a_restart(bot: TelegramBot) -> None:
    photo = await first_thumbnail(bot, 43)
    await bot.restart()  # a new Application and core on the same database
    bot.press(43, buttons(photo)["regen"])
    assert len(await bot.photo_for(43, 2)) == 2


async def test_a_button_whose_generation_is_gone_answers_with_a_polite_alert(bot: TelegramBot) -> None:
    bot.press(44, "rx:regen:" + "0" * 32)
    answer = (await bot.fake.wait_calls("answerCallbackQuery"))[0]
    assert answer.params["show_alert"] is True
    assert "no longer available" in answer.params["text"]
    await bot.settle()
    assert not bot.fake.calls_to("sendMessage", "sendPhoto", chat_id=44)


async def test_a_forged_button_from_another_chat_gets_nothing_of_the_owners(bot: TelegramBot) -> None:
    photo = await first_thumbnail(bot, 45)
    owners = buttons(photo)
    for data in owners.values():
        bot.press(46, data)  # a modified client may send any callback data
    answers = await bot.fake.wait_calls("answerCallbackQuery", len(owners))
    assert all(a.params.get("show_alert") and "no longer available" in a.params["text"] for a in answers)
    await bot.settle()
    assert not bot.fake.calls_to("sendPhoto", "sendDocument", "sendMediaGroup", "sendMessage", chat_id=46)
    await bot.restart()
    bot.press(45, owners["orig"])
    document = (await bot.fake.wait_calls("sendDocument", chat_id=45))[0]
    assert decode(document.params["document"]).size == (1280, 720), "the owner's buttons still work"
