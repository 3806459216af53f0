"""Telegram objects -> what the core understands. Pure functions: no I/O, easy to test.

Group rules live here: in a group the bot only acts when it is mentioned (@bot), when a message
replies to one of its messages, or on `/thumb <request>`; commands addressed to another bot and
ordinary chatter are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Chat, Message, MessageEntity, Update, User

from core.messages import Address, Incoming

PLATFORM = "telegram"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API lets a bot download files up to 20 MB
GROUP_TYPES = {Chat.GROUP, Chat.SUPERGROUP}
_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@(?P<target>\w+))?(?P<rest>(?:\s.*)?)$", re.DOTALL)
_IMAGE_NAME = re.compile(r"\.(jpe?g|png|webp|gif|bmp|tiff?|heic)$", re.IGNORECASE)


@dataclass(frozen=True)
class ImageRef:
    """A picture attached to a message: which file to fetch and how big Telegram says it is."""

    file_id: str
    size: int | None


@dataclass(frozen=True)
class NotAnImage:
    """A document that is not a picture (refused politely, never downloaded)."""

    file_name: str


def is_group(chat: Chat) -> bool:
    return chat.type in GROUP_TYPES


def text_for_bot(message: Message, bot: User) -> str | None:
    """The text to hand the core, or None when the message is not meant for the bot.

    In private chats everything is for the bot. Commands lose their `@botname` suffix and `/thumb`
    becomes the plain request it carries.
    """
    text = (message.text or message.caption or "").strip()
    command = _COMMAND.match(text)
    if command:
        target = command["target"]
        if target and target.lower() != (bot.username or "").lower():
            return None  # "/help@other_bot": someone else's command
        if command["name"].lower() == "thumb":
            return command["rest"].strip()
        return f"/{command['name']}{command['rest']}"
    if not is_group(message.chat):
        return text
    if _mentions(message, bot):
        return _strip_mention(text, bot).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return text
    return None


def _mentions(message: Message, bot: User) -> bool:
    wanted = f"@{bot.username}".lower()
    kinds = [MessageEntity.MENTION]
    try:
        found = {**message.parse_entities(kinds), **message.parse_caption_entities(kinds)}
    except UnicodeError:  # an entity that splits a UTF-16 pair (only a modified client sends one): no mention
        return False
    return any(value.lower() == wanted for value in found.values())


def _strip_mention(text: str, bot: User) -> str:
    return re.sub(rf"@{re.escape(bot.username or '')}\b", " ", text, flags=re.IGNORECASE).replace("  ", " ")


def command_name(text: str) -> str | None:
    """`/watermark off` -> "watermark"; None for requests."""
    match = _COMMAND.match(text)
    return match["name"].lower() if match else None


def image_of(message: Message) -> ImageRef | NotAnImage | None:
    """The largest photo size, an image sent as a document, or a refusal for other documents."""
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return ImageRef(largest.file_id, largest.file_size)
    document = message.document
    if document is None:
        return None
    mime = (document.mime_type or "").lower()
    if mime.startswith("image/") or (not mime and _IMAGE_NAME.search(document.file_name or "")):
        return ImageRef(document.file_id, document.file_size)
    return NotAnImage(document.file_name or "")


def _text_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


def topic_of(message: object) -> int | None:
    """The forum topic a message is in (a button press: its result's message), where answers must go: sent to
    the group without it, they land in General. Replies in an ordinary group carry a thread id too: not a topic."""
    if message is None or not getattr(message, "is_topic_message", False):
        return None
    return getattr(message, "message_thread_id", None)


def incoming(update: Update, *, text: str = "", photo: bytes | None = None, button: str | None = None,
             is_chat_admin: bool = False) -> Incoming:
    """One Telegram update as the core's Incoming (message or button press)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None, "updates without a sender are filtered out before this point"
    chat_id = chat.id if chat is not None else user.id
    group = chat is not None and is_group(chat)
    message = update.message if button is None else None
    reply_to = str(message.message_id) if group and message is not None else None  # in groups, answer the message
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(chat_id),
        text=text,
        display_name=user.full_name,
        locale=user.language_code,
        photo=photo,
        space_id=str(chat_id) if group else None,
        is_group=group,
        # In a private chat the user owns the chat's settings; in groups getChatMember decides.
        is_chat_admin=is_chat_admin or not group,
        button=button,
        update_key=f"{PLATFORM}:{update.update_id}",
        address=Address(PLATFORM, str(chat_id), str(user.id), reply_to=reply_to,
                        thread_id=_text_or_none(topic_of(update.effective_message))),
    )
