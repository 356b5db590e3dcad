"""Initial tables: scenarios and their versions, offer versions (append-only), tokens, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forcepack.api.tables import Json, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("offer_versions", "scenario_versions")
"""History tables the database itself refuses to rewrite."""


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("parts", Json, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("scenario_id", sa.String(80), sa.ForeignKey("scenarios.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("parts", Json, nullable=False),
        sa.Column("written_by", sa.String(80), nullable=False),
        sa.Column("written_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "offer_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.String(80), sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("nation", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("offer", Json, nullable=False),
        sa.Column("written_by", sa.String(80), nullable=False),
        sa.Column("written_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("scenario_id", "nation", "version", name="uq_offer_versions_version"),
        sa.CheckConstraint("version >= 1", name="ck_offer_versions_version"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("nation", sa.String(16), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        sa.CheckConstraint("role IN ('coordinator', 'delegate', 'observer')", name="ck_tokens_role"),
        sa.CheckConstraint("(role = 'delegate') = (nation IS NOT NULL)", name="ck_tokens_nation"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(80), sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("offer_versions", Json, nullable=False),
        sa.Column("params", Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", Json, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=True),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="ck_jobs_status"),
        sa.UniqueConstraint("created_by", "idempotency_key", name="uq_jobs_idempotency_key"),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])
    op.create_index("ix_jobs_scenario_id", "jobs", ["scenario_id"])
    for table in APPEND_ONLY:
        _refuse_rewrites(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        _allow_rewrites(table)
    op.drop_index("ix_jobs_scenario_id", table_name="jobs")
    op.drop_index("ix_jobs_status", table_name="jobs")
    for table in ("jobs", "tokens", "offer_versions", "scenario_versions", "scenarios"):
        op.drop_table(table)


def _refuse_rewrites(table: str) -> None:
    """Triggers that make `table` append-only: UPDATE and DELETE (and TRUNCATE) fail."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION forcepack_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forcepack_refuse_rewrite()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION forcepack_refuse_rewrite()"
        )
    else:
        raise NotImplementedError(f"append-only triggers for {dialect}")


def _allow_rewrites(table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        if table == APPEND_ONLY[-1]:
            op.execute("DROP FUNCTION IF EXISTS forcepack_refuse_rewrite()")
