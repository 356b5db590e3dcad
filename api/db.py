"""The database: an engine per URL, transactions that say whether they write, and migrations.

SQLite (the default) runs in WAL mode with a busy timeout; a write transaction takes the write
lock up front (`BEGIN IMMEDIATE`), so two writers queue instead of failing half-way (the
threads of one process queue on a lock of their own first), and
transactions that acknowledge a user's write (offers, scenarios, tokens) commit with
`synchronous=FULL`. PostgreSQL is used as it comes (psycopg 3), by URL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger("forcepack.api.db")

Durability = Literal["normal", "durable"]
POOL_SIZE = 24
"""Connections kept open; as many more may be opened under load."""
_WRITE_OPTION = "forcepack_write"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys; BEGIN IMMEDIATE for writes, synchronous=FULL for durable ones."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # The driver's own transaction handling is turned off: the `begin` hook below issues
        # BEGIN itself, so SQLAlchemy's transactions are SQLite's (the SQLAlchemy docs' recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_WRITE_OPTION)
        if mode is None:
            connection.exec_driver_sql("BEGIN")
            return
        # The setting applies to this connection's commits; it cannot change inside a transaction.
        connection.exec_driver_sql("PRAGMA synchronous=FULL" if mode == "durable" else "PRAGMA synchronous=NORMAL")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    """An engine for `url`, with the SQLite settings above when it is SQLite."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database in (None, "", ":memory:"):
        raise ValueError("Expected a file database: an in-memory SQLite database is not shared between threads.")
    connect_args: dict[str, Any] = {"check_same_thread": False} if is_sqlite else {}
    # Every request thread (FastAPI runs `def` routes on up to 40) may hold a connection at once.
    engine = create_engine(
        parsed, connect_args=connect_args, pool_pre_ping=not is_sqlite, pool_size=POOL_SIZE, max_overflow=POOL_SIZE
    )
    if is_sqlite:
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


class Database:
    """The service's database: read transactions, write transactions, migrations."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        self._writer = threading.Lock() if self.engine.dialect.name == "sqlite" else None
        self._busy_timeout_s = busy_timeout_ms / 1000
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = {
            mode: sessionmaker(self.engine.execution_options(**{_WRITE_OPTION: mode}), expire_on_commit=False)
            for mode in ("normal", "durable")
        }

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction: one consistent snapshot, never takes the write lock; rolled back at the end."""
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self, durability: Durability = "durable") -> Iterator[Session]:
        """A write transaction, committed when the block ends without an exception.

        `durable` commits reach the disk before returning (SQLite `synchronous=FULL`): use it for
        anything acknowledged to a user; `normal` for bookkeeping a crash may lose (job progress).
        """
        if self._writer is None:
            with self._write[durability]() as session, session.begin():
                yield session
            return
        # SQLite: one writer at a time in any case. Queue the threads of this process on a lock,
        # rather than on SQLite's busy handler, which polls with sleeps of up to 100 ms: under 50
        # concurrent writers the lock sat free while waiters slept, and some waited out the whole
        # timeout (503). Other processes still meet the busy timeout.
        if not self._writer.acquire(timeout=self._busy_timeout_s):
            raise PoolTimeout("the write lock was not obtained within the busy timeout")
        try:
            with self._write[durability]() as session, session.begin():
                yield session
        finally:
            self._writer.release()

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


# -- migrations ---------------------------------------------------------------------------


def alembic_config(database: Database) -> Any:
    """Alembic's configuration for this database (migrations in `api/migrations`)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("forcepack.api") / "migrations"))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["database"] = database
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Apply migrations up to `revision` (all of them by default)."""
    from alembic import command

    command.upgrade(alembic_config(database), revision)


def downgrade(database: Database, revision: str) -> None:
    """Undo migrations down to `revision` (`base`: an empty database)."""
    from alembic import command

    command.downgrade(alembic_config(database), revision)


def heads(database: Database) -> tuple[str, ...]:
    """The head revisions of the migration scripts (one, when the history is linear)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(database)).get_heads())


def current_revision(database: Database) -> str | None:
    """The revision the database is at, None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
