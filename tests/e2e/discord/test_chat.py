"""DMs and mentions work like a chat: refinement of the last request, a typing indicator while working."""

from __future__ import annotations

import io

from PIL import Image

from tests.e2e.discord.conftest import make_settings, option, running_bot, subcommand
from tests.e2e.discord.test_permissions import ask
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord


def replies_with_images(fake: FakeDiscord, channel_id: str) -> list[dict]:
    return [m for m in fake.channel_messages(channel_id) if m["attachments"]]


async def test_dm_refinement_with_typing_indicator(fake: FakeDiscord, users, tmp_path) -> None:
    alice = users("alice")
    dm = fake.dm_channel(alice.id)
    async with running_bot(make_settings(tmp_path, fake), fake):
        first = await fake.send_message('Gaming thumbnail "I WON" in blue', user=alice)
        [one] = await fake.wait_for(lambda: replies_with_images(fake, dm), what="the first thumbnail")
        second = await fake.send_message("make it red", user=alice)
        two = (await fake.wait_for(lambda: replies_with_images(fake, dm)[1:], what="the refined thumbnail"))[0]

    typing = [at for at, channel in fake.typing if channel == dm]
    assert len(typing) >= 2  # once per request, while it was being made
    for message, request in ((one, first), (two, second)):
        assert message["message_reference"]["message_id"] == request["id"]  # a reply to the request
        picture = Image.open(io.BytesIO(fake.download(message["attachments"][0])))
        assert (picture.format, picture.size) == ("JPEG", (1280, 720))
        assert fake.custom_ids(message["id"])[0].startswith("rx:regen:")
    assert "I WON" in two["content"]  # the refinement kept the title
    assert fake.download(one["attachments"][0]) != fake.download(two["attachments"][0])


async def test_mentions_are_answered_only_in_allowed_channels(fake: FakeDiscord, users, tmp_path) -> None:
    creator, manager = users("creator"), users("manager")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await fake.send_message("just chatting", user=creator, guild=True)  # not for the bot: ignored
        await fake.send_message('Podcast "EP 12"', user=creator, guild=True, mention_bot=True)
        await fake.wait_for(lambda: replies_with_images(fake, fake.channel_id), what="the answer to a mention")

        only_general = subcommand("channels", option("channel", fake.other_channel_id, 7))
        await ask(fake, "settings", [only_general], manager, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
        await fake.send_message('Podcast "EP 13"', user=creator, guild=True, mention_bot=True)
        await fake.send_message('Podcast "EP 14"', user=creator, guild=True, mention_bot=True,
                                channel_id=fake.other_channel_id)
        await fake.wait_for(lambda: replies_with_images(fake, fake.other_channel_id), what="the allowed channel")
    assert len(replies_with_images(fake, fake.channel_id)) == 1  # nothing more where the bot may not answer
    assert len([m for m in fake.channel_messages(fake.channel_id) if "interaction_metadata" not in m]) == 1


async def test_link_codes_are_given_privately_only(fake: FakeDiscord, users, tmp_path) -> None:
    """A code posted in a server channel would let anyone there join the account: only the ephemeral command or
    a DM gives one."""
    creator = users("creator")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await fake.send_message("/link", user=creator, guild=True, mention_bot=True)
        refused = await fake.wait_for(lambda: [m for m in fake.channel_messages(fake.channel_id)
                                               if "private chat" in m["content"]], what="the refusal")
        assert "code:" not in refused[0]["content"]
        assert "Your link code:" in await ask(fake, "link", [], creator)  # the slash command answers privately
