"""Image providers behind the algorithms. `local` renders in worker processes; AI providers come later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from core.rendering import Finish, Rendered, Scene, render_local

log = logging.getLogger(__name__)
T = TypeVar("T")
RENDER_TIMEOUT_S = 60.0  # a render takes tens of milliseconds; a worker this slow is stuck
SHUTDOWN_S = 10.0


class RenderFailed(RuntimeError):
    """A render raised an exception that cannot cross the process boundary; its text comes instead."""


class RenderWorkerDied(RuntimeError):
    """The worker process rendering this job stopped (a crash, the out-of-memory killer, a timeout)."""


def crossing(error: BaseException) -> BaseException:
    """`error` if it survives pickling (the parent must rebuild it), else a RenderFailed with its text.

    An exception that cannot be rebuilt in the parent marks the whole process pool broken, so every later
    job of everyone would fail: no exception leaves a worker without passing this check.
    """
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RenderFailed(f"{type(error).__name__}: {error}"[:500])
    return error


def render_in_worker(scene: Scene, finish: Finish) -> Rendered:
    return _crossing_call(render_local, scene, finish)


def _crossing_call(function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    except Exception as error:
        raise crossing(error) from None


class ProcessLanes:
    """Worker processes that each run one job at a time, so a worker that dies fails only its own job.

    A shared process pool cannot say which job killed a worker, and breaks for good when one dies
    (`BrokenProcessPool` on every later submit). Here each lane is a one-process pool: when its process dies
    or hangs, the lane's job fails with `RenderWorkerDied` and the lane gets a fresh process at once.
    """

    def __init__(self, workers: int, make_pool: Callable[[], ProcessPoolExecutor] | None = None,
                 timeout_s: float = RENDER_TIMEOUT_S) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self._make_pool = make_pool or _forkserver_pool
        self._pools = [self._make_pool() for _ in range(workers)]
        self._free: asyncio.Queue[int] | None = None
        self.replaced = 0  # lanes given a new process (for tests and the operator's logs)

    def _lanes(self) -> asyncio.Queue[int]:
        if self._free is None:  # created on first use, inside the running loop
            self._free = asyncio.Queue()
            for lane in range(self.workers):
                self._free.put_nowait(lane)
        return self._free

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        lanes = self._lanes()
        lane = await lanes.get()
        try:
            future = asyncio.get_running_loop().run_in_executor(self._pools[lane], function, *args)
            return await asyncio.wait_for(future, self.timeout_s)
        except BrokenProcessPool as error:
            self._replace(lane, "stopped")
            raise RenderWorkerDied("the render worker stopped while drawing this thumbnail") from error
        except TimeoutError as error:
            self._replace(lane, f"did not finish in {self.timeout_s:.0f} s")
            raise RenderWorkerDied("the render worker got stuck drawing this thumbnail") from error
        finally:
            lanes.put_nowait(lane)

    def worker_pids(self) -> list[int]:
        return [pid for pool in self._pools for pid in (getattr(pool, "_processes", None) or {})]

    def _replace(self, lane: int, why: str) -> None:
        log.error("render worker %s %s: replaced by a new one", lane, why)
        old = self._pools[lane]
        for process in (getattr(old, "_processes", None) or {}).values():  # a hung worker must go too
            with contextlib.suppress(Exception):
                process.kill()
        old.shutdown(wait=False, cancel_futures=True)
        self._pools[lane] = self._make_pool()
        self.replaced += 1

    def shutdown(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """For workers that did not finish in time: a stuck render must not hold the stop."""
        for pool in self._pools:
            for process in (getattr(pool, "_processes", None) or {}).values():
                with contextlib.suppress(Exception):
                    process.kill()


class ExecutorRunner:
    """Any executor (tests use threads) behind the same `run` as the lanes."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.workers = getattr(executor, "_max_workers", 1)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        return None  # threads cannot be killed; they end with their work


class LocalProvider:
    """The offline compositor. Rendering is CPU-bound, so it runs in worker processes: the event loop
    stays free to acknowledge updates while pictures render on every core."""

    name = "local"
    cpu_bound = True

    def __init__(self, runner: Executor | ProcessLanes | ExecutorRunner) -> None:
        self.runner = ExecutorRunner(runner) if isinstance(runner, Executor) else runner

    @classmethod
    def with_processes(cls, workers: int, timeout_s: float = RENDER_TIMEOUT_S) -> LocalProvider:
        return cls(ProcessLanes(workers, timeout_s=timeout_s))

    @property
    def available(self) -> bool:
        return True

    async def warm_up(self) -> None:
        """Start every worker and import the renderer now, not on a creator's first request."""
        scene = Scene(title="warm up")
        finish = Finish(keep_original=False)
        await asyncio.gather(*(self.generate(scene, finish) for _ in range(self.runner.workers)))

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        return await self.runner.run(render_in_worker, scene, finish)

    async def decode(self, function: Callable[..., T], *args: Any) -> T:
        """Untrusted bytes are decoded in a worker too: a decoder that crashes takes only that worker down."""
        return await self.runner.run(_crossing_call, function, *args)

    async def close(self) -> None:
        """Waiting for the workers must not block the event loop, nor wait for a stuck one forever."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self.runner.shutdown), SHUTDOWN_S)
        except TimeoutError:
            log.warning("render workers did not stop within %.0f s: killed", SHUTDOWN_S)
            self.runner.kill()


def _forkserver_pool() -> ProcessPoolExecutor:
    # forkserver: forking a process that runs threads (database threads, the event loop) is unsafe.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_started,
                               initargs=(os.getpid(),))


def _worker_started(parent_pid: int) -> None:
    """Ctrl-C is for the bot process, which shuts the workers down; workers must not die mid-render.
    And a worker outlives a killed bot otherwise (it holds its own end of the job pipe): it watches the
    bot and exits with it, after which the forkserver and resource tracker exit by themselves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent_pid,), name="routix-parent-watch", daemon=True).start()


def _exit_with(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (old kernel): look every second
        while _alive(pid):
            time.sleep(1.0)
    else:
        select.select([handle], [], [])  # readable once the process has exited
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class UnavailableProvider:
    """An AI provider that is not configured yet: listed, never chosen, never faked."""

    cpu_bound = False

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def available(self) -> bool:
        return False

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        raise RuntimeError(f"provider {self.name} is not configured")

    async def close(self) -> None:
        return None
