"""Async engine creation: WAL and a busy timeout on SQLite so concurrent writers wait instead of failing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_S = 30


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _server_engine(parsed, echo)
    memory = parsed.database in (None, "", ":memory:")
    if not memory:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
        **({"poolclass": StaticPool} if memory else {}),
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption on a crash, far fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _server_engine(parsed: URL, echo: bool) -> AsyncEngine:
    """PostgreSQL: `?schema=NAME` in DATABASE_URL selects the schema (search_path) Routix uses."""
    schema = parsed.query.get("schema")
    connect_args = {}
    if schema and parsed.get_backend_name() == "postgresql":
        parsed = parsed.difference_update_query(["schema"])
        connect_args = {"server_settings": {"search_path": str(schema)}}
    return create_async_engine(parsed, echo=echo, pool_pre_ping=True, connect_args=connect_args)
