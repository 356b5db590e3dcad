"""Hardening: a failed job's detail kept apart from its public message; token expiry; the service's
secret key for keyed hashes; history rows that not even `INSERT OR REPLACE` can rewrite.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forcepack.api.tables import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_KEYS = {"offer_versions": ("scenario_id", "nation", "version"), "scenario_versions": ("scenario_id", "version")}
"""Each history table's identity: a row inserted with one already present would replace it."""
FAILED_PUBLIC = "the job failed unexpectedly; the error is logged"
"""What jobs failed before this revision say to every role (their text moves to `error_detail`)."""
SERVER_STOPPED = "the server stopped%"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("error_detail", sa.Text, nullable=True))
    # A failed job's text was an exception's, and every role read it: from now on only coordinators do.
    op.execute(
        sa.text(
            "UPDATE jobs SET error_detail = error, error = :public "
            "WHERE status = 'failed' AND error IS NOT NULL AND error NOT LIKE :stopped"
        ).bindparams(public=FAILED_PUBLIC, stopped=SERVER_STOPPED)
    )
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("expires_at", UtcDateTime, nullable=True))
    op.create_table(
        "service_keys",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # `INSERT OR REPLACE` deletes the row it replaces without firing delete triggers (SQLite
        # fires them only with recursive triggers on): refuse any insert that would replace one.
        for table, keys in HISTORY_KEYS.items():
            same = " AND ".join(f"{key} = NEW.{key}" for key in keys)
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {same}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: replacing a row refused'); END"
            )
    # PostgreSQL: `INSERT ... ON CONFLICT DO UPDATE` fires the UPDATE triggers of revision 0001.


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in HISTORY_KEYS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    op.drop_table("service_keys")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("expires_at")
    op.execute(sa.text("UPDATE jobs SET error = error_detail WHERE error_detail IS NOT NULL"))
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_detail")
