"""Discord under load: N concurrent /thumbnail interactions through the real discord.py and the real core.

    python bench/bench_discord.py [--interactions 200] [--workers 0] [--same-process]

The fake Discord (REST + gateway, validating every request against the OpenAPI description) runs in a process of
its own, as Discord would (`--same-process`: on a thread of the bot's process, sharing its GIL: pessimistic). It
sends the N INTERACTION_CREATE frames in one burst and measures, on its own clock: acknowledgement latency
(dispatch -> deferred callback; Discord's limit is 3 s) and interaction -> image latency (dispatch -> the response
edited with the JPEG), p50/p99/max, and counts lost and duplicated replies. The bot renders with the production
build (a worker process per CPU core), on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from tests.fakes.discord_api import FakeDiscord, FakeInteraction, FakeUser

PROMPTS = ('Gaming "I WON"', 'Tech review "iPhone 17"', 'Cooking "PERFECT PASTA"', 'Travel vlog "BALI"',
           'Fitness "30 DAY ABS"', 'Podcast "EP 12"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def image_time(record: FakeInteraction) -> float | None:
    return next((at for at, message in record.edits if message["attachments"]), None)


# ---------------------------------------------------------------------------------- the fake's side


async def burst(fake: FakeDiscord, interactions: int, timeout: float) -> dict[str, Any]:
    """Dispatch every interaction at once, wait for the replies, and measure."""
    users = [FakeUser(fake.snowflake(), f"creator{i}") for i in range(interactions)]
    started = time.monotonic()
    records = [await fake.slash("thumbnail", [{"name": "prompt", "type": 3, "value": PROMPTS[i % len(PROMPTS)]}],
                                user=user) for i, user in enumerate(users)]
    dispatched = time.monotonic() - started
    with contextlib.suppress(AssertionError):  # a timeout shows up below as lost replies
        await fake.wait_for(lambda: all(image_time(r) or r.followups for r in records), timeout=timeout,
                            what="every reply")
    lost = [r for r in records if image_time(r) is None and not r.followups]
    return {
        "dispatched": dispatched, "wall": time.monotonic() - started,
        "acks": [r.ack_latency for r in records if r.ack_latency is not None],
        "images": [t - r.dispatched_at for r in records if (t := image_time(r)) is not None],
        "duplicated": sum(1 for r in records if sum(1 for _, m in r.edits if m["attachments"]) > 1
                          or (image_time(r) and r.followups)),
        "errors": [fake.messages[r.followups[0]]["content"] for r in records
                   if r.followups and r.followups[0] in fake.messages],
        "lost": [(r.id, r.callback_type, [m["content"] for _, m in r.edits][-3:]) for r in lost],
        "stray": max(len([m for m in fake.channel_messages(fake.channel_id) if "interaction_metadata" not in m]), 0),
        "spec_violations": list(fake.errors),
    }


async def serve(connection: Connection) -> None:
    """The fake's process: answers "ready", "run" and "stop" requests from the bot's process."""
    fake = await FakeDiscord().start()
    connection.send({"token": fake.bot_token, "api": fake.api_base_url, "gateway": fake.gateway_url,
                     "guild": fake.guild_id})
    loop = asyncio.get_running_loop()
    while True:
        command, *args = await loop.run_in_executor(None, connection.recv)
        if command == "run":
            connection.send(await burst(fake, *args))
        elif command == "stop":
            await fake.close()
            connection.send(True)
            return


def serve_process(connection: Connection) -> None:
    asyncio.run(serve(connection))


class FakeProcess:
    def __init__(self, same_process: bool) -> None:
        self.connection, child = multiprocessing.Pipe()
        target = threading.Thread if same_process else multiprocessing.get_context("spawn").Process
        self.worker = target(target=serve_process, args=(child,), daemon=True)

    async def ask(self, *message: Any) -> Any:
        if message:
            self.connection.send(message)
        return await asyncio.get_running_loop().run_in_executor(None, self.connection.recv)

    async def start(self) -> dict[str, str]:
        self.worker.start()
        return await self.ask()


# ---------------------------------------------------------------------------------- the bot's side


def report(name: str, values: list[float]) -> None:
    ms = [value * 1000 for value in values] or [float("nan")]
    print(f"{name:<24} p50 {percentile(ms, 0.5):8.1f} ms   p99 {percentile(ms, 0.99):8.1f} ms   "
          f"max {max(ms):8.1f} ms   mean {statistics.fmean(ms):8.1f} ms")


def summarize(result: dict[str, Any], interactions: int, workers: int) -> int:
    acks, images = result["acks"], result["images"]
    print(f"interactions {interactions}, render workers {workers}, dispatched in {result['dispatched']:.2f} s, "
          f"all answered in {result['wall']:.2f} s ({len(images) / result['wall']:.1f} images/s)")
    report("ack (defer) latency", acks)
    report("interaction -> image", images)
    print(f"acknowledged {len(acks)}/{interactions}, over 3 s: {sum(a > 3 for a in acks)}; images {len(images)}; "
          f"lost {len(result['lost'])}; duplicated {result['duplicated']}; error replies {len(result['errors'])}; "
          f"stray channel messages {result['stray']}; spec violations {len(result['spec_violations'])}")
    for text in sorted(set(result["errors"]))[:5]:
        print("  error reply:", text)
    for lost in result["lost"][:5]:
        print("  lost:", lost)
    ok = not result["lost"] and not result["duplicated"] and not result["spec_violations"] and acks and \
        percentile(acks, 0.99) <= 0.5
    print("PASS" if ok else "FAIL", "(targets: ack p99 <= 500 ms, no lost or duplicated replies)")
    return 0 if ok else 1


async def bench(interactions: int, workers: int, timeout: float, same_process: bool) -> int:
    from bots.bootstrap import build
    from bots.discord.main import create_client
    from bots.settings import AppSettings, DiscordSettings, JobSettings, Settings

    fake = FakeProcess(same_process)
    urls = await fake.start()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(app=AppSettings(routix_data_dir=Path(data_dir)), jobs=JobSettings(workers=workers),
                            discord=DiscordSettings(bot_token=urls["token"], api_base_url=urls["api"],
                                                    gateway_url=urls["gateway"], guild_ids=urls["guild"]))
        client = create_client(settings, build(settings))  # the production build: renders in worker processes
        task = asyncio.create_task(client.start(urls["token"]))
        try:
            while not client.is_ready():
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
            result = await fake.ask("run", interactions, timeout)
        finally:
            await client.close()
            await task
            await fake.ask("stop")
    return summarize(result, interactions, workers or os.cpu_count() or 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="render processes (0: one per CPU core)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for every reply")
    parser.add_argument("--same-process", action="store_true", help="run the fake on a thread of this process")
    args = parser.parse_args()
    return asyncio.run(bench(args.interactions, args.workers, args.timeout, args.same_process))


if __name__ == "__main__":
    raise SystemExit(main())
