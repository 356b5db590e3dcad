"""The database: migrations from empty, one head, tables as declared, history the database will not rewrite."""

from __future__ import annotations

import json
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
        session.add(ScenarioRow(id="s", parts={}, nations=[], version=1, etag='"1"', created_at=now, updated_at=now))
        session.flush()
        session.add(ScenarioVersionRow(scenario_id="s", version=1, parts={}, written_by="t", written_at=now))
        session.add(
            OfferVersionRow(
                scenario_id="s", nation="IDN", version=1, offer={}, written_by="t", written_at=now, size_bytes=2
            )
        )


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


def test_migrations_0003_fills_sizes_and_nations_and_keeps_the_history_append_only(database: Database) -> None:
    """Rows stored before revision 0003 get their offer's canonical size and their scenario's listed
    nations; the history refuses UPDATE again afterwards; down to 0002 the rows stay as written."""
    check_0003_backfill(database)


def check_0003_backfill(database: Database) -> None:
    """Revision 0003 on a database holding rows of 0002 (SQLite here, PostgreSQL in `test_postgres`)."""
    import sqlalchemy as sa

    from forcepack.api.documents import offer_size
    from forcepack.api.tables import Json, UtcDateTime

    upgrade(database, "0002")
    scenarios = sa.table(
        "scenarios",
        *(sa.column(c) for c in ("id", "version", "etag")),
        sa.column("parts", Json),
        sa.column("created_at", UtcDateTime),
        sa.column("updated_at", UtcDateTime),
    )
    offers = sa.table(
        "offer_versions",
        *(sa.column(c) for c in ("scenario_id", "nation", "version", "written_by")),
        sa.column("offer", Json),
        sa.column("written_at", UtcDateTime),
    )
    offer = {"units": [{"id": "idn-eng", "capability": "engineer", "count": 2, "personnel": 180, "note": "é"}]}
    parts = {"name": "s", "nations": [{"code": "IDN"}, {"code": "MAR", "groups": ["oic"]}]}
    now = utcnow()
    with database.write() as session:
        session.execute(
            sa.insert(scenarios).values(id="s", version=1, etag='"1"', parts=parts, created_at=now, updated_at=now)
        )
        for version, stored in ((1, offer), (2, {})):
            session.execute(
                sa.insert(offers).values(
                    scenario_id="s", nation="IDN", version=version, written_by="t", offer=stored, written_at=now
                )
            )
    upgrade(database)
    with database.read() as session:
        assert session.scalars(sa.select(ScenarioRow.nations)).one() == ["IDN", "MAR"]
        sizes = session.scalars(sa.select(OfferVersionRow.size_bytes).order_by(OfferVersionRow.version)).all()
    assert sizes == [offer_size(offer), 2]
    # UTF-8 as written, not \u escapes: "é" is 2 bytes, not the 6 of "\u00e9".
    assert offer_size(offer) == len(json.dumps(offer, sort_keys=True, separators=(",", ":")).encode()) - 4
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text("UPDATE offer_versions SET size_bytes = 0"))
    downgrade(database, "0002")
    with database.read() as session:
        assert session.execute(text("SELECT count(*) FROM offer_versions")).scalar_one() == 2
        assert session.scalars(sa.select(scenarios.c.parts)).one() == parts


def test_migrations_0004_adds_the_archive_and_keeps_the_rows(database: Database) -> None:
    """Revision 0004 leaves the scenarios stored before it active; down to 0003 an archived scenario
    is active again and keeps every row it had."""
    check_0004_archive(database)


def check_0004_archive(database: Database) -> None:
    """Revision 0004 on a database holding rows of 0003 (SQLite here, PostgreSQL in `test_postgres`)."""
    import sqlalchemy as sa

    from forcepack.api.tables import Json, UtcDateTime

    upgrade(database, "0003")
    scenarios = sa.table(
        "scenarios",
        *(sa.column(c) for c in ("id", "version", "etag")),
        sa.column("parts", Json),
        sa.column("nations", Json),
        sa.column("created_at", UtcDateTime),
        sa.column("updated_at", UtcDateTime),
    )
    parts = {"name": "s", "nations": [{"code": "IDN"}]}
    now = utcnow()
    with database.write() as session:
        session.execute(
            sa.insert(scenarios).values(
                id="s", version=1, etag='"1"', parts=parts, nations=["IDN"], created_at=now, updated_at=now
            )
        )
        session.add(ScenarioVersionRow(scenario_id="s", version=1, parts=parts, written_by="t", written_at=now))
    upgrade(database)
    with database.write() as session:
        row = session.get(ScenarioRow, "s")
        assert row is not None and row.archived_at is None and row.archived_by is None
        row.archived_at, row.archived_by = utcnow(), "t"
    downgrade(database, "0003")
    assert {c["name"] for c in inspect(database.engine).get_columns("scenarios")} >= {"id", "parts", "nations"}
    assert "archived_at" not in {c["name"] for c in inspect(database.engine).get_columns("scenarios")}
    with database.read() as session:
        assert session.scalars(sa.select(scenarios.c.parts)).one() == parts
        assert session.execute(text("SELECT count(*) FROM scenario_versions")).scalar_one() == 1
    upgrade(database)
    with database.read() as session:
        row = session.get(ScenarioRow, "s")
        assert row is not None and row.archived_at is None
