"""Paid algorithms on Discord: the real discord.py client, the real core and the real openai/aiohttp clients
against local fakes of Discord, OpenAI and Stability."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from bots.bootstrap import build
from tests.e2e.discord.conftest import make_settings, option, running_bot, subcommand
from tests.fakes.discord_api import FakeDiscord, FakeInteraction
from tests.ocr import title_read
from tests.paid_support import AIFakes, local_on_threads, with_ai

TITLE = "EPIC BOSS FIGHT"
REQUEST = f'Gaming "{TITLE}"'




def paid(tmp_path: Path, fake: FakeDiscord, fakes: AIFakes, admins: str = "") -> Any:
    settings = with_ai(make_settings(tmp_path, fake, admins=admins), fakes)
    return running_bot(settings, fake, build(settings, local=local_on_threads()))


def final(record: FakeInteraction) -> dict[str, Any] | None:
    """The response once it carries the thumbnail (previews carry preview.jpg)."""
    return next((message for _, message in reversed(record.edits)
                 if message["attachments"] and message["attachments"][0]["filename"] != "preview.jpg"), None)


def messages_of(fake: FakeDiscord, record: FakeInteraction) -> list[dict[str, Any]]:
    """The response and its follow-ups, as they stand."""
    ids = [i for i in (record.original_id, *record.followups) if i]
    return [fake.messages[i] for i in ids if i in fake.messages]


async def test_a_paid_thumbnail_shows_its_forming_picture_then_arrives_titled(fake: FakeDiscord, users,
                                                                               tmp_path: Path,
                                                                               fakes: AIFakes) -> None:
    fakes.openai.delay_s = 3.0
    async with paid(tmp_path, fake, fakes):
        record = await fake.slash("thumbnail", [option("prompt", REQUEST), option("algorithm", "premium")],
                                  user=users("alice"))
        message = await fake.wait_for(lambda: final(record), timeout=30, what="the thumbnail")
    previews = [m for _, m in record.edits if any(a["filename"] == "preview.jpg" for a in m["attachments"])]
    assert previews, "the original response showed the forming picture"
    [attachment] = message["attachments"]
    data = fake.download(attachment)
    assert Image.open(io.BytesIO(data)).size == (1280, 720) and title_read(data, TITLE) >= 0.9
    assert "7 credits left" in message["content"], "charged once: 10 - 3"


async def test_a_failed_paid_thumbnail_is_refunded_with_a_local_button(fake: FakeDiscord, users, tmp_path: Path,
                                                                        fakes: AIFakes) -> None:
    fakes.openai.fail_next("/images/generations", 400, code="moderation_blocked")
    alice = users("alice")
    async with paid(tmp_path, fake, fakes):
        record = await fake.slash("thumbnail", [option("prompt", REQUEST), option("algorithm", "basic")], user=alice)

        def failure() -> dict[str, Any] | None:
            return next((m for m in messages_of(fake, record) if "not charged" in (m.get("content") or "")), None)

        message = await fake.wait_for(failure, timeout=30, what="the failure")
        (local,) = [i for i in fake.custom_ids(message["id"]) if i.endswith(":local")]
        pressed = await fake.click(message["id"], local, user=alice)
        result = await fake.wait_for(lambda: final(pressed), timeout=30, what="the free Local picture")
    assert "safety filter" in message["content"]
    assert "Local" in result["content"] and "10 credits left" in result["content"]


async def test_an_admin_sets_a_budget_by_slash_command(fake: FakeDiscord, users, tmp_path: Path,
                                                       fakes: AIFakes) -> None:
    admin = users("operator")
    async with paid(tmp_path, fake, fakes, admins=f"discord:{admin.id}"):
        record = await fake.slash("admin", [subcommand("budget", option("provider", "openai"),
                                                       option("usd", 0.0, 10), option("period", "day"))],
                                  user=admin)

        def answered() -> str | None:
            return next((m["content"] for m in messages_of(fake, record) if "Budget" in (m.get("content") or "")),
                        None)

        answer = await fake.wait_for(answered, what="the budget's confirmation")
        refused = await fake.slash("thumbnail", [option("prompt", REQUEST), option("algorithm", "basic")],
                                   user=users("alice"))
        paused = await fake.wait_for(
            lambda: next((m for m in messages_of(fake, refused) if "paused" in (m.get("content") or "")), None),
            what="the refusal")
    assert "$0.00 per day" in answer and "Basic AI is paused until" in paused["content"]
    assert fakes.image_calls() == 0
