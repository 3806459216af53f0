"""Never lose or double anything: redelivery, flood control, failed sends, credits running out."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bots.bootstrap import build
from bots.settings import DatabaseSettings
from core.credits import utcnow
from core.i18n import translate
from tests.conftest import drop_postgres_schema, fresh_postgres_schema, thread_providers
from tests.e2e.telegram.conftest import ADMIN_ID, TelegramBot, telegram_settings
from tests.fakes.cable import Cable
from tests.fakes.telegram_api import BOT_ID, FakeBotAPI

REQUEST = 'Fitness "30 DAY ABS"'


def paid_providers() -> dict[str, Any]:
    """`basic` (1 credit) rendered by the real local renderer: the AI providers arrive in a later issue."""
    providers = thread_providers()
    providers["basic"] = providers["local"]
    return providers


async def test_the_same_update_delivered_twice_is_answered_once(bot: TelegramBot) -> None:
    first = bot.say(60, REQUEST)
    bot.fake.push(message=first["message"], update_id=first["update_id"])  # twice in one batch
    await bot.photo_for(60)
    await bot.restart()  # the update arrives again after a restart (e.g. the offset was never confirmed)
    bot.fake.push(message=first["message"], update_id=first["update_id"])
    await bot.fake.wait_for(lambda: bot.fake.pending_updates() == 0)
    await bot.settle(0.6)
    assert bot.fake.methods(chat_id=60).count("sendPhoto") == 1
    assert set(bot.fake.methods(chat_id=60)) == {"sendChatAction", "sendPhoto"}, "no second answer of any kind"


async def test_flood_control_429_is_waited_out_and_retried(bot: TelegramBot) -> None:
    bot.fake.fail_next("sendPhoto", retry_after=1)
    bot.say(61, REQUEST)
    await bot.photo_for(61, 2, timeout=15)  # the refused attempt, then the retry
    attempts = bot.fake.calls_to("sendPhoto", chat_id=61)
    assert attempts[1].at - attempts[0].at >= 1.0, "RetryAfter honoured"
    await bot.settle()
    stages = {translate("en", "stage_" + stage) for stage in ("analysing", "generating", "composing", "uploading")}
    replies = {call.params["text"] for call in bot.fake.calls_to("sendMessage", chat_id=61)}
    assert replies <= stages, "no error reply: the thumbnail was delivered (a slow machine may show progress)"


async def test_a_failed_send_is_refunded_and_explained(new_bot: Any) -> None:
    bot: TelegramBot = await new_bot().start(providers=paid_providers())
    bot.say(62, "/algorithm basic")
    await bot.texts_for(62)
    bot.fake.fail_next("sendPhoto", status=400, description="Bad Request: PHOTO_INVALID_DIMENSIONS")
    bot.say(62, REQUEST)
    texts = await bot.texts_for(62, 2)
    assert "You were not charged" in texts[1]
    bot.say(62, "/credits")
    assert (await bot.texts_for(62, 3))[2].startswith("Balance: 10 credits"), "the credit came back"


async def test_a_picture_whose_answer_never_came_is_sent_again_not_refunded(tmp_path: Path, fake: FakeBotAPI) -> None:
    """Telegram took the upload but its answer came after the timeout: the picture may be in the chat. Refunding
    it would give a paid picture away; it is sent again instead (at worst twice) and paid for once."""
    settings = telegram_settings(tmp_path, fake, lease_seconds=1, recovery_seconds=0.2)
    settings.telegram.upload_timeout_seconds = 1.0
    bot = await TelegramBot(fake, settings).start(providers=paid_providers())
    try:
        bot.say(64, "/algorithm basic")
        await bot.texts_for(64)
        fake.answer_late("sendPhoto", 6)  # past the 5 s every call may take (the upload budget is 1 s here)
        bot.say(64, REQUEST)
        await bot.photo_for(64, 2, timeout=20)
        await bot.settle(0.5)
        bot.say(64, "/credits")
        texts = await bot.texts_for(64, 2)
        assert not any("not charged" in text for text in texts), texts
        assert texts[-1].startswith("Balance: 9 credits"), "paid once"
        assert len(fake.calls_to("sendPhoto", chat_id=64)) == 2
    finally:
        await bot.stop()


async def test_a_picture_telegram_took_but_answered_with_a_502_is_charged_once_not_refunded(
        tmp_path: Path, fake: FakeBotAPI) -> None:
    """A gateway's 502 after Telegram did the send (or a connection cut on the way back): the photo is in the
    chat. It is sent once more, and when that is unanswered too it is taken as delivered: paid once, no refund."""
    settings = telegram_settings(tmp_path, fake, lease_seconds=1, recovery_seconds=0.2)
    bot = await TelegramBot(fake, settings).start(providers=paid_providers())
    try:
        bot.say(65, "/algorithm basic")
        await bot.texts_for(65)
        fake.fail_next("sendPhoto", status=502, description="Bad Gateway", count=2, after_doing=True)
        bot.say(65, REQUEST)
        await bot.photo_for(65, 2, timeout=20)
        await bot.settle(2.0)  # leases and recovery passes: nothing more is sent
        bot.say(65, "/credits")
        texts = await bot.texts_for(65, 2)
        assert not any("not charged" in text for text in texts), texts
        assert texts[-1].startswith("Balance: 9 credits"), "paid once"
        assert len(fake.calls_to("sendPhoto", chat_id=65)) == 2, "at worst twice"
    finally:
        await bot.stop()


async def test_a_refused_resend_of_a_picture_that_may_have_arrived_is_charged_not_refunded(
        tmp_path: Path, fake: FakeBotAPI) -> None:
    """The first send was done but answered 502; the person then blocked the bot, so the resend is refused. The
    picture is in the chat: a refund and "not charged" would follow it."""
    settings = telegram_settings(tmp_path, fake, lease_seconds=1, recovery_seconds=0.2)
    bot = await TelegramBot(fake, settings).start(providers=paid_providers())
    try:
        bot.say(66, "/algorithm basic")
        await bot.texts_for(66)
        fake.fail_next("sendPhoto", status=502, description="Bad Gateway", after_doing=True)
        fake.fail_next("sendPhoto", status=403, description="Forbidden: bot was blocked by the user")
        bot.say(66, REQUEST)
        await fake.wait_calls("sendPhoto", 2, chat_id=66, timeout=20)
        await bot.settle(2.0)
        bot.say(66, "/credits")
        texts = await bot.texts_for(66, 2)
        assert not any("not charged" in text for text in texts), texts
        assert texts[-1].startswith("Balance: 9 credits")
    finally:
        await bot.stop()


async def test_a_picture_refused_with_an_unusual_status_is_refunded_and_explained(bot: TelegramBot) -> None:
    """A 413 (a proxy's body limit before the Bot API) is an answer, not a lost one: nothing reached the chat."""
    bot.fake.fail_next("sendPhoto", status=413, description="Request Entity Too Large", count=5)
    bot.say(67, REQUEST)
    texts = await bot.texts_for(67, timeout=20)
    assert "not charged" in texts[0], texts
    assert len(bot.fake.calls_to("sendPhoto", chat_id=67)) == 1, "refused once: not sent again"


async def test_running_out_of_credits_says_the_balance_and_the_refill(new_bot: Any) -> None:
    bot: TelegramBot = await new_bot().start(providers=paid_providers())
    bot.say(ADMIN_ID, "/quota free 1 month")
    assert "1 credits per month" in (await bot.texts_for(ADMIN_ID))[0]
    bot.say(63, "/algorithm basic")
    bot.say(63, REQUEST)
    photo = (await bot.photo_for(63))[0]
    assert "0 credits left" in photo.params["caption"]
    bot.say(63, "make it blue")
    refusal = (await bot.texts_for(63, 2))[1]
    assert refusal.startswith("Not enough credits: Basic AI costs 1 and you have 0.")
    assert "refills on" in refusal
    assert len(bot.fake.calls_to("sendPhoto", chat_id=63)) == 1


async def test_updates_kept_by_a_run_that_died_before_answering_them_are_answered_at_the_next_start(
        bot: TelegramBot) -> None:
    """Polling keeps a fetched batch in the inbox and the next getUpdates confirms it: a process killed after
    that has nothing left at Telegram, and the inbox is where its updates wait."""
    assert bot.routix is not None
    inbox = f"telegram:{BOT_ID}"
    left = [bot.fake.message(63, text=REQUEST), bot.fake.message(63, text="/credits")]
    await bot.stop()
    kept = [{"update_id": 900_000 + n, "message": message} for n, message in enumerate(left)]
    store = build(bot.settings, providers=thread_providers()).store  # the database the killed run left behind
    await store.create_schema()
    await store.keep_updates(inbox, [(update["update_id"], json.dumps(update)) for update in kept], utcnow())
    stale = {"update_id": 800_000, "message": bot.fake.message(65, text=REQUEST)}  # a day and more: Telegram's own
    await store.keep_updates(inbox, [(800_000, json.dumps(stale))], utcnow() - timedelta(hours=25))
    await store.close()
    await bot.start()
    await bot.photo_for(63)
    assert (await bot.texts_for(63))[0].startswith("Balance:"), "the chat's updates in the order they came"
    assert bot.fake.pending_updates() == 0
    await bot.fake.wait_for(lambda: bot.fake.calls_to("sendMessage", chat_id=63))
    await bot.settle(0.3)
    assert bot.routix is not None
    assert await bot.routix.store.kept_updates(inbox) == [], "answered updates leave the inbox"
    assert bot.fake.methods(chat_id=63).count("sendPhoto") == 1
    assert bot.fake.methods(chat_id=65) == [], "an update kept past Telegram's own day is dropped unanswered"


async def test_with_the_database_down_a_request_is_told_to_come_again_and_is_not_fetched_forever(
        tmp_path: Path, fake: FakeBotAPI, postgres_url: str, cable: Cable) -> None:
    """The inbox cannot keep a batch without the database: its updates are answered first ("send that again"),
    then confirmed, as before the inbox; back, the same request makes its picture."""
    schema, url = await fresh_postgres_schema(postgres_url)
    settings = telegram_settings(tmp_path, fake)
    settings.database = DatabaseSettings(database_url=url.replace("127.0.0.1:5432", f"127.0.0.1:{cable.port}"))
    bot = TelegramBot(fake, settings)
    try:
        await bot.start()
        bot.say(64, REQUEST)
        await bot.photo_for(64)
        cable.unplug()
        bot.say(64, 'Vlog "DAY TWO"')
        assert "send that again" in (await bot.texts_for(64, timeout=20))[0]
        await fake.wait_for(lambda: fake.pending_updates() == 0)
        cable.plug()
        bot.say(64, 'Vlog "DAY TWO"')
        await bot.photo_for(64, 2, timeout=20)
        assert len(fake.calls_to("sendMessage", chat_id=64)) == 1, "the refused request was answered once"
    finally:
        cable.plug()
        await bot.stop()
        await drop_postgres_schema(postgres_url, schema)
