"""What every provider client shares: a per-provider limit on calls at once, the key-rejected switch, and HTTP
status codes classified into the core's problems."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from core.ai import Problem, ProviderError

log = logging.getLogger(__name__)


class Service:
    """One paid service (all algorithms on it share it): its concurrency limit and whether its key still works."""

    def __init__(self, name: str, configured: bool, concurrency: int) -> None:
        self.name, self.configured, self.concurrency = name, configured, concurrency
        self.limit = asyncio.Semaphore(concurrency)
        self.rejected: str | None = None  # why the service refused our key: off until the operator fixes it

    @property
    def available(self) -> bool:
        return self.configured and self.rejected is None

    def reject(self, detail: str) -> None:
        if self.rejected is None:
            log.error("%s rejected the API key (%s): its algorithms are unavailable until the key is fixed and the "
                      "bot restarted", self.name, detail[:200])
        self.rejected = detail[:200] or "rejected"

    def failed(self, error: ProviderError) -> ProviderError:
        if error.problem == Problem.AUTH:
            self.reject(error.detail)
        return error


def problem_of_status(status: int) -> Problem:
    if status in (401, 403):
        return Problem.AUTH
    if status == 429:
        return Problem.BUSY
    if status == 413:
        return Problem.REFUSED
    if status >= 500 or status in (408, 409):
        return Problem.DOWN
    return Problem.REFUSED


def retry_after(headers: object) -> float | None:
    """Seconds from a Retry-After header (seconds form; an HTTP date counts as 'soon')."""
    value = getattr(headers, "get", lambda _: None)("retry-after")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), 120.0)
    except ValueError:
        return 5.0


def http_session(concurrency: int, timeout_s: float, headers: dict[str, str] | None = None) -> aiohttp.ClientSession:
    """A pool at least as large as the calls allowed at once: a call never waits for a connection."""
    connector = aiohttp.TCPConnector(limit=concurrency + 2, limit_per_host=concurrency + 2)
    return aiohttp.ClientSession(connector=connector, headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=timeout_s, sock_connect=10))


class LazySession:
    """An aiohttp session made on first use (inside the running loop, not at build time), closed once."""

    def __init__(self, concurrency: int, timeout_s: float, headers: dict[str, str] | None = None) -> None:
        self.concurrency, self.timeout_s, self.headers = concurrency, timeout_s, headers
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = http_session(self.concurrency, self.timeout_s, self.headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@contextmanager
def reaching(what: str, timeout_s: float) -> Iterator[None]:
    """A call's transport failures as the core's problems: no answer in time, or no connection."""
    try:
        yield
    except TimeoutError:
        raise ProviderError(Problem.TIMEOUT, f"{what}: no answer in {timeout_s:.0f} s") from None
    except aiohttp.ClientError as error:
        raise ProviderError(Problem.DOWN, f"{what}: {type(error).__name__}") from None


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """A body, refused once it passes `limit` bytes (a picture never needs more)."""
    if response.content_length is not None and response.content_length > limit:
        raise ProviderError(Problem.TOO_LARGE, f"{response.content_length} bytes announced, limit {limit}")
    data = bytearray()
    async for chunk in response.content.iter_chunked(1 << 16):
        data += chunk
        if len(data) > limit:
            raise ProviderError(Problem.TOO_LARGE, f"more than {limit} bytes")
    return bytes(data)


async def error_text(response: aiohttp.ClientResponse) -> str:
    try:
        return (await response.text())[:300]
    except Exception:
        return ""


class Downloader:
    """Pictures answered by URL: fetched with a size cap and a time limit (a URL can point anywhere)."""

    def __init__(self, limit: int, timeout_s: float, concurrency: int) -> None:
        self.limit, self.timeout_s = limit, timeout_s
        self.session = LazySession(concurrency, timeout_s)

    async def get(self, url: str) -> bytes:
        with reaching("downloading the picture", self.timeout_s):
            async with self.session().get(url) as response:
                if response.status != 200:
                    raise ProviderError(Problem.DOWN, f"downloading the picture: HTTP {response.status}")
                return await read_capped(response, self.limit)

    async def close(self) -> None:
        await self.session.close()
