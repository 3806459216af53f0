"""Updates from Telegram, confirmed only once they are dealt with.

Telegram keeps an update until the bot confirms it (long polling: a getUpdates whose offset is above its id;
webhook: an HTTP 200). python-telegram-bot's own updater confirms a batch as soon as it has handed it over, so a
process killed in between loses those updates. Here the offset moves, and the 200 goes out, only after the
adapter's `accept` returned: the update was answered, or its job stored in the same transaction as the update's
key. A redelivery after a crash finds the key and is skipped; several webhook replicas dedupe the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

log = logging.getLogger(__name__)
Accept = Callable[[Update], Awaitable[None]]


class RawUpdates(Protocol):
    """A Bot that can fetch updates without parsing them (bots/telegram/main.py RoutixBot)."""

    async def raw_updates(self, offset: int | None, timeout: int, allowed_updates: list[str]) -> list[dict[str, Any]]:
        ...

    async def delete_webhook(self, drop_pending_updates: bool = ...) -> bool: ...

    async def get_updates(self, offset: int | None = ..., limit: int | None = ..., timeout: int | None = ...) -> Any:
        ...
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a small JSON document; anything larger is not from Telegram
STOP_GRACE_S = 0.3  # stopping, updates being accepted get this long; the rest are fetched again after the restart
IDLE_POLL_S = 0.25  # with updates in hand and nothing new, ask Telegram again after this (or once one is accepted)


class Poller:
    """Long polling that confirms an update only once it is accepted.

    Updates are accepted concurrently as they arrive; the offset moves over the longest run of accepted ones. One
    slow update (a photo download) holds back the confirmation of later ones, never their handling, and a batch
    need not be finished before the next is fetched.
    """

    def __init__(self, bot: RawUpdates, accept: Accept, *, timeout: int, allowed_updates: list[str]) -> None:
        self.bot, self.accept = bot, accept
        self.timeout, self.allowed_updates = timeout, allowed_updates
        self.offset: int | None = None  # the first update not yet accepted: what the next getUpdates confirms up to
        self._next = 0  # updates below this id were taken already (Telegram sends unconfirmed ones again)
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._accepted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.failed = asyncio.Event()  # polling ended for good (the token was refused): the process should exit

    async def start(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        """Updates being accepted get a moment; the rest are left to Telegram (they come again after the restart)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        pending = list(self._inflight.values())
        if pending:
            await asyncio.wait(pending, timeout=STOP_GRACE_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._advance(cancelled_count=True)
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)

    async def _loop(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch(0 if self._inflight else self.timeout)
            except InvalidToken:
                log.error("Telegram refused TELEGRAM_BOT_TOKEN: polling stops")
                self.failed.set()
                return
            except TelegramError as error:
                log.warning("getUpdates failed, retrying in %.0f s: %s", backoff, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            fresh = [update for data in updates if (update := self._parsed(data)) is not None]
            for update in fresh:
                self._begin(update)
            if self._inflight and not fresh:  # only updates in hand came back: ask again once one is accepted
                self._accepted.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._accepted.wait(), IDLE_POLL_S)
            self._advance()

    def _parsed(self, data: dict[str, Any]) -> Update | None:
        """A new update, parsed; None for one in hand already, or one that cannot be read (then it is skipped
        for good, with a log line: no later attempt could read it either)."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or update_id < self._next:
            return None
        try:
            return Update.de_json(data, self.bot)  # type: ignore[arg-type]
        except Exception:
            log.exception("update %s could not be read: skipped", update_id)
            self._next = update_id + 1
            return None

    def _begin(self, update: Update) -> None:
        task = asyncio.create_task(self.accept(update), name=f"telegram-update-{update.update_id}")
        task.add_done_callback(lambda _, update_id=update.update_id: self._done(update_id))
        self._inflight[update.update_id] = task
        self._next = update.update_id + 1

    def _done(self, update_id: int) -> None:
        """Polling again is worth it only once the front of the line moved: until then Telegram would send
        back exactly the updates already in hand."""
        if update_id == min(self._inflight, default=update_id):
            self._accepted.set()

    def _advance(self, cancelled_count: bool = False) -> None:
        """Forget accepted updates; the offset is the first one still open (a cancelled one is open)."""
        for update_id, task in list(self._inflight.items()):
            if task.done() and not (cancelled_count and task.cancelled()):
                del self._inflight[update_id]
        if self._inflight:
            self.offset = min(self._inflight)
        elif self._next:
            self.offset = self._next

    async def _fetch(self, timeout: int) -> list[dict[str, Any]]:
        """One (long) poll, cut short when the bot stops (what was fetched but not accepted is fetched again).
        Raw: only updates not yet in hand are parsed."""
        poll = asyncio.create_task(self.bot.raw_updates(self.offset, timeout, self.allowed_updates))
        stop = asyncio.create_task(self._stopping.wait())
        done, _ = await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await poll
            return []
        return poll.result()


class WebhookServer:
    """Telegram posts each update here; the 200 goes out after `accept`, so Telegram retries a lost one."""

    def __init__(self, bot: Bot, accept: Accept, *, secret_token: str, listen: str, port: int, path: str) -> None:
        self.bot, self.accept = bot, accept
        self.secret_token, self.listen, self.port, self.path = secret_token, listen, port, "/" + path.strip("/")
        self._runner: web.AppRunner | None = None
        self.bound_port = 0

    async def start(self, url: str, allowed_updates: list[str]) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._update)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.bound_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await self.bot.set_webhook(url, secret_token=self.secret_token, allowed_updates=allowed_updates)

    async def stop(self) -> None:
        """Stop listening; updates arriving meanwhile are retried by Telegram (to another replica, or later)."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret_token):
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(json.loads(await request.read()), self.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("webhook: not an update (%s)", type(error).__name__)
            return web.Response(status=400, text="bad request")
        await self.accept(update)
        return web.Response(text="ok")
