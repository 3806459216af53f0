"""`routix telegram`: build the python-telegram-bot Application on the shared core and run it.

`build_application` is the factory tests and the benchmark use; `start_application`/`stop_application`
drive the same lifecycle as `run_polling`/`run_webhook` by hand (PTB only calls post_init/post_shutdown
inside those).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bots.telegram.adapter import TelegramAdapter
from bots.telegram.replies import Timing
from bots.telegram.translate import PLATFORM
from bots.telegram.transport import AiohttpRequest

if TYPE_CHECKING:
    from bots.bootstrap import Routix
    from bots.settings import Settings
    from core.service import Service

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
CONCURRENT_UPDATES = 1024  # handlers mostly await the core; the job queue bounds the real work
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
    return urlparse(url).path.strip("/") or PLATFORM


def build_application(routix: Routix, settings: Settings, *, rate_limiter: bool = True,
                      timing: Timing | None = None) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application wired to the core: handlers, flood limits, startup (core + commands) and shutdown."""
    telegram = settings.telegram

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await routix.start()
        await register_commands(application, routix.service, settings)

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await routix.aclose()

    builder = (
        ApplicationBuilder()
        .token(telegram.bot_token)
        .base_url(telegram.api_base_url)
        .base_file_url(telegram.file_base_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        # pool_timeout: a burst queues calls for a free connection; never drop a photo for it.
        .request(AiohttpRequest(connection_pool_size=32, pool_timeout=30))
        .get_updates_request(AiohttpRequest(connection_pool_size=1, read_timeout=POLL_TIMEOUT + 10))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limiter:
        builder = builder.rate_limiter(FloodLimiter(max_retries=FLOOD_RETRIES))
    application = builder.build()
    TelegramAdapter(routix.service, settings, timing).install(application)
    return application


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any], service: Service,
                            settings: Settings) -> None:
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
                await application.bot.set_my_commands(commands, scope=scope, language_code=code)
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


async def start_application(application: Application[Any, Any, Any, Any, Any, Any], *,
                            webhook: Webhook | None = None, poll_timeout: int = POLL_TIMEOUT) -> None:
    """What run_polling/run_webhook do before blocking: initialize, post_init, start, fetch updates."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    if webhook is None:
        await application.updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES,
                                                error_callback=_polling_error)
    else:
        await application.updater.start_webhook(listen=webhook.listen, port=webhook.port,
                                                url_path=webhook_path(webhook.url), webhook_url=webhook.url,
                                                secret_token=webhook.secret_token, allowed_updates=ALLOWED_UPDATES)


async def stop_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The reverse of start_application (what run_polling does on Ctrl-C)."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


def _polling_error(error: TelegramError) -> None:
    log.warning("getUpdates failed, retrying: %s", error)


def run(settings: Settings) -> int:
    """Run the Telegram bot until interrupted; returns the process exit code."""
    from bots.bootstrap import build

    if not settings.telegram.bot_token:
        log.error("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env")
        return 2
    webhook = Webhook.from_settings(settings)
    if webhook is not None and not SECRET_TOKEN.fullmatch(webhook.secret_token):
        log.error("TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)")
        return 2
    application = build_application(build(settings), settings)
    if webhook is None:
        log.info("Telegram bot: long polling %s", settings.telegram.api_base_url)
        application.run_polling(poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES)
    else:
        log.info("Telegram bot: webhook %s, listening on %s:%s", webhook.url, webhook.listen, webhook.port)
        application.run_webhook(listen=webhook.listen, port=webhook.port, url_path=webhook_path(webhook.url),
                                webhook_url=webhook.url, secret_token=webhook.secret_token,
                                allowed_updates=ALLOWED_UPDATES)
    return 0
