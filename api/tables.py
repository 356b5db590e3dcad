"""The service's tables (SQLAlchemy 2, declarative, typed). `api/migrations/` creates them.

- `scenarios`: the coordinator's parts of each scenario (everything but the offers), current version,
  the codes of the nations it lists (who may see it is decided from them, without its parts), and
  when it was archived (an archived scenario keeps all its rows; only coordinators see it).
- `scenario_versions`: every version of those parts, append-only, so a job can be reproduced.
- `offer_versions`: every version of every nation's offer, append-only (the database refuses
  UPDATE and DELETE), with its stored size; the latest version of each nation is its current offer.
- `tokens`: bearer tokens, as sha256 hashes only, with an optional expiry.
- `service_keys`: the service's own secrets (the key of the ETags and digests non-owners see).
- `jobs`: solves, with the exact versions they used, their state and their answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ROLES = ("coordinator", "delegate", "observer")

Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Base of the service's tables."""


class ScenarioRow(Base):
    """A scenario's coordinator parts, as currently in force."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    parts: Mapped[dict[str, Any]] = mapped_column(Json)
    version: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    nations: Mapped[list[str]] = mapped_column(Json, server_default=text("'[]'"))
    """Codes of the nations `parts` lists, kept with every write of `parts`: a delegate's access is
    decided from them before `parts` (as large as a scenario file) is read, so that the time of a
    404 tells nothing of the size of a scenario the delegate may not see. None by default: a row
    written without them is seen by no delegate."""
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """When a coordinator archived it (None: active). Archived, it is read by coordinators alone,
    left out of the lists, and takes no change and no new job until it is restored."""
    archived_by: Mapped[str | None] = mapped_column(String(80))
    """The id of the token that archived it."""


class ScenarioVersionRow(Base):
    """One version of a scenario's coordinator parts (append-only)."""

    __tablename__ = "scenario_versions"

    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    parts: Mapped[dict[str, Any]] = mapped_column(Json)
    written_by: Mapped[str] = mapped_column(String(80))
    written_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class OfferVersionRow(Base):
    """One version of one nation's offer to one scenario (append-only)."""

    __tablename__ = "offer_versions"
    __table_args__ = (
        UniqueConstraint("scenario_id", "nation", "version", name="uq_offer_versions_version"),
        CheckConstraint("version >= 1", name="ck_offer_versions_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"))
    nation: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    offer: Mapped[dict[str, Any]] = mapped_column(Json)
    written_by: Mapped[str] = mapped_column(String(80))
    written_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    size_bytes: Mapped[int] = mapped_column(Integer)
    """Bytes of `offer` as canonical JSON (`api.documents.offer_size`): what the nation's quota of
    stored history counts, summed without reading the offers."""


class TokenRow(Base):
    """A bearer token: only its sha256 is kept; the token itself is shown once, when made."""

    __tablename__ = "tokens"
    __table_args__ = (
        CheckConstraint("role IN ('coordinator', 'delegate', 'observer')", name="ck_tokens_role"),
        CheckConstraint("(role = 'delegate') = (nation IS NOT NULL)", name="ck_tokens_nation"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    nation: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """After this the token is refused (none: it lasts until revoked)."""


class ServiceKeyRow(Base):
    """A secret of the service, made at its first start (the key of the hashes non-owners see)."""

    __tablename__ = "service_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class JobRow(Base):
    """A solve: what it was asked on (exact versions), its state, and its answer."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="ck_jobs_status"),
        UniqueConstraint("created_by", "idempotency_key", name="uq_jobs_idempotency_key"),
        Index("ix_jobs_status", "status"),
        Index("ix_jobs_scenario_id", "scenario_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    offer_versions: Mapped[dict[str, int]] = mapped_column(Json)
    params: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    error: Mapped[str | None] = mapped_column(Text)
    """Why the job failed, as every role may read it (never an exception's text)."""
    error_detail: Mapped[str | None] = mapped_column(Text)
    """The exception behind an unexpected failure, for coordinators (and the log)."""
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
