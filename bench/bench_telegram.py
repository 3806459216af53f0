"""Telegram adapter benchmark: the real bot + core + local renderer against the fake Bot API.

    python bench/bench_telegram.py [--duration 60] [--chats 200] [--rate 10] [--burst 200]

sustained: `--chats` chats whose requests arrive at `--rate` per second in total for `--duration` s
           (rate limiter on): update -> photo p50/p99, update -> first chat action, Bot API calls per request.
burst:     `--burst` requests at once, the bot's rate limiter off: thumbnails/s, CPU ms per request
           (bot process + render workers, not the fake), latency p50/p99.
Both report lost and duplicated replies. The fake runs in its own process so its CPU is not counted.
Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from bots.bootstrap import build  # noqa: E402
from bots.lifecycle import run_service  # noqa: E402
from bots.settings import AppSettings, JobSettings, Settings, TelegramSettings  # noqa: E402
from bots.telegram.main import TelegramBot  # noqa: E402
from tests.fakes.telegram_api import FakeBotAPI  # noqa: E402

TOKEN = FakeBotAPI.token
CHAT_BASE = 500_000
IGNORED = {"getUpdates", "getMe", "setMyCommands", "deleteWebhook", "download"}


class FakeServerProcess:
    """A fake service in a subprocess (its CPU is not the bot's), ready once `ready()` answers."""

    ready_tries = 100

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.proc: subprocess.Popen[bytes] | None = None
        self.session: aiohttp.ClientSession | None = None

    async def ready(self) -> object:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self.proc = subprocess.Popen([sys.executable, "-m", *self.command], cwd=ROOT, stdout=subprocess.DEVNULL)
        self.session = aiohttp.ClientSession()
        for _ in range(self.ready_tries):
            try:
                await self.ready()
                return self
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the fake {self.command[0]} did not start")

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(5)


class FakeProcess(FakeServerProcess):
    """The fake Bot API in a subprocess, driven over its /_fake control endpoints."""

    def __init__(self, port: int) -> None:
        super().__init__(["tests.fakes.telegram_api", "--port", str(port)])
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    async def ready(self) -> object:
        return await self.calls()

    async def push(self, items: list[dict[str, Any]]) -> list[int]:
        assert self.session is not None
        async with self.session.post(f"{self.url}/_fake/updates", json=items) as response:
            return list(await response.json())

    async def calls(self, since: int = 0) -> dict[str, Any]:
        assert self.session is not None
        async with self.session.get(f"{self.url}/_fake/calls", params={"since": str(since)}) as response:
            return dict(await response.json())

    async def wait_photos(self, count: int, since: int, timeout: float) -> dict[str, Any]:
        """Poll for new calls only (the bench's own CPU counts as the bot process's), then fetch them all."""
        deadline, seen, photos = time.monotonic() + timeout, since, 0
        while photos < count and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            new = (await self.calls(seen))["calls"]
            seen += len(new)
            photos += sum(1 for call in new if call["method"] == "sendPhoto")
        return await self.calls(since)


def cpu_seconds(exclude: set[int]) -> tuple[float, float]:
    """CPU seconds of (this process, its descendants: render workers, forkserver), from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(stat[1])].append(int(entry))
    main, others, todo, tick = 0.0, 0.0, [os.getpid()], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        if pid in exclude:
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(stat[11]) + int(stat[12])) / tick
        main, others = (main + used, others) if pid == os.getpid() else (main, others + used)
        todo += children.get(pid, [])
    return main, others


def process_cpu(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def analyse(sent: list[tuple[int, int]], state: dict[str, Any]) -> dict[str, Any]:
    """Match each request (chat, update_id) to its chat's photos and first chat action, in order."""
    pushed = {int(k): v for k, v in state["pushed"].items()}
    photos: dict[int, list[float]] = defaultdict(list)
    actions: dict[int, list[float]] = defaultdict(list)
    counted = 0
    for call in state["calls"]:
        if call["method"] in IGNORED or call["chat_id"] is None:
            continue
        counted += 1
        if call["method"] == "sendPhoto":
            photos[call["chat_id"]].append(call["at"])
        elif call["method"] == "sendChatAction":
            actions[call["chat_id"]].append(call["at"])
    per_chat: dict[int, list[int]] = defaultdict(list)
    for chat, update in sent:
        per_chat[chat].append(update)
    latency, first_action, lost, duplicated = [], [], 0, 0
    for chat, updates in per_chat.items():
        got = photos.get(chat, [])
        lost += max(0, len(updates) - len(got))
        duplicated += max(0, len(got) - len(updates))
        for update, at in zip(updates, got, strict=False):
            latency.append((at - pushed[update]) * 1000)
            after = [a for a in actions.get(chat, []) if a >= pushed[update]]
            if after:
                first_action.append((after[0] - pushed[update]) * 1000)
    return {"latency": latency, "action": first_action, "lost": lost, "duplicated": duplicated,
            "calls_per_request": counted / max(1, len(sent)),
            "last_photo": max((at for ats in photos.values() for at in ats), default=float("nan")),
            "errors": state["errors"]}


def bot_settings(data_dir: Path, port: int) -> Settings:
    return Settings(
        app=AppSettings(routix_data_dir=data_dir, routix_log_level="WARNING"),
        jobs=JobSettings(per_user=50),
        telegram=TelegramSettings(bot_token=TOKEN, api_base_url=f"http://127.0.0.1:{port}/bot",
                                  file_base_url=f"http://127.0.0.1:{port}/file/bot"),
    )


async def running_bot(settings: Settings, *, rate_limiter: bool) -> TelegramBot:
    bot = TelegramBot(build(settings), settings, rate_limiter=rate_limiter, poll_timeout=10)
    await bot.start()
    return bot


def request(chat: int, n: int) -> dict[str, Any]:
    return {"chat_id": chat, "text": f'Gaming thumbnail "LEVEL {n}" in red'}


async def sustained(fake: FakeProcess, settings: Settings, duration: float, chats: int, rate: float) -> None:
    app = await running_bot(settings, rate_limiter=True)
    since = len((await fake.calls())["calls"])
    sent: list[tuple[int, int]] = []
    started, n = time.monotonic(), 0
    while (due := started + n / rate) < started + duration:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        chat = CHAT_BASE + n % chats
        sent.append((chat, (await fake.push([request(chat, n)]))[0]))
        n += 1
    state = await fake.wait_photos(len(sent), since, timeout=60)
    await app.stop()
    result = analyse(sent, state)
    print(f"\nsustained: {len(sent)} requests from {chats} chats at {rate:g}/s for {duration:g} s (rate limiter on)")
    report(result)
    print(f"  Bot API calls per request:    {result['calls_per_request']:.2f}")
    latency, action = result["latency"], result["action"]
    verdict(percentile(latency, 50) <= 150 and percentile(latency, 99) <= 600 and percentile(action, 50) <= 100
            and not result["lost"] and not result["duplicated"],
            "p50 <= 150 ms, p99 <= 600 ms, first chat action <= 100 ms, none lost or duplicated")


async def burst(fake: FakeProcess, settings: Settings, count: int) -> None:
    app = await running_bot(settings, rate_limiter=False)
    since = len((await fake.calls())["calls"])
    exclude = {fake.proc.pid} if fake.proc else set()
    fake_before = process_cpu(fake.proc.pid) if fake.proc else float("nan")
    cpu_before, wall_before = cpu_seconds(exclude), time.time()
    ids = await fake.push([request(CHAT_BASE + 10_000 + i, 10_000 + i) for i in range(count)])
    state = await fake.wait_photos(count, since, timeout=120)
    cpu_after = cpu_seconds(exclude)
    fake_cpu = process_cpu(fake.proc.pid) - fake_before if fake.proc else float("nan")
    main, workers = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    await app.stop()
    result = analyse([(CHAT_BASE + 10_000 + i, update) for i, update in enumerate(ids)], state)
    elapsed = result["last_photo"] - wall_before
    print(f"\nburst: {count} requests at once (rate limiter off), {os.cpu_count()} CPUs")
    print(f"  throughput:                   {count / elapsed:.1f} thumbnails/s ({elapsed:.2f} s for all)")
    print(f"  CPU per request:              {(main + workers) * 1000 / count:.1f} ms"
          f" (bot process {main * 1000 / count:.1f} + render workers {workers * 1000 / count:.1f})")
    print(f"  fake Bot API (not counted):   {fake_cpu * 1000 / count:.1f} ms CPU per request")
    report(result)
    print(f"  Bot API calls per request:    {result['calls_per_request']:.2f} ({methods(state)})")
    latency, action = result["latency"], result["action"]
    verdict(count / elapsed >= 120 and percentile(latency, 50) <= 800 and percentile(action, 99) <= 100
            and not result["lost"] and not result["duplicated"],
            ">= 120 thumbnails/s, update -> photo p50 <= 800 ms, first chat action p99 <= 100 ms, none lost or"
            " duplicated")


def verdict(met: bool, targets: str) -> None:
    print(f"  {'PASS' if met else 'FAIL'} (targets on the 2-core machine: {targets})")


def methods(state: dict[str, Any]) -> str:
    counted = Counter(call["method"] for call in state["calls"] if call["method"] not in IGNORED)
    return ", ".join(f"{name} {count}" for name, count in counted.most_common())


def report(result: dict[str, Any]) -> None:
    latency, action = result["latency"], result["action"]
    print(f"  update -> photo:              p50 {percentile(latency, 50):.0f} ms, p99 {percentile(latency, 99):.0f} ms,"
          f" min {min(latency, default=float('nan')):.0f} ms, max {max(latency, default=float('nan')):.0f} ms,"
          f" mean {statistics.fmean(latency) if latency else 0:.0f} ms")
    print(f"  update -> first chat action:  p50 {percentile(action, 50):.0f} ms, p99 {percentile(action, 99):.0f} ms")
    print(f"  lost replies: {result['lost']}, duplicated replies: {result['duplicated']},"
          f" Bot API validation errors: {len(result['errors'])}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="sustained phase length in seconds")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second in total")
    parser.add_argument("--burst", type=int, default=200, help="requests sent at once (0: skip)")
    parser.add_argument("--port", type=int, default=18081)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as data:
        settings = bot_settings(Path(data), args.port)
        async with FakeProcess(args.port) as fake:
            if args.duration > 0:
                await sustained(fake, settings, args.duration, args.chats, args.rate)
            if args.burst > 0:
                await burst(fake, settings, args.burst)


if __name__ == "__main__":
    run_service(main())  # the loop `routix telegram` runs on
