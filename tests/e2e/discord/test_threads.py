"""A server that keeps Routix to chosen channels is answered in their threads and forum posts, and a refusal names
the chosen channels the way Discord links them."""

from __future__ import annotations

from typing import Any

from tests.e2e.discord.conftest import make_settings, option, running_bot, subcommand
from tests.e2e.discord.test_permissions import ask
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord, FakeInteraction, FakeUser

MANAGER = MEMBER_PERMISSIONS | MANAGE_GUILD


async def choose_channel(fake: FakeDiscord, manager: FakeUser, channel_id: str) -> str:
    """/settings channels #that-one; returns the answer."""
    chosen = subcommand("channels", option("channel", channel_id, 7))
    return await ask(fake, "settings", [chosen], manager, permissions=MANAGER)


async def answer_to(fake: FakeDiscord, record: FakeInteraction) -> dict[str, Any]:
    """The message that ended a /thumbnail: its picture, or a follow-up (a refusal)."""
    def ended() -> dict[str, Any] | None:
        pictures = [message for _, message in record.edits if message["attachments"]]
        return pictures[-1] if pictures else fake.messages[record.followups[0]] if record.followups else None

    return await fake.wait_for(ended, what="the answer to /thumbnail")


def pictures_in(fake: FakeDiscord, channel_id: str) -> list[dict[str, Any]]:
    return [message for message in fake.channel_messages(channel_id) if message["attachments"]]


async def test_a_thumbnail_in_a_thread_of_a_chosen_channel_is_made_in_the_thread(fake: FakeDiscord, users,
                                                                                   tmp_path) -> None:
    creator, manager = users("creator"), users("manager")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await choose_channel(fake, manager, fake.other_channel_id)
        thread = await fake.add_thread(fake.other_channel_id)
        record = await fake.slash("thumbnail", [option("prompt", 'Podcast "IN A THREAD"')], user=creator,
                                  channel_id=thread)
        answer = await answer_to(fake, record)
    assert answer["attachments"] and answer["channel_id"] == thread, answer["content"]
    assert "IN A THREAD" in answer["content"]


async def test_a_mention_in_a_thread_of_a_chosen_channel_is_answered_in_the_thread(fake: FakeDiscord, users,
                                                                                    tmp_path) -> None:
    creator, manager = users("creator"), users("manager")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await choose_channel(fake, manager, fake.other_channel_id)
        thread = await fake.add_thread(fake.other_channel_id)
        asked = await fake.send_message('Podcast "THREAD MENTION"', user=creator, guild=True, mention_bot=True,
                                        channel_id=thread)
        [answer] = await fake.wait_for(lambda: pictures_in(fake, thread), what="the answer in the thread")
    assert answer["message_reference"]["message_id"] == asked["id"]


async def test_a_forum_can_be_chosen_and_its_posts_are_answered(fake: FakeDiscord, users, tmp_path) -> None:
    creator, manager = users("creator"), users("manager")
    async with running_bot(make_settings(tmp_path, fake), fake):
        forum = await fake.add_forum("showcase")
        assert f"<#{forum}>" in await choose_channel(fake, manager, forum)  # linked, as Discord shows names
        post = await fake.add_thread(forum, "my next video")
        await fake.send_message('Travel "BALI"', user=creator, guild=True, mention_bot=True, channel_id=post)
        await fake.wait_for(lambda: pictures_in(fake, post), what="the answer in the forum post")
        record = await fake.slash("thumbnail", [option("prompt", 'Travel "LOMBOK"')], user=creator, channel_id=post)
        assert (await answer_to(fake, record))["attachments"]
    synced = next(o for o in fake.command("settings")["options"] if o["name"] == "channels")
    assert 15 in synced["options"][0]["channel_types"]  # Discord's picker offers forum channels


async def test_elsewhere_the_refusal_links_the_chosen_channels(fake: FakeDiscord, users, tmp_path) -> None:
    """"#<id>" is not a link on Discord (it showed the raw number); "<#id>" shows the channel's name."""
    creator, manager = users("creator"), users("manager")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await choose_channel(fake, manager, fake.other_channel_id)
        elsewhere = await fake.add_thread(fake.channel_id)  # a thread of a channel that was not chosen
        for channel in (fake.channel_id, elsewhere):
            record = await fake.slash("thumbnail", [option("prompt", 'Podcast "EP 1"')], user=creator,
                                      channel_id=channel)
            refusal = await answer_to(fake, record)
            assert refusal["content"] == f"I make thumbnails in this server's chosen channels only: " \
                                         f"<#{fake.other_channel_id}>."
            assert refusal["flags"] & (1 << 6)  # only the person sees it
