"""Forum groups: a request made in a topic is answered in that topic, by every message the bot sends for it."""

from __future__ import annotations

from typing import Any

from tests.e2e.telegram.conftest import TelegramBot
from tests.e2e.telegram.test_progress import slow_providers

FORUM = -1009990001
TOPIC = 42
CHAT = {"id": FORUM, "type": "supergroup", "title": "Forum", "is_forum": True}


async def test_a_request_and_a_button_pressed_in_a_topic_are_answered_in_that_topic(new_bot: Any) -> None:
    bot: TelegramBot = await new_bot(concurrency=1).start(providers=slow_providers(1.0))
    bot.fake._chats[FORUM] = CHAT
    bot.say(FORUM, '@routix_test_bot Gaming thumbnail "TOPIC"', user_id=7, chat_type="supergroup", chat=CHAT,
            message_thread_id=TOPIC, is_topic_message=True)
    first = (await bot.photo_for(FORUM))[0]
    rows = first.params["reply_markup"]["inline_keyboard"]
    regenerate = next(b["callback_data"] for row in rows for b in row if b["callback_data"].startswith("rx:regen:"))
    result = {"message_id": 500, "date": 0, "chat": CHAT, "from": bot.fake.bot_user, "photo": [],
              "message_thread_id": TOPIC, "is_topic_message": True}
    bot.fake.push(callback_query=bot.fake.callback(FORUM, 7, regenerate, message=result))
    await bot.photo_for(FORUM, 2, timeout=20)
    await bot.settle(0.5)
    sent = bot.fake.calls_to("sendMessage", "sendPhoto", "sendChatAction", chat_id=FORUM)
    assert {call.method for call in sent} == {"sendMessage", "sendPhoto", "sendChatAction"}  # progress, results
    assert [call.method for call in sent if call.params.get("message_thread_id") != TOPIC] == [], \
        "sent without the topic, it lands in General"
