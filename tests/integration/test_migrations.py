"""Schema migrations on SQLite files and PostgreSQL schemas: what an empty database becomes, what an upgrade keeps,
what the bots do at start (SQLite migrates itself; PostgreSQL refuses an outdated schema), and `routix db`."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from bots.bootstrap import build
from core.ai import Budget
from core.algorithms import SEED_ALGORITHMS
from core.credits import default_tiers, utcnow
from core.domain import Generation, Job, JobKind
from core.messages import Address
from core.ports import Acceptance, Outcome
from core.templates import SEED_TEMPLATES
from storage import migrations
from storage.engine import create_engine
from storage.store import SqlStore
from tests.conftest import (
    drop_postgres_schema,
    fresh_postgres_schema,
    make_settings,
    thread_providers,
)

REPO = Path(__file__).resolve().parents[2]
HEAD = migrations.head()
BASELINE = "0001"


@dataclass
class Database:
    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    schema = postgres = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'routix.db'}"
    else:
        postgres = request.getfixturevalue("postgres_url")
        schema, url = await fresh_postgres_schema(postgres)
    engine = create_engine(url, pool_size=4)
    yield Database(url, engine)
    engine.dispose()
    if schema:
        await drop_postgres_schema(postgres, schema)  # type: ignore[arg-type]


@pytest.fixture
async def postgres(postgres_url: str) -> AsyncIterator[Database]:
    schema, url = await fresh_postgres_schema(postgres_url)
    engine = create_engine(url)
    yield Database(url, engine)
    engine.dispose()
    await drop_postgres_schema(postgres_url, schema)


def at_revision(engine: Engine, revision: str) -> None:
    with migrations.locked(engine) as connection:
        command.upgrade(migrations.config(connection), revision)


def downgraded(engine: Engine, revision: str) -> None:
    with migrations.locked(engine) as connection:
        command.downgrade(migrations.config(connection), revision)


def revision_of(engine: Engine) -> migrations.Revision:
    with engine.connect() as connection:
        return migrations.revision_of(connection)


def differences(engine: Engine) -> list:
    with engine.connect() as connection:
        return migrations.differences(connection)


RETIRED = sa.MetaData()  # tables those versions had and the models no longer do, as `create_all` made them
MESSAGES = sa.Table("messages", RETIRED, sa.Column("id", sa.Uuid(), primary_key=True),
                    sa.Column("conversation_id", sa.Uuid(), nullable=False, index=True),
                    sa.Column("role", sa.String(), nullable=False), sa.Column("text", sa.String(), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))


def created_by_create_all(engine: Engine, revision: str) -> None:
    """A database as versions before migrations left it: what `create_all` made then, which is what the revision
    it is recognised as makes, without the version table."""
    at_revision(engine, revision)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {migrations.VERSION_TABLE}"))


def routix(args: list[str], database_url: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ROUTIX_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, **env}
    return subprocess.run([sys.executable, "-m", "bots.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=environment, timeout=60, check=False)


async def test_an_empty_database_migrated_to_head_is_what_the_models_describe(database: Database) -> None:
    before, after = migrations.upgrade(database.engine)
    assert before.empty and after.current == HEAD and after.at_head
    assert differences(database.engine) == []
    assert after.tables == frozenset(SQLModel.metadata.tables), "every table of the models"
    assert migrations.upgrade(database.engine)[1] == after, "a second upgrade has nothing to do"


async def test_postgres_columns_of_uuids_are_native_uuid_and_times_carry_their_zone(postgres: Database) -> None:
    migrations.upgrade(postgres.engine)
    with postgres.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        found = {(table, column): kind for table, column, kind in connection.execute(text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = :s"),
            {"s": schema})}
    uuids = {(table.name, column.name) for table in SQLModel.metadata.tables.values() for column in table.columns
             if isinstance(column.type, sa.Uuid)}
    times = {(table.name, column.name) for table in SQLModel.metadata.tables.values() for column in table.columns
             if isinstance(column.type, UTCDateTime)}
    assert len(uuids) >= 20 and {("users", "id"), ("paid_calls", "generation_id"), ("jobs", "user_id")} <= uuids
    assert {key: found[key] for key in uuids} == dict.fromkeys(uuids, "uuid")
    assert times and {key: found[key] for key in times} == dict.fromkeys(times, "timestamp with time zone")
    assert found[("alembic_version", "version_num")] == "character varying", "the version table is in the schema"


async def test_upgrading_from_the_baseline_keeps_the_data_and_the_new_tables_work(database: Database) -> None:
    migrations.upgrade(database.engine)
    store = SqlStore(database.engine)  # what the first version wrote: a person, credits, a request, its job
    await store.seed(SEED_ALGORITHMS, SEED_TEMPLATES, default_tiers(0, "month", 100, "month"))
    user = await store.ensure_user("telegram", "42", "Dana")
    now = utcnow()
    await store.grant(user.id, 5, "gift", now)
    made = Generation(id=uuid.uuid4(), user_id=user.id, conversation_id=None, platform="telegram", chat_id="42",
                      algorithm="basic", prompt="a cat", title="CAT", seed=7, cost=2)
    job = Job(id=uuid.uuid4(), kind=JobKind.RENDER, user_id=user.id, address=Address("telegram", "42", "42"),
              language="en", generation_ids=(made.id,))
    accepted = await store.accept(Acceptance(job, (made,), now, lease_owner="old", lease_until=now + timedelta(1)))
    assert accepted.outcome == Outcome.ACCEPTED
    chat = await store.conversation("telegram", "42")
    downgraded(database.engine, BASELINE)  # each later revision's columns and tables go, as the first one had it
    assert revision_of(database.engine).current == BASELINE
    assert {"paid_calls", "budgets"}.isdisjoint(inspect(database.engine).get_table_names())
    with database.engine.begin() as connection:  # the first version kept each request's text per chat
        connection.execute(MESSAGES.insert().values(id=uuid.uuid4(), conversation_id=chat.id, role="user",
                                                    text="a cat", created_at=now))

    before, after = migrations.upgrade(database.engine)
    assert "messages" not in inspect(database.engine).get_table_names(), "request texts no person could /forget"
    assert (await store.conversation("telegram", "42")) == chat
    assert (before.current, after.current) == (BASELINE, HEAD)
    assert differences(database.engine) == []
    assert (await store.find_user("telegram", "42")) == user
    assert (await store.account(user.id, utcnow())).balance == 3 == await store.ledger_total(user.id)
    kept = await store.get_generation(made.id)
    assert kept is not None and (kept.prompt, kept.title, kept.seed, kept.cost) == ("a cat", "CAT", 7, 2)
    assert await store.fail_job(job.id, "old", {"code": "failed"}), "the job carries on under the new schema"
    assert (await store.account(user.id, utcnow())).balance == 5, "and its refund too (its hold's period is now's)"
    await store.set_budget(Budget("openai", 12.5, "day"))
    assert await store.budgets() == [Budget("openai", 12.5, "day")]
    await store.close()


async def test_processes_starting_together_on_an_empty_database_migrate_it_once(database: Database) -> None:
    stores = [SqlStore(create_engine(database.url, pool_size=1)) for _ in range(4)]
    try:
        await asyncio.gather(*(store.create_schema() for store in stores))
    finally:
        await asyncio.gather(*(store.close() for store in stores))
    assert revision_of(database.engine).at_head and differences(database.engine) == []


@pytest.mark.parametrize("stamped", [BASELINE, migrations.LEGACY[0][0]], ids=["baseline", "with-paid-calls"])
async def test_a_sqlite_file_create_all_made_before_migrations_is_stamped_and_upgraded_at_start(
        tmp_path: Path, stamped: str) -> None:
    settings = make_settings(tmp_path / "data")
    engine = create_engine(settings.database_url)
    created_by_create_all(engine, stamped)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, display_name, tier, banned, created_at) VALUES "
                                "('0123456789abcdef0123456789abcdef', 'Old', 'free', 0, '2025-01-01 00:00:00')"))
    legacy = revision_of(engine)
    assert (legacy.current, legacy.legacy) == (None, stamped) and "made before migrations" in legacy.describe()
    app = build(settings, role="console", providers=thread_providers())
    await app.start()
    try:
        assert (await app.store.get_user(uuid.UUID("0123456789abcdef0123456789abcdef"))).display_name == "Old"
        await app.store.set_budget(Budget("all", 3.0, "month"))
    finally:
        await app.aclose()
    assert revision_of(engine).current == HEAD and differences(engine) == []
    engine.dispose()


async def test_a_legacy_file_without_a_column_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'routix.db'}")
    created_by_create_all(engine, BASELINE)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE jobs DROP COLUMN notified"))
    with pytest.raises(migrations.SchemaError, match=r"lacks column jobs\.notified"):
        migrations.at_start(engine)
    names = set(inspect(engine).get_table_names())
    assert names == migrations.BASELINE_TABLES, "no alembic_version, no new table: the migration was rolled back"
    engine.dispose()


async def test_a_revision_this_version_does_not_know_is_refused(database: Database) -> None:
    migrations.upgrade(database.engine)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrations.SchemaError, match="9999, which this version does not know"):
        migrations.at_start(database.engine)


async def test_postgres_at_the_baseline_is_refused_until_routix_db_upgrade(postgres: Database,
                                                                         tmp_path: Path) -> None:
    at_revision(postgres.engine, BASELINE)
    settings = make_settings(tmp_path / "data", postgres.url)
    app = build(settings, role="console", providers=thread_providers())
    with pytest.raises(migrations.SchemaOutdated) as refused:
        await app.start()
    await app.aclose()
    assert str(refused.value) == (f"the database schema is at revision {BASELINE}, this version needs {HEAD}: run "
                                  "`routix db upgrade` (with this DATABASE_URL) once, then start the bots")
    assert revision_of(postgres.engine).current == BASELINE, "the bot changed nothing"

    bot = routix(["telegram"], postgres.url, tmp_path / "data", TELEGRAM_BOT_TOKEN="1:x")
    assert bot.returncode == 2 and "run `routix db upgrade`" in bot.stderr and "Traceback" not in bot.stderr
    current = routix(["db", "current"], postgres.url, tmp_path / "data")
    assert current.returncode == 1 and current.stdout.strip() == f"database schema: {BASELINE}"
    upgraded = routix(["db", "upgrade"], postgres.url, tmp_path / "data")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"database schema: {BASELINE} → {HEAD} (head)"
    current = routix(["db", "current"], postgres.url, tmp_path / "data")
    assert current.returncode == 0 and current.stdout.strip() == f"database schema: {HEAD} (head)"

    async with build(settings, role="console", providers=thread_providers()) as app:
        assert await app.store.tiers()


async def test_postgres_made_by_create_all_is_refused_then_stamped_by_routix_db_upgrade(postgres: Database,
                                                                                      tmp_path: Path) -> None:
    created_by_create_all(postgres.engine, BASELINE)
    with pytest.raises(migrations.SchemaOutdated, match=rf"made before migrations \(its tables are revision "
                                                        rf"{BASELINE}\), this version needs {HEAD}: run `routix db"):
        migrations.at_start(postgres.engine)
    before, after = migrations.upgrade(postgres.engine)
    assert (before.legacy, after.current) == (BASELINE, HEAD) and differences(postgres.engine) == []


@pytest.fixture
def scratch_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The migrations directory copied, so a generated revision lands in the copy, not in the package."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrations, "HERE", copy)
    migrations.scripts.cache_clear()
    migrations.revisions.cache_clear()
    yield copy
    monkeypatch.undo()
    migrations.scripts.cache_clear()
    migrations.revisions.cache_clear()


def test_routix_db_revision_writes_the_next_numbered_revision(scratch_scripts: Path) -> None:
    path = migrations.new_revision("nothing changed")
    assert path == scratch_scripts / "versions" / f"{int(HEAD) + 1:04d}_nothing_changed.py"
    source = path.read_text()
    assert f"down_revision = {HEAD!r}" in source and "op." not in source, "nothing to do: the models are at head"
    assert migrations.head() == f"{int(HEAD) + 1:04d}"
