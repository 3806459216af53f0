"""Schema migrations: Alembic's script directory next to this file (env.py, versions/), configured in code.

What happens at start (`SqlStore.create_schema`):
- SQLite upgrades itself to head. Processes starting together on one file take turns (BEGIN IMMEDIATE).
- PostgreSQL starts only at head. An empty database (none of Routix's tables) is created at head, as `create_all`
  did before; any other state (an older revision, a database made before migrations) is refused with
  SchemaOutdated naming `routix db upgrade`: migrating a production database is the operator's step (a backup
  first, one process doing it), not a side effect of a bot replica starting. Done under an advisory lock.
- A database `create_all` made before migrations existed (Routix's tables, no alembic_version) is recognised by its
  tables and stamped with the revision it matches, then upgraded (SQLite at start, PostgreSQL by the command).

`routix db upgrade` / `routix db current` / `routix db revision -m MESSAGE` (bots/cli.py) are the operator's side.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

HERE = Path(__file__).parent
VERSION_TABLE = "alembic_version"
ADVISORY_LOCK = 70070  # the key `create_all` took before migrations: an older process starting alongside waits too
BASELINE_TABLES = frozenset({
    "algorithms", "audit_log", "chat_settings", "conversations", "credit_accounts", "generations", "identities",
    "jobs", "ledger", "link_codes", "messages", "processed_updates", "templates", "tiers", "users"})
# The tables of databases `create_all` made before migrations, by the revision they are (newest first).
LEGACY = (("0002", BASELINE_TABLES | {"budgets", "paid_calls"}), ("0001", BASELINE_TABLES))
SINCE_MIGRATIONS = frozenset({"inbox"})  # tables only migrations ever made
UPGRADE = "run `routix db upgrade` (with this DATABASE_URL) once, then start the bots"
log = logging.getLogger(__name__)


class SchemaError(RuntimeError):
    """The database's schema is not one this version can use or migrate by itself."""


class SchemaOutdated(SchemaError):
    """An older schema PostgreSQL does not migrate at start: `routix db upgrade` does."""


@dataclass(frozen=True)
class Revision:
    """Where a database stands."""

    current: str | None  # what alembic_version says; None without one
    head: str
    legacy: str | None = None  # no alembic_version, but the tables of this revision (made by `create_all`)
    tables: frozenset[str] = frozenset()  # Routix's tables present

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None and not self.tables

    @property
    def known(self) -> bool:
        return self.current is None or self.current in revisions()

    def describe(self) -> str:
        if self.empty:
            return "empty"
        if self.current is None:
            return f"{self.legacy} (made before migrations)" if self.legacy else "not a Routix schema"
        return self.current + (" (head)" if self.at_head else "" if self.known else " (unknown to this version)")

    def problem(self) -> str | None:
        """Why this version cannot run on the database as it is, or None when it can."""
        if self.at_head:
            return None
        if not self.known:
            return (f"the database schema is at revision {self.current}, which this version does not know (a newer "
                    f"Routix migrated it; this one needs {self.head}): run the newer version or restore a backup")
        if self.current is None and not self.empty and self.legacy is None:
            missing = ", ".join(sorted(BASELINE_TABLES - self.tables))
            return (f"the database has some of Routix's tables but no {VERSION_TABLE} table (missing: {missing}): "
                    "point DATABASE_URL at an empty database or at one Routix made")
        if self.empty:
            return f"the database is empty: the bots create revision {self.head} at start, as does `routix db upgrade`"
        if self.current is None:
            return (f"the database was made before migrations (its tables are revision {self.legacy}), this version "
                    f"needs {self.head}: {UPGRADE}")
        return f"the database schema is at revision {self.current}, this version needs {self.head}: {UPGRADE}"


@functools.cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


@functools.cache
def revisions() -> frozenset[str]:
    return frozenset(script.revision for script in scripts().walk_revisions())


def head() -> str:
    return str(scripts().get_current_head())


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an alembic.ini; env.py runs on `connection`."""
    settings = Config()
    settings.set_main_option("script_location", str(HERE).replace("%", "%%"))
    settings.set_main_option("path_separator", "os")
    settings.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    settings.attributes["connection"] = connection
    return settings


def revision_of(connection: Connection) -> Revision:
    current = MigrationContext.configure(connection).get_current_revision()
    ours = LEGACY[0][1] | SINCE_MIGRATIONS
    tables = frozenset(inspect(connection).get_table_names()) & ours
    legacy = None
    if current is None and tables:
        legacy = next((revision for revision, names in LEGACY if tables == names), None)
    return Revision(current, head(), legacy, tables)


@contextmanager
def locked(engine: Engine) -> Iterator[Connection]:
    """One transaction that processes starting together take in turns; committed when the block ends."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the others wait in SQLite's busy handler
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        yield connection
        connection.commit()


def at_start(engine: Engine) -> Revision:
    """What a starting process does (see the module's docstring); returns where the database stands after."""
    with locked(engine) as connection:
        state = revision_of(connection)
        if state.at_head:
            return state
        if engine.dialect.name != "sqlite" and not state.empty:
            raise SchemaOutdated(state.problem())
        return _upgrade(connection, state)


def upgrade(engine: Engine) -> tuple[Revision, Revision]:
    """`routix db upgrade`: the database before and after."""
    with locked(engine) as connection:
        before = revision_of(connection)
        return before, before if before.at_head else _upgrade(connection, before)


def _upgrade(connection: Connection, state: Revision) -> Revision:
    if not state.known or (state.current is None and not state.empty and state.legacy is None):
        raise SchemaError(state.problem())
    settings = config(connection)
    if state.legacy is not None:
        command.stamp(settings, state.legacy)
    command.upgrade(settings, "head")
    if state.legacy is not None:  # tables of that revision's names: are their columns there too?
        missing = [_name(difference) for difference in differences(connection)
                   if isinstance(difference, tuple) and difference[0] in ("add_table", "add_column")]
        if missing:
            raise SchemaError(f"the database was made before migrations but lacks {', '.join(missing)}: it is not "
                              "the schema of any Routix release; nothing was changed")
    after = revision_of(connection)
    log.info("database schema: %s → %s", state.describe(), after.describe())
    return after


def _name(difference: tuple) -> str:
    if difference[0] == "add_table":
        return f"table {difference[1].name}"
    return f"column {difference[2]}.{difference[3].name}"


def differences(connection: Connection) -> list:
    """What autogenerate would change to make the database what the models describe ([] when they agree)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [difference for difference in compare_metadata(context, SQLModel.metadata)
            if not (isinstance(difference, tuple) and difference[0] == "remove_table"
                    and difference[1].name == VERSION_TABLE)]


def new_revision(message: str) -> Path:
    """`routix db revision -m MESSAGE`: autogenerate the models' changes since head into versions/ (compared on a
    scratch SQLite database migrated to head, so it never needs or touches yours). Review it before committing."""
    from storage.engine import create_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            with locked(engine) as connection:
                _upgrade(connection, revision_of(connection))
                number = max(int(revision) for revision in revisions() if revision.isdigit()) + 1
                script = command.revision(config(connection), message=message, autogenerate=True,
                                          rev_id=f"{number:04d}")
        finally:
            engine.dispose()
    scripts.cache_clear()
    revisions.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


__all__ = ["Revision", "SchemaError", "SchemaOutdated", "at_start", "differences", "head", "new_revision",
           "revision_of", "upgrade"]
