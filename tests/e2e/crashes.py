"""Killing bots and workers at random moments, and checking afterwards that nothing accepted was lost.

Processes run as an operator runs them (`routix telegram`, `routix worker`) against the fake Bot API, which keeps
Telegram's getUpdates semantics: an update stays until a poll's offset passes it.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from storage.engine import create_engine
from tests.e2e.bot_process import REPO, BotProcess
from tests.fakes.telegram_api import FakeBotAPI


class Process(BotProcess):
    """A `routix <command>` that can be killed with SIGKILL and started again on the same data."""

    def __init__(self, command: str, tmp_path: Path, name: str, **env: str) -> None:
        super().__init__(command, tmp_path, **env)
        self.log_path = tmp_path / f"{name}.log"
        self.started_at = 0.0
        self.kills = 0

    async def start(self) -> Process:
        """Started again, its output appended to the same log."""
        self.started_at = time.time()
        with self.log_path.open("ab") as log:
            log.write(f"\n----- start {self.started_at:.3f}\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bots.cli", self.platform, cwd=REPO, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        return self

    async def logged(self, text: str, timeout: float = 30) -> None:
        """Wait until this run (since the last start) logged `text`."""
        async def appeared() -> None:
            marker = f"----- start {self.started_at:.3f}"
            while text not in self.log().rsplit(marker, 1)[-1]:
                await asyncio.sleep(0.1)
        async with asyncio.timeout(timeout):
            await self.until(appeared())

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1


@dataclass
class Outcome:
    """What each request (named by its unique title) got in its chat."""

    photos: Counter[str] = field(default_factory=Counter)
    refunds: Counter[str] = field(default_factory=Counter)

    def answered(self, title: str) -> int:
        return self.photos[title] + self.refunds[title]


def outcome(fake: FakeBotAPI, titles: list[str]) -> Outcome:
    found = Outcome()
    for call in fake.calls_to("sendPhoto"):
        found.photos.update(title for title in titles if f'"{title}"' in call.params.get("caption", ""))
    for call in fake.calls_to("sendMessage"):
        body = call.params.get("text", "")
        if "not charged" in body:
            found.refunds.update(title for title in titles if f'"{title}"' in body)
    return found


async def push_requests(fake: FakeBotAPI, requests: list[tuple[int, str]], rng: random.Random) -> None:
    """A steady stream: a few requests every fraction of a second."""
    for start in range(0, len(requests), 5):
        for chat_id, title in requests[start:start + 5]:
            fake.push(message=fake.message(chat_id, text=f'Vlog thumbnail "{title}"'))
        await asyncio.sleep(rng.uniform(0.1, 0.35))


async def until_polling(fake: FakeBotAPI, since: float, timeout: float = 60) -> None:
    """The newly started bot is at work: it has asked Telegram for updates (a long poll is recorded when it
    arrives, and may not end for a while, so look rather than wait for the fake's notification)."""
    deadline = time.monotonic() + timeout
    while not [c for c in fake.calls_to("getUpdates") if c.at > since]:
        assert time.monotonic() < deadline, "the bot never polled"
        await asyncio.sleep(0.05)


async def all_answered(fake: FakeBotAPI, titles: list[str], timeout: float) -> Outcome:
    deadline = time.monotonic() + timeout
    while True:
        found = outcome(fake, titles)
        missing = [title for title in titles if not found.answered(title)]
        if not missing or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.25)


@dataclass
class Ledger:
    unfinished_generations: int
    unsettled_credits: int
    open_jobs: int
    resent_titles: set[str]  # titles of jobs whose delivery was started more than once


def ledger(database_url: str) -> Ledger:
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            unfinished = db.execute(text("SELECT count(*) FROM generations WHERE status IN ('queued', 'processing')"))
            unsettled = db.execute(text("SELECT count(*) FROM generations WHERE credit_state = 'reserved'"))
            open_jobs = db.execute(text("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running', "
                                        "'delivering') OR (status = 'failed' AND NOT notified)"))
            sent_twice = text("SELECT generation_ids FROM jobs WHERE status = 'done' AND deliveries > 1")
            resent = db.execute(sent_twice).scalars().all()
            ids = {_hex(value) for row in resent for value in (row if isinstance(row, list) else _json(row))}
            titles = {title for gid, title in db.execute(text("SELECT id, title FROM generations")).all()
                      if _hex(gid) in ids}
            return Ledger(unfinished.scalar_one(), unsettled.scalar_one(), open_jobs.scalar_one(), titles)
    finally:
        engine.dispose()


def _json(value: str) -> list[str]:
    import json

    return list(json.loads(value))


def _hex(value: object) -> str:
    return str(value).replace("-", "")


async def eventually_held(database_url: str, pid: int, timeout: float = 60) -> list[str]:
    """Ids of the jobs the worker with this pid is working on, once it is working on some."""
    deadline = time.monotonic() + timeout
    engine = create_engine(database_url)
    try:
        while time.monotonic() < deadline:
            with engine.connect() as db:
                rows = db.execute(text("SELECT id FROM jobs WHERE status = 'running' AND lease_owner LIKE :owner"),
                                  {"owner": f"%:{pid}:%"}).scalars().all()
            if rows:
                return [str(row) for row in rows]
            await asyncio.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError(f"worker {pid} never took a job")


def finished_by(database_url: str, job_ids: list[str]) -> list[str]:
    """Who holds (or last held) the lease of each job: the runner that finished it."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT id, status, lease_owner FROM jobs")).all()
        return [str(owner) for ident, status, owner in rows if str(ident) in job_ids and status == "done"]
    finally:
        engine.dispose()
