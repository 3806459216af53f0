"""PostgreSQL going away mid-service: a clear "send it again" and no lost credit; back, everything works."""

from __future__ import annotations

from pathlib import Path

from core.messages import ErrorReply, ImageReply, TextReply
from tests.conftest import Conversation, drop_postgres_schema, fresh_postgres_schema, make_settings, started
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
