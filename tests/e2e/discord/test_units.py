"""The adapter's pure parts: user references, components from the core's keyboard, localization, endpoints."""

from __future__ import annotations

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands

from bots.discord.locale import RoutixTranslator, text
from bots.discord.main import configure_endpoints, run
from bots.discord.texts import DESCRIPTION_LIMIT, bilingual
from bots.discord.translate import user_ref
from bots.discord.views import build_view
from bots.settings import DiscordSettings, Settings
from core.messages import Button

HEX = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("value", "expected"), [
    ("<@42>", "discord:42"), ("<@!42>", "discord:42"), (" 42 ", "discord:42"), ("telegram:7", "telegram:7"),
    ("۴۲", "discord:42"),
])
def test_user_ref(value: str, expected: str) -> None:
    assert user_ref(value) == expected


async def test_keyboard_becomes_buttons_and_an_algorithm_select() -> None:  # views need a running loop
    main = (Button("Again", f"rx:regen:{HEX}"), Button("More", f"rx:vars:{HEX}"), Button("File", f"rx:orig:{HEX}"))
    switch = (Button("Basic · 1 cr", f"rx:algo:{HEX}:basic"), Button("Pro · 5 cr", f"rx:algo:{HEX}:pro"))
    view = build_view((main, switch))
    assert view is not None and view.is_finished()  # stateless: presses go to the dynamic items
    rows = view.to_components()
    assert [c["custom_id"] for c in rows[0]["components"]] == [b.action for b in main]
    [select] = rows[1]["components"]
    assert select["type"] == 3 and select["custom_id"] == f"rx:algo:{HEX}"
    assert [(o["label"], o["value"]) for o in select["options"]] == [("Basic · 1 cr", "basic"), ("Pro · 5 cr", "pro")]


async def test_a_single_choice_stays_a_button_and_long_rows_wrap() -> None:
    view = build_view(((Button("Pro", f"rx:algo:{HEX}:pro"),), tuple(Button(str(i), f"rx:x{i}:{HEX}")
                                                                     for i in range(7))))
    assert view is not None
    assert [len(row["components"]) for row in view.to_components()] == [1, 5, 2]
    assert build_view(()) is None


def test_bilingual_descriptions_fit_discords_limit() -> None:
    assert bilingual("Make one", "بساز") == "Make one · بساز"
    assert bilingual("x" * 90, "ی" * 20) == "x" * 90  # both would not fit: English alone
    assert len(bilingual("x" * 150, "ی")) == DESCRIPTION_LIMIT


async def test_translator_gives_plain_persian_to_mapped_locales_only() -> None:
    string = text("Your balance", "موجودی شما")
    description = app_commands.TranslationContext(app_commands.TranslationContextLocation.command_description, None)
    name = app_commands.TranslationContext(app_commands.TranslationContextLocation.command_name, None)
    default = RoutixTranslator()  # Discord has no Persian locale: nothing is mapped today
    assert await default.translate(string, discord.Locale.american_english, description) is None
    mapped = RoutixTranslator({discord.Locale.turkish: "fa"})  # what listing a Persian locale would do
    assert await mapped.translate(string, discord.Locale.turkish, description) == "موجودی شما"
    assert await mapped.translate(string, discord.Locale.turkish, name) is None  # names stay valid identifiers


def test_endpoints_come_from_settings() -> None:
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        configure_endpoints(DiscordSettings(api_base_url="http://127.0.0.1:9/api/v10/",
                                            gateway_url="ws://127.0.0.1:9/gw"))
        assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
        gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        assert gateway == yarl.URL("ws://127.0.0.1:9/gw")
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


def test_run_without_a_token_explains_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(Settings(discord=DiscordSettings(bot_token=" "))) == 2
    assert "DISCORD_BOT_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(("error", "maybe_sent"), [
    (aiohttp.ConnectionTimeoutError("connecting timed out"), False),  # never reached Discord: sending is safe
    (aiohttp.ServerDisconnectedError(), True),  # cut after the request went out: it may exist
    (TimeoutError(), True),
])
async def test_a_result_send_without_discord_s_answer_says_whether_it_may_have_arrived(
        error: Exception, maybe_sent: bool) -> None:
    from bots.discord.replies import EventRenderer
    from core.messages import ImageReply
    from core.ports import DeliveryUncertain

    class Unanswered(EventRenderer):
        async def result(self, event: object) -> None:
            raise error

    with pytest.raises(DeliveryUncertain) as raised:
        await Unanswered()(ImageReply("generation", b"jpeg", "routix.jpg", "caption", 1280, 720))
    assert raised.value.maybe_sent is maybe_sent
