"""`routix discord`: run the Discord bot on the shared core until stopped."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import yarl

from bots.lifecycle import run_service, until_stopped
from bots.settings import DiscordSettings, Settings

if TYPE_CHECKING:
    from bots.bootstrap import Routix
    from bots.discord.client import RoutixDiscord

log = logging.getLogger(__name__)


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at the configured REST API and gateway (tests: local fakes). Process-wide, before login.

    discord.py builds every REST URL (webhooks and interaction callbacks included) from `Route.BASE`, and the first
    gateway URL from `DiscordWebSocket.DEFAULT_GATEWAY` plus `?v=10&encoding=json&compress=…`; reconnects use the
    `resume_gateway_url` the gateway announces in READY.
    """
    discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def create_client(settings: Settings, routix: Routix | None = None, **options: Any) -> RoutixDiscord:
    """The client with its core, endpoints configured; tests pass a prebuilt core and discord.Client options."""
    from bots.bootstrap import build
    from bots.discord.client import RoutixDiscord

    configure_endpoints(settings.discord)
    return RoutixDiscord(routix or build(settings), **options)


def run(settings: Settings) -> int:
    """Blocking: log in, connect to the gateway and serve until interrupted. Returns a process exit code."""
    token = settings.discord.bot_token.strip()
    if not token:
        print("DISCORD_BOT_TOKEN is not set: create a bot at https://discord.com/developers/applications",
              file=sys.stderr)
        return 2
    return run_service(_serve(settings, token))


async def _serve(settings: Settings, token: str) -> int:
    """Until SIGTERM or Ctrl-C; then running jobs drain (JOBS_DRAIN_SECONDS) before the connection closes."""
    from bots.bootstrap import build

    async with build(settings) as routix:
        client = create_client(settings, routix)
        running = asyncio.create_task(client.start(token))
        stopped = asyncio.create_task(until_stopped())
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        await client.close()
        try:
            await running
        except discord.LoginFailure:
            print("DISCORD_BOT_TOKEN was rejected by Discord", file=sys.stderr)
            return 2
        except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError) as error:
            print(f"Discord could not be reached at {settings.discord.api_base_url}: {type(error).__name__}",
                  file=sys.stderr)
            return 2
    return 0
