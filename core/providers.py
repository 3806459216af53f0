"""Image providers behind the algorithms. `local` renders in a process pool; AI providers come later."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from concurrent.futures import Executor, ProcessPoolExecutor

from core.rendering import Finish, Rendered, Scene, render_local


class LocalProvider:
    """The offline compositor. Rendering is CPU-bound, so it runs in worker processes: the event loop
    stays free to acknowledge updates while pictures render on every core."""

    name = "local"

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    @classmethod
    def with_processes(cls, workers: int) -> LocalProvider:
        # forkserver: forking a process that runs threads (aiosqlite, the event loop) is unsafe.
        context = multiprocessing.get_context("forkserver")
        return cls(ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_interrupts))

    @property
    def available(self) -> bool:
        return True

    async def warm_up(self) -> None:
        """Start every worker and import the renderer now, not on a creator's first request."""
        scene = Scene(title="warm up")
        finish = Finish(keep_original=False)
        workers = getattr(self._executor, "_max_workers", 1)
        await asyncio.gather(*(self.generate(scene, finish) for _ in range(workers)))

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        return await asyncio.get_running_loop().run_in_executor(self._executor, render_local, scene, finish)

    async def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    """Ctrl-C is for the bot process, which shuts the pool down; workers must not die mid-render."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class UnavailableProvider:
    """An AI provider that is not configured yet: listed, never chosen, never faked."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def available(self) -> bool:
        return False

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        raise RuntimeError(f"provider {self.name} is not configured")

    async def close(self) -> None:
        return None
