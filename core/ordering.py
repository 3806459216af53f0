"""The order in which the service took requests in, visible to the ports that serve them.

A burst of requests each needs several database transactions before its job can render. Served first come
first served per *transaction*, every request's second step waits behind every other request's first, and
the render workers idle until the whole burst is through the front door. A store that serves the *oldest
request's* transaction first turns the burst into a pipeline: the first thumbnail renders within
milliseconds while later requests wait their turn (their chat action went out already).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_orders = itertools.count()
_current: ContextVar[int | None] = ContextVar("request_order", default=None)


def start_request() -> None:
    """Called once as a request enters the service; tasks it starts inherit its place."""
    _current.set(next(_orders))


def request_order() -> int:
    """This request's place in line; work outside a request goes to the back, as a new request would."""
    order = _current.get()
    return next(_orders) if order is None else order


URGENT = -1  # before any request's work


@contextmanager
def urgent() -> Iterator[None]:
    """Work that closes a window in which a crash would repeat something the person sees (recording that a
    picture or a notice was sent) goes ahead of every request waiting for the database."""
    token = _current.set(URGENT)
    try:
        yield
    finally:
        _current.reset(token)
