"""Database threads that serve the oldest request first (see core/ordering.py for why)."""

from __future__ import annotations

import asyncio
import itertools
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
Work = tuple[int, int, Callable[[], Any] | None, Future[Any] | None]


class DatabaseThreads:
    """A fixed set of threads taking work by (priority, arrival): lower priorities first, ties in order."""

    def __init__(self, count: int, name: str = "routix-db") -> None:
        self._queue: queue.PriorityQueue[Work] = queue.PriorityQueue()
        self._arrivals = itertools.count()
        self._threads = [threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    async def run(self, priority: int, call: Callable[[], T]) -> T:
        future: Future[T] = Future()
        self._queue.put((priority, next(self._arrivals), call, future))
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Finish what is queued, then stop: the stop marks sort after any real priority."""
        for _ in self._threads:
            self._queue.put((sys.maxsize, next(self._arrivals), None, None))
        for thread in self._threads:
            thread.join()

    def _serve(self) -> None:
        while True:
            _, _, call, future = self._queue.get()
            if call is None or future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as error:
                future.set_exception(error)
