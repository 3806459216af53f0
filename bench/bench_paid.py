"""Paid algorithms under a burst: the real Telegram bot + core + local renderer against a fake AI provider.

    python bench/bench_paid.py [--requests 200] [--delay 3] [--provider openai|stability] [--previews 2]
                               [--port 18085] [--provider-port 18095] [--flood-limits] [--calibrate]

`--requests` chats each send one request for the `basic` algorithm at once (set up before the clock starts: each
chat sends `/algorithm basic` and gets its answer). `basic` is an OpenAI GPT image model (`--provider openai`,
streamed with `--previews` partial pictures) or Stability's core model (`--provider stability`). The provider
takes `--delay` s per picture; waiting on it holds no render slot, so the whole burst should take about one delay
(one "wave"), not several. Then each picture is finished (title, watermark, JPEG) in the render workers.

Reported: wall time from the first update pushed to the last photo received (and its ratio to the delay),
update -> photo p50/p99, update -> first progress message, CPU per request of the bot process + its render
workers (not the fakes), the provider's image calls against the requests (equal: nobody paid twice) and its
largest number of calls at once, lost and duplicated photos, and the fakes' spec-violation lists (must be empty);
also how busy the machine was (other processes included: a busy neighbour shows there), and where the time went per
job, read from the bot's SQLite database (accepted, provider call started/answered, finished, render/encode ms).
`--calibrate` first sends the same burst straight to a fresh provider fake with no bot: what the fake alone can serve.

The fake Bot API and the fake provider each run in a process of their own (the provider's fake draws real PNGs:
its CPU is reported, not counted as the bot's; on a small machine it still competes with the bot for the cores).
The bot's Telegram flood limiter is off unless `--flood-limits` (at 30 messages/s, 200 photos take >= 6.7 s).
Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from bench.bench_telegram import (  # noqa: E402
    IGNORED,
    FakeProcess,
    FakeServerProcess,
    bot_settings,
    cpu_seconds,
    percentile,
    process_cpu,
    running_bot,
)
from bots.lifecycle import run_service  # noqa: E402
from bots.settings import AISettings, JobSettings, Settings  # noqa: E402

CHAT_BASE = 900_000
OPENAI_KEY = "sk-test-not-real"  # the fakes' default keys
STABILITY_KEY = "sk-stability-test-not-real"
IMAGE_PATHS = ("/images/generations", "/images/edits")
RESULT_SHARE = 0.6  # a sendPhoto this large relative to the typical result is a result; smaller ones are previews


class ProviderProcess(FakeServerProcess):
    """The fake OpenAI or Stability API in a subprocess; `state()` is what it saw, in one shape for both."""

    ready_tries = 150  # the OpenAI fake parses its OpenAPI description first

    def __init__(self, provider: str, port: int, delay: float) -> None:
        module = "tests.fakes.openai_api" if provider == "openai" else "tests.fakes.stability_api"
        key = OPENAI_KEY if provider == "openai" else STABILITY_KEY
        super().__init__([module, "--port", str(port), "--delay", str(delay), "--api-key", key])
        self.provider, self.port, self.delay = provider, port, delay
        self.root = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root}/v1" if provider == "openai" else self.root

    async def ready(self) -> object:
        return await self.state()

    async def state(self) -> dict[str, Any]:
        """image calls (with start times and statuses when the fake tells them), other calls, in flight, errors."""
        assert self.session is not None
        if self.provider == "openai":
            async with self.session.get(f"{self.root}/_fake/state") as response:
                raw = dict(await response.json())
            images = [call for call in raw["calls"] if call["path"] in IMAGE_PATHS]
            return {"image_calls": len(images), "starts": [call["at"] for call in images],
                    "statuses": Counter(call["status"] for call in images),
                    "other": Counter(call["path"] for call in raw["calls"] if call["path"] not in IMAGE_PATHS),
                    "in_flight": raw["in_flight"], "max_in_flight": raw["max_in_flight"], "errors": raw["errors"]}
        async with self.session.get(f"{self.root}/_fake/stats") as response:
            raw = dict(await response.json())
        return {"image_calls": raw["calls"], "starts": [], "statuses": Counter(), "other": Counter(),
                "in_flight": raw["in_flight"], "max_in_flight": raw["max_in_flight"], "errors": raw["errors"]}


def machine_busy() -> float:
    """CPU seconds every process on the machine has used (all cores), from /proc/stat: to see other load."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def paid_settings(data_dir: Path, port: int, provider: ProviderProcess, requests: int, previews: int) -> Settings:
    settings = bot_settings(data_dir, port)
    settings.jobs = JobSettings(per_user=50)
    concurrency = max(256, requests)  # every request's call in flight at once
    common: dict[str, Any] = {"ai_previews": previews, "analysis_base_url": "", "ai_prices": "",
                              "moderation_blocked_words": "", "openai_concurrency": concurrency,
                              "stability_concurrency": concurrency}
    if provider.provider == "openai":
        settings.ai = AISettings(openai_api_key=OPENAI_KEY, openai_base_url=provider.base_url,
                                 algorithm_basic="openai:gpt-image-1-mini:medium", stability_api_key="", **common)
    else:  # no OpenAI key: no OpenAI moderation call either, only the provider's
        settings.ai = AISettings(openai_api_key="", stability_api_key=STABILITY_KEY,
                                 stability_api_base_url=provider.base_url, algorithm_basic="stability:core", **common)
    return settings


async def wait_for(fake: FakeProcess, since: int, done: Any, timeout: float) -> None:
    """Poll for new Bot API calls only (the bench's own CPU counts as the bot process's) until `done(new calls)`."""
    deadline, seen, calls = time.monotonic() + timeout, since, []
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        new = (await fake.calls(seen))["calls"]
        seen += len(new)
        calls += new
        if done(calls):
            return


async def set_up(fake: FakeProcess, chats: list[int]) -> None:
    """Each chat picks the paid algorithm (`/algorithm basic`) and gets its answer, before the clock starts."""
    since = len((await fake.calls())["calls"])
    await fake.push([{"chat_id": chat, "text": "/algorithm basic"} for chat in chats])
    wanted = set(chats)
    await wait_for(fake, since, lambda calls: wanted <= {c["chat_id"] for c in calls if c["method"] == "sendMessage"},
                   timeout=60)
    answered = {c["chat_id"] for c in (await fake.calls(since))["calls"] if c["method"] == "sendMessage"}
    if not wanted <= answered:
        raise RuntimeError(f"{len(wanted - answered)} chats did not answer /algorithm basic")


def classify(calls: list[dict[str, Any]]) -> tuple[dict[int, list[dict[str, Any]]], float]:
    """Per chat, its Bot API calls; and the byte size above which a sendPhoto is a result, not a preview (the
    progress message becomes a 640x360 photo when a preview is ready before it is first sent)."""
    per_chat: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for call in calls:
        if call["method"] not in IGNORED and call["chat_id"] is not None:
            per_chat[call["chat_id"]].append(call)
    largest = [max(c["bytes"] for c in chat_calls if c["method"] == "sendPhoto")
               for chat_calls in per_chat.values() if any(c["method"] == "sendPhoto" for c in chat_calls)]
    return per_chat, RESULT_SHARE * statistics.median(largest) if largest else 0.0


def analyse_paid(sent: dict[int, int], state: dict[str, Any]) -> dict[str, Any]:
    pushed = {int(k): v for k, v in state["pushed"].items()}
    per_chat, threshold = classify(state["calls"])
    latency, progress, result_bytes, preview_bytes = [], [], [], []
    lost = duplicated = refused = 0
    last_photo = float("-inf")
    for chat, update in sent.items():
        calls = per_chat.get(chat, [])
        photos = [c for c in calls if c["method"] == "sendPhoto" and c["bytes"] >= threshold]
        previews = [c for c in calls if c["method"] == "sendPhoto" and c["bytes"] < threshold]
        result_bytes += [c["bytes"] for c in photos]
        preview_bytes += [c["bytes"] for c in previews]
        if not photos:
            lost += 1
            refused += any(c["method"] == "sendMessage" for c in calls)  # a refusal, a failure, or progress
            continue
        duplicated += len(photos) - 1
        latency.append((photos[0]["at"] - pushed[update]) * 1000)
        last_photo = max(last_photo, *(c["at"] for c in photos))
        shown = [c["at"] for c in [*previews, *(c for c in calls if c["method"] == "sendMessage")]
                 if c["at"] < photos[0]["at"]]  # the progress message: text, or a photo of a preview
        if shown:
            progress.append((min(shown) - pushed[update]) * 1000)
    first_update = min(pushed[update] for update in sent.values())
    methods = Counter(c["method"] for chat in sent for c in per_chat.get(chat, []))
    return {"latency": latency, "progress": progress, "lost": lost, "duplicated": duplicated, "refused": refused,
            "first_update": first_update, "last_photo": last_photo, "methods": methods, "threshold": threshold,
            "result_bytes": result_bytes, "preview_bytes": preview_bytes, "errors": state["errors"]}


def timeline(data_dir: Path, since: float) -> dict[str, list[float]]:
    """Where each job's time went, from the bot's own SQLite database (seconds after the first update): accepted,
    provider call started and answered (as the bot saw them), job finished; and each finish's render/encode ms."""
    def at(value: str) -> float:
        moment = datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() - since

    try:
        with contextlib.closing(sqlite3.connect(data_dir / "routix.db")) as db:
            jobs = db.execute("SELECT created_at, finished_at FROM jobs").fetchall()
            calls = db.execute("SELECT created_at, latency_ms FROM paid_calls").fetchall()
            timings = [json.loads(row[0]) for row in
                       db.execute("SELECT timings FROM generations WHERE algorithm = 'basic'").fetchall() if row[0]]
    except (sqlite3.Error, ValueError, TypeError) as error:  # a changed schema: the rest of the report stands
        print(f"  (no timeline from the database: {error})")
        return {}
    jobs = [job for job in jobs if at(job[0]) >= -1]  # this burst's jobs
    return {"accepted": [at(created) for created, _ in jobs],
            "call started": [at(created) for created, _ in calls],
            "call answered": [at(created) + latency / 1000 for created, latency in calls if latency is not None],
            "call took": [latency / 1000 for _, latency in calls if latency is not None],
            "job finished": [at(finished) for _, finished in jobs if finished],
            "finish render ms": [t["render_ms"] for t in timings if "render_ms" in t],
            "finish encode ms": [t["encode_ms"] for t in timings if "encode_ms" in t]}


async def calibrate(args: argparse.Namespace) -> None:
    """The provider fake alone: `--requests` calls at once straight to it (a fresh one), with a client doing next to
    nothing, the bodies the bot sends. Shows what the fake itself can serve on this machine."""
    async with ProviderProcess(args.provider, args.provider_port + 1, args.delay) as provider, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one(n: int) -> float:
            prompt = f"Gaming thumbnail background about LEVEL {n}, YouTube thumbnail background, 16:9."
            if args.provider == "openai":
                body: dict[str, Any] = {"model": "gpt-image-1-mini", "prompt": prompt, "n": 1, "size": "1536x1024",
                                        "quality": "medium", "output_format": "png"}
                if args.previews:
                    body |= {"stream": True, "partial_images": args.previews}
                request = session.post(f"{provider.base_url}/images/generations", json=body,
                                       headers={"Authorization": f"Bearer {OPENAI_KEY}"})
            else:
                form = aiohttp.FormData(default_to_multipart=True)
                for name, value in {"prompt": prompt, "aspect_ratio": "16:9", "seed": str(n),
                                    "output_format": "png"}.items():
                    form.add_field(name, value)
                request = session.post(f"{provider.base_url}/v2beta/stable-image/generate/core", data=form,
                                       headers={"authorization": f"Bearer {STABILITY_KEY}", "accept": "image/*"})
            async with request as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"calibration call answered {response.status}")
            return time.monotonic()

        assert provider.proc is not None
        cpu_before, started = process_cpu(provider.proc.pid), time.monotonic()
        ends = [(end - started) * 1000 for end in await asyncio.gather(*(one(n) for n in range(args.requests)))]
        cpu = process_cpu(provider.proc.pid) - cpu_before
    print(f"\nprovider fake alone ({args.provider}, {args.requests} calls at once, no bot):"
          f" all answered in {max(ends) / 1000:.2f} s = {max(ends) / 1000 / args.delay:.2f} x the delay;"
          f" answered {ms(ends)}; its CPU {cpu * 1000 / args.requests:.1f} ms per call ({cpu:.2f} s)")


def ms(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"p50 {percentile(values, 50):.0f} ms, p99 {percentile(values, 99):.0f} ms, min {min(values):.0f} ms,"
            f" max {max(values):.0f} ms")


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    async with ProviderProcess(args.provider, args.provider_port, args.delay) as provider, \
            FakeProcess(args.port) as fake:
        settings = paid_settings(data_dir, args.port, provider, args.requests, args.previews)
        chats = [CHAT_BASE + i for i in range(args.requests)]
        started_bot = time.monotonic()
        app = await running_bot(settings, rate_limiter=args.flood_limits)
        try:
            startup = time.monotonic() - started_bot
            await set_up(fake, chats)
            await asyncio.sleep(0.5)  # the setup's last answers settle
            before_provider = await provider.state()
            since = len((await fake.calls())["calls"])
            assert fake.proc is not None and provider.proc is not None
            fakes = {fake.proc.pid, provider.proc.pid}
            fake_before, provider_before = process_cpu(fake.proc.pid), process_cpu(provider.proc.pid)
            cpu_before, machine_before, burst_started = cpu_seconds(fakes), machine_busy(), time.monotonic()
            ids = await fake.push([{"chat_id": chat, "text": f'Gaming thumbnail "LEVEL {n}" in red'}
                                   for n, chat in enumerate(chats)])
            sent = dict(zip(chats, ids, strict=True))
            wanted = set(chats)

            def all_answered(calls: list[dict[str, Any]]) -> bool:  # a photo (or a refusal) in every chat
                return wanted <= {c["chat_id"] for c in calls if c["method"] == "sendPhoto"}

            await wait_for(fake, since, all_answered, timeout=args.timeout)
            with contextlib.suppress(TimeoutError):  # every job ended (delivered, finished), not just sent
                async with asyncio.timeout(30):
                    await app.routix.idle()
            cpu_after, machine, window = cpu_seconds(fakes), machine_busy() - machine_before, \
                time.monotonic() - burst_started
            fake_cpu = process_cpu(fake.proc.pid) - fake_before
            provider_cpu = process_cpu(provider.proc.pid) - provider_before
            after_provider = await provider.state()
            state = await fake.calls(since)
        finally:
            await app.stop()
    result = analyse_paid(sent, state)
    report(args, result, before_provider, after_provider, startup, (machine, window),
           (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]), fake_cpu, provider_cpu, settings)

    steps = timeline(data_dir, result["first_update"])
    if steps:
        print("  where the time went (bot's database; s after the first update, render/encode in ms):")
        for name, values in steps.items():
            print(f"    {name + ':':18} {quantiles(values)}")


def report(args: argparse.Namespace, result: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
           startup: float, machine: tuple[float, float], cpu: tuple[float, float], fake_cpu: float,
           provider_cpu: float, settings: Settings) -> None:
    n, delay = args.requests, args.delay
    algorithm = settings.ai.algorithm_basic
    previews = (f"previews on ({args.previews} partial pictures asked per call)" if args.provider == "openai"
                and args.previews else "previews off" if args.provider == "openai" else "no previews (Stability)")
    print(f"\npaid burst: {n} requests at once for `basic` = {algorithm}, provider delay {delay:g} s, {previews},"
          f" {os.cpu_count()} CPUs, Telegram flood limiter {'on' if args.flood_limits else 'off'}"
          f" (bot started in {startup:.1f} s)")
    wall = result["last_photo"] - result["first_update"]
    print(f"  wall time:                    {wall:.2f} s from the first update to the last photo"
          f" = {wall / delay if delay else float('nan'):.2f} x the provider delay")
    print(f"  update -> photo:              {ms(result['latency'])},"
          f" mean {statistics.fmean(result['latency']) if result['latency'] else float('nan'):.0f} ms")
    print(f"  update -> first progress msg: {ms(result['progress'])} ({len(result['progress'])} of {n} chats got"
          " one before their photo)")
    starts = sorted((at - result["first_update"]) * 1000 for at in after["starts"][len(before["starts"]):])
    if starts:
        print(f"  provider call started after the first update: {ms(starts)}")
    main, workers = cpu
    print(f"  CPU per request:              {(main + workers) * 1000 / n:.1f} ms (bot process {main * 1000 / n:.1f}"
          f" + render workers {workers * 1000 / n:.1f}); {main + workers:.2f} s in all"
          f" = {(main + workers) / (os.cpu_count() or 1):.2f} s of the {os.cpu_count()} cores")
    print(f"  fakes (not counted):          provider {provider_cpu * 1000 / n:.1f} ms CPU per request"
          f" ({provider_cpu:.2f} s), Bot API {fake_cpu * 1000 / n:.1f} ms ({fake_cpu:.2f} s)")
    busy, window = machine
    cores = os.cpu_count() or 1
    print(f"  machine during the burst:     {busy:.2f} s CPU busy of {window * cores:.2f} s available"
          f" ({busy / (window * cores) * 100:.0f}%); other processes"
          f" {max(0.0, busy - main - workers - fake_cpu - provider_cpu):.2f} s")
    calls = after["image_calls"] - before["image_calls"]
    statuses = after["statuses"] - before["statuses"]
    other = after["other"] - before["other"]
    print(f"  provider image calls:         {calls} for {n} requests ({'equal' if calls == n else 'NOT EQUAL'}),"
          f" max in flight {after['max_in_flight']}, in flight at the end {after['in_flight']}"
          + (f", statuses {dict(statuses)}" if statuses else "")
          + (f"; other calls {dict(other)}" if other else ""))
    methods = result["methods"]
    print("  Bot API calls:                " + ", ".join(f"{name} {count}" for name, count in methods.most_common()))
    print(f"  photos: results {len(result['result_bytes'])} (mean {_kb(result['result_bytes'])}),"
          f" preview photos {len(result['preview_bytes'])} (mean {_kb(result['preview_bytes'])}),"
          f" editMessageMedia {methods['editMessageMedia']}")
    print(f"  lost photos: {result['lost']} ({result['refused']} of those chats got some text), duplicated photos:"
          f" {result['duplicated']}")
    print(f"  spec violations: provider {len(after['errors'])}, Bot API {len(result['errors'])}")
    for error in (after["errors"] + result["errors"])[:5]:
        print(f"    {error[:300]}")
    met = (wall <= 1.5 * delay and calls == n and not result["lost"] and not result["duplicated"]
           and not after["errors"] and not result["errors"])
    print(f"  {'PASS' if met else 'FAIL'} (targets: wall <= 1.5 x delay, provider calls = requests,"
          " none lost or duplicated, no spec violations)")


def quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"min {min(values):.2f}, p50 {percentile(values, 50):.2f}, p90 {percentile(values, 90):.2f},"
            f" max {max(values):.2f} ({len(values)})")


def _kb(sizes: list[int]) -> str:
    return f"{statistics.fmean(sizes) / 1000:.0f} kB" if sizes else "-"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="chats, one paid request each, all at once")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds the fake provider takes per picture")
    parser.add_argument("--provider", choices=("openai", "stability"), default="openai")
    parser.add_argument("--previews", type=int, default=AISettings.model_fields["ai_previews"].default,
                        help="AI_PREVIEWS: partial pictures asked of the OpenAI model (0: none)")
    parser.add_argument("--port", type=int, default=18085, help="the fake Bot API's port")
    parser.add_argument("--provider-port", type=int, default=18095, help="the fake provider's port")
    parser.add_argument("--flood-limits", action="store_true", help="the bot's Telegram flood limiter on")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for every photo")
    parser.add_argument("--calibrate", action="store_true",
                        help="first, the same number of calls straight to a fresh provider fake (no bot)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.calibrate:
        await calibrate(args)
    with tempfile.TemporaryDirectory() as data:
        await run(args, Path(data))


if __name__ == "__main__":
    run_service(main())  # the loop `routix telegram` runs on
