"""What adapters hand the core (Incoming) and what the core hands back (Outgoing events).

Adapters translate a platform update into one `Incoming`, call `Service.handle(incoming, reply)`
and render each `Outgoing` event the core passes to `reply` with one handler per event type.
Texts in events are already localized.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Stage(StrEnum):
    QUEUED = "queued"
    ANALYSING = "analysing"
    GENERATING = "generating"
    COMPOSING = "composing"
    UPLOADING = "uploading"


MAX_TITLE_CHARS = 100  # a thumbnail title longer than this no longer reads at a glance; the core refuses it


@dataclass(frozen=True)
class Options:
    """Structured request options (Discord slash-command options, CLI flags)."""

    title: str | None = None  # at most MAX_TITLE_CHARS (adapters may limit the input to it too)
    algorithm: str | None = None
    style: str | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Address:
    """Where a job's replies go, stored with the job so any process can deliver them after a restart.

    Adapters fill it from the update; the core keeps it as it is, except for `progress_id`, the message a
    job's progress is shown in (sent once, then edited, also by a job resumed elsewhere)."""

    platform: str
    chat_id: str
    user_id: str  # the platform's id of the person, for a mention when the answer lands in a channel
    reply_to: str | None = None  # the message to answer (groups, Discord chat)
    progress_id: str | None = None
    interaction_token: str | None = None  # Discord: the deferred interaction the result edits
    interaction_expires: float | None = None  # epoch seconds: after this only the channel can carry the result
    application_id: str | None = None  # Discord: the application the interaction belongs to
    thread_id: str | None = None  # Telegram: the forum topic the request came from, where every answer goes


@dataclass(frozen=True)
class Incoming:
    platform: str  # "telegram" | "discord" | "console"
    user_id: str  # the platform's user id, as text
    chat_id: str  # the platform's chat / channel id: one conversation per chat
    text: str = ""  # a message, a "/command args" line, or a request
    display_name: str = ""
    locale: str | None = None  # the platform's language code ("fa", "en-US"); /lang overrides it
    photo: bytes | None = None  # a reference photo sent with the request
    space_id: str | None = None  # group / guild whose settings apply; None: the chat itself
    is_group: bool = False
    is_chat_admin: bool = False  # may change this chat's / server's settings (group admin, Manage Server)
    answered_privately: bool = False  # only this person sees the answers, even in a group (Discord's ephemeral)
    button: str | None = None  # the action string of a pressed button (see Button.action)
    options: Options = field(default_factory=Options)
    update_key: str | None = None  # a platform-unique id; the core processes each key at most once
    address: Address | None = None  # where a job started by this update delivers (None: platform + chat)
    parent_chat_id: str | None = None  # the channel a thread (a Discord thread or forum post) belongs to: a
    # server's chosen channels admit their threads too; replies and the conversation stay in chat_id
    channel_link: str = "#{id}"  # how the platform's texts refer to a channel, "{id}" filled in (Discord: "<#{id}>")

    @property
    def answers_seen_by_others(self) -> bool:
        return self.is_group and not self.answered_privately

    @property
    def settings_scope(self) -> str:
        return self.space_id or self.chat_id

    @property
    def reply_address(self) -> Address:
        return self.address or Address(self.platform, self.chat_id, self.user_id)


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # a stable id (≤ 64 bytes) naming the stored generation: survives restarts


Keyboard = tuple[tuple[Button, ...], ...]  # rows of buttons


@dataclass(frozen=True)
class TextReply:
    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Working:
    """A job was accepted (to the update's replies) or started (to the job's replies): adapters show their
    "uploading photo" / typing indicator."""

    generation_id: str


@dataclass(frozen=True)
class ProgressReply:
    generation_id: str
    stage: Stage
    text: str  # localized line, e.g. "Queued: 3 ahead of you"
    position: int | None = None  # people ahead in the queue, for Stage.QUEUED


@dataclass(frozen=True)
class PreviewReply:
    """An AI model's unfinished picture (a partial image), shown where the progress is: the latest replaces the
    one before. The core sends at most one every couple of seconds per job."""

    generation_id: str
    image: bytes  # a small JPEG (at most 640x360)
    text: str  # the localized stage line, shown with it


@dataclass(frozen=True)
class ImageReply:
    generation_id: str
    image: bytes  # the delivered JPEG
    filename: str
    caption: str
    width: int
    height: int
    buttons: Keyboard = ()


@dataclass(frozen=True)
class AlbumReply:
    """Several sibling images (variations); adapters send them as one group."""

    images: tuple[ImageReply, ...]
    caption: str


@dataclass(frozen=True)
class DocumentReply:
    """A file sent uncompressed (the lossless original)."""

    data: bytes
    filename: str
    mime_type: str
    caption: str


@dataclass(frozen=True)
class ErrorReply:
    """A user-facing refusal or failure (Discord shows it ephemerally)."""

    code: str  # stable machine code: "no_credits", "banned", "not_admin", "bad_image", ...
    text: str
    buttons: Keyboard = ()  # e.g. a failed paid job's one-tap "Try Local (free)"


Outgoing = TextReply | Working | ProgressReply | PreviewReply | ImageReply | AlbumReply | DocumentReply | ErrorReply
Reply = Callable[[Outgoing], Awaitable[None]]
