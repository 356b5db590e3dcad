"""A fresh service's first start: the examples as scenarios, and a first coordinator token."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from forcepack.api import store
from forcepack.api.auth import IssuedToken, Role, create_token
from forcepack.api.db import Database
from forcepack.api.service import SYSTEM, store_scenario
from forcepack.api.tables import TokenRow
from forcepack.models.errors import ForcepackError
from forcepack.models.loading import SCENARIO_SUFFIXES, read_document

logger = logging.getLogger("forcepack.api")


@dataclass
class FirstStart:
    """What the first start did: scenarios loaded, files skipped (with why), the token made."""

    loaded: list[str] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    token: IssuedToken | None = None


def load_examples(database: Database, folder: Path) -> FirstStart:
    """Every scenario file in `folder` as a scenario, when the database holds none."""
    outcome = FirstStart()
    with database.read() as session:
        if store.scenario_has_rows(session):
            return outcome
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in SCENARIO_SUFFIXES) if folder.is_dir() else []
    for path in files:
        source = str(path)
        try:
            data = read_document(path.read_text(encoding="utf-8"), source, as_json=path.suffix.lower() == ".json")
            view = store_scenario(database, SYSTEM, data, source=source)
        except (ForcepackError, OSError, UnicodeDecodeError) as exc:
            outcome.skipped.append((path, str(exc).splitlines()[0]))
            continue
        outcome.loaded.append(view.id)
    return outcome


def first_start(database: Database, examples: Path) -> FirstStart:
    """Load the examples into an empty database; make a coordinator token when there is none."""
    outcome = load_examples(database, examples)
    with database.write() as session:
        has_coordinator = session.scalars(
            select(TokenRow.id).where(TokenRow.role == Role.COORDINATOR.value, TokenRow.revoked_at.is_(None))
        ).first()
        if has_coordinator is None:
            outcome.token = create_token(session, Role.COORDINATOR, label="first start")
    return outcome
