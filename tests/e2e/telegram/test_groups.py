"""Groups: act only when addressed; chat settings only for the chat's admins; admin commands refused."""

from __future__ import annotations

import pytest

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


async def test_link_codes_and_history_stay_out_of_groups(bot: TelegramBot) -> None:
    """A link code read in a group would let any member join the account; a history lists private titles."""
    bot.say(7, 'Gaming thumbnail "DM ONLY TITLE"')
    await bot.photo_for(7)
    group_say(bot, 7, "/link")
    group_say(bot, 7, "/link ABCD2345")
    group_say(bot, 7, "/history")
    refusals = await bot.texts_for(GROUP, 3)
    assert all("only in a private chat" in text for text in refusals), refusals
    assert not any("code:" in text or "DM ONLY TITLE" in text for text in refusals)
    bot.say(7, "/link")
    assert "Your link code:" in (await bot.texts_for(7))[0], "in the private chat a code is given"


async def test_posts_sent_as_a_chat_are_not_taken_as_a_person(bot: TelegramBot) -> None:
    """A channel's automatic forward arrives "from" Telegram's stand-in user 777000, the same for every channel:
    taken as a person it would be one account shared by every channel's admins (history, credits, /forget)."""
    stand_in = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    channel = {"id": -1009991, "type": "channel", "title": "A channel"}
    group_say(bot, 7, '/thumb Cooking "FROM A CHANNEL"', **{"from": stand_in, "sender_chat": channel,
                                                           "is_automatic_forward": True})
    group_say(bot, 7, "/history", **{"from": stand_in, "sender_chat": channel, "is_automatic_forward": True})
    await bot.settle(0.6)
    assert bot.fake.methods(chat_id=GROUP) == []
    group_say(bot, 8, '/thumb Cooking "FROM A PERSON"')
    assert '"FROM A PERSON"' in (await bot.photo_for(GROUP))[0].params["caption"]


async def test_an_anonymous_admin_is_asked_to_post_as_themselves(bot: TelegramBot) -> None:
    """Posting as the group, an admin is nobody to charge or answer by name: asked politely, not ignored."""
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    group = bot.fake.chat(GROUP, "supergroup")
    group_say(bot, 7, '/thumb Gaming "ANONYMOUS"', **{"from": anonymous, "sender_chat": group})
    [answer] = await bot.texts_for(GROUP)
    assert "post as yourself" in answer
    assert bot.fake.calls_to("sendPhoto", chat_id=GROUP) == []


@pytest.mark.parametrize(("photos", "captioned"), [(3, 0), (2, 1)], ids=["caption-first", "caption-later"])
async def test_an_album_is_one_request_made_by_its_caption(bot: TelegramBot, photos: int, captioned: int) -> None:
    """Telegram sends an album as one message per photo, the caption on one of them (usually the first): one
    thumbnail, one charge, titled by the caption the person typed."""
    from tests.e2e.telegram.conftest import jpeg

    for n, color in enumerate(("#ff0000", "#00ff00", "#0000ff")[:photos]):
        bot.fake.push(message=bot.fake.photo_message(301, jpeg(color=color), caption='Vlog "MY TRIP"' if n == captioned
                                                     else None, media_group_id="album-1"))
    [photo] = await bot.photo_for(301)
    await bot.settle(1.5)
    assert '"MY TRIP"' in photo.params["caption"]
    assert len(bot.fake.calls_to("sendPhoto", chat_id=301)) == 1


async def test_a_result_for_a_group_that_became_a_supergroup_reaches_the_supergroup(bot: TelegramBot) -> None:
    supergroup = -1004001
    group_say(bot, 7, '/thumb Gaming "UPGRADED"')
    bot.fake.migrate(GROUP, supergroup)
    photo = await bot.fake.wait_calls("sendPhoto", chat_id=supergroup)
    assert '"UPGRADED"' in photo[0].params["caption"]
