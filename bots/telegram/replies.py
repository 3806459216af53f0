"""Core Outgoing events -> Bot API calls, one handler per event type.

A `ChatReplies` lives for one update (the adapter's answers) or for one job (opened by `TelegramSender` from the
job's stored address, in whichever process runs the job). It keeps the chat visibly alive:
- the update: an `upload_photo` chat action at once for a request (every other send of this update waits for
  it, so it always comes first); `Working` means the job was accepted;
- the job: the chat action again every few seconds until the result (Telegram clears it after ~5 s), and ONE
  progress message, shown only if the job is still unfinished after `Timing.progress_after` (a fast job costs
  no message), edited through the stages at most once per `Timing.edit_every` per chat, and deleted once the
  result is out. Its id is stored with the job, so a job resumed after a restart edits it, not a new one.
  An AI model's previews (partial pictures) turn it into a photo of the latest one, captioned with the stage.
Sending the result (photo, album, document) may raise: the core then refunds and sends an ErrorReply.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, TelegramError, TimedOut

from bots.telegram.transport import AnswerLost, NotConnected
from core.messages import (
    Address,
    AlbumReply,
    Button,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Keyboard,
    Outgoing,
    PreviewReply,
    ProgressReply,
    Stage,
    TextReply,
    Working,
)
from core.ports import DeliveryUncertain, ProgressKept

log = logging.getLogger(__name__)

TEXT_LIMIT, CAPTION_LIMIT, ALERT_LIMIT, ALBUM_LIMIT = 4096, 1024, 200, 10
PREVIEW_NAME = "preview.jpg"


@dataclass(frozen=True)
class Timing:
    """How the adapter paces its signs of life (tests shorten them)."""

    chat_action_every: float = 4.0  # Telegram shows a chat action for about 5 s
    progress_after: float = 1.0  # jobs finishing sooner never get a progress message
    edit_every: float = 1.0  # at most one progress send/edit per second per chat
    progress_per_second: float = 10.0  # progress sends/edits per second for the whole bot (~1/3 of Telegram's 30/s)
    group_preview_every: float = 6.0  # a group gets 20 messages a minute: previews take at most half of them
    album_wait: float = 1.0  # an album's photos arrive as messages moments apart: its request waits for them all


class ProgressBudget:
    """Hands out send/edit slots for progress messages: at most one per `edit_every` per chat and
    `progress_per_second` in all, so a busy queue never spends the bot's flood budget (30 messages/s)
    on decoration while results wait. A reserved slot that is not used (the job finished) is lost."""

    def __init__(self, timing: Timing) -> None:
        self.per_chat = timing.edit_every
        self.spacing = 1.0 / timing.progress_per_second if timing.progress_per_second > 0 else 0.0
        self._chat_next: dict[int, float] = {}
        self._next = 0.0

    def reserve(self, chat_id: int) -> float:
        """Seconds to wait before this chat may send or edit its progress message."""
        now = time.monotonic()
        slot = max(now, self._chat_next.get(chat_id, 0.0), self._next)
        self._next = slot + self.spacing
        if len(self._chat_next) > 4096:  # forget chats that are free anyway
            self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}
        self._chat_next[chat_id] = slot + self.per_chat
        return slot - now


def keyboard(rows: Keyboard) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in rows])


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProgressMessage:
    """One job's progress message: appears late, edits budgeted, never cancelled mid-request.

    It shows the latest stage line and, once the model sends one, the latest preview (a partial picture): the text
    message becomes a photo with the stage line as its caption (editMessageMedia; a Bot API that cannot put media into
    a text message gets a new photo message in its place), later previews replace the photo and later stages edit the
    caption. Intermediate states are skipped, never queued. Each change is one send/edit slot of the `ProgressBudget`;
    a change that fails (not modified, flood control, a message gone) is logged and skipped: progress is decoration.
    """

    def __init__(self, bot: Bot, chat_id: int, timing: Timing, budget: ProgressBudget, started: float,
                 message_id: int | None = None, on_sent: ProgressKept | None = None,
                 thread_id: int | None = None) -> None:
        self._bot, self._chat_id, self._timing, self._budget = bot, chat_id, timing, budget
        self._thread = thread_id  # a forum's topic: new messages go there (edits follow their message)
        self._started = started
        self._on_sent = on_sent
        self.text = ""
        self.image: bytes | None = None  # the latest preview
        self._previews = 0  # how many previews came: a new one must be shown even if its bytes repeat
        self._media_at = float("-inf")  # when a preview was last sent or edited in
        self.message_id = message_id  # set when a resumed job's message exists already
        self.is_photo: bool | None = None if message_id is not None else False  # None: a resumed job's, unknown
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def update(self, text: str, image: bytes | None = None) -> None:
        self.text = text
        if image is not None:
            self.image = image
            self._previews += 1
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        self._wake.set()

    async def stop(self) -> int | None:
        """Stop showing progress; returns the message to delete (if one was sent)."""
        self._stopped.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        return self.message_id

    async def _run(self) -> None:
        shown: tuple[str, int] | None = None  # what the message shows: (text, previews)
        # A new message waits until the job has taken longer than `progress_after`: a fast job costs no message.
        if self.message_id is None and not await self._pause(self._started + self._timing.progress_after
                                                             - time.monotonic()):
            return
        while not self._stopped.is_set():
            if (self.text, self._previews) != shown and await self._pause(self._group_pace(shown)) \
                    and await self._pause(self._budget.reserve(self._chat_id)):
                wanted = (self.text, self._previews)  # the latest, after the pause
                await self._show(shown, wanted)
                shown = wanted
                continue
            await self._wake.wait()
            self._wake.clear()

    def _group_pace(self, shown: tuple[str, int] | None) -> float:
        """Seconds a new preview waits in a group (whose message budget the result needs too); 0 otherwise."""
        if self._chat_id >= 0 or self.image is None or (shown is not None and shown[1] == self._previews):
            return 0.0
        return self._media_at + self._timing.group_preview_every - time.monotonic()

    async def _show(self, shown: tuple[str, int] | None, wanted: tuple[str, int]) -> None:
        """One change, in one budget slot; a failure is logged and the change skipped (the next one may work)."""
        new_picture = self.image is not None and (shown is None or shown[1] != wanted[1])
        if new_picture:
            self._media_at = time.monotonic()
        try:
            if self.message_id is None:
                await self._send()
            elif new_picture:
                await self._edit_media()
            else:
                await self._edit_text()
        except TelegramError as error:  # progress is decoration: never let it break the job
            log.info("progress message in chat %s: %s", self._chat_id, error)

    async def _send(self) -> None:
        if self.image is not None:
            message = await self._bot.send_photo(self._chat_id, self.image, filename=PREVIEW_NAME,
                                                 caption=clip(self.text, CAPTION_LIMIT) or None,
                                                 message_thread_id=self._thread)
        else:
            message = await self._bot.send_message(self._chat_id, clip(self.text or "…", TEXT_LIMIT),
                                                   message_thread_id=self._thread)
        self.message_id, self.is_photo = message.message_id, self.image is not None
        if self._on_sent is not None:
            try:
                await self._on_sent(str(message.message_id))
            except Exception as error:  # a resumed job would then send a second message: untidy, not wrong
                log.warning("could not store progress message %s: %s", message.message_id, error)

    async def _edit_media(self) -> None:
        assert self.image is not None
        media = InputMediaPhoto(self.image, filename=PREVIEW_NAME, caption=clip(self.text, CAPTION_LIMIT) or None)
        try:
            await self._bot.edit_message_media(media, chat_id=self._chat_id, message_id=self.message_id)
        except BadRequest as error:
            if _not_modified(error) or (self.is_photo and not _gone(error)):
                raise
            # A text message on a Bot API that cannot put media into one (older servers), or a message that is gone:
            # a new photo message takes its place (reported, so a resumed job continues with it).
            log.info("progress message %s in chat %s: %s; sending the preview anew", self.message_id,
                     self._chat_id, error)
            previous = self.message_id
            await self._send()
            if not _gone(error):
                await self._delete(previous)
            return
        self.is_photo = True

    async def _edit_text(self) -> None:
        if self.is_photo:
            await self._edit_caption()
            return
        try:
            await self._bot.edit_message_text(clip(self.text or "…", TEXT_LIMIT), chat_id=self._chat_id,
                                              message_id=self.message_id)
        except BadRequest as error:
            if _not_modified(error):
                raise
            if _gone(error):  # deleted by the person, or by the run before a restart: show it again
                await self._send()
                return
            if self.is_photo is not None:
                raise
            await self._edit_caption()  # a resumed job's message holds a preview: "there is no text to edit"
            return
        self.is_photo = False

    async def _edit_caption(self) -> None:
        try:
            await self._bot.edit_message_caption(chat_id=self._chat_id, message_id=self.message_id,
                                                 caption=clip(self.text, CAPTION_LIMIT) or None)
        except BadRequest as error:
            if not _gone(error):
                raise
            await self._send()
            return
        self.is_photo = True

    async def _delete(self, message_id: int | None) -> None:
        try:
            await self._bot.delete_message(self._chat_id, message_id)  # type: ignore[arg-type]
        except TelegramError as error:
            log.info("deleteMessage %s in chat %s: %s", message_id, self._chat_id, error)

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when the pause ran out and the job is still going."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):  # unlike wait_for, no extra task per pause
                    await self._stopped.wait()
        return not self._stopped.is_set()


def _not_modified(error: TelegramError) -> bool:
    return "not modified" in error.message.lower()


def _gone(error: TelegramError) -> bool:
    return "not found" in error.message.lower()  # "message to edit not found"


class ChatReplies:
    """The reply callback the core calls for one update (see core.messages.Reply)."""

    def __init__(self, bot: Bot, chat_id: int, *, timing: Timing, budget: ProgressBudget,
                 reply_to: int | None = None, query: CallbackQuery | None = None,
                 on_accepted: Callable[[], None] | None = None, progress_id: int | None = None,
                 on_progress: ProgressKept | None = None, thread_id: int | None = None) -> None:
        self._bot, self._chat_id, self._timing, self._budget = bot, chat_id, timing, budget
        self._thread = thread_id  # a forum's topic: every message goes there, not to General
        self._on_accepted = on_accepted  # the core accepted a job: the chat's next update may go in
        self._progress_id, self._on_progress = progress_id, on_progress
        self._reply_to = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        self._query = query
        self._answered = False
        self._first_action: asyncio.Task[None] | None = None
        self._repeater: asyncio.Task[None] | None = None
        self._in_line = False  # waiting in the queue: the progress message shows the place instead
        self._progress: dict[str, ProgressMessage] = {}
        self._stale: list[int] = []  # progress messages to delete once a final answer is out
        self._handlers: dict[type, Callable[[Any], Awaitable[None]]] = {
            TextReply: self._text, Working: self._working, ProgressReply: self._progress_reply,
            PreviewReply: self._preview_reply, ImageReply: self._image, AlbumReply: self._album,
            DocumentReply: self._document, ErrorReply: self._error,
        }

    async def __call__(self, event: Outgoing) -> None:
        try:
            await self._sent_where_the_chat_is(event)
        except (TimedOut, AnswerLost, NotConnected) as error:  # no answer came: not a refusal (Telegram's 4xx)
            if not isinstance(event, ImageReply | AlbumReply | DocumentReply):
                raise
            raise DeliveryUncertain(f"Telegram did not answer: {error}",
                                    maybe_sent=not isinstance(error, NotConnected)) from error

    async def _sent_where_the_chat_is(self, event: Outgoing) -> None:
        try:
            await self._handlers[type(event)](event)
        except ChatMigrated as moved:  # the group became a supergroup while the job ran: its new id takes it
            log.info("chat %s is now %s: sending there", self._chat_id, moved.new_chat_id)
            self._chat_id, self._reply_to = moved.new_chat_id, None  # message ids belong to the old chat
            for view in self._progress.values():  # the old chat's progress cannot be edited or deleted any more
                await view.stop()
            self._progress.clear()
            self._stale.clear()
            self._progress_id = None
            await self._handlers[type(event)](event)

    async def close(self) -> None:
        """After the core is done with the update: stop every sign of work, tidy up."""
        await self._end_work()
        await self._delete_stale()
        await self._answer_query()

    # ------------------------------------------------------------------------------ handlers
    def acknowledge(self) -> None:
        """Show "sending a photo…" right away, before the core has looked at the request."""
        if self._first_action is None:
            self._first_action = asyncio.create_task(self._chat_action())

    async def _working(self, event: Working) -> None:
        """The job was accepted: the chat's next update may go in; the job's own replies take over."""
        if self._on_accepted is not None:
            self._on_accepted()
        await self._answer_query()
        self.acknowledge()  # a button's job: its sign of work starts now (a request's went out already)

    def keep_alive(self) -> None:
        """A job's replies: renew the chat action until the result (the update's answer sent the first)."""
        if self._repeater is None:
            self._repeater = asyncio.create_task(self._repeat_chat_action())

    async def _progress_reply(self, event: ProgressReply) -> None:
        self._in_line = event.stage == Stage.QUEUED
        self._view(event.generation_id).update(event.text)

    async def _preview_reply(self, event: PreviewReply) -> None:
        self._in_line = False
        self._view(event.generation_id).update(event.text, event.image)

    def _view(self, generation_id: str) -> ProgressMessage:
        if generation_id not in self._progress:
            self._progress[generation_id] = ProgressMessage(self._bot, self._chat_id, self._timing, self._budget,
                                                            time.monotonic(), self._progress_id, self._on_progress,
                                                            self._thread)
            self._progress_id = None  # the view owns it now
        return self._progress[generation_id]

    async def _text(self, event: TextReply) -> None:
        await self._answer_query()
        await self._before_send()
        await self._bot.send_message(self._chat_id, clip(event.text, TEXT_LIMIT), reply_markup=keyboard(event.buttons),
                                     reply_parameters=self._reply_to, message_thread_id=self._thread)

    async def _image(self, event: ImageReply) -> None:
        await self._before_send()
        await self._end_work()
        await self._bot.send_photo(self._chat_id, event.image, filename=event.filename,
                                   caption=clip(event.caption, CAPTION_LIMIT), reply_markup=keyboard(event.buttons),
                                   reply_parameters=self._reply_to, message_thread_id=self._thread)
        await self._delete_stale()

    async def _album(self, event: AlbumReply) -> None:
        await self._before_send()
        await self._end_work()
        images = list(event.images)
        if len(images) == 1:  # a media group needs 2-10 items
            await self._image(dataclasses.replace(images[0], caption=event.caption or images[0].caption))
            return
        for start in range(0, len(images), ALBUM_LIMIT):
            chunk = images[start: start + ALBUM_LIMIT]
            media = [InputMediaPhoto(image.image, filename=image.filename,
                                     caption=clip(event.caption, CAPTION_LIMIT) if not start and not i else None)
                     for i, image in enumerate(chunk)]
            await self._bot.send_media_group(self._chat_id, media, reply_parameters=self._reply_to,
                                             message_thread_id=self._thread)
        try:
            await self._album_buttons(event)
        except TelegramError as error:  # the pictures are out: their numbered buttons are a convenience
            log.warning("the buttons under an album in chat %s failed: %s", self._chat_id, error)
        await self._delete_stale()

    async def _album_buttons(self, event: AlbumReply) -> None:
        """A media group cannot carry a keyboard: one message below it holds each variation's main row,
        numbered like the pictures (the algorithm switch stays on the original thumbnail)."""
        rows = tuple(tuple(Button(f"{n}. {b.label}", b.action) for b in image.buttons[0])
                     for n, image in enumerate(event.images, 1) if image.buttons)
        if rows:
            await self._bot.send_message(self._chat_id, clip(event.caption or "…", TEXT_LIMIT),
                                         reply_markup=keyboard(rows), message_thread_id=self._thread)

    async def _document(self, event: DocumentReply) -> None:
        await self._before_send()
        await self._end_work()
        await self._bot.send_document(self._chat_id, event.data, filename=event.filename,
                                      caption=clip(event.caption, CAPTION_LIMIT), reply_parameters=self._reply_to,
                                      message_thread_id=self._thread)
        await self._delete_stale()

    async def _error(self, event: ErrorReply) -> None:
        await self._end_work()
        alert = self._query is not None and not self._query_answered and len(event.text) <= ALERT_LIMIT
        if alert and not event.buttons:
            await self._answer_query(event.text)  # a button that cannot work: a polite alert on the spot
        else:  # an alert cannot carry buttons: with a way out ("Try Local (free)") it is a message
            await self._answer_query()
            await self._before_send()
            await self._bot.send_message(self._chat_id, clip(event.text, TEXT_LIMIT),
                                         reply_markup=keyboard(event.buttons), reply_parameters=self._reply_to,
                                         message_thread_id=self._thread)
        await self._delete_stale()

    # ------------------------------------------------------------------------------- helpers
    @property
    def _query_answered(self) -> bool:
        return self._query is None or self._answered

    async def _answer_query(self, alert: str | None = None) -> None:
        """Every button press gets exactly one answer, so the client stops its spinner."""
        if self._query is None or self._answered:
            return
        self._answered = True
        try:
            await self._query.answer(alert, show_alert=bool(alert))
        except TelegramError as error:  # too old to answer (>15 min): nothing the user can see
            log.info("answerCallbackQuery: %s", error)

    async def _chat_action(self) -> None:
        try:
            await self._bot.send_chat_action(self._chat_id, ChatAction.UPLOAD_PHOTO, message_thread_id=self._thread)
        except TelegramError as error:
            log.info("sendChatAction in chat %s: %s", self._chat_id, error)

    async def _repeat_chat_action(self) -> None:
        """Renew the chat action while the job is worked on; a long line would otherwise cost one call
        per waiting chat every few seconds out of the bot's 30-a-second budget."""
        while True:
            await asyncio.sleep(self._timing.chat_action_every)
            if not self._in_line:
                await self._chat_action()

    async def _before_send(self) -> None:
        """The first chat action goes out before any other reply of this update."""
        if self._first_action is not None:
            await self._first_action

    async def _end_work(self) -> None:
        if self._repeater is not None:
            self._repeater.cancel()
            self._repeater = None
        for view in self._progress.values():
            if (message_id := await view.stop()) is not None:
                self._stale.append(message_id)
        self._progress.clear()
        if self._progress_id is not None:  # a resumed job's progress message that this run never showed a stage in
            self._stale.append(self._progress_id)
            self._progress_id = None

    async def _delete_stale(self) -> None:
        while self._stale:
            message_id = self._stale.pop()
            try:
                await self._bot.delete_message(self._chat_id, message_id)
            except TelegramError as error:  # already deleted by the user, or too old
                log.info("deleteMessage %s in chat %s: %s", message_id, self._chat_id, error)


class TelegramSender:
    """The outbound side: a job's replies from its stored address, through any `Bot` (the bot process's, or a
    worker's own), without the update that started the job."""

    def __init__(self, bot: Bot, timing: Timing | None = None) -> None:
        self.bot = bot
        self.timing = timing or Timing()
        self.budget = ProgressBudget(self.timing)

    def open(self, address: Address, on_progress: ProgressKept) -> ChatReplies:
        replies = ChatReplies(self.bot, int(address.chat_id), timing=self.timing, budget=self.budget,
                              reply_to=int(address.reply_to) if address.reply_to else None,
                              progress_id=int(address.progress_id) if address.progress_id else None,
                              on_progress=on_progress, thread_id=int(address.thread_id) if address.thread_id else None)
        replies.keep_alive()
        return replies
