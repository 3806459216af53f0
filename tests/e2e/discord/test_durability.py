"""A job outlives the process that accepted it: resumed by the next start, delivered where it belongs."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from bots.bootstrap import build
from bots.settings import JobSettings
from core.providers import LocalProvider
from core.rendering import Finish, Rendered, Scene
from tests.e2e.discord.conftest import make_settings, option, providers, running_bot
from tests.fakes.discord_api import FakeDiscord


class Gated(LocalProvider):
    """The real renderer behind a gate that stays shut: the job is accepted but never finishes here."""

    def __init__(self) -> None:
        super().__init__(ThreadPoolExecutor(1))
        self.gate = asyncio.Event()

    async def warm_up(self) -> None:
        return None

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        await self.gate.wait()
        return await super().generate(scene, finish)


async def test_a_job_resumed_after_its_interaction_expired_is_posted_in_the_channel(fake: FakeDiscord, users,
                                                                                    tmp_path) -> None:
    gina = users("gina")
    settings = make_settings(tmp_path, fake)
    settings.jobs = JobSettings(workers=2, drain_seconds=0)  # stopping leaves the job for the next start
    first = build(settings, providers=providers() | {"local": Gated()})
    async with running_bot(settings, fake, first):
        # Sent 14.5 minutes ago: by the time a new process resumes it, its token is no longer safe to use.
        record = await fake.slash("thumbnail", [option("prompt", 'Travel "LATE IN LISBON"')], user=gina,
                                  age=15 * 60 - 29)
        await fake.wait_for(lambda: record.callback_type == 5, what="the defer")
        await fake.wait_for(lambda: first.pipeline.slots.running, what="the job to start")
    async with running_bot(settings, fake):  # a new process on the same data directory resumes the job
        [message] = await fake.wait_for(lambda: [m for m in fake.channel_messages(fake.channel_id)
                                                 if m["attachments"]], what="the resumed result")
    assert message["content"].startswith(f"<@{gina.id}>") and '"LATE IN LISBON"' in message["content"]
    assert Image.open(io.BytesIO(fake.download(message["attachments"][0]))).size == (1280, 720)
    assert fake.custom_ids(message["id"])[0].startswith("rx:regen:")
    through_token = [r for r in fake.requests if r.path.startswith("/webhooks/") and record.token in r.path]
    assert not through_token, "a token this close to expiry is never used"


async def test_a_stop_waits_for_a_request_being_taken_in(fake: FakeDiscord, users, tmp_path) -> None:
    """Deferred, its photo still downloading when the deploy stops the bot: Discord sends it never again, so the
    stop lets it be stored with its job (made now, or by the next start) instead of leaving "thinking…" forever."""
    from tests.e2e.discord.test_thumbnail import jpeg

    settings = make_settings(tmp_path, fake)
    photo = fake.add_attachment(jpeg(), "me.jpg", "image/jpeg")
    fake.cdn_delay_s = 1.0
    async with running_bot(settings, fake):
        options = [option("prompt", 'Travel "DEPLOY DAY"'), option("image", photo["id"], 11)]
        record = await fake.slash("thumbnail", options, user=users("gina"), attachments=[photo])
        await fake.wait_for(lambda: fake.cdn_downloads, what="the download to start")
    fake.cdn_delay_s = 0.0
    async with running_bot(settings, fake):
        await fake.wait_for(lambda: [m for _, m in record.edits if m["attachments"]]
                            or [m for m in fake.channel_messages(fake.channel_id) if m["attachments"]],
                            what="the request's picture")


async def test_a_result_discord_made_but_answered_with_a_5xx_is_sent_again_not_refunded(
        fake: FakeDiscord, users, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The message with the picture exists, Discord's answer was a 503: refunded, the channel would hold a picture
    and "you were not charged" under it. It is sent again instead (at worst twice) and settled once."""
    import sqlite3

    from aiohttp import web

    posted = fake._channel_message
    failing = 1

    async def made_then_503(params, query, body, files):  # type: ignore[no-untyped-def]
        nonlocal failing
        answer = await posted(params, query, body, files)
        if files and failing:
            failing -= 1
            return web.Response(status=503, body=b"upstream connect error", content_type="text/plain")
        return answer

    fake._channel_message = made_then_503  # type: ignore[method-assign]
    settings = make_settings(tmp_path, fake)
    settings.jobs = JobSettings(workers=2, lease_seconds=1, recovery_seconds=0.2)
    async with running_bot(settings, fake):
        await fake.send_message('Vlog "MENTIONED"', user=users("quinn"), guild=True, mention_bot=True)
        await fake.wait_for(lambda: len([m for m in fake.channel_messages(fake.channel_id) if m["attachments"]]) == 2,
                            timeout=20, what="the picture, sent again")
        await asyncio.sleep(1.5)  # a lease and recovery passes more: nothing else is sent
    messages = fake.channel_messages(fake.channel_id)
    assert not [m["content"] for m in messages if "not charged" in m["content"]]
    assert len([m for m in messages if m["attachments"]]) == 2
    with sqlite3.connect(tmp_path / "routix.db") as db:
        assert db.execute("SELECT status, credit_state FROM generations").fetchall() == [("completed", "settled")]
