"""`routix worker` with every algorithm answered by a provider that takes DELAY seconds (bench/bench_jobs.py).

    python bench/slow_worker.py DELAY

The provider returns one picture rendered at start-up, so the benchmark measures how many jobs a worker keeps in
flight while they wait, not rendering.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.lifecycle import run_service
from bots.logs import install_redaction, settings_secrets
from bots.settings import load_settings
from bots.worker import serve
from core.algorithms import SEED_ALGORITHMS
from core.rendering import Finish, Rendered, Scene, render_local


class SlowProvider:
    """Answers after `delay` seconds, like a remote image service, with no work of its own here."""

    name = "slow"
    cpu_bound = False

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.picture = render_local(Scene(title="WAITED FOR"), Finish(keep_original=False))
        self.waiting = self.peak = 0

    @property
    def available(self) -> bool:
        return True

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        self.waiting += 1
        if self.waiting > self.peak:
            self.peak = self.waiting
            if self.peak % 50 == 0:
                logging.getLogger("bench").info("slow provider: peak %s jobs waiting at once", self.peak)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.waiting -= 1
        return dataclasses.replace(self.picture)

    async def close(self) -> None:
        return None


def main() -> int:
    settings = load_settings()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction(settings_secrets(settings))
    logging.getLogger("saq").setLevel(logging.WARNING)
    provider = SlowProvider(float(sys.argv[1]))
    return run_service(serve(settings, providers={algorithm.id: provider for algorithm in SEED_ALGORITHMS}))


if __name__ == "__main__":
    sys.exit(main())
