"""An AI model's previews on Discord: the deferred response shows the picture forming, then the result replaces it.

The job's sender is driven directly, as the pipeline drives it (in the bot, a restarted bot or a worker), with the
real discord.py (REST only, like `routix worker`) against the fake, which validates every request against Discord's
OpenAPI description.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bots.discord import replies as discord_replies
from bots.discord.main import configure_endpoints
from bots.discord.replies import DiscordSender, InteractionReplies
from core.messages import Address, Button, ErrorReply, ImageReply, PreviewReply, ProgressReply, Stage
from tests.e2e.discord.conftest import make_settings
from tests.e2e.previews import PREVIEWS, Kept, preview_jpeg, same_picture
from tests.fakes.discord_api import FakeDiscord, FakeInteraction, FakeUser

GENERATION = "cd" * 16
INTERVAL = 0.3  # PROGRESS_INTERVAL_S, shortened for these tests
EPHEMERAL = 1 << 6




FINAL = preview_jpeg("#264653", 7)
LOCAL = ((Button("🖼 Try Local (free)", f"rx:algo:{GENERATION}:local"),),)


def result() -> ImageReply:
    rows = ((Button("🔁 Regenerate", f"rx:regen:{GENERATION}"), Button("🎲 Variations", f"rx:vars:{GENERATION}")),)
    return ImageReply(GENERATION, FINAL, "thumb.jpg", '"I WON" · 9 credits left', 1280, 720, rows)


def preview(n: int) -> PreviewReply:
    return PreviewReply(GENERATION, PREVIEWS[n - 1], f"🎨 Drawing… {n}/3")


def progress(text: str, stage: Stage = Stage.GENERATING) -> ProgressReply:
    return ProgressReply(GENERATION, stage, text)






@pytest.fixture
async def client(fake: FakeDiscord, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[discord.Client]:
    monkeypatch.setattr(discord_replies, "PROGRESS_INTERVAL_S", INTERVAL)
    settings = make_settings(tmp_path, fake)
    configure_endpoints(settings.discord)
    logged_in = discord.Client(intents=discord.Intents.none())
    await logged_in.login(settings.discord.bot_token)  # REST only, as a worker delivers
    yield logged_in
    await logged_in.close()


def address(fake: FakeDiscord, record: FakeInteraction, expires_in: float = 14 * 60, **kw: Any) -> Address:
    return Address("discord", record.channel_id, record.user_id, interaction_token=record.token,
                   interaction_expires=time.time() + expires_in, application_id=fake.application_id, **kw)


def with_files(record: FakeInteraction) -> list[dict[str, Any]]:
    return [message for _, message in record.edits if message["attachments"]]


async def test_previews_edit_the_response_then_the_result_replaces_them(fake: FakeDiscord, client: discord.Client,
                                                                       users: Any) -> None:
    record = fake.deferred(users("alice"))
    kept = Kept()
    replies = DiscordSender(client).open(address(fake, record), kept)
    await replies(progress("🧠 Understanding your request…", Stage.ANALYSING))
    await fake.wait_for(lambda: record.edits, what="the progress edit")
    for n in (1, 2, 3):
        await replies(preview(n))  # each waits its turn (at most one edit per interval)
        await fake.wait_for(lambda n=n: len(with_files(record)) >= n, what=f"preview {n}")
    await asyncio.sleep(INTERVAL)
    await replies(progress("🖌 Adding your title…", Stage.COMPOSING))
    await replies(result())
    await replies.close()

    edits = [message for _, message in record.edits]
    assert edits[0]["content"] == "🧠 Understanding your request…" and not edits[0]["attachments"]
    shown = edits[1:4]
    for n, message in enumerate(shown, 1):
        [attachment] = message["attachments"]  # the newer preview replaced the one before
        assert attachment["filename"] == "preview.jpg" and message["content"] == f"🎨 Drawing… {n}/3"
        assert same_picture(fake.download(attachment), PREVIEWS[n - 1]), f"preview {n} as it was sent"
    staged = edits[4]
    assert staged["content"] == "🖌 Adding your title…"
    assert [a["id"] for a in staged["attachments"]] == [a["id"] for a in shown[-1]["attachments"]], \
        "a later stage keeps the picture"
    final = edits[-1]
    [attachment] = final["attachments"]
    assert attachment["filename"] == "thumb.jpg" and same_picture(fake.download(attachment), FINAL), \
        "the result, with no preview left on it"
    assert fake.custom_ids(record.original_id) == [f"rx:regen:{GENERATION}", f"rx:vars:{GENERATION}"]
    assert len(edits) == 6 and not record.followups
    assert [m["id"] for m in fake.channel_messages(fake.channel_id)] == [record.original_id], "nothing else posted"
    stamps = [at for at, _ in record.edits[:-1]]  # the result is never held back
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert all(gap >= INTERVAL * 0.9 for gap in gaps), f"paced like progress edits: {gaps}"
    assert kept.ids == [], "the response is reached by its token: nothing to keep"


async def test_a_newer_preview_replaces_one_still_waiting(fake: FakeDiscord, client: discord.Client,
                                                          users: Any) -> None:
    record = fake.deferred(users("bob"))
    replies = DiscordSender(client).open(address(fake, record), Kept())
    for n in (1, 2, 3):
        await replies(preview(n))  # back to back: 1 is shown, 2 waits, 3 takes its place
    await fake.wait_for(lambda: len(with_files(record)) >= 2, what="the latest preview")
    await replies(result())
    await replies.close()
    pictures = [fake.download(message["attachments"][0]) for message in with_files(record)]
    assert [PREVIEWS.index(data) for data in pictures[:-1]] == [0, 2] and same_picture(pictures[-1], FINAL)
    assert len(record.edits[-1][1]["attachments"]) == 1


async def test_the_result_never_lands_under_a_late_preview(fake: FakeDiscord, client: discord.Client,
                                                           users: Any) -> None:
    record = fake.deferred(users("cleo"))
    replies = DiscordSender(client).open(address(fake, record), Kept())
    await replies(preview(1))
    await replies(preview(2))  # waiting for its turn when the result comes: dropped
    await replies(result())
    await replies.close()
    await asyncio.sleep(INTERVAL * 2)
    [first, final] = [message for _, message in record.edits]
    assert same_picture(fake.download(first["attachments"][0]), PREVIEWS[0])
    assert [a["filename"] for a in final["attachments"]] == ["thumb.jpg"]
    assert [a["filename"] for a in fake.messages[record.original_id]["attachments"]] == ["thumb.jpg"]


async def test_past_the_token_previews_go_to_one_channel_message(fake: FakeDiscord, client: discord.Client,
                                                                 users: Any) -> None:
    dana = users("dana")
    record = fake.deferred(dana, age=15 * 60 - 20)
    kept = Kept()
    replies = DiscordSender(client).open(address(fake, record, expires_in=20), kept)
    await replies(preview(1))
    [message] = await fake.wait_for(lambda: fake.channel_messages(fake.channel_id) and
                                    [m for m in fake.channel_messages(fake.channel_id) if m["type"] == 0],
                                    what="the preview in the channel")
    assert kept.ids == [message["id"]], "kept with the job, so a resumed job edits it"
    await replies(preview(2))
    await fake.wait_for(lambda: fake.channel_edits, what="the newer preview")
    await replies(result())
    await replies.close()
    [(_, edited)] = fake.channel_edits
    assert [a["filename"] for a in edited["attachments"]] == ["preview.jpg"]
    assert same_picture(fake.download(edited["attachments"][0]), PREVIEWS[1])
    assert fake.deleted_messages == [message["id"]], "the preview goes once the result is out"
    [posted] = [m for m in fake.channel_messages(fake.channel_id) if m["type"] == 0]
    assert posted["content"].startswith(f"<@{dana.id}>") and same_picture(fake.download(posted["attachments"][0]),
                                                                          FINAL)
    through_token = [r for r in fake.requests if r.path.startswith("/webhooks/") and record.token in r.path]
    assert not through_token, "a token this close to expiry is never used"


async def test_a_chat_shows_previews_in_one_reply_that_a_resumed_job_edits(fake: FakeDiscord,
                                                                           client: discord.Client,
                                                                           users: Any) -> None:
    erin = users("erin")
    request = await _dm_request(fake, erin)
    chat = Address("discord", request["channel_id"], erin.id, reply_to=request["id"])
    kept = Kept()
    replies = DiscordSender(client).open(chat, kept)
    await replies(progress("🎨 Designing your thumbnail…"))
    await replies(preview(1))
    [shown] = await fake.wait_for(lambda: fake.channel_messages(request["channel_id"]), what="the preview")
    assert shown["content"] == "🎨 Drawing… 1/3" and shown["message_reference"]["message_id"] == request["id"]
    assert kept.ids == [shown["id"]]

    # The process dies here; a restarted one resumes the job with the stored id and edits that message.
    resumed = DiscordSender(client).open(dataclasses.replace(chat, progress_id=kept.ids[0]), kept)
    await resumed(preview(2))
    await fake.wait_for(lambda: fake.channel_edits, what="the resumed job's preview")
    await resumed(result())
    await resumed.close()
    await replies.close()
    [(_, edited)] = fake.channel_edits
    assert edited["id"] == shown["id"] and same_picture(fake.download(edited["attachments"][0]), PREVIEWS[1])
    assert fake.deleted_messages == [shown["id"]]
    [posted] = fake.channel_messages(request["channel_id"])
    assert same_picture(fake.download(posted["attachments"][0]), FINAL) and kept.ids == [shown["id"]]


async def _dm_request(fake: FakeDiscord, user: FakeUser) -> dict[str, Any]:
    """A person's message in a DM (stored in the fake as Discord would have it), to reply to."""
    channel = fake.dm_channel(user.id)
    message = {"id": fake.snowflake(), "channel_id": channel, "author": user.payload(), "content": "thumbnail",
               "attachments": [], "embeds": [], "components": [], "type": 0, "flags": 0}
    fake.messages[message["id"]] = message
    return message


async def test_an_error_carries_its_buttons(fake: FakeDiscord, client: discord.Client, users: Any) -> None:
    text = "❌ Premium could not draw it. Your 3 credits are back."
    sender = DiscordSender(client)

    public = fake.deferred(users("finn"))  # /thumbnail: the public "thinking…" goes, the error is ephemeral
    replies = sender.open(address(fake, public), Kept())
    await replies(ErrorReply("failed", text, LOCAL))
    [followup] = public.followups
    assert public.deleted and fake.messages[followup]["flags"] & EPHEMERAL
    assert fake.messages[followup]["content"] == text
    assert fake.custom_ids(followup) == [f"rx:algo:{GENERATION}:local"]
    [button] = fake.messages[followup]["components"][0]["components"]
    assert button["type"] == 2 and button["label"] == "🖼 Try Local (free)"

    private = fake.deferred(users("gus"), ephemeral=True)  # a command: its ephemeral response becomes the error
    await InteractionReplies(client, address(fake, private), ephemeral=True)(ErrorReply("failed", text, LOCAL))
    assert fake.custom_ids(private.original_id) == [f"rx:algo:{GENERATION}:local"]

    chat = Address("discord", fake.dm_channel(users("hal").id), "1")
    in_chat = sender.open(chat, Kept())
    await in_chat(ErrorReply("failed", text, LOCAL))
    await in_chat.close()
    [message] = fake.channel_messages(chat.chat_id)
    assert fake.custom_ids(message["id"]) == [f"rx:algo:{GENERATION}:local"]

    plain = fake.deferred(users("ida"))
    await sender.open(address(fake, plain), Kept())(ErrorReply("failed", text))
    assert fake.messages[plain.followups[0]]["components"] == []
