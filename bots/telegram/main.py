"""`routix telegram`: the python-telegram-bot Bot on the shared core, fed by our own intake.

`TelegramBot` is what `run` starts and what tests and the benchmark drive; `build_bot` is shared with
`routix worker`, which delivers jobs through a Bot of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from bots.lifecycle import run_service, settle_heap, until_stopped
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.intake import Inbox, Poller, WebhookServer
from bots.telegram.replies import TelegramSender, Timing
from bots.telegram.translate import PLATFORM
from bots.telegram.transport import AiohttpRequest

if TYPE_CHECKING:
    from bots.bootstrap import Routix
    from bots.settings import Settings
    from core.service import Service

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
POLL_TIMEOUT = 30  # seconds a getUpdates long poll may wait on Telegram's side
FLOOD_RETRIES = 3
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Chat actions and lookups are not "messages": Telegram's per-group 20/minute budget is for messages.
UNMETERED = frozenset({"sendChatAction", "getChatMember", "getFile", "answerCallbackQuery", "deleteMessage",
                       "getMe", "getUpdates", "setMyCommands", "setWebhook", "deleteWebhook"})
# /thumb exists only on Telegram (groups), so its description lives with the adapter.
THUMB_COMMAND = {"en": "Make a thumbnail: /thumb <request>", "fa": "ساخت تامبنیل: ‎/thumb <درخواست>"}
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class FloodLimiter(AIORateLimiter):
    """AIORateLimiter (30 msg/s overall, 20/min per group, RetryAfter waited out and retried) that does
    not spend a group's message budget on chat actions and other non-message calls."""

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        if endpoint in UNMETERED:
            data = {}  # no chat_id: only the RetryAfter handling applies
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from SECRET_KEY (stable across restarts in production)."""
    if settings.telegram.webhook_secret:
        return settings.telegram.webhook_secret
    key = settings.app.secret_key.encode()
    return hmac.new(key, b"routix:telegram:webhook", hashlib.sha256).hexdigest()


def webhook_path(url: str) -> str:
    """Where Telegram posts: the URL's own path ("/" for https://bot.example.org, where it posts then)."""
    return urlparse(url).path.strip("/")


class RoutixBot(ExtBot[Any]):
    """python-telegram-bot's Bot, plus getUpdates without parsing: an update still being accepted comes back on
    every poll until it is confirmed, and parsing it each time cost more CPU than accepting it."""

    async def raw_updates(self, offset: int | None, timeout: int, allowed_updates: list[str],
                          limit: int = 100) -> list[dict[str, Any]]:
        data = {"offset": offset, "timeout": timeout, "allowed_updates": allowed_updates, "limit": limit}
        read_timeout = (self._request[0].read_timeout or 0) + timeout  # as get_updates computes it
        return cast("list[dict[str, Any]]", await self._post("getUpdates", data, read_timeout=read_timeout))


def build_bot(settings: Settings, *, rate_limiter: bool = True) -> RoutixBot:
    """The python-telegram-bot Bot: aiohttp transport, flood limits. Workers build their own from the same settings."""
    telegram = settings.telegram
    return RoutixBot(
        telegram.bot_token, base_url=telegram.api_base_url, base_file_url=telegram.file_base_url,
        # pool_timeout: a burst queues calls for a free connection; never drop a photo for it.
        request=AiohttpRequest(connection_pool_size=32, pool_timeout=30,
                               media_write_timeout=telegram.upload_timeout_seconds),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=POLL_TIMEOUT + 10),
        rate_limiter=FloodLimiter(max_retries=FLOOD_RETRIES) if rate_limiter and telegram.flood_limits else None,
    )


class TelegramBot:
    """The running bot: its Bot, the adapter, the intake (polling or webhook) and, on the local backend, its jobs.

    Started: the core, the Bot, the sender jobs deliver through, unfinished jobs resumed, the command menu, then
    the intake. Stopped in reverse: no new updates, running jobs drained, the Bot closed last (jobs send with it).
    """

    def __init__(self, routix: Routix, settings: Settings, *, rate_limiter: bool = True, timing: Timing | None = None,
                 webhook: Webhook | None = None, poll_timeout: int = POLL_TIMEOUT) -> None:
        self.routix, self.settings, self.webhook = routix, settings, webhook
        self.bot = build_bot(settings, rate_limiter=rate_limiter)
        self.timing = timing or Timing()
        self.adapter = TelegramAdapter(routix.service, settings, self.bot, self.timing)
        self.poll_timeout = poll_timeout
        self.intake: Poller | WebhookServer | None = None

    async def start(self) -> None:
        await self.routix.start()
        await self.bot.initialize()
        self.routix.add_sender(PLATFORM, TelegramSender(self.bot, self.timing))
        settle_heap()
        await self.routix.serve_jobs()
        await register_commands(self.bot, self.routix.service, self.settings)
        if self.webhook is None:
            inbox = Inbox(self.routix.store, f"{PLATFORM}:{self.bot.id}")  # the bot's id: one inbox per token
            self.intake = Poller(self.bot, self.adapter.accept, inbox, timeout=self.poll_timeout,
                                 allowed_updates=ALLOWED_UPDATES)
            await self.intake.start()
        else:
            self.intake = WebhookServer(self.bot, self.adapter.accept, secret_token=self.webhook.secret_token,
                                        listen=self.webhook.listen, port=self.webhook.port,
                                        path=webhook_path(self.webhook.url))
            await self.intake.start(self.webhook.url, ALLOWED_UPDATES)

    async def until_stopped(self) -> bool:
        """Until SIGTERM or Ctrl-C (False), or until polling failed for good (True: the process exits with 2)."""
        signalled = asyncio.create_task(until_stopped())
        waits = {signalled}
        if isinstance(self.intake, Poller):
            waits.add(asyncio.create_task(self.intake.failed.wait()))
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return signalled not in done

    async def stop(self) -> None:
        if self.intake is not None:
            await self.intake.stop()
            self.intake = None
        try:
            await self.routix.aclose()
        finally:
            await self.bot.shutdown()


async def register_commands(bot: Bot, service: Service, settings: Settings) -> None:
    """setMyCommands in English (the default) and Persian; admin commands only in admins' own chats."""
    admins = [user for platform, user in settings.app.admins if platform == PLATFORM and user.lstrip("-").isdigit()]
    for language, code in (("en", None), ("fa", "fa")):
        public = _commands(service, language, admin=False)
        scopes: list[tuple[Any, list[BotCommand]]] = [
            (BotCommandScopeDefault(), public),
            (BotCommandScopeAllGroupChats(), [*public, BotCommand("thumb", THUMB_COMMAND[language])]),
        ]
        scopes += [(BotCommandScopeChat(int(admin)), _commands(service, language, admin=True)) for admin in admins]
        for scope, commands in scopes:
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramError as error:  # e.g. an admin who never opened the bot: not fatal
                log.warning("setMyCommands(%s, %s) failed: %s", scope.type, code or "default", error)


def _commands(service: Service, language: str, *, admin: bool) -> list[BotCommand]:
    items = [info for info in service.command_catalog(language, admin=admin) if admin or not info.admin_only]
    return [BotCommand(info.name, info.description[:256]) for info in items if COMMAND_NAME.fullmatch(info.name)]


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates (url) and where we listen for them."""

    url: str
    secret_token: str
    listen: str = "0.0.0.0"
    port: int = 8443

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhook | None:
        telegram = settings.telegram
        if not telegram.webhook_url:
            return None
        return cls(telegram.webhook_url, webhook_secret(settings), telegram.webhook_listen, telegram.webhook_port)


def run(settings: Settings) -> int:
    """Run the Telegram bot until SIGTERM or Ctrl-C; returns the process exit code."""
    if not settings.telegram.bot_token:
        log.error("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env")
        return 2
    webhook = Webhook.from_settings(settings)
    if webhook is not None and not SECRET_TOKEN.fullmatch(webhook.secret_token):
        log.error("TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)")
        return 2
    return run_service(_serve(settings, webhook))


async def _serve(settings: Settings, webhook: Webhook | None) -> int:
    from bots.bootstrap import build

    async with build(settings) as routix:
        bot = TelegramBot(routix, settings, webhook=webhook)
        try:
            await bot.start()
        except InvalidToken:
            log.error("Telegram refused TELEGRAM_BOT_TOKEN")
            await bot.stop()
            return 2
        except TelegramError as error:  # unreachable at start: said once, its connections closed
            log.error("Telegram could not be reached at %s: %s", settings.telegram.api_base_url, error)
            await bot.stop()
            return 2
        if webhook is None:
            log.info("Telegram bot: long polling %s", settings.telegram.api_base_url)
        else:
            log.info("Telegram bot: webhook %s, listening on %s:%s", webhook.url, webhook.listen, webhook.port)
        try:
            failed = await bot.until_stopped()
        finally:
            await bot.stop()
    return 2 if failed else 0
