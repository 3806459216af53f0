"""PostgreSQL going away mid-service: a clear "send it again" and no lost credit; back, everything works."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.messages import ErrorReply, ImageReply, TextReply
from core.providers import LocalProvider
from core.rendering import Finish, Rendered, Scene
from tests.conftest import (
    Conversation,
    drop_postgres_schema,
    fresh_postgres_schema,
    make_settings,
    started,
    thread_providers,
)
from tests.fakes.cable import Cable  # the `cable` fixture: tests/conftest.py


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


class _Gated(LocalProvider):
    """The real renderer, holding each picture until the test lets it go."""

    def __init__(self) -> None:
        super().__init__(ThreadPoolExecutor(2))
        self.started, self.gate = asyncio.Event(), asyncio.Event()

    async def warm_up(self) -> None:
        return None

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        self.started.set()
        await self.gate.wait()
        return await super().generate(scene, finish)


async def test_a_database_restart_mid_job_is_waited_out_not_refunded(tmp_path: Path, postgres_url: str,
                                                                     cable: Cable) -> None:
    """The picture is made while the database is away: storing it is tried again until it is back, and the job
    goes on (it is not the request's fault; refunded, it would say "internal error, try again")."""
    schema, url = await fresh_postgres_schema(postgres_url)
    gated = _Gated()
    app = await started(make_settings(tmp_path / "data", url.replace("127.0.0.1:5432", f"127.0.0.1:{cable.port}")),
                        thread_providers({"local": gated}))
    try:
        person = Conversation(app)
        person.listen()
        making = asyncio.create_task(person.send('Vlog "THROUGH A RESTART"'))
        await asyncio.wait_for(gated.started.wait(), 10)
        cable.unplug()
        gated.gate.set()
        await asyncio.sleep(1.5)  # the picture is made and cannot be stored
        cable.plug()
        events = await asyncio.wait_for(making, 10)  # well before the 20 s lease would hand it to recovery
        assert not [e for e in events if isinstance(e, ErrorReply)]
        assert len([e for e in events if isinstance(e, ImageReply)]) == 1
    finally:
        cable.plug()
        gated.gate.set()
        await app.aclose()
        await drop_postgres_schema(postgres_url, schema)
