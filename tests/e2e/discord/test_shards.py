"""Sharding: two processes, each running one of two shards, answer each interaction once, from the right shard."""

from __future__ import annotations

import io

from PIL import Image

from bots.settings import DiscordSettings
from tests.e2e.discord.conftest import make_settings, option, running_bot
from tests.e2e.discord.test_thumbnail import EPHEMERAL, final
from tests.fakes.discord_api import FakeDiscord


async def test_two_shard_processes_split_the_work_and_answer_once(fake: FakeDiscord, users, tmp_path) -> None:
    hana = users("hana")
    settings = [make_settings(tmp_path, fake) for _ in (0, 1)]  # one database, as in production
    for n, each in enumerate(settings):
        each.discord = DiscordSettings(**{**each.discord.model_dump(), "shard_count": 2, "shard_ids": str(n)})
    async with running_bot(settings[0], fake), running_bot(settings[1], fake):
        assert sorted(fake.shards_identified) == [(0, 2), (1, 2)]
        in_server = await fake.slash("thumbnail", [option("prompt", 'Gaming "SHARDED"')], user=hana)
        message = await fake.wait_for(lambda: final(in_server), what="the server's thumbnail")
        assert Image.open(io.BytesIO(fake.download(message["attachments"][0]))).size == (1280, 720)
        in_dm = await fake.slash("credits", [], user=hana, guild=False)
        await fake.wait_for(lambda: in_dm.edits, what="the DM answer")
        assert in_dm.edits[-1][1]["flags"] & EPHEMERAL and "Balance" in in_dm.edits[-1][1]["content"]
    owner = fake.shard_of(fake.guild_id, 2)
    interactions = [shard for event, shard in fake.dispatched if event == "INTERACTION_CREATE"]
    assert interactions == [owner, 0], "the server's shard, then shard 0 for the direct message"
    assert in_server.callback_type == 5 and in_dm.callback_type == 5, "each acknowledged once"
