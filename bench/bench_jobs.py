"""Scale-out benchmark: `routix telegram` accepting onto Redis, `routix worker` processes making and delivering.

    python bench/bench_jobs.py [--requests 200] [--workers 1 2] [--delay 0] [--redis URL] [--postgres URL]

Every process is a real subprocess (the fake Bot API too, so its CPU is not counted), on PostgreSQL and Redis.
For each worker count: the same burst of requests at once; thumbnails/s, CPU per thumbnail (bot process, worker
processes with their render processes), update -> photo p50/p99, lost and duplicated replies.

--delay 3 replaces the renderer by a provider that answers after 3 s with a stored picture (an AI service's
latency without its CPU): with enough jobs in flight per worker the whole burst finishes in about one delay,
not in waves of `concurrency` jobs each.
Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from bench.bench_telegram import TOKEN, FakeProcess, analyse, percentile  # noqa: E402
from bots.lifecycle import run_service  # noqa: E402
from tests.conftest import drop_postgres_schema, fresh_postgres_schema  # noqa: E402

CHAT_BASE = 700_000


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and every descendant (render processes, forkserver), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo, tick = 0.0, [root], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / tick
        todo += children.get(pid, [])
    return total


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


async def until_logged(log: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{log.name}: never logged {text!r}:\n{log.read_text()[-2000:]}")
        await asyncio.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


async def run(args: argparse.Namespace, workers: int, fake: FakeProcess, data: Path) -> None:
    schema, database = await fresh_postgres_schema(args.postgres)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{fake.url}/bot",
           "TELEGRAM_FILE_BASE_URL": f"{fake.url}/file/bot", "TELEGRAM_FLOOD_LIMITS": "false",
           "DATABASE_URL": database, "JOBS_BACKEND": args.redis, "JOBS_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
           "JOBS_PER_USER": "50", "LIMITS_MESSAGES_PER_SECOND": "0", "ROUTIX_LOG_LEVEL": "INFO",
           "ROUTIX_DATA_DIR": str(data / f"w{workers}"), "JOBS_WORKERS": str(args.render_processes),
           "JOBS_WORKER_JOBS": str(args.worker_jobs)}
    logs = data / f"w{workers}"
    logs.mkdir(parents=True, exist_ok=True)
    bot = start([sys.executable, "-m", "bots.cli", "telegram"], env, logs / "bot.log")
    await until_logged(logs / "bot.log", "long polling")
    worker_command = ([sys.executable, str(ROOT / "bench" / "slow_worker.py"), str(args.delay)] if args.delay
                      else [sys.executable, "-m", "bots.cli", "worker"])
    pool = [start(worker_command, env, logs / f"worker{i}.log") for i in range(workers)]
    for i in range(workers):
        await until_logged(logs / f"worker{i}.log", "taking jobs")
    try:
        since = len((await fake.calls())["calls"])
        cpu_before = {process.pid: tree_cpu(process.pid) for process in (bot, *pool)}
        wall_before = time.time()
        ids = await fake.push([{"chat_id": CHAT_BASE + workers * 10_000 + i,
                                "text": f'Gaming thumbnail "LEVEL {i}" in red'} for i in range(args.requests)])
        state = await fake.wait_photos(args.requests, since, timeout=300)
        cpu = {pid: tree_cpu(pid) - before for pid, before in cpu_before.items()}
    finally:
        for process in (*pool, bot):
            stop(process)
        await drop_postgres_schema(args.postgres, schema)
    result = analyse([(CHAT_BASE + workers * 10_000 + i, update) for i, update in enumerate(ids)], state)
    elapsed = result["last_photo"] - wall_before
    bot_cpu, worker_cpu = cpu[bot.pid], sum(cpu[p.pid] for p in pool)
    latency = result["latency"]
    kind = f"a provider answering after {args.delay:g} s" if args.delay else "the local renderer"
    print(f"\n{args.requests} requests at once, {workers} worker process(es), {kind}, {os.cpu_count()} CPUs")
    print(f"  wall time:        {elapsed:.2f} s ({args.requests / elapsed:.1f} thumbnails/s)")
    print(f"  CPU per request:  {(bot_cpu + worker_cpu) * 1000 / args.requests:.1f} ms (bot process "
          f"{bot_cpu * 1000 / args.requests:.1f} + workers with their render processes "
          f"{worker_cpu * 1000 / args.requests:.1f})")
    print(f"  update -> photo:  p50 {percentile(latency, 50):.0f} ms, p99 {percentile(latency, 99):.0f} ms, "
          f"max {max(latency, default=float('nan')):.0f} ms")
    print(f"  lost: {result['lost']}, duplicated: {result['duplicated']}, "
          f"Bot API validation errors: {len(result['errors'])}")
    if args.delay:
        peaks = [int(line.rsplit("peak ", 1)[1].split()[0]) for i in range(workers)
                 for line in (logs / f"worker{i}.log").read_text().splitlines() if "slow provider: peak" in line]
        print(f"  jobs waiting on the provider at once: up to {max(peaks, default=0)} in one worker "
              f"(in waves of JOBS_WORKER_JOBS it would be at most {args.worker_jobs})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--delay", type=float, default=0.0, help="seconds a slow provider takes (0: local renderer)")
    parser.add_argument("--render-processes", type=int, default=1, help="render processes per worker")
    parser.add_argument("--worker-jobs", type=int, default=500, help="JOBS_WORKER_JOBS: jobs a worker takes at once")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--port", type=int, default=18091)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        async with FakeProcess(args.port) as fake:
            for workers in args.workers:
                await run(args, workers, fake, Path(data))


if __name__ == "__main__":
    run_service(main())  # the loop `routix telegram` runs on
