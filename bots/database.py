"""`routix db …`: the database schema's migrations (storage/migrations) on DATABASE_URL."""

from __future__ import annotations

import argparse
import sys

from bots.settings import Settings
from storage import migrations
from storage.engine import create_engine


def add_commands(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="the database schema: upgrade, current, revision")
    actions = db.add_subparsers(dest="db_command", required=True)
    actions.add_parser("upgrade", help="migrate DATABASE_URL to this version's schema (SQLite also does at start)")
    actions.add_parser("current", help="print the database's revision; exit status 1 when it is not the latest")
    revision = actions.add_parser("revision", help="developers: write a migration for the changes in storage/tables.py")
    revision.add_argument("-m", "--message", required=True, help="what the migration does, e.g. 'add a topics table'")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "revision":
        print(migrations.new_revision(args.message))
        return 0
    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            before, after = migrations.upgrade(engine)
            print(f"database schema: {before.describe()} → {after.describe()}" if before != after
                  else f"database schema: {after.describe()}, nothing to do")
            return 0
        with engine.connect() as connection:
            state = migrations.revision_of(connection)
        print(f"database schema: {state.describe()}")
        if state.problem():
            print(state.problem(), file=sys.stderr)
        return 0 if state.at_head else 1
    except migrations.SchemaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
