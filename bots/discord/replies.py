"""The core's events -> Discord calls, one handler per event type.

Both renderers work from an `Address` alone (the application id, the interaction token and its expiry, the
channel, the message to answer), so the same code answers an update in the bot process and delivers a job in any
process — a worker, or the bot after a restart — with only the REST API.

`InteractionReplies` renders into a deferred interaction: progress and results edit the "thinking…" response,
user errors become ephemeral messages, and once the interaction token is (about to be) expired, results go to the
channel instead. `MessageReplies` renders into a chat (DM or a mention): a typing indicator while working, then a
reply to the user's message.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.http import handle_message_parameters
from discord.utils import MISSING
from discord.webhook.async_ import async_context

from bots.discord.views import build_view
from core.messages import (
    Address,
    AlbumReply,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Keyboard,
    Outgoing,
    ProgressReply,
    TextReply,
    Working,
)
from core.ports import ProgressKept

log = logging.getLogger(__name__)
CONTENT_LIMIT = 2000  # characters in a Discord message
FILES_PER_MESSAGE = 10
PROGRESS_INTERVAL_S = 1.0  # at most one progress edit per second: edits share the webhook's rate limit
TOKEN_MARGIN_S = 30.0  # stop using the interaction token this long before it dies (15 minutes)
EXPIRED_TOKEN_CODES = {50027, 10015}  # Invalid Webhook Token, Unknown Webhook


@dataclass
class Delivery:
    """One message's worth of content; files stay bytes so a failed attempt can be retried elsewhere."""

    content: str = ""
    files: list[tuple[bytes, str]] = field(default_factory=list)
    buttons: Keyboard = ()

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for data, name in self.files]

    @property
    def text(self) -> str:
        return self.content[:CONTENT_LIMIT]


def _deliveries(event: Outgoing) -> list[Delivery]:
    """Results as messages: an album may need several messages of up to ten files."""
    if isinstance(event, ImageReply):
        return [Delivery(event.caption, [(event.image, event.filename)], event.buttons)]
    if isinstance(event, DocumentReply):
        return [Delivery(event.caption, [(event.data, event.filename)])]
    if isinstance(event, AlbumReply):
        files = [(image.image, image.filename) for image in event.images]
        chunks = [files[i:i + FILES_PER_MESSAGE] for i in range(0, len(files), FILES_PER_MESSAGE)]
        return [Delivery(event.caption if i == 0 else "", chunk) for i, chunk in enumerate(chunks)]
    if isinstance(event, TextReply):
        return [Delivery(event.text, buttons=event.buttons)]
    raise TypeError(f"not a result event: {type(event).__name__}")


class _TokenExpired(Exception):
    """The interaction token is (nearly) 15 minutes old: only the channel is left."""


def _token_expired(error: discord.HTTPException) -> bool:
    return error.code in EXPIRED_TOKEN_CODES or error.status == 401


class EventRenderer:
    """One handler per Outgoing event type: signs of work, progress, errors; everything else is a result."""

    # A job's events wait while interactions are being acknowledged (Discord's 3 s): see client.AckFirst.
    yield_to: Callable[[], Awaitable[None]] | None = None
    said = False  # whether any event came: an update the core answered with nothing (a flood) is tidied up

    async def __call__(self, event: Outgoing) -> None:
        self.said = True
        if self.yield_to is not None:
            await self.yield_to()
        if isinstance(event, Working):
            await self.working(event)
        elif isinstance(event, ProgressReply):
            await self.progress(event)
        elif isinstance(event, ErrorReply):
            await self.error(event)
        else:
            await self.result(event)

    async def working(self, event: Working) -> None:
        raise NotImplementedError

    async def progress(self, event: ProgressReply) -> None:
        raise NotImplementedError

    async def result(self, event: Outgoing) -> None:
        raise NotImplementedError

    async def error(self, event: ErrorReply) -> None:
        raise NotImplementedError


class InteractionHook:
    """An interaction's deferred response reached by application id and token alone, through the same calls
    discord.py's `Interaction.edit_original_response` makes, so a job resumed elsewhere edits the same message."""

    def __init__(self, client: discord.Client, application_id: int, token: str) -> None:
        self.application_id, self.token = application_id, token
        self._state = client._connection  # what Interaction itself builds its follow-up webhook from
        self.followup = discord.Webhook.from_state({"id": application_id, "type": 3, "token": token}, self._state)

    async def edit(self, *, content: str, attachments: list[discord.File] = MISSING,
                   view: discord.ui.View | None = MISSING) -> None:
        with handle_message_parameters(content=content, attachments=attachments, view=view,
                                       previous_allowed_mentions=self._state.allowed_mentions) as params:
            await async_context.get().edit_original_interaction_response(
                self.application_id, self.token, session=self.followup.session, proxy=self.followup.proxy,
                proxy_auth=self.followup.proxy_auth, payload=params.payload, multipart=params.multipart,
                files=params.files)

    async def delete(self) -> None:
        await async_context.get().delete_original_interaction_response(
            self.application_id, self.token, session=self.followup.session, proxy=self.followup.proxy,
            proxy_auth=self.followup.proxy_auth)


class InteractionReplies(EventRenderer):
    """Renders events into one deferred interaction."""

    def __init__(self, client: discord.Client, address: Address, *, ephemeral: bool,
                 clock: Callable[[], float] = time.monotonic) -> None:
        assert address.application_id and address.interaction_token
        self.client = client
        self.address = address
        self.ephemeral = ephemeral
        self.clock = clock
        self.hook = InteractionHook(client, int(address.application_id), address.interaction_token)
        self._last_edit = float("-inf")

    async def working(self, event: Working) -> None:
        """Discord already shows "thinking…" for a deferred interaction."""

    async def progress(self, event: ProgressReply) -> None:
        now = self.clock()
        if now - self._last_edit < PROGRESS_INTERVAL_S or self._expiring():
            return  # a newer stage or the result will follow soon
        self._last_edit = now
        try:
            await self.hook.edit(content=event.text[:CONTENT_LIMIT])
        except discord.HTTPException as error:  # progress is cosmetic: never fail the job for it
            log.info("progress edit failed for interaction in %s: %s", self.address.chat_id, error)

    async def result(self, event: Outgoing) -> None:
        """Sending errors propagate for images, so the core refunds and reports the failure."""
        deliveries = _deliveries(event)
        first, rest = deliveries[0], deliveries[1:]
        if self._expiring():
            await self._to_channel(first)
        else:
            try:
                await self.hook.edit(content=first.text, attachments=first.discord_files(),
                                     view=build_view(first.buttons))
            except discord.HTTPException as error:
                if not _token_expired(error):
                    raise
                await self._to_channel(first)
        for delivery in rest:
            if self._expiring():
                await self._to_channel(delivery)
            else:
                await self.hook.followup.send(delivery.text, files=delivery.discord_files(), ephemeral=self.ephemeral)
        self._last_edit = self.clock()

    async def error(self, event: ErrorReply) -> None:
        """Only the user sees it: the public "thinking…" message is replaced by an ephemeral one."""
        text = event.text[:CONTENT_LIMIT]
        try:
            if self._expiring():
                raise _TokenExpired
            if self.ephemeral:
                await self.hook.edit(content=text, attachments=[], view=None)
                return
            with contextlib.suppress(discord.HTTPException):
                await self.hook.delete()
            await self.hook.followup.send(text, ephemeral=True)
        except (_TokenExpired, discord.HTTPException) as error:
            if isinstance(error, discord.HTTPException) and not _token_expired(error):
                raise
            await self._to_channel(Delivery(text))  # too late to be private; silence would be worse

    async def withdraw(self) -> None:
        """Nothing to say (the core dropped the update): the "thinking…" message goes instead of lingering."""
        with contextlib.suppress(discord.HTTPException):
            await self.hook.delete()

    def _expiring(self) -> bool:
        expires = self.address.interaction_expires
        return expires is not None and time.time() >= expires - TOKEN_MARGIN_S

    async def _to_channel(self, delivery: Delivery) -> None:
        """A late result (the token lives 15 minutes) goes to the channel, mentioning the requester."""
        await to_channel(self.client, self.address, delivery)

    async def close(self) -> None:
        return None


async def to_channel(client: discord.Client, address: Address, delivery: Delivery) -> None:
    channel = client.get_partial_messageable(int(address.chat_id))
    content = f"<@{address.user_id}> {delivery.text}"[:CONTENT_LIMIT]
    person = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(int(address.user_id))])
    await channel.send(content, files=delivery.discord_files(), view=build_view(delivery.buttons),  # type: ignore[arg-type]
                       allowed_mentions=person)  # a title that names someone else pings nobody


class MessageReplies(EventRenderer):
    """Renders events as replies to a user's message (DMs, mentions), with a typing indicator while working."""

    def __init__(self, client: discord.Client, address: Address) -> None:
        self.client = client
        self.address = address
        self.channel = client.get_partial_messageable(int(address.chat_id))
        self._typing: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def working(self, event: Working) -> None:
        self.keep_typing()

    def keep_typing(self) -> None:
        if self._typing is None:
            self._typing = asyncio.create_task(self._type(), name=f"typing-{self.address.chat_id}")

    async def _type(self) -> None:
        # discord.py's typing() context re-sends the indicator every few seconds until we leave it
        with contextlib.suppress(discord.HTTPException):
            async with self.channel.typing():
                await self._stop.wait()

    async def progress(self, event: ProgressReply) -> None:
        """The typing indicator is the progress in a chat; stage messages would only add noise."""

    async def result(self, event: Outgoing) -> None:
        await self.close()
        for delivery in _deliveries(event):
            await self.channel.send(delivery.text, files=delivery.discord_files(), view=build_view(delivery.buttons),  # type: ignore[arg-type]
                                    **self._reference())

    async def error(self, event: ErrorReply) -> None:
        await self.close()
        await self.channel.send(event.text[:CONTENT_LIMIT], **self._reference())

    def _reference(self) -> dict[str, Any]:
        if self.address.reply_to is None:
            return {}
        reference = discord.MessageReference(message_id=int(self.address.reply_to),
                                             channel_id=int(self.address.chat_id), fail_if_not_exists=False)
        return {"reference": reference, "mention_author": False}

    async def close(self) -> None:
        self._stop.set()
        if self._typing is not None:
            await self._typing
            self._typing = None


class DiscordSender:
    """The outbound side: a job's replies from its stored address, through any logged-in client (the bot's, or
    a worker's HTTP-only one, which acknowledges nothing and so has nothing to yield to)."""

    def __init__(self, client: discord.Client, yield_to: Callable[[], Awaitable[None]] | None = None) -> None:
        self.client = client
        self.yield_to = yield_to

    def open(self, address: Address, on_progress: ProgressKept) -> InteractionReplies | MessageReplies:
        replies: InteractionReplies | MessageReplies
        if address.interaction_token:
            replies = InteractionReplies(self.client, address, ephemeral=False)
        else:
            replies = MessageReplies(self.client, address)
            replies.keep_typing()
        replies.yield_to = self.yield_to
        return replies
