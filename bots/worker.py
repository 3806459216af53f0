"""`routix worker`: runs jobs from the shared queue (JOBS_BACKEND=redis://…) on any machine.

A worker renders (its own render processes), stores the results and delivers them straight through the platforms'
HTTP APIs — a Telegram Bot and a Discord client that only logs in (no gateway) — so bot processes only translate,
accept and enqueue. Run as many as the load needs; a worker killed mid-job loses nothing: the job's lease runs out
and another worker resumes it. SIGTERM drains running jobs for JOBS_DRAIN_SECONDS, the rest go back on the queue.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from bots.lifecycle import run_service, settle_heap, until_stopped
from bots.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    if not settings.jobs.on_redis:
        log.error("JOBS_BACKEND is 'local': bots run their own jobs. Set JOBS_BACKEND=redis://host:6379/0 for workers")
        return 2
    return run_service(serve(settings))


async def serve(settings: Settings, **overrides: object) -> int:
    """Until SIGTERM; `overrides` replace parts of the build (the benchmark's slow provider)."""
    from bots.bootstrap import build

    async with build(settings, role="worker", **overrides) as routix:
        try:
            closers = await _senders(settings, routix)
        except StartupRefused as refused:  # a token refused, a platform unreachable: one line, not a traceback
            log.error("%s", refused)
            return 2
        if not closers:
            log.error("no platform to deliver to: set TELEGRAM_BOT_TOKEN and/or DISCORD_BOT_TOKEN")
            return 2
        try:
            settle_heap()
            await routix.serve_jobs()
            log.info("worker %s: taking jobs for %s", routix.pipeline.owner, ", ".join(routix.pipeline.senders))
            await until_stopped()
        finally:
            await routix.drain()  # jobs still deliver through the platforms' clients: close those after
            for close in closers:
                with contextlib.suppress(Exception):
                    await close()
    return 0


class StartupRefused(Exception):
    """A platform this worker delivers to refused its token or could not be reached at start."""


async def _senders(settings: Settings, routix) -> list[Callable[[], Awaitable[None]]]:  # type: ignore[no-untyped-def]
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        if settings.telegram.bot_token:
            closers.append(await _telegram_sender(settings, routix))
        if settings.discord.bot_token:
            closers.append(await _discord_sender(settings, routix))
    except StartupRefused:
        for close in closers:
            with contextlib.suppress(Exception):
                await close()
        raise
    return closers


async def _telegram_sender(settings: Settings, routix) -> Callable[[], Awaitable[None]]:  # type: ignore[no-untyped-def]
    from telegram.error import InvalidToken, TelegramError

    from bots.telegram.main import build_bot
    from bots.telegram.replies import TelegramSender

    bot = build_bot(settings)
    try:
        await bot.initialize()
    except InvalidToken as error:
        raise StartupRefused("Telegram refused TELEGRAM_BOT_TOKEN") from error
    except TelegramError as error:
        raise StartupRefused(f"Telegram could not be reached at {settings.telegram.api_base_url}: {error}") from error
    routix.add_sender("telegram", TelegramSender(bot))
    return bot.shutdown


async def _discord_sender(settings: Settings, routix) -> Callable[[], Awaitable[None]]:  # type: ignore[no-untyped-def]
    import aiohttp
    import discord

    from bots.discord.main import configure_endpoints
    from bots.discord.replies import DiscordSender

    configure_endpoints(settings.discord)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(settings.discord.bot_token.strip())  # REST only: deliveries need no gateway
    except discord.LoginFailure as error:
        await client.close()
        raise StartupRefused("DISCORD_BOT_TOKEN was rejected by Discord") from error
    except (discord.HTTPException, aiohttp.ClientError) as error:
        await client.close()
        raise StartupRefused(f"Discord could not be reached at {settings.discord.api_base_url}: "
                             f"{type(error).__name__}") from error
    routix.add_sender("discord", DiscordSender(client))
    return client.close
