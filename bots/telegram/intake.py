"""Updates from Telegram, never lost between fetching and dealing with them.

Telegram keeps an update until the bot confirms it (long polling: a getUpdates whose offset is above its id;
webhook: an HTTP 200). python-telegram-bot's own updater confirms a batch as soon as it has handed it over, so a
process killed in between loses those updates. Polling here keeps each fetched batch in the database's inbox (one
transaction) before the next getUpdates confirms it, so a burst is fetched as fast as Telegram hands it out (at
most 100 per call) instead of 100 acceptances at a time; an update leaves the inbox once the adapter's `accept`
returned (answered, or its job stored with the update's key), and what a killed process left there is accepted
at the next start. A redelivery finds the key and is skipped. A webhook's 200 goes out after `accept`; several
webhook replicas dedupe the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from core.credits import utcnow
from core.ordering import urgent
from core.ports import Store

log = logging.getLogger(__name__)
Accept = Callable[[Update], Awaitable[None]]


class RawUpdates(Protocol):
    """A Bot that can fetch updates without parsing them (bots/telegram/main.py RoutixBot)."""

    async def raw_updates(self, offset: int | None, timeout: int, allowed_updates: list[str],
                          limit: int = ...) -> list[dict[str, Any]]:
        ...

    async def delete_webhook(self, drop_pending_updates: bool = ...) -> bool: ...

    async def get_updates(self, offset: int | None = ..., limit: int | None = ..., timeout: int | None = ...) -> Any:
        ...
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a small JSON document; anything larger is not from Telegram
STALE_AFTER = timedelta(hours=24)
IN_HAND = 500  # updates being accepted at once, at most (a burst of 200 is taken whole)
# One chat's updates are answered in turn, a group's at Telegram's 20 messages a minute: past this many in hand the
# rest wait aside, kept in the inbox, so a busy (or flooded) group cannot hold every slot and stop polling for all.
PER_CHAT_IN_HAND = 20
PARKED_PER_CHAT = 1000  # waiting aside past this, a chat's updates are a flood: dropped, with a warning
MAX_BATCH = 100  # what one getUpdates hands out at most
DROP_RETRY_S = 1.0
STOP_GRACE_S = 0.3  # stopping, updates being accepted get this long; the rest stay in the inbox for the next start


class Inbox:
    """One bot's updates in the store, from fetched to accepted. Its writes go ahead of requests' database work:
    the next batch is fetched only once this one is kept."""

    def __init__(self, store: Store, source: str) -> None:
        self.store, self.source = store, source

    async def keep(self, updates: list[dict[str, Any]]) -> None:
        with urgent():
            await self.store.keep_updates(self.source, [(data["update_id"], json.dumps(data)) for data in updates],
                                          utcnow())

    async def kept(self) -> list[dict[str, Any]]:
        """What a previous run kept, oldest first; a row that cannot be read is dropped (it never will be)."""
        readable, unreadable = [], []
        for update_id, payload in await self.store.kept_updates(self.source):
            try:
                readable.append(json.loads(payload))
            except ValueError:
                log.error("kept update %s cannot be read: dropped", update_id)
                unreadable.append(update_id)
        await self.drop(unreadable)
        return readable

    async def drop(self, update_ids: list[int]) -> None:
        await self.store.drop_updates(self.source, update_ids)

    async def forget_stale(self) -> None:
        """Updates kept longer than Telegram keeps its own (a day), whichever bot kept them (a token since replaced):
        too old to answer, and a creator's words are not kept for nothing."""
        dropped = await self.store.drop_stale_updates(utcnow() - STALE_AFTER)
        if dropped:
            log.warning("%d updates kept for more than a day were dropped unanswered", dropped)


class Poller:
    """Long polling through the inbox: a batch is kept, then confirmed by the next poll, and accepted concurrently
    meanwhile (one chat's updates in order, bots/telegram/adapter.py). Accepted updates leave the inbox together,
    one transaction for all that were accepted since the last. At most `in_hand` updates are being accepted at
    once (a backlog after downtime, a flood, a large inbox replayed): polls ask for no more than there is room for,
    and none while there is none."""

    def __init__(self, bot: RawUpdates, accept: Accept, inbox: Inbox, *, timeout: int,
                 allowed_updates: list[str], in_hand: int = IN_HAND) -> None:
        self.bot, self.accept, self.inbox = bot, accept, inbox
        self.timeout, self.allowed_updates, self.in_hand = timeout, allowed_updates, in_hand
        self.offset: int | None = None  # updates below it are kept or dealt with: what the next getUpdates confirms
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._per_chat: dict[int | None, int] = {}  # updates in hand per chat
        self._parked: dict[int | None, deque[Update]] = {}  # kept updates of chats at PER_CHAT_IN_HAND, in order
        self._room = asyncio.Event()  # set whenever fewer than `in_hand` are being accepted
        self._room.set()
        self._accepted: list[int] = []  # accepted, still in the inbox
        self._abandoned: set[int] = set()  # cancelled by the stop: they stay in the inbox, whatever they returned
        self._dropping: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.failed = asyncio.Event()  # polling ended for good (the token was refused): the process should exit

    async def start(self) -> None:
        """Updates a previous process kept but did not finish go first, then polling."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.inbox.forget_stale()
        left = await self.inbox.kept()
        if left:
            log.info("%d updates kept by the previous run: accepting them again", len(left))
            self.offset = max(data["update_id"] for data in left) + 1
        self._task = asyncio.create_task(self._run(left), name="telegram-polling")

    async def stop(self) -> None:
        """Updates being accepted get a moment; the rest stay in the inbox for the next start."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        pending = dict(self._inflight)
        if pending:
            await asyncio.wait(pending.values(), timeout=STOP_GRACE_S)
            for update_id, task in pending.items():
                if not task.done():
                    self._abandoned.add(update_id)
                    task.cancel()
            await asyncio.gather(*pending.values(), return_exceptions=True)
        if self._dropping is not None:
            await self._dropping
        await self._drop_accepted()
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)

    async def _run(self, left: list[dict[str, Any]]) -> None:
        """Polling, after what the previous run left; a failure nobody expected ends it for good (logged), and
        the process exits to be started again rather than run on without taking updates."""
        try:
            while left and not self._stopping.is_set():
                await self._wait_for_room()
                room = self.in_hand - len(self._inflight)
                self._take(left[:room])
                left = left[room:]
            await self._loop()
        except Exception:
            log.exception("polling failed: the bot stops")
            self.failed.set()

    async def _loop(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            await self._wait_for_room()
            try:
                updates = await self._fetch(self.timeout)
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
            fresh = [data for data in updates if self._fresh(data)]
            if fresh:
                await self._keep(fresh)

    async def _wait_for_room(self) -> None:
        stopping = asyncio.create_task(self._stopping.wait())
        room = asyncio.create_task(self._room.wait())
        await asyncio.wait({stopping, room}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        room.cancel()

    def _fresh(self, data: Any) -> bool:
        """Not confirmed yet (Telegram sends an update again until a poll's offset is above it)."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        return type(update_id) is int and (self.offset is None or update_id >= self.offset)

    async def _keep(self, batch: list[dict[str, Any]]) -> None:
        """Kept, the batch is confirmed by the next poll. Without a database (an outage, or any error keeping it),
        each update is dealt with before it is confirmed, as the adapter's outage reply says to send it again."""
        try:
            await self.inbox.keep(batch)
        except Exception as error:  # keeping is idempotent: the next start finds what did get kept, once
            log.warning("the inbox could not keep %d updates (%s): confirming each once it is answered", len(batch),
                        type(error).__name__)
            await asyncio.gather(*self._take(batch, kept=False))
        else:
            self._take(batch)

    def _take(self, batch: list[dict[str, Any]], *, kept: bool = True) -> list[asyncio.Task[None]]:
        tasks = []
        for data in batch:
            self.offset = max(self.offset or 0, data["update_id"] + 1)
            update = self._parsed(data)
            if update is None or update.update_id in self._inflight:
                if update is None:
                    self._done(data["update_id"], kept)
                continue
            chat = _chat_of(update)
            if kept and self._per_chat.get(chat, 0) >= PER_CHAT_IN_HAND:
                self._park(chat, update)
                continue
            tasks.append(self._start(update, chat, kept))
        if len(self._inflight) >= self.in_hand:
            self._room.clear()
        return tasks

    def _start(self, update: Update, chat: int | None, kept: bool) -> asyncio.Task[None]:
        task = asyncio.create_task(self.accept(update), name=f"telegram-update-{update.update_id}")
        task.add_done_callback(lambda done, update_id=update.update_id: self._finished(update_id, chat, done, kept))
        self._inflight[update.update_id] = task
        self._per_chat[chat] = self._per_chat.get(chat, 0) + 1
        return task

    def _park(self, chat: int | None, update: Update) -> None:
        parked = self._parked.setdefault(chat, deque())
        if len(parked) >= PARKED_PER_CHAT:
            log.warning("chat %s: %d updates waiting already; update %s dropped as a flood", chat, len(parked),
                        update.update_id)
            self._done(update.update_id, True)
            return
        parked.append(update)

    def _next_of(self, chat: int | None) -> None:
        """A chat's update is done: its next waiting one, if any, takes the place."""
        if (count := self._per_chat.pop(chat, 1) - 1) > 0:
            self._per_chat[chat] = count
        parked = self._parked.get(chat)
        if parked and not self._stopping.is_set():  # stopping, they stay in the inbox for the next start
            self._start(parked.popleft(), chat, True)
            if not parked:
                del self._parked[chat]

    def _parsed(self, data: dict[str, Any]) -> Update | None:
        """The update parsed; None for one that cannot be read (skipped for good, with a log line: no later
        attempt could read it either)."""
        try:
            return Update.de_json(data, self.bot)  # type: ignore[arg-type]
        except Exception:
            log.exception("update %s could not be read: skipped", data["update_id"])
            return None

    def _finished(self, update_id: int, chat: int | None, task: asyncio.Task[None], kept: bool) -> None:
        self._inflight.pop(update_id, None)
        self._next_of(chat)
        if len(self._inflight) < self.in_hand:
            self._room.set()
        if not task.cancelled() and update_id not in self._abandoned:  # abandoned by the stop: left in the inbox
            self._done(update_id, kept)

    def _done(self, update_id: int, kept: bool) -> None:
        if not kept:
            return
        self._accepted.append(update_id)
        if self._dropping is None:
            self._dropping = asyncio.create_task(self._drop_soon(), name="telegram-inbox-drop")

    async def _drop_soon(self) -> None:
        """One transaction for the updates accepted meanwhile (in a burst, many)."""
        try:
            await asyncio.sleep(0)
            await self._drop_accepted()
        finally:
            self._dropping = None
            if self._accepted and not self._stopping.is_set():
                self._dropping = asyncio.create_task(self._drop_soon(), name="telegram-inbox-drop")

    async def _drop_accepted(self) -> None:
        """A drop that fails is tried again with the next one: left in the inbox, an update answered "send it
        again" during an outage would be accepted again at the next start."""
        accepted, self._accepted = self._accepted, []
        try:
            await self.inbox.drop(accepted)
        except Exception as error:
            log.warning("the inbox could not drop %d accepted updates (%s): tried again with the next",
                        len(accepted), type(error).__name__)
            self._accepted = accepted + self._accepted
            await asyncio.sleep(DROP_RETRY_S)

    async def _fetch(self, timeout: int) -> list[dict[str, Any]]:
        """One long poll, cut short when the bot stops (what was fetched but not kept is fetched again).
        Raw: updates are parsed once, when taken."""
        room = min(MAX_BATCH, self.in_hand - len(self._inflight))
        poll = asyncio.create_task(self.bot.raw_updates(self.offset, timeout, self.allowed_updates, max(1, room)))
        stop = asyncio.create_task(self._stopping.wait())
        done, _ = await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await poll
            return []
        return poll.result()


def _chat_of(update: Update) -> int | None:
    chat, user = update.effective_chat, update.effective_user
    return chat.id if chat is not None else user.id if user is not None else None


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
        # As bytes: compare_digest refuses str with non-ASCII characters (a 500 and a traceback for anyone's header)
        sent = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(sent, self.secret_token.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            body = json.loads(await request.read())
            update = Update.de_json(body, self.bot) if isinstance(body, dict) else None
        except Exception as error:  # whatever a body that is no update breaks in the parser: a 400, not a 500
            log.warning("webhook: not an update (%s)", type(error).__name__)
            update = None
        if update is None:
            return web.Response(status=400, text="bad request")
        await self.accept(update)
        return web.Response(text="ok")
