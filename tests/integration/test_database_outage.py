"""PostgreSQL going away mid-service: a clear "send it again" and no lost credit; back, everything works."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.messages import ErrorReply, ImageReply, TextReply
from tests.conftest import Conversation, drop_postgres_schema, fresh_postgres_schema, make_settings, started


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


@pytest.fixture
async def cable() -> AsyncIterator[Cable]:
    proxy = await Cable().start()
    yield proxy
    await proxy.close()


async def test_an_unreachable_database_gets_a_send_it_again_and_costs_nothing(tmp_path: Path, postgres_url: str,
                                                                             cable: Cable) -> None:
    schema, url = await fresh_postgres_schema(postgres_url)
    through_cable = url.replace("127.0.0.1:5432", f"127.0.0.1:{cable.port}")
    app = await started(make_settings(tmp_path / "data", through_cable))
    try:
        person = Conversation(app)
        assert isinstance((await person.send('Vlog "DAY ONE"'))[-1], ImageReply)
        cable.unplug()
        refused = (await person.send('Vlog "DAY TWO"'))[-1]
        assert isinstance(refused, ErrorReply) and refused.code == "unavailable"
        assert "send that again" in refused.text and "nothing was charged" in refused.text
        cable.plug()
        assert isinstance((await person.send('Vlog "DAY TWO"'))[-1], ImageReply), "the pool recovered"
        balance = (await person.send("/credits"))[-1]
        assert isinstance(balance, TextReply) and balance.text.startswith("Balance: 10 credits")
        history = (await person.send("/history"))[-1]
        assert isinstance(history, TextReply) and history.text.count("DAY TWO") == 1, "made once, when it could be"
    finally:
        cable.plug()
        await app.aclose()
        await drop_postgres_schema(postgres_url, schema)
