import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from core import commands
from core.credits import period_end, split_cost
from core.i18n import TEXTS, normalize_language, translate

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN = {"telegram", "discord", "sqlmodel", "sqlalchemy", "boto3", "aiohttp", "bots", "storage", "openai"}


def test_core_imports_no_platform_or_storage_library() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_every_text_exists_in_both_languages_with_the_same_placeholders() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == {"en", "fa"}, key
        assert set(re.findall(r"{(\w+)}", entry["en"])) == set(re.findall(r"{(\w+)}", entry["fa"])), key


@pytest.mark.parametrize(("code", "language"), [("fa-IR", "fa"), ("fa", "fa"), ("en-US", "en"), ("de", "en"),
                                                (None, "en")])
def test_platform_locales_map_to_supported_languages(code: str | None, language: str) -> None:
    assert normalize_language(code) == language


def test_translate_formats_in_the_chosen_language() -> None:
    assert "۱" not in translate("en", "queued", position=1)
    assert translate("fa", "queued", position=3).startswith("⏳ در صف")


@pytest.mark.parametrize(("period", "now", "end"), [
    ("day", datetime(2026, 11, 24, 15, 30), datetime(2026, 11, 25)),
    ("week", datetime(2026, 11, 24, 15, 30), datetime(2026, 11, 30)),  # the next Monday
    ("month", datetime(2026, 12, 31, 23, 59), datetime(2027, 1, 1)),
])
def test_allowance_periods_end_at_utc_boundaries(period: str, now: datetime, end: datetime) -> None:
    assert period_end(period, now) == end


def test_allowance_is_spent_before_granted_credits() -> None:
    assert split_cost(allowance=2, cost=5) == (2, 3)
    assert split_cost(allowance=9, cost=5) == (5, 0)


def test_command_lines_are_parsed_with_bot_mentions() -> None:
    assert commands.parse("/grant@RoutixBot telegram:1 5") == ("grant", ["telegram:1", "5"])
    assert commands.parse("/credits") == ("credits", [])
    assert commands.parse("make it red") is None


def test_catalogue_hides_admin_commands_from_creators() -> None:
    public = {c.name for c in commands.catalog("en")}
    everything = {c.name for c in commands.catalog("fa", admin=True)}
    assert "grant" not in public and "grant" in everything
    assert public >= {"start", "help", "new", "credits", "algorithms", "algorithm", "history", "regenerate",
                      "variations", "lang"}


def test_new_seeds_always_pick_another_design_variant() -> None:
    import random

    from core.rendering.types import VARIANTS
    from core.requests import another_design

    for seed in [0, 5, 2**31 - 1, *random.sample(range(2**31), 500)]:
        regenerated = another_design(seed)
        assert regenerated % VARIANTS != seed % VARIANTS and 0 <= regenerated < 2**31
        siblings = [another_design(seed, offset=1) + i for i in range(VARIANTS - 1)]
        assert len({s % VARIANTS for s in siblings} | {seed % VARIANTS}) == VARIANTS
        assert all(0 <= s < 2**31 for s in siblings)


def test_the_word_list_sees_through_arabic_letter_forms_and_tatweel() -> None:
    from core.moderation import LocalWordList

    words = LocalWordList()
    for text in ("پورن كودك", "سر بريدن", "کـودک برهنه", "a beheading video"):
        assert words.match(text), text
    assert words.match("skill tree and killer combos") is None, "whole words only"


def test_a_curly_apostrophe_or_an_emoji_keeps_the_request_in_the_prompt() -> None:
    from core.ai import thumbnail_ask
    from core.rendering import Scene

    ask = thumbnail_ask(Scene(title="BUILD", prompt="Let’s build a gaming PC 🔥 “BUILD”", category="tech"))
    assert "Let's build a gaming PC" in ask.prompt and ask.prompt.isascii()


async def test_a_provider_call_that_hangs_ends_at_the_deadline_not_a_call_timeout_later() -> None:
    """Only the backoff was held to the deadline: a call started just before it ran its whole timeout past it
    (about 360 s for a 300 s deadline)."""
    import asyncio

    from core.ai import Problem, ProviderError, with_retries

    async def hangs() -> bytes:
        await asyncio.sleep(60)  # a service that never answers, longer than its deadline
        return b""

    with pytest.raises(ProviderError) as failed:
        await asyncio.wait_for(with_retries(hangs, deadline_s=0.2), timeout=10)
    assert failed.value.problem == Problem.TIMEOUT
