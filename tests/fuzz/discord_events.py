"""Discord messages and interactions, built by the real discord.py from gateway payloads, never break the
translators (`text_for_bot`, `from_message`, `image_attachment`, `is_image`, `from_interaction`, `user_ref`); in a
server only messages that mention the bot are read, with its mentions taken out. Run by test_platforms.py."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import discord
from hypothesis import assume

from bots.discord.translate import from_interaction, from_message, image_attachment, is_image, text_for_bot, user_ref
from tests.fuzz.common import TOKENS, Choices, digits

BOT_ID, GUILD_ID, CHANNEL_ID, OTHER_GUILD_ID = 900, 100, 200, 101
MANAGE_GUILD = 1 << 5
BOT_MENTION = re.compile(rf"<@!?{BOT_ID}>")
OTHER_MENTION = re.compile(rf"<@!?(?!{BOT_ID}>)\d+>")
PEOPLE = (BOT_ID, 5, 6, 70, 12345678901234567)  # 70 is another bot: ids decide who is a bot (see `person`)
AUTHORS = (5, 6, 12345678901234567, 5, 6, 12345678901234567, BOT_ID, 70)  # mostly people
MENTIONS = ("<@900>", "<@!900>", "<@5>", "<@!6>", "<@0900>", "<@9000>", "<@>", "<@abc>", "<#200>", "<@&100>",
            "@everyone", "<@٩٠٠>", "<", ">", "@", "!")
CONTENT_TOKENS = (*TOKENS, *MENTIONS, *MENTIONS)
OPENINGS = ("", "", "<@900> ", "<@!900>", " <@900>", "<@5> ")
CONTENT_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/png; charset=binary", "IMAGE/PNG",
                 "image/svg+xml", "image/heic", "application/pdf", "text/plain", "")
LOCALES = ("en-US", "en-GB", "fa", "tr", "de", "", "xx-YY")
NOW = "2026-01-01T00:00:00+00:00"


def channel_payload(channel_id: int, guild_id: int, kind: int = 0) -> dict[str, Any]:
    return {"id": str(channel_id), "type": kind, "guild_id": str(guild_id), "name": "thumbnails", "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "flags": 0}


def connection() -> discord.state.ConnectionState:
    """The state of a client after READY with one guild of one text channel (no network: never logged in)."""
    state = discord.Client(intents=discord.Intents.default())._connection
    state.user = discord.ClientUser(state=state, data=person(BOT_ID))  # what READY sets
    everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                "hoist": False, "managed": False, "mentionable": False, "flags": 0}
    state._add_guild_from_data({
        "id": str(GUILD_ID), "name": "Creators", "icon": None, "owner_id": "1", "roles": [everyone],
        "channels": [channel_payload(CHANNEL_ID, GUILD_ID)], "members": [], "member_count": 1, "large": False,
        "unavailable": False, "features": [], "emojis": [], "stickers": [], "threads": [], "joined_at": NOW,
    })
    return state


def person(user_id: int) -> dict[str, Any]:
    """A user payload that depends only on the id: discord.py caches users by id across messages."""
    return {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None,
            "global_name": None if user_id % 2 else f"Person {user_id}", "bot": user_id in (BOT_ID, 70)}


STATE = connection()


def member(choices: Choices, permissions: int | None = None) -> dict[str, Any]:
    data = {"roles": [], "joined_at": NOW, "deaf": False, "mute": False, "flags": 0,
            "nick": choices.text(3, surrogates=False) if choices.chance(40) else None}
    return data | ({"permissions": str(permissions)} if permissions is not None else {})


def attachment(choices: Choices, index: int) -> dict[str, Any]:
    url = f"http://127.0.0.1/cdn/attachments/{CHANNEL_ID}/{index + 1}/file{index}.png"
    data = {"id": str(index + 1), "filename": f"file{index}.png", "size": choices.number(0, 2**30), "url": url,
            "proxy_url": url}
    if choices.chance(85):
        data["content_type"] = choices.pick(CONTENT_TYPES) if choices.chance(85) else choices.text(2, surrogates=False)
    return data


def message_payload(choices: Choices) -> dict[str, Any]:
    in_guild, author_id = choices.chance(60), choices.pick(AUTHORS)
    content = choices.pick(OPENINGS) + choices.text(16, CONTENT_TOKENS, surrogates=False)
    data: dict[str, Any] = {
        "id": str(choices.number(1, 2**63)), "type": 0, "author": person(author_id), "tts": False,
        "content": content, "timestamp": NOW, "edited_timestamp": None,
        "mention_everyone": False, "mention_roles": [], "embeds": [], "pinned": False,
        "attachments": [attachment(choices, index) for index in range(choices.below(4))],
        "channel_id": str(choices.pick((CHANNEL_ID, 201)) if in_guild else choices.number(1, 2**63)),
    }
    mentioned = [person(user_id) for user_id in PEOPLE if choices.chance(50 if user_id == BOT_ID else 30)]
    if in_guild:
        data |= {"guild_id": str(GUILD_ID), "member": member(choices)}
        mentioned = [user | {"member": member(choices)} for user in mentioned]
    return data | {"mentions": mentioned}


def interaction_payload(choices: Choices) -> dict[str, Any]:
    guild_id = choices.pick((GUILD_ID, OTHER_GUILD_ID)) if choices.chance(60) else None
    user, channel_id = person(choices.pick(PEOPLE[1:])), choices.number(1, 2**63)
    data: dict[str, Any] = {
        "id": str(choices.number(1, 2**63)), "application_id": str(BOT_ID), "type": choices.pick((2, 3, 5)),
        "token": "token", "version": 1, "attachment_size_limit": 10 * 1024 * 1024,
    }
    if choices.chance(90):
        data["locale"] = choices.pick(LOCALES)
    if guild_id is None:
        return data | {"user": user, "channel": {"id": str(channel_id), "type": 1, "recipients": [user]}}
    permissions = choices.number(0, 2**41)
    return data | {"guild_id": str(guild_id), "member": member(choices, permissions) | {"user": user},
                   "channel": channel_payload(channel_id, guild_id, choices.pick((0, 5)))}


def user_reference(choices: Choices) -> tuple[str, str | None]:
    """An admin's user argument and the reference it must become (None: anything, as long as nothing raises)."""
    number = str(choices.number(0, 2**64))
    form = choices.below(6)
    pad = choices.pick(("", " ", "\t", "\n "))
    forms = {0: (f"<@{number}>", f"discord:{number}"), 1: (f"<@!{number}>", f"discord:{number}"),
             2: (f"{pad}{number}{pad}", f"discord:{number}"), 3: (f"telegram:{number}", f"telegram:{number}"),
             4: (f"{pad}<@{number}>{pad}", f"discord:{number}")}
    return forms.get(form) or (choices.text(6, CONTENT_TOKENS), None)


def built(payload: dict[str, Any]) -> discord.Message:
    """The message as `ConnectionState.parse_message_create` makes it (without dispatching or caching)."""
    try:
        channel, _ = STATE._get_guild_channel(payload)
        return discord.Message(state=STATE, channel=channel, data=payload)
    except Exception:  # a payload discord.py refuses never reaches the bot
        assume(False)
        raise


def check_message(payload: dict[str, Any]) -> None:
    content = payload["content"]
    message = built(payload)
    mentioned = any(int(user["id"]) == BOT_ID for user in payload["mentions"])
    result = text_for_bot(message, BOT_ID)
    if message.author.bot:
        assert result is None
    elif message.guild is None:
        assert result == content.strip()
    elif not mentioned:
        assert result is None
    else:
        assert result == BOT_MENTION.sub("", content).strip(), result
        assert all(other[0] in result for other in OTHER_MENTION.finditer(content)), result
    first = image_attachment(message)
    assert first is (message.attachments[0] if message.attachments else None)
    assert all(not is_image(a) or a.content_type.startswith("image/") for a in message.attachments)
    incoming = from_message(message, result or "")
    assert incoming.platform == "discord" and incoming.update_key == f"discord:{payload['id']}"
    assert incoming.user_id == payload["author"]["id"] and incoming.chat_id == payload["channel_id"]
    assert incoming.is_group == ("guild_id" in payload) and incoming.space_id == payload.get("guild_id")


def check_interaction(payload: dict[str, Any]) -> None:
    try:
        interaction = discord.Interaction(data=payload, state=STATE)
    except Exception:  # as for messages: what discord.py refuses never reaches the bot
        assume(False)
        raise
    incoming = from_interaction(interaction, "text")
    guild = payload.get("guild_id")
    person_id = (payload.get("user") or payload["member"]["user"])["id"]
    assert incoming.platform == "discord" and incoming.update_key == f"discord:{payload['id']}"
    assert incoming.user_id == person_id and incoming.chat_id == payload["channel"]["id"]
    assert digits(incoming.chat_id) and incoming.locale == payload.get("locale", "en-US")
    assert incoming.is_group == (guild is not None) and incoming.space_id == guild
    admin = guild is None or bool(int(payload["member"]["permissions"]) & MANAGE_GUILD)
    assert incoming.is_chat_admin == admin


class Events(NamedTuple):
    message: dict[str, Any]  # a MESSAGE_CREATE payload
    interaction: dict[str, Any]  # an INTERACTION_CREATE payload
    reference: str  # an admin's user argument ...
    expected: str | None  # ... and what it must become (None: anything, as long as nothing raises)


def draw(choices: Choices) -> Events:
    return Events(message_payload(choices), interaction_payload(choices), *user_reference(choices))


def check(events: Events) -> None:
    check_message(events.message)
    check_interaction(events.interaction)
    result = user_ref(events.reference)
    assert result == events.expected or (events.expected is None and isinstance(result, str)), result
