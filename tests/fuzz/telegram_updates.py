"""Telegram updates, parsed by the real python-telegram-bot, never break the translators (`text_for_bot`,
`command_name`, `image_of`, `incoming`, `is_group`), and the group rules hold: plain chatter is ignored, mentions
of the bot are taken out, a private chat hands over its text as it is. Run by test_platforms.py."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import assume
from telegram import Bot, Chat, Message, MessageEntity, Update, User

from bots.telegram.translate import ImageRef, NotAnImage, command_name, image_of, incoming, is_group, text_for_bot
from tests.fuzz.common import TOKENS, Choices, digits

BOT = User(id=4242, first_name="Routix", is_bot=True, username="routix_test_bot")
PTB_BOT = Bot("123456:ABCDEF-fake-token-for-fuzzing")  # no network: only de_json needs it
BOT_MENTION = re.compile(r"@routix_test_bot\b", re.IGNORECASE)
CHAT_ID = re.compile(r"-?[0-9]+")  # groups and channels have negative ids
ADDRESSED = re.compile(r"/\w+@")
COMMAND = re.compile(r"[a-z0-9_]+")
ADDRESSING = ("@routix_test_bot", "@Routix_Test_Bot", "@routix_test_botx", "@other_bot", "/thumb ", "/help",
              "/help@routix_test_bot", "/start@other_bot", "/new@ROUTIX_TEST_BOT ", "/", "@", " ")
MESSAGE_TOKENS = (*TOKENS, *ADDRESSING * 3)
OPENINGS = ("", "", "", "@routix_test_bot", "@Routix_Test_Bot", "/help", "/thumb", "/help@other_bot", "@other_bot")
CHAT_TYPES = (Chat.PRIVATE, Chat.GROUP, Chat.SUPERGROUP, Chat.CHANNEL)
ENTITY_TYPES = (MessageEntity.MENTION, MessageEntity.BOT_COMMAND, MessageEntity.BOLD, MessageEntity.URL,
                MessageEntity.HASHTAG)
MIME_TYPES = ("image/jpeg", "image/png", "IMAGE/WEBP", "image/", "application/pdf", "text/plain", "video/mp4", "")
FILE_NAMES = ("photo.jpg", "scan.PNG", "a.heic", "notes.txt", "x.jpeg.exe", ".png", "", "picture")
LANGUAGES = ("en", "fa", "fa-IR", "de", "", "EN_us")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def user(choices: Choices, *, sender: int | None = None) -> dict[str, Any]:
    user_id = sender if sender is not None else choices.number(1, 2**40)
    data = {"id": user_id, "is_bot": user_id == BOT.id or choices.chance(10),
            "first_name": choices.text(3, surrogates=False)}
    if choices.chance(40):
        data["last_name"] = choices.text(2, surrogates=False)
    if choices.chance(50):
        data["username"] = f"user{user_id}"
    if choices.chance(70):
        data["language_code"] = choices.pick(LANGUAGES) if choices.chance(80) else choices.text(1, surrogates=False)
    return data


def chat(choices: Choices, user_id: int) -> dict[str, Any]:
    kind = choices.pick(CHAT_TYPES)
    if kind == Chat.PRIVATE:
        return {"id": user_id, "type": kind, "first_name": "x"}
    chat_id = -choices.number(1, 10**9) if kind == Chat.GROUP else -(10**12 + choices.number(0, 10**11))
    return {"id": chat_id, "type": kind, "title": choices.text(2, surrogates=False)}


def entities(choices: Choices, pieces: list[str]) -> list[dict[str, Any]]:
    """Entities on whole pieces (as Telegram sends them), or anywhere at all (as a buggy client might)."""
    starts = [utf16("".join(pieces[:index])) for index in range(len(pieces) + 1)]
    found = []
    for _ in range(choices.below(4)):
        if pieces and choices.chance(70):
            index = 0 if choices.chance(50) else choices.below(len(pieces))
            offset, length = starts[index], utf16(pieces[index])
            kind = MessageEntity.MENTION if pieces[index].startswith("@") else choices.pick(ENTITY_TYPES)
        else:
            offset, length, kind = choices.below(starts[-1] + 3), choices.below(20) + 1, choices.pick(ENTITY_TYPES)
        found.append({"type": kind, "offset": offset, "length": length})
    return found


def written(choices: Choices, field: str) -> dict[str, Any]:
    pieces = [choices.pick(OPENINGS), *choices.tokens(12, MESSAGE_TOKENS, surrogates=False)]
    return {field: "".join(pieces), f"{'caption_' if field == 'caption' else ''}entities": entities(choices, pieces)}


def photo(choices: Choices) -> list[dict[str, Any]]:
    """Telegram's sizes of one photo (in no particular order here)."""
    sizes = []
    for index in range(choices.below(5)):
        size = {"file_id": f"p{index}", "file_unique_id": f"u{index}", "width": choices.number(0, 5000),
                "height": choices.number(0, 5000)}
        sizes.append(size | ({"file_size": choices.number(0, 2**31)} if choices.chance(70) else {}))
    return sizes


def document(choices: Choices) -> dict[str, Any]:
    data: dict[str, Any] = {"file_id": "d", "file_unique_id": "du"}
    if choices.chance(70):
        data["mime_type"] = choices.pick(MIME_TYPES) if choices.chance(80) else choices.text(2, surrogates=False)
    if choices.chance(70):
        data["file_name"] = choices.pick(FILE_NAMES) if choices.chance(70) else choices.text(3, surrogates=False)
    if choices.chance(70):
        data["file_size"] = choices.number(0, 2**33)
    return data


def message(choices: Choices, sender: dict[str, Any], room: dict[str, Any], *, reply: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"message_id": choices.number(1, 2**31), "date": choices.number(1, 2**31), "chat": room}
    if room["type"] != Chat.CHANNEL or choices.chance(20):
        data["from"] = sender
    kind = choices.pick(("text", "photo", "document", "nothing"))  # "nothing": a sticker, say
    if kind == "text":
        data |= written(choices, "text")
    elif kind != "nothing":
        data[kind] = photo(choices) if kind == "photo" else document(choices)
        if choices.chance(60):
            data |= written(choices, "caption")
    if reply and choices.chance(35):
        author = user(choices, sender=BOT.id if choices.chance(50) else None)
        data["reply_to_message"] = message(choices, author, room, reply=False)
    return data


def draw(choices: Choices) -> dict[str, Any]:
    """One update as the Bot API sends it: a message (maybe replying to another), or a button press."""
    sender = user(choices)
    room = chat(choices, sender["id"])
    data: dict[str, Any] = {"update_id": choices.number(0, 2**31 - 1)}
    kind = choices.pick(("message", "message", "message", "edited_message", "channel_post", "callback_query"))
    if kind != "callback_query":
        data[kind] = message(choices, sender, room, reply=True)
        return data
    query: dict[str, Any] = {"id": str(choices.number(0, 2**63)), "from": sender, "chat_instance": "c"}
    if choices.chance(85):  # up to 64 bytes from Telegram; more from a modified client
        query["data"] = choices.text(24, (*MESSAGE_TOKENS, "rx:regen:", "0" * 32, ":"), surrogates=False)
    if choices.chance(80):
        query["message"] = message(choices, user(choices, sender=BOT.id), room, reply=False)
    return data | {kind: query}


def mentioned(sent: dict[str, Any]) -> bool:
    """Whether an entity marks "@routix_test_bot" (decoded leniently: the translator must cope either way)."""
    for field, key in (("text", "entities"), ("caption", "caption_entities")):
        encoded = sent.get(field, "").encode("utf-16-le")
        for entity in sent.get(key, []):
            start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
            value = encoded[start:end].decode("utf-16-le", "replace")
            if entity["type"] == MessageEntity.MENTION and value.lower() == "@routix_test_bot":
                return True
    return False


def parsed(data: dict[str, Any]) -> Update:
    try:
        return Update.de_json(data, PTB_BOT)
    except Exception:  # an input the library refuses never reaches the bot
        assume(False)
        raise


def message_data(update: dict[str, Any]) -> dict[str, Any]:
    """The message of an update (of a button press: the message the button is on)."""
    if "callback_query" in update:
        return update["callback_query"].get("message", {})
    return next(value for key, value in update.items() if key != "update_id")


def check_picture(target: Message) -> None:
    picture = image_of(target)
    assert picture is None or isinstance(picture, ImageRef | NotAnImage)
    mime = (target.document.mime_type or "").lower() if target.document else ""
    if target.photo:
        assert isinstance(picture, ImageRef) and picture.file_id in {size.file_id for size in target.photo}
    elif mime:  # a declared type decides: image/* is fetched, anything else refused without a download
        assert isinstance(picture, ImageRef if mime.startswith("image/") else NotAnImage), (mime, picture)


def check_message(data: dict[str, Any], parsed_update: Update) -> str | None:
    """The translators on the update's message; returns what `text_for_bot` made of it."""
    target = parsed_update.effective_message
    if not isinstance(target, Message):  # a button on a message the bot can no longer see, or none
        return None
    check_picture(target)
    result = text_for_bot(target, BOT)
    raw = (target.text or target.caption or "").strip()
    assert all(command_name(line) is None or COMMAND.fullmatch(command_name(line)) for line in (raw, result or ""))
    assert is_group(target.chat) == (target.chat.type in (Chat.GROUP, Chat.SUPERGROUP))
    sent = message_data(data)
    if not raw.startswith("/"):
        if not is_group(target.chat):
            assert result == raw, (result, raw)
        else:
            replied = target.reply_to_message
            to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == BOT.id
            if not mentioned(sent) and not to_bot:
                assert result is None, result
    if result is not None and command_name(raw) not in (None, "thumb"):  # the "@bot" suffix goes, the name stays
        assert command_name(result) == command_name(raw) and not ADDRESSED.match(result), result
    if result is not None and is_group(target.chat) and mentioned(sent) and command_name(raw) is None:
        assert not BOT_MENTION.search(result), result
    return result


def check(payload: dict[str, Any]) -> None:
    """Every translator on one update: none raises, and each follows its rules."""
    parsed_update = parsed(payload)
    text = check_message(payload, parsed_update)
    if parsed_update.effective_user is None:  # filtered out before `incoming` is called
        return
    query = parsed_update.callback_query
    result = incoming(parsed_update, text=text or "", button=query.data if query else None)
    assert result.platform == "telegram" and result.update_key == f"telegram:{payload['update_id']}"
    assert digits(result.user_id) and CHAT_ID.fullmatch(result.chat_id), (result.user_id, result.chat_id)
    chat = parsed_update.effective_chat
    assert result.is_group == (chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP))
    assert result.locale == parsed_update.effective_user.language_code
