"""Every component under a result works, before and after a restart on the same database."""

from __future__ import annotations

import io

from PIL import Image

from tests.e2e.discord.conftest import make_settings, option, running_bot
from tests.e2e.discord.test_thumbnail import EPHEMERAL, final
from tests.fakes.discord_api import FakeDiscord, FakeInteraction, FakeUser


async def _thumbnail(fake: FakeDiscord, user: FakeUser) -> dict:
    record = await fake.slash("thumbnail", [option("prompt", 'Fitness "30 DAY ABS"')], user=user)
    return await fake.wait_for(lambda: final(record), what="the thumbnail")


def _ids(fake: FakeDiscord, message: dict) -> dict[str, str]:
    return {custom_id.split(":")[1]: custom_id for custom_id in fake.custom_ids(message["id"])}


async def _result(fake: FakeDiscord, record: FakeInteraction) -> dict:
    message = await fake.wait_for(lambda: final(record), what="the button's result")
    assert record.callback_type == 5 and record.ack_latency is not None and record.ack_latency < 0.5
    return message


async def test_every_button_and_the_algorithm_select(fake: FakeDiscord, users, tmp_path) -> None:
    alice = users("alice")
    async with running_bot(make_settings(tmp_path, fake), fake):
        message = await _thumbnail(fake, alice)
        ids = _ids(fake, message)

        regenerated = await _result(fake, await fake.click(message["id"], ids["regen"], user=alice))
        assert fake.download(regenerated["attachments"][0]) != fake.download(message["attachments"][0])
        assert _ids(fake, regenerated)["regen"] != ids["regen"]  # a new generation with its own buttons

        variations = await _result(fake, await fake.click(message["id"], ids["vars"], user=alice))
        assert len(variations["attachments"]) == 3
        for attachment in variations["attachments"]:
            assert Image.open(io.BytesIO(fake.download(attachment))).size == (1280, 720)

        original = await _result(fake, await fake.click(message["id"], ids["orig"], user=alice))
        png = Image.open(io.BytesIO(fake.download(original["attachments"][0])))
        assert (png.format, png.size) == ("PNG", (1280, 720))

        # only the local algorithm is configured here: choosing another one is refused, privately
        chosen = await fake.select(message["id"], ids["algo"], "premium", user=alice)
        await fake.wait_for(lambda: chosen.followups, what="the refusal")
        refusal = fake.messages[chosen.followups[0]]
        assert refusal["flags"] & EPHEMERAL and "Premium AI" in refusal["content"]


async def test_buttons_still_work_after_a_restart(fake: FakeDiscord, users, tmp_path) -> None:
    alice = users("alice")
    settings = make_settings(tmp_path, fake)
    async with running_bot(settings, fake):
        message = await _thumbnail(fake, alice)
    async with running_bot(settings, fake):  # a new process on the same data directory
        assert fake.gateway_connections == 2
        ids = _ids(fake, message)
        regenerated = await _result(fake, await fake.click(message["id"], ids["regen"], user=alice))
        assert Image.open(io.BytesIO(fake.download(regenerated["attachments"][0]))).size == (1280, 720)
        original = await _result(fake, await fake.click(message["id"], ids["orig"], user=alice))
        assert original["attachments"][0]["filename"].endswith(".png")


async def test_a_forged_custom_id_gets_nothing_of_another_persons_result(fake: FakeDiscord, users, tmp_path) -> None:
    alice, mallory = users("alice"), users("mallory")
    async with running_bot(make_settings(tmp_path, fake), fake):
        theirs = _ids(fake, await _thumbnail(fake, alice))  # in the server's channel
        record = await fake.slash("thumbnail", [option("prompt", 'Vlog "MINE"')], user=mallory, guild=False)
        own = await fake.wait_for(lambda: final(record), what="mallory's own thumbnail in her DM")
        for verb in ("orig", "regen", "vars"):
            forged = await fake.click(own["id"], theirs[verb], user=mallory, forged=True)
            await fake.wait_for(lambda f=forged: f.followups, what=f"the refusal {forged}")
            refusal = fake.messages[forged.followups[0]]
            assert refusal["flags"] & EPHEMERAL and "no longer available" in refusal["content"]
            assert not refusal.get("attachments")
        dm = fake.dm_channel(mallory.id)
        sent = [m for m in fake.channel_messages(dm) if m.get("attachments")]
        assert len(sent) == 1, "mallory's DM holds only her own thumbnail"
        mine = await _result(fake, await fake.click(own["id"], _ids(fake, own)["orig"], user=mallory))
        assert mine["attachments"][0]["filename"].endswith(".png"), "her own button still works"
