"""The core as people meet it, built by the real composition root on the in-memory store: no database, no
network, the real renderer on threads. Each test checks what a person would notice: the replies and the balance.

The store is tests/fakes/memory_store.py, held to SqlStore's behaviour by tests/integration/test_store.py.
"""

from __future__ import annotations

from bots.bootstrap import Routix
from core.messages import ErrorReply, ImageReply, Options, Outgoing
from tests.conftest import Conversation, text_of

FREE_ALLOWANCE = 10  # the settings' default free tier: 10 credits a month


async def balance_line(chat: Conversation) -> str:
    return text_of(await chat.send("/credits")).splitlines()[0]


def images(events: list[Outgoing]) -> list[ImageReply]:
    return [event for event in events if isinstance(event, ImageReply)]


BASIC = Options(algorithm="basic")


async def test_a_request_makes_a_thumbnail_and_charges_its_cost(app: Routix) -> None:
    chat = Conversation(app, "alice")
    made = images(await chat.send('Gaming thumbnail "I WON"', options=BASIC))
    assert len(made) == 1 and made[0].image[:3] == b"\xff\xd8\xff"  # a JPEG
    assert '"I WON"' in made[0].caption and made[0].caption.endswith("9 credits left")
    assert await balance_line(chat) == "Balance: 9 credits (9 allowance + 0 granted)"


async def test_a_follow_up_refines_the_last_thumbnail_of_the_chat(app: Routix) -> None:
    chat = Conversation(app, "alice")
    await chat.send('Gaming thumbnail "I WON"')
    refined = images(await chat.send("make it blue"))
    assert len(refined) == 1 and '"I WON"' in refined[0].caption  # the title of the thumbnail it refines


async def test_a_failing_provider_refunds_the_credits_it_held(app: Routix) -> None:
    chat = Conversation(app, "carol")
    failure = (await chat.send('Movie "DUNE"', options=Options(algorithm="premium")))[-1]
    assert isinstance(failure, ErrorReply) and "not charged" in failure.text
    assert await balance_line(chat) == f"Balance: {FREE_ALLOWANCE} credits (10 allowance + 0 granted)"


async def test_an_admin_grant_adds_credits_that_show_in_the_balance(app: Routix) -> None:
    bob, admin = Conversation(app, "bob"), Conversation(app, "admin")
    await bob.send("/start")
    assert "Their balance: 15" in text_of(await admin.send("/grant console:bob 5"))
    assert await balance_line(bob) == "Balance: 15 credits (10 allowance + 5 granted)"
    assert (await admin.send("/grant console:nobody 5"))[-1].code == "user_not_found"  # type: ignore[attr-defined]


async def test_a_banned_person_is_refused_until_unbanned(app: Routix) -> None:
    eve, admin = Conversation(app, "eve"), Conversation(app, "admin")
    await eve.send("/start")
    await admin.send("/ban console:eve")
    refusal = (await eve.send('Vlog "PARIS"'))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "banned"
    await admin.send("/unban console:eve")
    assert images(await eve.send('Vlog "PARIS"'))


async def test_a_tier_change_shows_in_the_persons_credits(app: Routix) -> None:
    frank, admin = Conversation(app, "frank"), Conversation(app, "admin")
    await frank.send("/start")
    assert "frank is now on the pro tier" in text_of(await admin.send("/tier console:frank pro"))
    tier_line = text_of(await frank.send("/credits")).splitlines()[1]
    assert tier_line.startswith("Tier: pro") and "watermark off" in tier_line


async def test_lang_switches_the_replies_language(app: Routix) -> None:
    chat = Conversation(app, "dara")
    assert text_of(await chat.send("/lang fa")) == "از این پس به فارسی پاسخ می‌دهم."
    assert (await balance_line(chat)).startswith("موجودی: ۱۰ اعتبار")  # Persian digits too
    await chat.send("/lang en")
    assert (await balance_line(chat)).startswith("Balance: 10 credits")


async def test_an_admin_can_turn_a_chats_watermark_off(app: Routix) -> None:
    admin, other = Conversation(app, "admin"), Conversation(app, "gina")
    request = 'Tips "LEARN FAST"'
    marked = images(await admin.send(request))[0].image
    assert images(await other.send(request))[0].image == marked  # the same request makes the same picture
    assert text_of(await admin.send("/watermark off")) == "Watermark for this chat: off."
    assert "watermark off" in text_of(await admin.send("/settings"))
    assert images(await admin.send(request))[0].image != marked  # now without the free tier's watermark
    assert images(await other.send(request))[0].image == marked  # other chats keep theirs


async def test_a_chats_default_algorithm_is_used_and_charged(app: Routix) -> None:
    chat = Conversation(app, "admin")
    assert "by default" in text_of(await chat.send("/algorithm basic"))
    assert "default algorithm basic" in text_of(await chat.send("/settings"))
    made = images(await chat.send('Tech "SPEED"'))  # no algorithm asked for: the chat's default
    assert made and made[0].caption.endswith("9 credits left")


async def test_a_server_can_limit_the_channels_routix_answers_in(app: Routix) -> None:
    guild = {"space_id": "guild-1", "is_group": True}
    owner = Conversation(app, "owner", platform="discord", chat="general")
    chosen = text_of(await owner.send("/settings channels 111", **guild, is_chat_admin=True))
    assert chosen == "I'll answer in: #111.", "named as the platform links channels"
    refusal = (await owner.send('Gaming "GG"', **guild))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "channel_not_allowed" and "111" in refusal.text
    allowed = Conversation(app, "owner", platform="discord", chat="111")
    assert images(await allowed.send('Gaming "GG"', **guild))


async def test_a_redelivered_update_is_answered_and_charged_once(app: Routix) -> None:
    chat = Conversation(app, "hana")
    await chat.send('Gaming "ONCE"', update_key="console:1", options=BASIC)
    await chat.send('Gaming "ONCE"', update_key="console:1", options=BASIC)
    assert len(images(chat.events)) == 1
    assert await balance_line(chat) == "Balance: 9 credits (9 allowance + 0 granted)"


async def test_link_joins_two_platform_accounts_into_one_balance(app: Routix) -> None:
    admin = Conversation(app, "admin")
    telegram = Conversation(app, "100", platform="telegram")
    discord = Conversation(app, "200", platform="discord")
    await telegram.send("/start")
    await discord.send("/start")
    await admin.send("/grant telegram:100 4")
    await admin.send("/grant discord:200 6")
    code = text_of(await telegram.send("/link")).split()[3]
    assert "20 credits" in text_of(await discord.send(f"/link {code}"))  # one allowance of 10, + 4 + 6
    assert (await discord.send(f"/link {code}"))[-1].code == "link_invalid"  # type: ignore[attr-defined]
    joined = "Balance: 20 credits (10 allowance + 10 granted)"
    assert await balance_line(telegram) == await balance_line(discord) == joined


async def test_forget_deletes_the_persons_thumbnails_but_not_their_credits(app: Routix) -> None:
    chat = Conversation(app, "zoe")
    await chat.send('Vlog "MY DAY"', options=BASIC)
    assert "Deleted: thumbnails 1, files" in text_of(await chat.send("/forget confirm"))
    assert "MY DAY" not in text_of(await chat.send("/history"))
    assert await balance_line(chat) == "Balance: 9 credits (9 allowance + 0 granted)"
