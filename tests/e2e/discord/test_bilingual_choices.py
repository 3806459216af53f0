"""The slash commands' choices as Discord gets them at startup: named in English and Persian, like descriptions.

Discord has no Persian locale, so a choice's `name` (what every client shows) is bilingual; a Discord locale
mapped to Persian in bots/discord/locale.py would get the plain Persian name in `name_localizations`.
"""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bots.discord import locale
from tests.e2e.discord.conftest import make_settings, running_bot
from tests.fakes.discord_api import FakeDiscord


def _option(commands: list[dict[str, Any]], *path: str) -> dict[str, Any]:
    """The option at command / [subcommand /] option."""
    items = commands
    for name in path:
        found = next(item for item in items if item["name"] == name)
        items = found.get("options") or []
    return found


def _names(option: dict[str, Any]) -> dict[str, str]:
    return {choice["value"]: choice["name"] for choice in option["choices"]}


async def _synced(fake: FakeDiscord, tmp_path: Any) -> list[dict[str, Any]]:
    async with running_bot(make_settings(tmp_path, fake), fake):
        pass
    return fake.commands[fake.guild_id]


async def test_every_choice_is_named_in_english_and_persian(fake: FakeDiscord, tmp_path: Any) -> None:
    commands = await _synced(fake, tmp_path)
    algorithms = _names(_option(commands, "thumbnail", "algorithm"))
    assert algorithms["local"] == "Local · 0 cr · ۰ اعتبار" and algorithms["basic"] == "Basic AI · 1 cr · ۱ اعتبار"
    assert _names(_option(commands, "settings", "algorithm", "algorithm")) == algorithms
    assert _names(_option(commands, "thumbnail", "style"))["minimal"] == "minimal · مینیمال"
    assert _names(_option(commands, "settings", "watermark", "state")) == {"on": "on · روشن", "off": "off · خاموش"}
    assert _names(_option(commands, "admin", "tier", "tier")) == {"free": "free · رایگان", "pro": "pro · حرفه‌ای"}
    assert _names(_option(commands, "admin", "quota", "period")) == {
        "day": "day · روز", "week": "week · هفته", "month": "month · ماه"}
    budget = _names(_option(commands, "admin", "budget", "provider"))
    assert budget["all"] == "all · همه" and budget["openai"] == "openai"  # a brand reads the same in both
    assert _names(_option(commands, "lang", "language")) == {"en": "English", "fa": "فارسی"}


async def test_a_locale_mapped_to_persian_gets_plain_persian_choice_names(fake: FakeDiscord, tmp_path: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locale, "LOCALE_LANGUAGES", {discord.Locale.turkish: "fa"})  # as a Persian locale would be
    commands = await _synced(fake, tmp_path)
    [local] = [c for c in _option(commands, "thumbnail", "algorithm")["choices"] if c["value"] == "local"]
    assert local["name_localizations"] == {"tr": "Local · ۰ اعتبار"}
    [on] = [c for c in _option(commands, "settings", "watermark", "state")["choices"] if c["value"] == "on"]
    assert on["name_localizations"] == {"tr": "روشن"}
