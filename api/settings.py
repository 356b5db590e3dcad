"""The service's settings, in one place, from `FORCEPACK_*` environment variables."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _cores() -> int:
    return os.cpu_count() or 1


class Settings(BaseSettings):
    """How the service runs; each field is read from `FORCEPACK_<NAME>` (e.g. `FORCEPACK_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="FORCEPACK_", frozen=True, extra="forbid")

    database_url: str = Field(
        default="sqlite:///./forcepack.db",
        description="SQLAlchemy URL: `sqlite:///path.db` (default, WAL) or `postgresql+psycopg://user@host/db`.",
    )
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1024, description="Largest request body accepted; larger ones get 413."
    )
    max_solve_seconds: float = Field(
        default=120.0, gt=0, description="Server maximum of a solve's time limit; requests asking more are clamped."
    )
    default_solve_seconds: float = Field(default=30.0, gt=0, description="Time limit of a solve that names none.")
    max_concurrent_solves: int = Field(
        default_factory=_cores, ge=1, description="Solves running at once (default: the machine's cores)."
    )
    queue_length: int = Field(
        default=16, ge=0, description="Solves waiting for a free slot; beyond that a new solve gets 429."
    )
    max_offer_history_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Bytes of stored versions (canonical JSON) a nation's offer to a scenario may hold; "
        "a delegate's version that would pass it gets 409 (nothing stored is deleted; coordinators may still write).",
    )
    retry_after_seconds: int = Field(default=5, ge=1, description="`Retry-After` of a 429 answer.")
    busy_timeout_ms: int = Field(default=5000, ge=0, description="SQLite: how long a writer waits for the lock.")
    migrate_on_startup: bool = Field(default=True, description="Apply database migrations when the service starts.")
