"""Engine creation: SQLite (WAL, a busy timeout) or PostgreSQL (psycopg), both with synchronous drivers.

The store runs each transaction whole on a database thread (see storage/store.py), so the drivers are the
plain synchronous ones: one thread hop per transaction instead of one per statement.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sqlalchemy_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_S = 30
# Driver names accepted for compatibility with URLs written for async drivers, mapped to the ones we use.
DRIVERS = {"sqlite": "sqlite", "sqlite+aiosqlite": "sqlite", "sqlite+pysqlite": "sqlite",
           "postgresql": "postgresql+psycopg", "postgresql+asyncpg": "postgresql+psycopg",
           "postgresql+psycopg": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


class UnsupportedDatabase(ValueError):
    pass


def create_engine(url: str, echo: bool = False, pool_size: int = 10) -> Engine:
    parsed = make_url(url)
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise UnsupportedDatabase(f"DATABASE_URL: unsupported database {parsed.drivername!r}; use sqlite:/// "
                                  "or postgresql://")
    parsed = parsed.set(drivername=driver)
    if driver == "sqlite":
        return _sqlite_engine(parsed, echo)
    return _postgres_engine(parsed, echo, pool_size)


def database_threads(engine: Engine) -> int:
    """SQLite has one writer at a time: one database thread serialises transactions instead of letting
    them sleep in the busy handler. PostgreSQL gets a thread per pooled connection."""
    if engine.dialect.name == "sqlite":
        return 1
    return engine.pool.size()  # type: ignore[attr-defined]


def _sqlite_engine(parsed: URL, echo: bool) -> Engine:
    memory = parsed.database in (None, "", ":memory:")
    if not memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy_engine(
        parsed,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        **({"poolclass": StaticPool} if memory else {}),
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption on a crash, far fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _wal(cursor: sqlite3.Cursor) -> None:
    """WAL is written into a new file by its first transaction. A connection opened meanwhile (processes starting
    together, one of them migrating) finds the file still in rollback mode, and switching it is refused as locked
    at once, without the busy handler's wait: wait here, until the writer commits."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _postgres_engine(parsed: URL, echo: bool, pool_size: int) -> Engine:
    """`?schema=NAME` in DATABASE_URL selects the schema (search_path) Routix uses.

    No pre-ping: it costs a round trip per transaction (a seventh of the database threads' time under load). A
    connection that died is found by the transaction that uses it, which the store then runs once more on a fresh
    one (storage/store.py `in_thread`); idle connections are recycled before servers and proxies drop them.
    """
    schema = parsed.query.get("schema")
    connect_args: dict[str, str] = {"application_name": "routix"}  # how an operator spots them in pg_stat_activity
    if schema:
        parsed = parsed.difference_update_query(["schema"])
        connect_args["options"] = f"-c search_path={schema}"
    return sqlalchemy_engine(parsed, echo=echo, pool_size=pool_size, max_overflow=0, pool_recycle=300,
                             connect_args=connect_args)
