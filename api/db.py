"""The database: an engine per URL, transactions that say whether they write, and migrations.

SQLite (the default) runs in WAL mode with a busy timeout; a write transaction takes the write
lock up front (`BEGIN IMMEDIATE`), so two writers queue instead of failing half-way (the
threads of one process queue on a lock of their own first), and
transactions that acknowledge a user's write (offers, scenarios, tokens) commit with
`synchronous=FULL`. PostgreSQL is used as it comes (psycopg 3), by URL.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

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
    if is_sqlite and parsed.database and not Path(parsed.database).exists():
        # A new database file is the owner's alone (offers, red lines, token hashes): SQLite
        # creates its journal files with the same permissions.
        with suppress(OSError):
            os.close(os.open(parsed.database, os.O_CREAT | os.O_WRONLY, 0o600))
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


def script_revisions() -> tuple[tuple[str, ...], frozenset[str]]:
    """The head revisions of the migration scripts, and every revision they hold (no database needed)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(files("forcepack.api") / "migrations"))
    scripts = ScriptDirectory.from_config(config)
    return tuple(scripts.get_heads()), frozenset(r.revision for r in scripts.walk_revisions())


SQLITE_HEADER = b"SQLite format 3\x00"
SERVICE_TABLES = frozenset({"alembic_version", "scenarios", "offer_versions", "tokens", "jobs"})
"""Tables every revision of the service's database holds."""


class NotServiceDatabase(ValueError):
    """A file that is not the service's SQLite database (`reason` says why)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} is not a forcepack database: {reason}")
        self.path, self.reason = path, reason


def sqlite_file_revision(path: Path) -> str | None:
    """The migration revision of the service's SQLite database at `path`, read without writing a
    byte to it or beside it; `NotServiceDatabase` for any other file.

    SQLAlchemy's connections turn WAL on (which rewrites the file's header and makes `-wal` and
    `-shm` files) and migrations create tables: a command pointed at the wrong file must find out
    before either. The header is read first (an empty or non-SQLite file is never opened by
    SQLite); then SQLite opens it read-only, and `immutable` when no `-wal` file exists beside it
    (nothing to read from one, and SQLite then makes no `-shm` file either)."""
    path = path.resolve()
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if not header:
        raise NotServiceDatabase(path, "the file is empty")
    if header != SQLITE_HEADER:
        raise NotServiceDatabase(path, "the file is not a SQLite database")
    wal = path.with_name(path.name + "-wal")
    mode = "ro" if wal.exists() else "ro&immutable=1"
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True)) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = sorted(SERVICE_TABLES - tables)
            if missing:
                raise NotServiceDatabase(path, f"it has no table {', '.join(missing)}")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise NotServiceDatabase(path, f"SQLite cannot read it ({exc})") from None
    revision = str(rows[0][0]) if len(rows) == 1 else None
    if revision not in script_revisions()[1]:
        raise NotServiceDatabase(path, f"its migration revision {revision or 'none'} is none of forcepack's")
    return revision


def current_revision(database: Database) -> str | None:
    """The revision the database is at, None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
