"""Archived scenarios: when a coordinator archived a scenario, and with which token.

An archived scenario keeps every row it had (its versions, offers and jobs): only these two columns
say it is archived, and restoring it clears them. Both are nullable, so existing scenarios stay
active and the columns are added in place on SQLite and PostgreSQL alike. Downgrading drops them:
every archived scenario is then active again (nothing else of it is lost).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-18
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forcepack.api.tables import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("scenarios", sa.Column("archived_at", UtcDateTime, nullable=True))
    op.add_column("scenarios", sa.Column("archived_by", sa.String(80), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place: no copy of a table that others reference.
    op.drop_column("scenarios", "archived_by")
    op.drop_column("scenarios", "archived_at")
