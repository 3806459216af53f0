"""The core's events -> Discord calls, one handler per event type.

Both renderers work from an `Address` alone (the application id, the interaction token and its expiry, the
channel, the message to answer), so the same code answers an update in the bot process and delivers a job in any
process — a worker, or the bot after a restart — with only the REST API.

`InteractionReplies` renders into a deferred interaction: progress and results edit the "thinking…" response,
user errors become ephemeral messages, and once the interaction token is (about to be) expired, results go to the
channel instead. `MessageReplies` renders into a chat (DM or a mention): a typing indicator while working, then a
reply to the user's message.

An AI model's previews (partial pictures) are shown where the progress is: the deferred response carries the latest
one as its attachment (with the stage line as content); in a chat, or past the interaction token, one message in the
channel does (`ChannelPreview`, its id kept with the job). Previews are paced like progress edits, the latest one
replacing any still waiting, and the result replaces them (its attachments are always given explicitly).
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

import aiohttp
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
    PreviewReply,
    ProgressReply,
    TextReply,
    Working,
)
from core.ports import DeliveryUncertain, ProgressKept

log = logging.getLogger(__name__)
CONTENT_LIMIT = 2000  # characters in a Discord message
FILES_PER_MESSAGE = 10
PROGRESS_INTERVAL_S = 1.0  # at most one progress edit per second: edits share the webhook's rate limit
TOKEN_MARGIN_S = 30.0  # stop using the interaction token this long before it dies (15 minutes)
EXPIRED_TOKEN_CODES = {50027, 10015}  # Invalid Webhook Token, Unknown Webhook
PREVIEW_NAME = "preview.jpg"


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


NOT_CONNECTED = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)  # nothing reached Discord


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
        elif isinstance(event, PreviewReply):
            await self.preview(event)
        elif isinstance(event, ErrorReply):
            await self.error(event)
        else:
            await self._result(event)

    async def _result(self, event: Outgoing) -> None:
        """A 5xx, a cut connection or a timeout is no refusal: the message may exist, so it is sent again (an
        interaction's edit lands on the same message), never refunded; only Discord's 4xx refuse it."""
        try:
            await self.result(event)
        except (discord.DiscordServerError, aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryUncertain(f"Discord did not answer: {type(error).__name__}: {error}",
                                    maybe_sent=not isinstance(error, NOT_CONNECTED)) from error

    async def working(self, event: Working) -> None:
        raise NotImplementedError

    async def progress(self, event: ProgressReply) -> None:
        raise NotImplementedError

    async def preview(self, event: PreviewReply) -> None:
        raise NotImplementedError

    async def result(self, event: Outgoing) -> None:
        raise NotImplementedError

    async def error(self, event: ErrorReply) -> None:
        raise NotImplementedError


def _preview_file(image: bytes) -> discord.File:
    return discord.File(io.BytesIO(image), filename=PREVIEW_NAME)


def _view_kw(keyboard: Keyboard) -> dict[str, Any]:
    """A webhook send refuses `view=None`: the view only when there are buttons."""
    view = build_view(keyboard)
    return {"view": view} if view is not None else {}


class Paced:
    """Shows the latest of a stream of previews at most once per `interval` (shared with the progress edits of the
    same message): one that has to wait is shown when its turn comes, unless a newer one replaced it first."""

    def __init__(self, show: Callable[[bytes], Awaitable[None]], interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._show, self.interval, self.clock = show, interval, clock
        self.last = float("-inf")  # when the message was last edited
        self._pending: bytes | None = None
        self._waiting: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()

    @property
    def ready(self) -> bool:
        """Whether another edit of the message may go now (nothing waiting, the interval is over)."""
        return self._waiting is None and self.clock() - self.last >= self.interval

    def edited(self) -> None:
        self.last = self.clock()

    async def offer(self, image: bytes) -> None:
        if self._stopped.is_set():
            return
        self._pending = image
        if self._waiting is not None:
            return  # the waiting turn shows this one instead
        wait = self.last + self.interval - self.clock()
        if wait <= 0:
            await self._flush()
        else:
            self._waiting = asyncio.create_task(self._later(wait), name="discord-preview")

    async def _later(self, wait: float) -> None:
        """One turn: until it is over (the edit included) `stop()` waits for it and newer previews wait for it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._stopped.wait()
        if not self._stopped.is_set():
            await self._flush()
        self._waiting = None
        if self._pending is not None and not self._stopped.is_set():  # a newer one came during the edit
            self._waiting = asyncio.create_task(self._later(self.last + self.interval - self.clock()),
                                                name="discord-preview")

    async def _flush(self) -> None:
        image, self._pending = self._pending, None
        if image is not None:
            self.edited()
            try:
                await self._show(image)
            except Exception:  # cosmetic: a bug here must not fail the job's result
                log.exception("showing a preview failed")

    async def stop(self) -> None:
        """No more previews: one waiting is dropped, one being sent is let finish (the result must come after it)."""
        self._stopped.set()
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            await waiting


class ChannelPreview:
    """The preview as one message in the channel (a chat, or an interaction past its token): sent once, then edited
    with each newer preview, deleted once the result is out. Its id is kept with the job (`on_progress`), so a job
    resumed elsewhere edits it rather than sending another. Failures are logged: previews are cosmetic."""

    def __init__(self, client: discord.Client, address: Address, on_progress: ProgressKept | None,
                 reference: dict[str, Any] | None = None) -> None:
        self.channel = client.get_partial_messageable(int(address.chat_id))
        self.message_id = int(address.progress_id) if address.progress_id else None
        self.on_progress = on_progress
        self.reference = reference or {}

    async def show(self, text: str, image: bytes) -> None:
        try:
            if self.message_id is not None:
                try:
                    await self.channel.get_partial_message(self.message_id).edit(content=text,
                                                                                 attachments=[_preview_file(image)])
                    return
                except discord.NotFound:  # deleted (by someone, or by the run before a restart): a new one
                    self.message_id = None
            message = await self.channel.send(text, file=_preview_file(image), **self.reference)
        except discord.HTTPException as error:
            log.info("preview in channel %s: %s", self.channel.id, error)
            return
        self.message_id = message.id
        if self.on_progress is not None:
            try:
                await self.on_progress(str(message.id))
            except Exception as error:  # a resumed job would send a second preview: untidy, not wrong
                log.warning("could not store preview message %s: %s", message.id, error)

    async def remove(self) -> None:
        message_id, self.message_id = self.message_id, None
        if message_id is not None:
            try:
                await self.channel.get_partial_message(message_id).delete()
            except discord.HTTPException as error:  # already gone
                log.info("deleting preview %s in channel %s: %s", message_id, self.channel.id, error)


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
                 clock: Callable[[], float] = time.monotonic, on_progress: ProgressKept | None = None) -> None:
        assert address.application_id and address.interaction_token
        self.client = client
        self.address = address
        self.ephemeral = ephemeral
        self.clock = clock
        self.hook = InteractionHook(client, int(address.application_id), address.interaction_token)
        self._edits = Paced(self._show_preview, PROGRESS_INTERVAL_S, clock)  # progress and previews share the pace
        self._stage = ""  # the latest stage line, shown with a preview
        self._channel = ChannelPreview(client, address, on_progress)  # past the token's life

    async def working(self, event: Working) -> None:
        """Discord already shows "thinking…" for a deferred interaction."""

    async def progress(self, event: ProgressReply) -> None:
        self._stage = event.text
        if not self._edits.ready or self._expiring():
            return  # a newer stage, a waiting preview (it shows this line) or the result will follow soon
        self._edits.edited()
        try:
            await self.hook.edit(content=event.text[:CONTENT_LIMIT])  # the attachment (a preview) stays
        except discord.HTTPException as error:  # progress is cosmetic: never fail the job for it
            log.info("progress edit failed for interaction in %s: %s", self.address.chat_id, error)

    async def preview(self, event: PreviewReply) -> None:
        self._stage = event.text
        await self._edits.offer(event.image)

    async def _show_preview(self, image: bytes) -> None:
        """The response's attachment is replaced by the newer preview; past the token, a channel message shows it."""
        text = self._stage[:CONTENT_LIMIT]
        if not self._expiring():
            try:
                await self.hook.edit(content=text, attachments=[_preview_file(image)])
                return
            except discord.HTTPException as error:
                log.info("preview edit failed for interaction in %s: %s", self.address.chat_id, error)
                if not _token_expired(error):
                    return
        await self._channel.show(text, image)

    async def result(self, event: Outgoing) -> None:
        """Sending errors propagate for images, so the core refunds and reports the failure."""
        await self._edits.stop()  # a preview edit under way lands before the result, never after it
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
        self._edits.edited()
        await self._channel.remove()

    async def error(self, event: ErrorReply) -> None:
        """Only the user sees it: the public "thinking…" message is replaced by an ephemeral one. Its buttons (a
        failed paid job's "Try Local (free)") work there too: presses of ephemeral messages reach the bot."""
        await self._edits.stop()
        text = event.text[:CONTENT_LIMIT]
        try:
            if self._expiring():
                raise _TokenExpired
            if self.ephemeral:
                await self.hook.edit(content=text, attachments=[], view=build_view(event.buttons))
                return
            with contextlib.suppress(discord.HTTPException):
                await self.hook.delete()
            await self.hook.followup.send(text, ephemeral=True, **_view_kw(event.buttons))
        except (_TokenExpired, discord.HTTPException) as error:
            if isinstance(error, discord.HTTPException) and not _token_expired(error):
                raise
            await self._to_channel(Delivery(text, buttons=event.buttons))  # too late to be private; silence is worse
        finally:
            await self._channel.remove()

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
        await self._edits.stop()


async def to_channel(client: discord.Client, address: Address, delivery: Delivery) -> None:
    channel = client.get_partial_messageable(int(address.chat_id))
    content = f"<@{address.user_id}> {delivery.text}"[:CONTENT_LIMIT]
    person = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(int(address.user_id))])
    await channel.send(content, files=delivery.discord_files(), view=build_view(delivery.buttons),  # type: ignore[arg-type]
                       allowed_mentions=person)  # a title that names someone else pings nobody


class MessageReplies(EventRenderer):
    """Renders events as replies to a user's message (DMs, mentions), with a typing indicator while working."""

    def __init__(self, client: discord.Client, address: Address, on_progress: ProgressKept | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.address = address
        self.channel = client.get_partial_messageable(int(address.chat_id))
        self._typing: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._stage = ""
        self._preview = ChannelPreview(client, address, on_progress, self._reference())
        self._edits = Paced(self._show_preview, PROGRESS_INTERVAL_S, clock)

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
        self._stage = event.text  # but a preview shows its line

    async def preview(self, event: PreviewReply) -> None:
        """A picture forming is worth a message: one, replying to the request, edited with each newer preview."""
        self._stage = event.text
        await self._edits.offer(event.image)

    async def _show_preview(self, image: bytes) -> None:
        await self._preview.show(self._stage[:CONTENT_LIMIT], image)

    async def result(self, event: Outgoing) -> None:
        await self._end_work()
        for delivery in _deliveries(event):
            await self.channel.send(delivery.text, files=delivery.discord_files(), view=build_view(delivery.buttons),  # type: ignore[arg-type]
                                    **self._reference())
        await self._preview.remove()  # replaced by the result, never a gap

    async def error(self, event: ErrorReply) -> None:
        await self._end_work()
        try:
            await self.channel.send(event.text[:CONTENT_LIMIT], view=build_view(event.buttons),  # type: ignore[arg-type]
                                    **self._reference())
        finally:
            await self._preview.remove()

    def _reference(self) -> dict[str, Any]:
        if self.address.reply_to is None:
            return {}
        reference = discord.MessageReference(message_id=int(self.address.reply_to),
                                             channel_id=int(self.address.chat_id), fail_if_not_exists=False)
        return {"reference": reference, "mention_author": False}

    async def _end_work(self) -> None:
        await self._edits.stop()
        await self._stop_typing()

    async def _stop_typing(self) -> None:
        self._stop.set()
        if self._typing is not None:
            await self._typing
            self._typing = None

    async def close(self) -> None:
        """A preview left here is the resumed job's to edit (its id is kept with the job)."""
        await self._end_work()


class DiscordSender:
    """The outbound side: a job's replies from its stored address, through any logged-in client (the bot's, or
    a worker's HTTP-only one, which acknowledges nothing and so has nothing to yield to)."""

    def __init__(self, client: discord.Client, yield_to: Callable[[], Awaitable[None]] | None = None) -> None:
        self.client = client
        self.yield_to = yield_to

    def open(self, address: Address, on_progress: ProgressKept) -> InteractionReplies | MessageReplies:
        replies: InteractionReplies | MessageReplies
        if address.interaction_token:
            replies = InteractionReplies(self.client, address, ephemeral=False, on_progress=on_progress)
        else:
            replies = MessageReplies(self.client, address, on_progress)
            replies.keep_typing()
        replies.yield_to = self.yield_to
        return replies
