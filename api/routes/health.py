"""Liveness and readiness, for process supervisors and load balancers (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from forcepack.api.db import current_revision, heads
from forcepack.api.deps import DatabaseDep
from forcepack.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/ready", response_model=Health, responses={503: {"model": Health, "description": "Not ready"}})
def ready(db: DatabaseDep, response: Response) -> Health:
    """The database answers and its schema is at the latest migration."""
    checks: dict[str, str] = {}
    try:
        db.ping()
        checks["database"] = "ok"
        revision, expected = current_revision(db), heads(db)
        checks["migrations"] = "ok" if revision in expected else f"at {revision}, expected {', '.join(expected)}"
    except Exception as exc:  # readiness reports any failure, it never raises
        checks["database"] = f"unavailable: {type(exc).__name__}"
    ok = all(value == "ok" for value in checks.values()) and len(checks) == 2
    if not ok:
        response.status_code = 503
    return Health(status="ok" if ok else "unavailable", checks=checks)
