"""Groups: act only when addressed; chat settings only for the chat's admins; admin commands refused."""

from __future__ import annotations

from tests.e2e.telegram.conftest import TelegramBot

GROUP = -100200300


def group_say(bot: TelegramBot, user_id: int, text: str, **kw: object) -> dict:
    return bot.say(GROUP, text, user_id=user_id, chat_type="supergroup", **kw)


async def test_only_mentions_replies_and_thumb_reach_the_bot(bot: TelegramBot) -> None:
    group_say(bot, 7, "hello everyone, what a game")
    group_say(bot, 7, "/help@some_other_bot")
    group_say(bot, 7, 'Gaming thumbnail "IGNORED"')
    await bot.settle(0.6)
    assert bot.fake.methods(chat_id=GROUP) == [], "chatter is ignored"

    mention = group_say(bot, 7, '@routix_test_bot Gaming thumbnail "MENTIONED"')
    photo = (await bot.photo_for(GROUP))[0]
    assert '"MENTIONED"' in photo.params["caption"]
    assert photo.params["reply_parameters"]["message_id"] == mention["message"]["message_id"], \
        "in a busy group the thumbnail answers the message that asked for it"

    group_say(bot, 8, '/thumb Cooking "PASTA NIGHT"')
    assert '"PASTA NIGHT"' in (await bot.photo_for(GROUP, 2))[1].params["caption"]

    bot_message = {"message_id": 9999, "date": 0, "chat": bot.fake.chat(GROUP, "supergroup"),
                   "from": bot.fake.bot_user, "photo": []}
    group_say(bot, 7, "make it red", reply_to=bot_message)
    assert len(await bot.photo_for(GROUP, 3)) == 3, "a reply to the bot is a refinement"


async def test_chat_settings_need_the_groups_admin(bot: TelegramBot) -> None:
    group_say(bot, 7, "/settings watermark on")
    refusal = (await bot.texts_for(GROUP))[0]
    assert "only this chat's admins" in refusal
    assert bot.fake.calls_to("getChatMember")[0].params == {"chat_id": GROUP, "user_id": 7}

    bot.fake.set_member(GROUP, 8, "administrator")
    group_say(bot, 8, "/settings@routix_test_bot watermark on")
    assert (await bot.texts_for(GROUP, 2))[1] == "Watermark for this chat: on."


async def test_requests_do_not_ask_telegram_about_admins(bot: TelegramBot) -> None:
    group_say(bot, 7, '/thumb Gaming "GG"')
    await bot.photo_for(GROUP)
    assert not bot.fake.calls_to("getChatMember"), "getChatMember only for chat-settings commands"


async def test_non_admin_cannot_use_admin_commands(bot: TelegramBot) -> None:
    bot.say(50, "/grant telegram:50 100")
    assert "only Routix admins" in (await bot.texts_for(50))[0]
    bot.say(50, "/credits")
    assert "Balance: 10 credits" in (await bot.texts_for(50, 2))[1], "nothing was granted"
