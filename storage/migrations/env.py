"""Alembic's environment, run by storage/migrations/__init__.py with the connection it opened (and locked).

Tables are unqualified: on PostgreSQL they, and the alembic_version table, live in the connection's schema (the
first of its search_path, which `?schema=NAME` in DATABASE_URL sets: storage/engine.py). SQLite ALTERs go through
batch mode (a copy of the table), since SQLite alters little in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)


def render_item(kind: str, item: object, _context: object) -> str | bool:
    """Revisions spell plain SQLAlchemy types, not SQLModel's wrappers: the same DDL, and old revisions keep
    importing whatever SQLModel renames later."""
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite", render_item=render_item)
    with context.begin_transaction():  # a no-op inside the caller's transaction, which it commits
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run migrations with `routix db upgrade` (storage/migrations/__init__.py)")
run(connection)
