"""The Discord client: receives interactions and messages, acknowledges them at once, and hands them to the core.

Everything is built in `setup_hook` (after login, before the gateway connects): the core starts, the sender jobs
deliver through is registered (unfinished jobs resume), the commands get their choices from the core, the
persistent button handlers are registered and the commands are synced. An interaction is deferred first, then
accepted by the core (stored with its job), then worked on; Discord does not redeliver interactions, so an
interaction whose process died before acceptance is lost — the defer comes first because of the 3-second limit.
A stop waits (INTAKE_GRACE_S) for what is being taken in, and tells what arrives meanwhile to send it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
from discord import app_commands

from bots.bootstrap import Routix
from bots.discord import translate
from bots.discord.commands import CommandSet
from bots.discord.locale import RoutixTranslator
from bots.discord.replies import DiscordSender, InteractionReplies, MessageReplies
from bots.discord.views import ActionButton, ActionSelect
from bots.lifecycle import settle_heap
from core.messages import ErrorReply, Incoming, Options, Reply

log = logging.getLogger(__name__)
INTAKE_GRACE_S = 10.0  # a stop waits this long for requests being taken in (a photo downloading, a busy database)


class AckFirst:
    """Acknowledgements have a 3-second deadline; the core's work has none. During a burst of interactions the core
    work of the first ones would delay the acknowledgements of the later ones (one event loop), so core work waits
    until no acknowledgement is pending, for at most `max_wait` seconds (no starvation under steady load)."""

    def __init__(self, max_wait: float = 1.0) -> None:
        self.max_wait = max_wait
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def acknowledging(self) -> AsyncIterator[None]:
        self._pending += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._pending -= 1
            if not self._pending:
                self._idle.set()

    async def wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.max_wait)


class Intake:
    """Interactions and messages deferred but not yet stored with their job. Discord redelivers none of them: a
    stop waits for them, and one arriving while stopping is told to send it again instead of vanishing."""

    def __init__(self) -> None:
        self.stopping = False
        self._taking = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def taking(self) -> Iterator[bool]:
        """True: take it in; False: stopping, refuse it."""
        self._taking += 1
        self._idle.clear()
        try:
            yield not self.stopping
        finally:
            self._taking -= 1
            if not self._taking:
                self._idle.set()

    async def stop(self, grace_s: float) -> None:
        self.stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_s)


class PhotoRefused(Exception):
    """The attachment was refused (and the user told why): nothing goes to the core."""


def intents() -> discord.Intents:
    """Minimal: guilds (channels and permissions in interactions), guild and DM messages for chat.

    No privileged intent: Discord delivers the content of DMs and of messages that mention the bot without
    `message_content`, and those are the only messages the bot reads.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


def guild_ids(value: str) -> list[int]:
    return [int(part) for part in (item.strip() for item in value.split(",")) if part]


class RoutixDiscord(discord.AutoShardedClient):
    def __init__(self, routix: Routix, **options: Any) -> None:
        """`options` go to discord.Client (tests shorten `guild_ready_timeout`, the wait for late guilds).

        Sharded when DISCORD_SHARD_COUNT is set: this process runs DISCORD_SHARD_IDS (all, if empty)."""
        shards = routix.settings.discord
        if shards.shard_count:
            options.setdefault("shard_count", shards.shard_count)
            options.setdefault("shard_ids", shards.shards)
        else:
            options.setdefault("shard_count", 1)
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none(), **options)
        self.routix = routix
        self.service = routix.service
        self.settings = routix.settings
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        self._core_closed = False
        self.acks = AckFirst()
        self.intake = Intake()

    # -- startup ----------------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.routix.start()
        self.routix.add_sender(translate.PLATFORM, DiscordSender(self, yield_to=self.acks.wait))
        await self.tree.set_translator(RoutixTranslator())
        for command in await self._commands():
            self.tree.add_command(command)
        self.add_dynamic_items(ActionButton, ActionSelect)  # buttons of any past result, even before a restart
        settle_heap()
        await self.routix.serve_jobs()
        await self.sync_commands()

    async def _commands(self) -> list[app_commands.Command | app_commands.Group]:
        english = {c.name: c.description for c in self.service.command_catalog("en", admin=True)}
        persian = {c.name: c.description for c in self.service.command_catalog("fa", admin=True)}
        descriptions = {name: (english[name], persian.get(name, english[name])) for name in english}
        algorithms = [(self.service.text("en", "button_algorithm", name=a.name, cost=a.cost),
                       self.service.text("fa", "button_algorithm", name=a.name, cost=a.cost), a.id)
                      for a in await self.service.algorithm_choices() if a.enabled]
        return CommandSet(self, descriptions, algorithms, self.service.style_choices()).build()

    async def sync_commands(self) -> None:
        """Guild sync is instant (development); global sync reaches every server within the hour."""
        ids = guild_ids(self.settings.discord.guild_ids)
        for guild_id in ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        if not ids:
            await self.tree.sync()

    async def close(self) -> None:
        """Running jobs are drained while the HTTP client still works (they deliver through it), then closed."""
        if not self._core_closed:  # discord.py may call close() more than once while shutting down
            self._core_closed = True
            try:
                await self.intake.stop(INTAKE_GRACE_S)
                await self.routix.drain()
            finally:
                try:
                    await super().close()
                finally:
                    await self.routix.aclose()
        else:
            await super().close()

    # -- interactions (called by the commands and the persistent buttons) -------------------------------

    async def command(self, interaction: discord.Interaction, line: str) -> None:
        """A core command line; the answer concerns only the user, so it is ephemeral."""
        async with self.acks.acknowledging():
            await interaction.response.defer(ephemeral=True, thinking=True)  # first, before any I/O
        incoming = translate.from_interaction(interaction, line, ephemeral=True)
        await self._taken(incoming, InteractionReplies(self, incoming.reply_address, ephemeral=True))

    async def request(self, interaction: discord.Interaction, prompt: str, options: Options,
                      image: discord.Attachment | None) -> None:
        async with self.acks.acknowledging():
            await interaction.response.defer(thinking=True)  # first, before any I/O
        replies = InteractionReplies(self, translate.interaction_address(interaction), ephemeral=False)
        with self.intake.taking() as taking:  # counted from the defer on: a stop waits for it from there
            if not taking:
                return await self._restarting(replies, interaction.user.id, interaction.locale.value)
            await self.acks.wait()
            try:
                photo = await self._photo(image, interaction.user.id, interaction.locale.value, replies)
            except PhotoRefused:
                return
            await self._handle(translate.from_interaction(interaction, prompt, photo=photo, options=options),
                               replies)

    async def press(self, interaction: discord.Interaction, action: str) -> None:
        """A result's button or algorithm choice: the answer is a new public message under the result."""
        async with self.acks.acknowledging():
            await interaction.response.defer(thinking=True)
        incoming = translate.from_interaction(interaction, button=action)
        await self._taken(incoming, InteractionReplies(self, incoming.reply_address, ephemeral=False))

    async def _on_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """An option discord.py could not convert, or a bug: the user still gets an answer, privately."""
        log.error("command %s failed", interaction.command and interaction.command.name, exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        language = await self.service.language_of(translate.PLATFORM, str(interaction.user.id),
                                                  interaction.locale.value)
        text = self.service.text(language, "failed", reason=type(error).__name__)
        await InteractionReplies(self, translate.interaction_address(interaction), ephemeral=True)(
            ErrorReply("internal", text))

    # -- chat: DMs and mentions -------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        assert self.user is not None
        text = translate.text_for_bot(message, self.user.id)
        if text is None:
            return
        if message.guild is not None and not await self._answers_in(str(message.guild.id), message.channel):
            return
        replies = MessageReplies(self, translate.message_address(message))
        try:
            with self.intake.taking() as taking:
                if not taking:
                    return await self._restarting(replies, message.author.id, None)
                photo = await self._photo(translate.image_attachment(message), message.author.id, None, replies)
                if text or photo:
                    await self._handle(translate.from_message(message, text, photo), replies)
        except PhotoRefused:
            return
        finally:
            await replies.close()

    async def _answers_in(self, guild_id: str, channel: discord.abc.Snowflake) -> bool:
        """Chatter outside a server's chosen channels is ignored; their threads and forum posts count as them."""
        for channel_id in translate.channel_and_parent(channel):
            if await self.service.channel_allowed(translate.PLATFORM, guild_id, channel_id):
                return True
        return False

    # -- shared -----------------------------------------------------------------------------------------

    async def _handle(self, incoming: Incoming, reply: Reply) -> None:
        await self.acks.wait()
        await self.service.handle(incoming, reply)
        if isinstance(reply, InteractionReplies) and not reply.said:
            await reply.withdraw()

    async def _taken(self, incoming: Incoming, reply: Reply) -> None:
        with self.intake.taking() as taking:
            if not taking:
                return await self._restarting(reply, int(incoming.user_id), incoming.locale)
            await self._handle(incoming, reply)

    async def _restarting(self, reply: Reply, user_id: int, locale: str | None) -> None:
        language = await self.service.language_of(translate.PLATFORM, str(user_id), locale)
        await reply(ErrorReply("restarting", self.service.text(language, "restarting")))
        if isinstance(reply, InteractionReplies) and not reply.said:
            await reply.withdraw()

    async def _photo(self, attachment: discord.Attachment | None, user_id: int, locale: str | None,
                     reply: Reply) -> bytes | None:
        """The reference photo's bytes (None without one). Not an image or too big: refused before downloading."""
        if attachment is None:
            return None
        limit = self.settings.render.max_upload_bytes
        if translate.is_image(attachment) and attachment.size <= limit:
            return await attachment.read()
        language = await self.service.language_of(translate.PLATFORM, str(user_id), locale)
        if not translate.is_image(attachment):
            text = self.service.text(language, "not_an_image_file")
        else:
            text = self.service.text(language, "file_too_big_to_download", size=round(attachment.size / 1e6, 1),
                                     limit=round(limit / 1e6, 1))
        await reply(ErrorReply("bad_image", text))
        raise PhotoRefused
