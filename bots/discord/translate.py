"""Discord objects -> what the core understands. Pure functions (no I/O), so they are easy to test.

Chat rules: in DMs every message is for the bot; in a server the bot only reads messages that mention it
(Discord delivers their content without the privileged message-content intent), with the mention stripped.
"""

from __future__ import annotations

import re

import discord

from core.messages import Address, Incoming, Options
from core.text import latin_digits

PLATFORM = "discord"
_MENTION = re.compile(r"<@!?(?P<id>[0-9]+)>")  # ASCII digits only: "۱۲۳" is no snowflake
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
CHANNEL_LINK = "<#{id}>"  # Discord renders it as the channel's clickable name


def key(kind_id: int) -> str:
    """A platform-unique update key: interaction and message snowflakes never collide."""
    return f"{PLATFORM}:{kind_id}"


def user_ref(value: str) -> str:
    """An admin's user argument -> the core's `platform:id`: "<@42>", "42" -> "discord:42"; "telegram:7" stays."""
    value = value.strip()
    mention = _MENTION.fullmatch(value)
    if mention:
        return f"{PLATFORM}:{mention['id']}"
    if (digits := latin_digits(value)).isascii() and digits.isdigit():  # "۴۲" typed on a Persian keyboard too
        return f"{PLATFORM}:{digits}"
    return value


def parent_channel_id(channel: object | None) -> str | None:
    """The channel a thread or forum post belongs to (a server's chosen channels admit it); None for a channel.
    A thread discord.py has not seen (a bare PartialMessageable) counts as a channel of its own."""
    return str(channel.parent_id) if isinstance(channel, discord.Thread) else None


def channel_and_parent(channel: discord.abc.Snowflake) -> list[str]:
    """The ids whose allowed-channels setting lets the bot answer in `channel`."""
    parent = parent_channel_id(channel)
    return [str(channel.id), *([parent] if parent else [])]


def chat_admin(interaction: discord.Interaction) -> bool:
    """Manage Server in a guild; in a DM the user owns the conversation."""
    if interaction.guild_id is None:
        return True
    return interaction.permissions.manage_guild


def from_interaction(interaction: discord.Interaction, text: str = "", *, photo: bytes | None = None,
                     options: Options | None = None, button: str | None = None,
                     ephemeral: bool = False) -> Incoming:
    user = interaction.user
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(interaction.channel_id),
        parent_chat_id=parent_channel_id(interaction.channel),
        channel_link=CHANNEL_LINK,
        text=text,
        display_name=user.display_name,
        locale=interaction.locale.value,
        photo=photo,
        space_id=str(interaction.guild_id) if interaction.guild_id else None,
        is_group=interaction.guild_id is not None,
        is_chat_admin=chat_admin(interaction),
        answered_privately=ephemeral,
        button=button,
        options=options or Options(),
        update_key=key(interaction.id),
        address=interaction_address(interaction),
    )


def interaction_address(interaction: discord.Interaction) -> Address:
    """Where the interaction's answers go: its deferred response while the token lives, then its channel."""
    return Address(PLATFORM, str(interaction.channel_id), str(interaction.user.id),
                   interaction_token=interaction.token, interaction_expires=interaction.expires_at.timestamp(),
                   application_id=str(interaction.application_id))


def text_for_bot(message: discord.Message, bot_id: int) -> str | None:
    """The request text, or None when the message is not for the bot (chatter in a server, other bots)."""
    if message.author.bot:
        return None
    if message.guild is None:
        return message.content.strip()
    if not any(user.id == bot_id for user in message.mentions):
        return None
    return _MENTION.sub(lambda m: "" if m["id"] == str(bot_id) else m[0], message.content).strip()


def image_attachment(message: discord.Message) -> discord.Attachment | None:
    return next(iter(message.attachments), None)


def is_image(attachment: discord.Attachment) -> bool:
    return (attachment.content_type or "").split(";")[0] in _IMAGE_TYPES


def from_message(message: discord.Message, text: str, photo: bytes | None = None) -> Incoming:
    return Incoming(
        platform=PLATFORM,
        user_id=str(message.author.id),
        chat_id=str(message.channel.id),
        parent_chat_id=parent_channel_id(message.channel),
        channel_link=CHANNEL_LINK,
        text=text,
        display_name=message.author.display_name,
        photo=photo,
        space_id=str(message.guild.id) if message.guild else None,
        is_group=message.guild is not None,
        update_key=key(message.id),
        address=message_address(message),
    )


def message_address(message: discord.Message) -> Address:
    return Address(PLATFORM, str(message.channel.id), str(message.author.id), reply_to=str(message.id))
