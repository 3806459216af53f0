"""What the bot tells Discord at startup: minimal intents and the full, localized slash-command set."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.discord.conftest import make_settings, running_bot
from tests.fakes.discord_api import FakeDiscord

PERSIAN = re.compile(r"[\u0600-\u06FF]")
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
EXPECTED = {
    "thumbnail": {"prompt", "title", "algorithm", "style", "image"},
    "credits": set(), "algorithms": set(), "history": set(), "new": set(),
    "lang": {"language"}, "link": {"code"}, "forget": {"confirm"},
    "settings": {"show", "watermark", "algorithm", "channels"},
    "admin": {"grant", "quota", "tier", "ban", "unban", "enable", "disable", "stats", "budget"},
}


def _walk(item: dict[str, Any]) -> list[dict[str, Any]]:
    found = [item]
    for child in item.get("options") or []:
        found += _walk(child)
    for choice in item.get("choices") or []:
        found.append(choice)
    return found


async def test_startup_syncs_every_command_with_permissions_and_persian(fake: FakeDiscord, tmp_path) -> None:
    async with running_bot(make_settings(tmp_path, fake), fake):
        pass

    assert fake.identify is not None
    assert fake.identify["intents"] & PRIVILEGED_INTENTS == 0  # no privileged intent needed
    assert fake.identify["intents"] & 1  # GUILDS

    synced = {command["name"]: command for command in fake.commands[fake.guild_id]}  # DISCORD_GUILD_IDS: guild sync
    assert set(synced) == set(EXPECTED)
    for name, options in EXPECTED.items():
        assert {option["name"] for option in synced[name].get("options") or []} == options, name
        for item in _walk(synced[name]):  # every command, option and choice is described in both languages
            text = item.get("description") or item.get("name")
            if "description" in item:
                assert PERSIAN.search(item["description"]), (name, item["description"])
            assert len(text) <= 100

    thumbnail = {option["name"]: option for option in synced["thumbnail"]["options"]}
    assert thumbnail["prompt"]["required"] is True and thumbnail["image"]["type"] == 11  # attachment
    costs = {choice["value"]: choice["name"] for choice in thumbnail["algorithm"]["choices"]}
    assert costs["local"] == "Local · 0 cr · ۰ اعتبار" and costs["pro"] == "Pro AI · 5 cr · ۵ اعتبار"  # with costs
    assert thumbnail["style"]["choices"]

    assert synced["settings"]["default_member_permissions"] == str(1 << 5)  # Manage Server
    assert synced["admin"]["default_member_permissions"] == str(1 << 3)  # Administrator
    assert synced["thumbnail"]["default_member_permissions"] is None
    grant = next(o for o in synced["admin"]["options"] if o["name"] == "grant")
    assert [o["name"] for o in grant["options"]] == ["user", "amount"]


async def test_without_guild_ids_commands_are_synced_globally(fake: FakeDiscord, tmp_path) -> None:
    async with running_bot(make_settings(tmp_path, fake, guild_sync=False), fake):
        pass
    assert set(fake.commands) == {None}
    assert {command["name"] for command in fake.commands[None]} == set(EXPECTED)
