"""The slash commands. Each one only maps its options onto a core command line (or a request) and hands it over.

Choices (algorithms with their costs, styles) come from the core at startup, so the commands are built in
`setup_hook` after the core has started. Permissions: `/settings` is shown to members with Manage Server and
`/admin` to server administrators (`default_permissions`); the core checks both again for every use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import discord
from discord import app_commands
from discord.app_commands import Choice

from bots.discord.locale import choice, text
from bots.discord.texts import CHOICES, OPTIONS
from bots.discord.translate import user_ref
from core.messages import MAX_TITLE_CHARS, Options

TIERS = ("free", "pro")
PERIODS = ("day", "week", "month")
LANGUAGES = (("English", "en"), ("فارسی", "fa"))
TitleOption = app_commands.Range[str, 1, MAX_TITLE_CHARS]  # Discord's own limit (6000) let a title busy a renderer


class ChosenChannel(app_commands.Transformer):
    """A text, announcement or forum channel: choosing one admits its threads and forum posts too. Written out
    because discord.py's ForumChannel also offers media channels, a type Discord's API description lacks."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.forum]

    async def transform(self, interaction: discord.Interaction, value: app_commands.AppCommandChannel,
                        /) -> app_commands.AppCommandChannel:
        return value  # only its id is kept


Chosen = app_commands.Transform[app_commands.AppCommandChannel, ChosenChannel]


class Handler(Protocol):
    async def command(self, interaction: discord.Interaction, line: str) -> None: ...

    async def request(self, interaction: discord.Interaction, prompt: str, options: Options,
                      image: discord.Attachment | None) -> None: ...


BUDGET_PROVIDERS = ("all", "openai", "stability", "sdwebui")


def _describe(key: str) -> app_commands.locale_str:
    return text(*OPTIONS[key])


def _choices(names: Sequence[tuple[str, str, str]]) -> list[Choice[str]]:
    """(English name, Persian name, value) -> choices named in both languages; Discord allows 25."""
    return [Choice(name=choice(english, persian), value=value) for english, persian, value in names][:25]


def _named(values: Sequence[str]) -> list[Choice[str]]:
    """Choices whose value is their English name; the Persian one comes from texts.CHOICES."""
    return _choices([(value, CHOICES.get(value, value), value) for value in values])


def _line(name: str, *args: object) -> str:
    return " ".join([f"/{name}", *(str(arg) for arg in args if arg is not None and arg != "")])


class CommandSet:
    """Builds every command onto a tree. `descriptions` maps a core command name to its (English, Persian) text;
    `algorithms` are (English name, Persian name, id)."""

    def __init__(self, handler: Handler, descriptions: dict[str, tuple[str, str]],
                 algorithms: Sequence[tuple[str, str, str]], styles: Sequence[str]) -> None:
        self.handler = handler
        self.descriptions = descriptions
        self.algorithms = _choices(algorithms)
        self.styles = _named(styles)

    def describe(self, name: str) -> app_commands.locale_str:
        return text(*self.descriptions.get(name, (name, name)))

    def build(self) -> list[app_commands.Command | app_commands.Group]:
        return [self.thumbnail(), *self.simple(), self.lang(), self.link(), self.forget(), self.settings(),
                self.admin()]

    def thumbnail(self) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name="thumbnail", description=_describe("thumbnail"))
        @app_commands.describe(prompt=_describe("prompt"), title=_describe("title"), algorithm=_describe("algorithm"),
                               style=_describe("style"), image=_describe("image"))
        @app_commands.choices(algorithm=self.algorithms, style=self.styles)
        async def thumbnail(interaction: discord.Interaction, prompt: str, title: TitleOption | None = None,
                            algorithm: str | None = None, style: str | None = None,
                            image: discord.Attachment | None = None) -> None:
            await handler.request(interaction, prompt, Options(title=title, algorithm=algorithm, style=style), image)

        return thumbnail

    def simple(self) -> list[app_commands.Command]:
        """Commands without options: each is its own core command line."""
        commands = []
        for name in ("credits", "algorithms", "history", "new"):
            commands.append(app_commands.Command(name=name, description=self.describe(name),
                                                 callback=self._forward(f"/{name}")))
        return commands

    def _forward(self, line: str) -> Callable[[discord.Interaction], Awaitable[None]]:
        handler = self.handler

        async def forward(interaction: discord.Interaction) -> None:
            await handler.command(interaction, line)

        return forward

    def forget(self) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name="forget", description=self.describe("forget"))
        @app_commands.describe(confirm=_describe("confirm"))
        async def forget(interaction: discord.Interaction, confirm: bool = False) -> None:
            await handler.command(interaction, _line("forget", "confirm" if confirm else None))

        return forget

    def lang(self) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name="lang", description=self.describe("lang"))
        @app_commands.describe(language=_describe("language"))
        @app_commands.choices(language=_choices([(name, name, code) for name, code in LANGUAGES]))
        async def lang(interaction: discord.Interaction, language: str) -> None:
            await handler.command(interaction, _line("lang", language))

        return lang

    def link(self) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name="link", description=self.describe("link"))
        @app_commands.describe(code=_describe("code"))
        async def link(interaction: discord.Interaction, code: str | None = None) -> None:
            await handler.command(interaction, _line("link", code and code.strip()))

        return link

    def settings(self) -> app_commands.Group:
        handler = self.handler
        group = app_commands.Group(name="settings", description=self.describe("settings"),
                                   default_permissions=discord.Permissions(manage_guild=True))

        @group.command(name="show", description=_describe("settings_show"))
        async def show(interaction: discord.Interaction) -> None:
            await handler.command(interaction, "/settings")

        @group.command(name="watermark", description=_describe("settings_watermark"))
        @app_commands.describe(state=_describe("state"))
        @app_commands.choices(state=_named(("on", "off")))
        async def watermark(interaction: discord.Interaction, state: str) -> None:
            await handler.command(interaction, _line("settings", "watermark", state))

        @group.command(name="algorithm", description=_describe("settings_algorithm"))
        @app_commands.describe(algorithm=_describe("algorithm"))
        @app_commands.choices(algorithm=self.algorithms)
        async def algorithm(interaction: discord.Interaction, algorithm: str) -> None:
            await handler.command(interaction, _line("settings", "algorithm", algorithm))

        @group.command(name="channels", description=_describe("settings_channels"))
        @app_commands.describe(channel=_describe("channel"), also=_describe("channel"), more=_describe("channel"))
        async def channels(interaction: discord.Interaction, channel: Chosen | None = None,
                           also: Chosen | None = None, more: Chosen | None = None) -> None:
            ids = [str(item.id) for item in (channel, also, more) if item is not None]
            await handler.command(interaction, _line("settings", "channels", *(ids or ["all"])))

        return group

    def admin(self) -> app_commands.Group:
        handler = self.handler
        group = app_commands.Group(name="admin", description=_describe("admin"),
                                   default_permissions=discord.Permissions(administrator=True))
        users = {"user": _describe("user")}

        @group.command(name="grant", description=self.describe("grant"))
        @app_commands.describe(amount=_describe("amount"), **users)
        async def grant(interaction: discord.Interaction, user: str, amount: app_commands.Range[int, 1]) -> None:
            await handler.command(interaction, _line("grant", user_ref(user), amount))

        @group.command(name="quota", description=self.describe("quota"))
        @app_commands.describe(tier=_describe("tier"), amount=_describe("amount"), period=_describe("period"))
        @app_commands.choices(tier=_named(TIERS), period=_named(PERIODS))
        async def quota(interaction: discord.Interaction, tier: str, amount: app_commands.Range[int, 0],
                        period: str) -> None:
            await handler.command(interaction, _line("quota", tier, amount, period))

        @group.command(name="tier", description=self.describe("tier"))
        @app_commands.describe(tier=_describe("tier"), **users)
        @app_commands.choices(tier=_named(TIERS))
        async def tier(interaction: discord.Interaction, user: str, tier: str) -> None:
            await handler.command(interaction, _line("tier", user_ref(user), tier))

        for name in ("ban", "unban"):
            group.add_command(self._user_command(name))
        for name in ("enable", "disable"):
            group.add_command(self._algorithm_command(name))
        group.add_command(app_commands.Command(name="stats", description=self.describe("stats"),
                                               callback=self._forward("/stats")))

        @group.command(name="budget", description=self.describe("budget"))
        @app_commands.describe(provider=_describe("provider"), usd=_describe("usd"), period=_describe("budget_period"))
        @app_commands.choices(provider=_named(BUDGET_PROVIDERS), period=_named(("day", "month")))
        async def budget(interaction: discord.Interaction, provider: str | None = None,
                         usd: app_commands.Range[float, 0, 1_000_000] | None = None, period: str | None = None) -> None:
            parts = [provider, usd, period]
            await handler.command(interaction, _line("budget", *(part for part in parts if part is not None)))

        return group

    def _user_command(self, name: str) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name=name, description=self.describe(name))
        @app_commands.describe(user=_describe("user"))
        async def command(interaction: discord.Interaction, user: str) -> None:
            await handler.command(interaction, _line(name, user_ref(user)))

        return command

    def _algorithm_command(self, name: str) -> app_commands.Command:
        handler = self.handler

        @app_commands.command(name=name, description=self.describe(name))
        @app_commands.describe(algorithm=_describe("algorithm"))
        @app_commands.choices(algorithm=self.algorithms)
        async def command(interaction: discord.Interaction, algorithm: str) -> None:
            await handler.command(interaction, _line(name, algorithm))

        return command
