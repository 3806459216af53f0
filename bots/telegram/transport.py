"""python-telegram-bot's HTTP transport on aiohttp (PTB's BaseRequest interface for custom backends).

Why not the default httpx transport: under a burst, httpx + httpcore + anyio cost the bot process about twice
the CPU per Bot API call that aiohttp's C-accelerated client does (bench/bench_telegram.py --burst), and every
millisecond of the event loop is a millisecond chat actions wait.
"""

from __future__ import annotations

import secrets
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class NotConnected(NetworkError):
    """No connection to Telegram was made: the request never left, so making it again repeats nothing."""


class AnswerLost(NetworkError):
    """The request went out and no answer of Telegram's came back (a 5xx from it or a gateway, a connection cut):
    it may have been done. Other statuses are Telegram's answer, and python-telegram-bot reads them as usual."""


class AiohttpRequest(BaseRequest):
    """Same timeouts as PTB's HTTPXRequest. aiohttp has no separate write timeout: a media upload is bounded by
    `media_write_timeout`, any other call by the read timeout."""

    def __init__(self, connection_pool_size: int = 8, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        with_files = bool(request_data and request_data.contains_files)
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, with_files)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout) as response:
                body = await response.read()
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as error:  # nothing was sent
            raise NotConnected(f"aiohttp.{type(error).__name__}: {error}") from error
        except TimeoutError as error:  # sent, and the answer did not come in time: it may have been done
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise AnswerLost(f"aiohttp.{type(error).__name__}: {error}") from error
        if response.status >= 500:
            raise AnswerLost(f"HTTP {response.status}")  # never the URL: it holds the token
        return response.status, body

    def _timeout(self, read: ODVInput[float], write: ODVInput[float], connect: ODVInput[float],
                 pool: ODVInput[float], with_files: bool) -> aiohttp.ClientTimeout:
        read_s = _given(read, self._read_timeout)
        if with_files:  # the upload and the answer share one budget: the larger of the two
            read_s = _larger(read_s, _given(write, self._media_write_timeout))
        connect_s = _given(connect, self._connect_timeout)
        waiting_s = _given(pool, self._pool_timeout)
        # aiohttp's `connect` covers waiting for a pooled connection and connecting; `sock_connect` the latter.
        return aiohttp.ClientTimeout(total=None, connect=_sum(waiting_s, connect_s), sock_connect=connect_s,
                                     sock_read=read_s)


def _body(request_data: RequestData | None) -> Any:
    """Form fields like PTB's default transport: url-encoded, or multipart when files are attached."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    return _multipart(request_data)


def _multipart(request_data: RequestData) -> aiohttp.BytesPayload:
    """The multipart body built whole: aiohttp's writer sends each part's headers, content and line ends with a
    write of their own (nine for a photo), each a system call and a hand-over of the interpreter lock in a bot
    whose database thread wants it too. Field names are the Bot API's; file names are quoted as browsers do."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in request_data.json_parameters.items()]
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{_quoted(filename)}"'
                     f"\r\nContent-Type: {mimetype}\r\n\r\n".encode())
        parts.append(content if isinstance(content, bytes) else _read(content))
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return aiohttp.BytesPayload(b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")


_UNQUOTABLE = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A", ";": "%3B", "\\": "%5C"})


def _quoted(filename: str) -> str:
    """Percent-encoded where a quoted name could end early: the quote and line ends (as browsers do), and `;` and
    backslash, which Telegram's server splits at or a parser may read as an escape even inside the quotes."""
    return filename.translate(_UNQUOTABLE)


def _read(content: Any) -> bytes:
    """PTB hands over bytes, or a file object when an InputFile was made with `read_file_handle=False`."""
    return content.read() if hasattr(content, "read") else bytes(content)


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _larger(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else max(a, b)


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b
