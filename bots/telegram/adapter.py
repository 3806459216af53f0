"""Telegram updates in: each becomes one `Incoming` for the core.

`accept(update)` returns once the update is dealt with — answered, or its job durably accepted — and only then
may the intake (bots/telegram/intake.py) confirm it to Telegram: a process killed earlier gets it again.
Updates are accepted concurrently, one chat's in order; each update's answers are rendered by its own
`ChatReplies`, and its job's by the sender (bots/telegram/replies.py), wherever the job runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Bot, ChatMember, Message, Update
from telegram.error import TelegramError
from telegram.ext import filters

from bots.telegram.replies import ChatReplies, ProgressBudget, Timing
from bots.telegram.translate import (
    DOWNLOAD_LIMIT,
    ImageRef,
    NotAnImage,
    command_name,
    image_of,
    incoming,
    is_group,
    text_for_bot,
    topic_of,
)
from core.commands import CHAT_SETTINGS_COMMANDS

if TYPE_CHECKING:
    from bots.settings import Settings
    from core.service import Service

log = logging.getLogger(__name__)

MESSAGES = ((filters.TEXT | filters.PHOTO | filters.Document.ALL) & (filters.ChatType.PRIVATE | filters.ChatType.GROUPS)
            & ~filters.VIA_BOT & filters.UpdateType.MESSAGE)
ADMIN_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}
MB = 1024 * 1024


class ChatOrder:
    """Updates run concurrently, but one chat's updates enter the core in the order they arrived:
    each waits until the previous one's job was accepted (or its handling ended). "/algorithm basic"
    then a request, sent together, must not swap; a running job still never blocks the next one."""

    def __init__(self) -> None:
        self._tails: dict[int, asyncio.Future[None]] = {}

    def queue(self, chat_id: int) -> tuple[Awaitable[None], Callable[[], None]]:
        """Take a place now (synchronously, in arrival order); returns (my turn, release)."""
        loop = asyncio.get_running_loop()
        previous = self._tails.get(chat_id)
        mine: asyncio.Future[None] = loop.create_future()
        self._tails[chat_id] = mine
        if previous is None:
            previous = loop.create_future()
            previous.set_result(None)

        def release() -> None:
            if not mine.done():
                mine.set_result(None)
            if self._tails.get(chat_id) is mine:
                del self._tails[chat_id]

        return previous, release


def _remembered(memo: OrderedDict[object, None], key: object, most: int = 10_000) -> bool:
    """Whether `key` was seen before; it is remembered now (the oldest forgotten past `most`)."""
    if key in memo:
        return True
    memo[key] = None
    while len(memo) > most:
        memo.popitem(last=False)
    return False


class TelegramAdapter:
    """Translates updates for `service.handle` and renders what it answers."""

    def __init__(self, service: Service, settings: Settings, bot: Bot, timing: Timing | None = None) -> None:
        self.service = service
        self.bot = bot
        self.timing = timing or Timing()
        self.budget = ProgressBudget(self.timing)
        # The download limit: the Bot API's 20 MB, or less if the core accepts less (no point fetching more).
        self.download_limit = min(DOWNLOAD_LIMIT, settings.render.max_upload_bytes)
        # The core dedupes durably; this in-memory memo also keeps a redelivered update from repeating the
        # adapter's own replies (chat action, download refusals) while the process lives.
        self._seen: OrderedDict[object, None] = OrderedDict()
        self._albums: OrderedDict[object, None] = OrderedDict()  # (chat, media group) of albums seen
        self._gathering: dict[object, list[Message]] = {}  # an album's photos, while its first waits for them
        self.order = ChatOrder()

    async def accept(self, update: Update) -> None:
        """Deal with one update; never raises (a bug is logged, and the update is still confirmed)."""
        try:
            if update.callback_query is not None:
                await self.on_button(update)
            elif MESSAGES.check_update(update):
                await self.on_message(update)
        except Exception:
            log.exception("update %s failed", update.update_id)

    # ----------------------------------------------------------------------------- messages
    async def on_message(self, update: Update) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not self._first_time(update):
            return
        text = text_for_bot(message, self.bot.bot)
        if text is None:
            return  # group chatter not addressed to the bot
        if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
            return await self._ask_to_post_as_themselves(update, message)
        if user.is_bot or message.sender_chat is not None:  # a bot, or a chat (a channel's automatic forward
            return  # comes "from" the stand-in user 777000, shared by every channel): nobody to answer
        if self._later_in_album(message):
            return
        group = is_group(message.chat)
        turn, release = self.order.queue(message.chat_id)
        replies = self._replies(message.chat_id, reply_to=message.message_id if group else None, on_accepted=release,
                                thread_id=topic_of(message))
        try:
            if message.media_group_id is not None:
                replies.acknowledge()  # photos are a request: the sign of work goes out while the album gathers
                if (chosen := await self._gathered(message)) is not message:
                    message, text = chosen, text_for_bot(chosen, self.bot.bot) or ""
            picture = image_of(message)
            if isinstance(picture, ImageRef) or (text and command_name(text) is None):
                replies.acknowledge()  # a request: the sign of work goes out before any database work
            photo: bytes | None = None
            if picture is not None:
                photo = await self._fetch(update, picture, replies)
                if photo is None:
                    return
            admin = await self._chat_admin(message.chat_id, user.id, text) if group else True
            await turn
            await self.service.handle(incoming(update, text=text, photo=photo, is_chat_admin=admin), replies)
        finally:
            release()
            await replies.close()

    async def _fetch(self, update: Update, picture: ImageRef | NotAnImage, replies: ChatReplies) -> bytes | None:
        """Download a reference image, refusing non-images and files over the limit before fetching."""
        if isinstance(picture, NotAnImage):
            await self._refuse(update, replies, "not_an_image_file")
            return None
        if picture.size is not None and picture.size > self.download_limit:
            await self._refuse(update, replies, "file_too_big_to_download", size=picture.size)
            return None
        try:
            file = await self.bot.get_file(picture.file_id)
            if file.file_size is not None and file.file_size > self.download_limit:
                await self._refuse(update, replies, "file_too_big_to_download", size=file.file_size)
                return None
            return bytes(await file.download_as_bytearray())
        except TelegramError as error:  # Telegram did not hand the file over: say so, never stay silent
            log.warning("downloading a photo for update %s failed: %s", update.update_id, error)
            await self._refuse(update, replies, "photo_download_failed")
            return None

    async def _refuse(self, update: Update, replies: ChatReplies, key: str, size: int | None = None) -> None:
        """The core words the refusal and claims the update, so a redelivery is not answered twice."""
        values = {"size": f"{size / MB:.1f}", "limit": f"{self.download_limit / MB:.0f}"} if size is not None else {}
        await self.service.refuse(incoming(update), replies, key, **values)

    async def _chat_admin(self, chat_id: int, user_id: int, text: str) -> bool:
        """Ask Telegram whether the sender administers this group, only for chat-settings commands."""
        if command_name(text) not in CHAT_SETTINGS_COMMANDS:
            return False
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            log.warning("getChatMember %s/%s failed: %s", chat_id, user_id, error)
            return False
        return member.status in ADMIN_STATUSES

    # ------------------------------------------------------------------------------ buttons
    async def on_button(self, update: Update) -> None:
        query = update.callback_query
        if query is None or not self._first_time(update):
            return
        if not query.data:  # a game or a stale client: nothing to do, but stop the spinner
            with contextlib.suppress(TelegramError):
                await query.answer()
            return
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        turn, release = self.order.queue(chat_id)
        replies = self._replies(chat_id, query=query, on_accepted=release, thread_id=topic_of(query.message))
        try:
            await turn
            await self.service.handle(incoming(update, button=query.data), replies)
        finally:
            release()
            await replies.close()

    def _first_time(self, update: Update) -> bool:
        if not _remembered(self._seen, update.update_id):
            return True
        log.info("update %s delivered again: skipped", update.update_id)
        return False

    def _later_in_album(self, message: Message) -> bool:
        """An album comes as one message per photo and is one request: the first to arrive gathers the rest."""
        if message.media_group_id is None:
            return False
        key = (message.chat_id, message.media_group_id)
        if key in self._gathering:
            self._gathering[key].append(message)
            return True
        if not _remembered(self._albums, key):
            self._gathering[key] = [message]
            return False
        log.info("message %s: a photo of album %s, which was answered already", message.message_id,
                 message.media_group_id)
        return True

    async def _gathered(self, message: Message) -> Message:
        """The album's message that makes the request: the first with a caption (usually the first), else the
        first. Its photos arrive within moments: they are waited for briefly."""
        key = (message.chat_id, message.media_group_id)
        if key not in self._gathering:
            return message
        await asyncio.sleep(self.timing.album_wait)
        album = self._gathering.pop(key)
        return next((photo for photo in album if photo.caption), album[0])

    async def _ask_to_post_as_themselves(self, update: Update, message: Message) -> None:
        """An anonymous group admin posts as the group: there is nobody to charge or answer by name."""
        replies = self._replies(message.chat_id, reply_to=message.message_id, thread_id=topic_of(message))
        try:
            await self._refuse(update, replies, "post_as_yourself")
        finally:
            await replies.close()

    def _replies(self, chat_id: int, **kw: Any) -> ChatReplies:
        return ChatReplies(self.bot, chat_id, timing=self.timing, budget=self.budget, **kw)
