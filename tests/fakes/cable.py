"""A TCP proxy in front of PostgreSQL that a test can unplug: the database going away mid-service, for real."""

from __future__ import annotations

import asyncio
import contextlib


class Cable:
    """A TCP proxy in front of PostgreSQL that the test can unplug (every connection cut, new ones refused)."""

    def __init__(self) -> None:
        self.plugged = True
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> Cable:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.plugged:
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", 5432)
        self._open |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self._open.discard(writer)

    def unplug(self) -> None:
        self.plugged = False
        for writer in list(self._open):
            writer.close()

    def plug(self) -> None:
        self.plugged = True

    async def close(self) -> None:
        self.unplug()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
