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

from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

log = logging.getLogger(__name__)
Accept = Callable[[Update], Awaitable[None]]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a small JSON document; anything larger is not from Telegram
STOP_GRACE_S = 0.3  # stopping, updates being accepted get this long; the rest are fetched again after the restart


class Poller:
    """Long polling: fetch a batch, accept every update in it (concurrently), then confirm it with the next call."""

    def __init__(self, bot: Bot, accept: Accept, *, timeout: int, allowed_updates: list[str]) -> None:
        self.bot, self.accept = bot, accept
        self.timeout, self.allowed_updates = timeout, allowed_updates
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        """Finish the batch in hand and confirm it; updates not yet fetched stay with Telegram."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)

    async def _loop(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except InvalidToken:
                log.error("Telegram refused TELEGRAM_BOT_TOKEN: polling stops")
                return
            except TelegramError as error:
                log.warning("getUpdates failed, retrying in %.0f s: %s", backoff, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if updates:
                self.offset = await self._accept_batch(updates)  # confirmed by the next getUpdates

    async def _accept_batch(self, updates: tuple[Update, ...]) -> int:
        """Accept every update concurrently; the offset to confirm. Stopping, the batch gets a moment, then what is
        not yet accepted is left to Telegram (confirmed only up to the first of those: they come again)."""
        tasks = [asyncio.create_task(self.accept(update)) for update in updates]
        stop = asyncio.create_task(self._stopping.wait())
        await asyncio.wait({asyncio.gather(*tasks), stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not all(task.done() for task in tasks):
            await asyncio.wait(tasks, timeout=STOP_GRACE_S)
        open_ = [update for update, task in zip(updates, tasks, strict=True) if not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return open_[0].update_id if open_ else updates[-1].update_id + 1

    async def _fetch(self) -> tuple[Update, ...]:
        """One long poll, cut short when the bot stops (what was fetched but not accepted is fetched again)."""
        poll = asyncio.create_task(self.bot.get_updates(offset=self.offset, timeout=self.timeout,
                                                        allowed_updates=self.allowed_updates))
        stop = asyncio.create_task(self._stopping.wait())
        done, _ = await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await poll
            return ()
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
