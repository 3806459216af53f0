"""/thumbnail: acknowledged at once, progress by editing the response, then the JPEG with persistent components."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from PIL import Image

from bots.bootstrap import build
from tests.e2e.discord.conftest import make_settings, option, providers, running_bot
from tests.fakes.discord_api import FakeDiscord, FakeInteraction

EPHEMERAL = 1 << 6


def jpeg(size: tuple[int, int] = (640, 480), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def final(record: FakeInteraction) -> dict[str, Any] | None:
    """The response once it carries a file (progress edits carry none)."""
    return next((message for _, message in reversed(record.edits) if message["attachments"]), None)


async def test_thumbnail_defers_at_once_shows_progress_then_the_image(fake: FakeDiscord, users, tmp_path) -> None:
    settings = make_settings(tmp_path, fake)
    async with running_bot(settings, fake):
        record = await fake.slash("thumbnail", [option("prompt", 'Gaming thumbnail "I WON" in red'),
                                                option("title", "I WON")], user=users("alice"))
        message = await fake.wait_for(lambda: final(record), what="the thumbnail")

    assert record.callback_type == 5 and not record.ephemeral  # public "thinking…"
    assert record.ack_latency is not None and record.ack_latency < 0.5
    progress = [m["content"] for _, m in record.edits if not m["attachments"]]
    assert progress, "at least one progress edit before the result"
    assert all(b - a >= 0.9 for (a, _), (b, _) in zip(record.edits, record.edits[1:-1], strict=False))  # throttled
    [attachment] = message["attachments"]
    data = fake.download(attachment)
    assert len(data) <= settings.discord.max_bytes
    picture = Image.open(io.BytesIO(data))
    assert (picture.format, picture.size) == ("JPEG", (1280, 720))
    assert "I WON" in message["content"]
    custom_ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    assert [i.split(":")[1] for i in custom_ids] == ["regen", "vars", "orig", "algo"]
    select = message["components"][1]["components"][0]
    assert select["type"] == 3 and {o["value"] for o in select["options"]} == {"basic", "premium", "pro"}


async def test_reference_image_attachment_is_downloaded_from_the_cdn(fake: FakeDiscord, users, tmp_path) -> None:
    photo = fake.add_attachment(jpeg(), "me.jpg", "image/jpeg")
    async with running_bot(make_settings(tmp_path, fake), fake):
        record = await fake.slash("thumbnail", [option("prompt", 'Reaction video "NO WAY"'),
                                                option("image", photo["id"], 11)],
                                  user=users("bob"), attachments=[photo])
        message = await fake.wait_for(lambda: final(record), what="the thumbnail")
    assert any(path.endswith("/me.jpg") for path in fake.cdn_downloads)
    assert Image.open(io.BytesIO(fake.download(message["attachments"][0]))).size == (1280, 720)


async def test_non_image_attachment_is_refused_ephemerally(fake: FakeDiscord, users, tmp_path) -> None:
    document = fake.add_attachment(b"%PDF-1.7 not a picture", "notes.pdf", "application/pdf")
    async with running_bot(make_settings(tmp_path, fake), fake):
        record = await fake.slash("thumbnail", [option("prompt", "Tech review"), option("image", document["id"], 11)],
                                  user=users("carol"), attachments=[document])
        await fake.wait_for(lambda: record.followups, what="the error")
    assert record.deleted  # the public "thinking…" is gone
    error = fake.messages[record.followups[0]]
    assert error["flags"] & EPHEMERAL and "isn't an image" in error["content"]
    assert not any(m["attachments"] for _, m in record.edits)


async def test_acknowledged_within_the_window_even_when_the_database_is_slow(fake: FakeDiscord, users,
                                                                            tmp_path) -> None:
    settings = make_settings(tmp_path, fake)
    routix = build(settings, providers=providers())
    seen = routix.store.update_seen  # the first database call of every update

    async def slow_seen(*args: Any, **kwargs: Any) -> bool:
        await asyncio.sleep(3.5)  # longer than Discord's 3-second window
        return await seen(*args, **kwargs)

    routix.store.update_seen = slow_seen  # type: ignore[method-assign]
    async with running_bot(settings, fake, routix):
        record = await fake.slash("thumbnail", [option("prompt", 'Vlog "DAY 1"')], user=users("dan"))
        await fake.wait_for(lambda: final(record), timeout=20, what="the thumbnail")
    assert record.ack_latency is not None and record.ack_latency < 0.5


async def test_a_result_after_the_token_expired_goes_to_the_channel(fake: FakeDiscord, users, tmp_path) -> None:
    fake.expire_tokens_on_ack = True  # every edit and follow-up now fails with "Invalid Webhook Token"
    erin = users("erin")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await fake.slash("thumbnail", [option("prompt", 'Cooking "PERFECT PASTA"')], user=erin)
        [message] = await fake.wait_for(lambda: [m for m in fake.channel_messages(fake.channel_id)
                                                 if m["attachments"]], what="the late result")
    assert message["content"].startswith(f"<@{erin.id}>")
    assert Image.open(io.BytesIO(fake.download(message["attachments"][0]))).size == (1280, 720)
    assert fake.custom_ids(message["id"])[0].startswith("rx:regen:")


async def test_an_error_after_the_token_expired_still_reaches_the_user(fake: FakeDiscord, users, tmp_path) -> None:
    fake.expire_tokens_on_ack = True
    frank = users("frank")
    document = fake.add_attachment(b"plain text", "notes.txt", "text/plain")
    async with running_bot(make_settings(tmp_path, fake), fake):
        await fake.slash("thumbnail", [option("prompt", "Tech review"), option("image", document["id"], 11)],
                         user=frank, attachments=[document])
        [message] = await fake.wait_for(lambda: [m for m in fake.channel_messages(fake.channel_id)
                                                 if "interaction_metadata" not in m], what="the late error")
    assert message["content"].startswith(f"<@{frank.id}>") and "isn't an image" in message["content"]
