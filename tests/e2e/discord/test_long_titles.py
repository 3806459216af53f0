"""A thumbnail title longer than MAX_TITLE_CHARS cannot be typed into /thumbnail's title option (Discord's own limit,
6000 characters, let one keep a render worker busy for minutes), and one quoted in the prompt is refused privately."""

from __future__ import annotations

from core.messages import MAX_TITLE_CHARS
from tests.e2e.discord.conftest import make_settings, option, running_bot
from tests.fakes.discord_api import FakeDiscord

EPHEMERAL = 1 << 6


async def test_a_title_past_the_cap_cannot_be_typed_or_quoted(fake: FakeDiscord, users, tmp_path) -> None:
    async with running_bot(make_settings(tmp_path, fake), fake):
        title = next(o for o in fake.command("thumbnail")["options"] if o["name"] == "title")
        assert title["max_length"] == MAX_TITLE_CHARS  # Discord's client stops the typing there
        record = await fake.slash("thumbnail", [option("prompt", f'Podcast "{"EPISODE " * 40}"')],
                                  user=users("creator"), locale="fa")
        await fake.wait_for(lambda: record.followups, what="the refusal")
    refusal = fake.messages[record.followups[0]]
    assert refusal["flags"] & EPHEMERAL and record.deleted and not refusal["attachments"]
    assert refusal["content"].startswith("این عنوان برای تامبنیل خیلی بلند است (۳۱۹ نویسه)")
