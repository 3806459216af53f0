"""One incoming update being handled: who, in which language, and where its replies go."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain import ChatSettings, User
from core.i18n import translate
from core.messages import ErrorReply, Incoming, Keyboard, Reply, TextReply


@dataclass(frozen=True)
class Turn:
    incoming: Incoming
    user: User
    language: str
    reply: Reply
    loaded: dict[str, ChatSettings] = field(default_factory=dict)  # this turn's chat settings, read once
    marks: set[str] = field(default_factory=set)  # "claimed": the update's key is stored (with its job, if any)

    @property
    def actor(self) -> str:
        return f"{self.incoming.platform}:{self.incoming.user_id}"

    def text(self, key: str, **values: object) -> str:
        return translate(self.language, key, **values)

    async def send_text(self, text: str) -> None:
        await self.reply(TextReply(text))

    async def say(self, key: str, buttons: Keyboard = (), **values: object) -> None:
        await self.reply(TextReply(self.text(key, **values), buttons))

    async def refuse(self, code: str, key: str | None = None, **values: object) -> None:
        await self.reply(ErrorReply(code, self.text(key or code, **values)))
