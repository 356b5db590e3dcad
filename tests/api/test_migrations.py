"""The database: migrations from empty, one head, tables as declared, history the database will not rewrite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError

from forcepack.api.db import Database, current_revision, downgrade, heads, upgrade
from forcepack.api.tables import Base, OfferVersionRow, ScenarioRow, ScenarioVersionRow, utcnow


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An empty SQLite database file."""
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    yield db
    db.dispose()


def _one_offer(database: Database) -> None:
    now = utcnow()
    with database.write() as session:
        session.add(ScenarioRow(id="s", parts={}, version=1, etag='"1"', created_at=now, updated_at=now))
        session.flush()
        session.add(ScenarioVersionRow(scenario_id="s", version=1, parts={}, written_by="t", written_at=now))
        session.add(OfferVersionRow(scenario_id="s", nation="IDN", version=1, offer={}, written_by="t", written_at=now))


def test_migrations_one_head(database: Database) -> None:
    """The migration history is linear: exactly one head."""
    assert len(heads(database)) == 1


def test_migrations_upgrade_from_empty_matches_the_tables(database: Database) -> None:
    """From an empty database, `upgrade head` creates exactly the tables the code declares."""
    assert current_revision(database) is None
    upgrade(database)
    assert current_revision(database) == heads(database)[0]
    names = set(inspect(database.engine).get_table_names())
    assert names >= {"scenarios", "scenario_versions", "offer_versions", "tokens", "jobs"}
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrations_downgrade_to_empty_and_back(database: Database) -> None:
    """Downgrading to base leaves no table of ours; upgrading again restores them."""
    upgrade(database)
    downgrade(database, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(database)
    _one_offer(database)


@pytest.mark.parametrize("table", ["offer_versions", "scenario_versions"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET written_by = 'someone else'", "DELETE FROM {table}"])
def test_migrations_history_refuses_update_and_delete(database: Database, table: str, statement: str) -> None:
    """The database itself refuses to rewrite or delete history rows; the rows stay as written."""
    upgrade(database)
    _one_offer(database)
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text(statement.format(table=table)))
    with database.read() as session:
        assert session.execute(text(f"SELECT written_by FROM {table}")).scalars().all() == ["t"]


def test_migrations_sqlite_runs_in_wal_with_write_locks_up_front(database: Database) -> None:
    """SQLite: WAL journal, a busy timeout, BEGIN IMMEDIATE for writes, synchronous=FULL for durable ones."""
    upgrade(database)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    with database.write() as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    with database.write("normal") as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]


def test_migrations_memory_database_is_refused() -> None:
    """An in-memory SQLite database (not shared between threads) is refused with what was expected."""
    with pytest.raises(ValueError, match="Expected a file database"):
        Database("sqlite:///:memory:")


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        (
            "offer_versions",
            "INSERT OR REPLACE INTO offer_versions (scenario_id, nation, version, offer, written_by, written_at) "
            "VALUES ('s', 'IDN', 1, '{}', 'someone else', '2026-01-01')",
        ),
        (
            "scenario_versions",
            "INSERT OR REPLACE INTO scenario_versions (scenario_id, version, parts, written_by, written_at) "
            "VALUES ('s', 1, '{}', 'someone else', '2026-01-01')",
        ),
    ],
)
def test_migrations_history_refuses_insert_or_replace(database: Database, table: str, statement: str) -> None:
    """SQLite's `INSERT OR REPLACE` deletes the row it replaces without firing delete triggers: the
    history refuses it too, and the row stays as written."""
    upgrade(database)
    _one_offer(database)
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text(statement))
    with database.read() as session:
        assert session.execute(text(f"SELECT written_by FROM {table}")).scalars().all() == ["t"]
