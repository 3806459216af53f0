"""A bot run the way an operator runs it: `routix <platform>` as a subprocess, everything it prints kept in a file.

Only the CLI, environment variables and the fakes are relied on, never how the bot process is built inside.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

REPO = Path(__file__).resolve().parents[2]
TEST_SECRET_KEY = "test-only-secret-key-0123456789-abcdefghij"  # 40 characters, obviously not a real one
STOP_TIMEOUT = 20.0
T = TypeVar("T")


class BotProcess:
    """`async with BotProcess("telegram", tmp_path, TELEGRAM_BOT_TOKEN=...)`: started, then stopped with SIGTERM."""

    def __init__(self, platform: str, tmp_path: Path, **env: str) -> None:
        self.platform = platform
        self.log_path = tmp_path / f"{platform}.log"
        self.env = {
            **os.environ,
            "ROUTIX_ENV": "development", "ROUTIX_LOG_LEVEL": "DEBUG", "ROUTIX_DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": TEST_SECRET_KEY, "DATABASE_URL": "", "JOBS_WORKERS": "1",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",  # the fakes are local
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> BotProcess:
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bots.cli", self.platform, cwd=REPO, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()

    async def stop(self) -> int | None:
        """SIGTERM, then wait without blocking the loop: the fakes in this loop serve the bot's last calls."""
        process = self.process
        if process is None or process.returncode is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            return await process.wait()

    async def until(self, awaitable: Awaitable[T]) -> T:
        """The awaitable's result; fails at once with the log's end if the bot exits first."""
        assert self.process is not None, "the bot was not started"
        waiting = asyncio.ensure_future(awaitable)
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            waiting.cancel()
            raise AssertionError(f"routix {self.platform} exited with {exited.result()}:\n{self.log()[-3000:]}")
        exited.cancel()
        return waiting.result()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def assert_redacted(log: str, secrets: Iterable[str], library: str) -> None:
    """The run logged at DEBUG (the library's own lines included), redacted something and leaked nothing."""
    assert len(log.splitlines()) > 10 and f" DEBUG {library}" in log, f"no DEBUG log from {library}:\n{log[-3000:]}"
    leaked = [f"{secret[:4]}…" for secret in secrets if secret in log]  # a short prefix names it well enough
    assert not leaked, f"secrets in the log: {leaked}"
    assert "[redacted]" in log
