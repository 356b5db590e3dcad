"""Alembic's entry point: runs the migrations on the service's own engine (`api.db.Database`)."""

from __future__ import annotations

from alembic import context

from forcepack.api.db import Database
from forcepack.api.tables import Base

config = context.config
target_metadata = Base.metadata


def _database() -> Database:
    database = config.attributes.get("database")
    if isinstance(database, Database):
        return database
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: set sqlalchemy.url or pass a Database in config.attributes")
    return Database(url)


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (`alembic upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations in one write transaction (SQLite: `BEGIN IMMEDIATE`, DDL included)."""
    database = _database()
    engine = database.engine.execution_options(forcepack_write="durable")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transactional_ddl=True,
            render_as_batch=database.dialect == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
