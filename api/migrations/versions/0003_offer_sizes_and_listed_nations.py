"""Each offer version's stored size (what a nation's history quota counts), and each scenario's
listed nations (what a delegate's access is decided from, without reading the scenario's parts).

Both columns are filled for the rows already stored. Filling `offer_versions.size_bytes` is the one
time a history row is written after the fact: the append-only triggers are set aside for that
UPDATE, inside the migration's single transaction, and are in force again before it commits.

SQLite adds a NOT NULL column only with a default, and drops one only by copying the table: there
`size_bytes` keeps a `DEFAULT 0` the service never relies on (every version it writes has its size);
PostgreSQL drops it once the rows are filled. `nations` defaults to no nation on both (a scenario
written without its nations is seen by no delegate: the default fails closed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-11
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from forcepack.api.tables import Json

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_HISTORY_TRIGGERS = {
    "offer_versions_no_update": "CREATE TRIGGER offer_versions_no_update BEFORE UPDATE ON offer_versions "
    "BEGIN SELECT RAISE(ABORT, 'offer_versions is append-only: UPDATE refused'); END",
}
"""The trigger of revision 0001 that refuses the backfill's UPDATE on SQLite, as 0001 creates it."""
POSTGRES_HISTORY_TRIGGER = "offer_versions_append_only"
"""PostgreSQL's trigger of revision 0001 that refuses UPDATE and DELETE on the offer history."""


def offer_size(offer: Any) -> int:
    """Bytes of a stored offer as canonical JSON, as `api.documents.offer_size` counts them (a copy:
    a migration keeps the rule it was written with)."""
    text = json.dumps(offer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def listed_nations(parts: Any) -> list[str]:
    """Codes of the nations a scenario's parts list, as `api.documents.nation_codes` reads them."""
    nations = parts.get("nations", []) if isinstance(parts, Mapping) else []
    return [str(n["code"]) for n in nations if isinstance(n, Mapping) and "code" in n]


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("scenarios", sa.Column("nations", Json, nullable=False, server_default=sa.text("'[]'")))
    op.add_column("offer_versions", sa.Column("size_bytes", sa.Integer, nullable=False, server_default="0"))

    scenarios = sa.table("scenarios", sa.column("id", sa.String), sa.column("parts", Json), sa.column("nations", Json))
    for scenario_id, parts in bind.execute(sa.select(scenarios.c.id, scenarios.c.parts)).all():
        bind.execute(scenarios.update().where(scenarios.c.id == scenario_id).values(nations=listed_nations(parts)))

    offers = sa.table(
        "offer_versions", sa.column("id", sa.Integer), sa.column("offer", Json), sa.column("size_bytes", sa.Integer)
    )
    if dialect == "sqlite":
        for name in SQLITE_HISTORY_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE offer_versions DISABLE TRIGGER {POSTGRES_HISTORY_TRIGGER}")
    # One row at a time: the history may be large, and only one offer is decoded at once.
    ids = bind.execute(sa.select(offers.c.id).order_by(offers.c.id)).scalars().all()
    for row_id in ids:
        offer = bind.execute(sa.select(offers.c.offer).where(offers.c.id == row_id)).scalar_one()
        bind.execute(offers.update().where(offers.c.id == row_id).values(size_bytes=offer_size(offer)))
    if dialect == "sqlite":
        for statement in SQLITE_HISTORY_TRIGGERS.values():
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE offer_versions ENABLE TRIGGER {POSTGRES_HISTORY_TRIGGER}")
        op.alter_column("offer_versions", "size_bytes", server_default=None)


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place: no copy of a table that others reference.
    op.drop_column("offer_versions", "size_bytes")
    op.drop_column("scenarios", "nations")
