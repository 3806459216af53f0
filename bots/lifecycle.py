"""Process lifecycle shared by the long-running commands (telegram, discord, worker)."""

from __future__ import annotations

import asyncio
import signal


async def until_stopped() -> None:
    """Wait for SIGTERM or SIGINT (Ctrl-C). The caller then drains and stops, inside the same event loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
