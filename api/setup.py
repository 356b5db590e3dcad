"""A service's start: the examples as scenarios, and a first coordinator token.

At the first start every example file is loaded. At a later start an example file whose content
differs from the scenario as last loaded from it is never changed in the database silently: the
start names each difference and the command that loads the file (`forcepack serve
--reload-examples`), which writes it as a new version (every earlier one kept) unless the scenario
has been changed through the API since it was loaded: a coordinator's or a delegate's edits are
never superseded by a file. A file whose scenario is not in the database yet is loaded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcepack.api import store
from forcepack.api.auth import IssuedToken, Role, create_token
from forcepack.api.db import Database
from forcepack.api.documents import etag, nation_codes, offer_document, offer_size, parts_of
from forcepack.api.keys import digest_key
from forcepack.api.service import SYSTEM, store_scenario
from forcepack.api.tables import OfferVersionRow, ScenarioVersionRow, TokenRow, utcnow
from forcepack.models.errors import ForcepackError
from forcepack.models.loading import SCENARIO_SUFFIXES, parse_scenario, read_document
from forcepack.models.scenario import Offer, Scenario

logger = logging.getLogger("forcepack.api")

SHOWN_DIFFERENCES = 12
"""Most differences named for one example file (the count of the rest is given)."""


@dataclass
class Drift:
    """An example file whose content differs from its scenario as last loaded from it."""

    path: Path
    scenario: str
    differences: list[str]
    edited_by_api: list[str] = field(default_factory=list)
    """The versions written through the API since the load (`scenario version 2`, `offer of IDN
    version 3`): while there are any, the file is not loaded over them."""
    reloaded: bool = False


@dataclass
class FirstStart:
    """What a start did: scenarios loaded, files skipped (with why), example files that differ
    from their scenario as loaded (reloaded or not), the token made; `no_examples` is the examples
    folder when it is not a folder or holds no scenario file."""

    loaded: list[str] = field(default_factory=list)
    no_examples: Path | None = None
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    drifted: list[Drift] = field(default_factory=list)
    token: IssuedToken | None = None


def load_examples(database: Database, folder: Path, *, reload: bool = False) -> FirstStart:
    """Every scenario file in `folder` as a scenario: loaded when its scenario is not in the
    database; compared with its scenario as last loaded when it is (a difference reported, and with
    `reload` written as a new version when no one has changed the scenario through the API since)."""
    outcome = FirstStart()
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in SCENARIO_SUFFIXES) if folder.is_dir() else []
    if not files:
        outcome.no_examples = folder
    for path in files:
        source = str(path)
        try:
            data = read_document(path.read_text(encoding="utf-8"), source, as_json=path.suffix.lower() == ".json")
            scenario = parse_scenario(data, source)
            with database.read() as session:
                exists = store.scenario_row(session, scenario.id) is not None
            if not exists:
                outcome.loaded.append(store_scenario(database, SYSTEM, data, source=source).id)
                continue
        except (ForcepackError, OSError, UnicodeDecodeError) as exc:
            outcome.skipped.append((path, str(exc).splitlines()[0]))
            continue
        drift = _drift(database, path, scenario)
        if drift is None:
            continue
        if reload and not drift.edited_by_api:
            drift.reloaded = _reload(database, scenario)
        outcome.drifted.append(drift)
    return outcome


def first_start(database: Database, examples: Path, *, reload: bool = False) -> FirstStart:
    """Load the examples (`load_examples`); make a coordinator token when there is none."""
    outcome = load_examples(database, examples, reload=reload)
    with database.write() as session:
        has_coordinator = session.scalars(
            select(TokenRow.id).where(TokenRow.role == Role.COORDINATOR.value, TokenRow.revoked_at.is_(None))
        ).first()
        if has_coordinator is None:
            outcome.token = create_token(session, Role.COORDINATOR, label="first start")
    return outcome


# -- an example against its scenario as loaded -------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    """A stored scenario as last loaded from a file (the versions the service wrote), and what
    was written through the API after."""

    parts: dict[str, Any] | None
    offers: dict[str, dict[str, Any]]
    edited_by_api: list[str]


def _as_loaded(session: Session, scenario_id: str) -> _Loaded:
    versions = list(
        session.scalars(
            select(ScenarioVersionRow)
            .where(ScenarioVersionRow.scenario_id == scenario_id)
            .order_by(ScenarioVersionRow.version)
        )
    )
    offers = list(
        session.scalars(
            select(OfferVersionRow)
            .where(OfferVersionRow.scenario_id == scenario_id)
            .order_by(OfferVersionRow.nation, OfferVersionRow.version)
        )
    )
    by_service = [v for v in versions if v.written_by == SYSTEM.token_id]
    parts = by_service[-1].parts if by_service else None
    edited = [f"scenario version {v.version}" for v in versions if v.written_by != SYSTEM.token_id]
    loaded: dict[str, dict[str, Any]] = {}
    for row in offers:  # each nation's versions in order: the last the service wrote wins
        if row.written_by == SYSTEM.token_id:
            loaded[row.nation] = row.offer
        else:
            edited.append(f"offer of {row.nation} version {row.version}")
    return _Loaded(parts, loaded, edited)


def _drift(database: Database, path: Path, scenario: Scenario) -> Drift | None:
    """How the file's scenario differs from the stored one as last loaded; None when it does not."""
    with database.read() as session:
        loaded = _as_loaded(session, scenario.id)
    if loaded.parts is None:
        return Drift(
            path,
            scenario.id,
            [f"scenario `{scenario.id}` was made through the API, not loaded from this file"],
            edited_by_api=loaded.edited_by_api or ["scenario version 1"],
        )
    file_offers = {o.nation: offer_document(o) for o in scenario.offers}
    listed = nation_codes(loaded.parts)
    stored_offers = {n: o for n, o in loaded.offers.items() if n in listed}
    differences = differences_between(loaded.parts, parts_of(scenario))
    for nation in sorted(set(file_offers) | set(stored_offers)):
        differences.extend(
            differences_between(stored_offers.get(nation, {}), file_offers.get(nation, {}), f"offers[{nation}]")
        )
    if not differences:
        return None
    return Drift(path, scenario.id, differences, edited_by_api=loaded.edited_by_api)


def _reload(database: Database, scenario: Scenario) -> bool:
    """Write the file's scenario as new versions (its parts, and each offer that differs), as the
    service; False, writing nothing, when a version was written through the API meanwhile."""
    key = digest_key(database)
    now = utcnow()
    parts = parts_of(scenario)
    with database.write() as session:
        loaded = _as_loaded(session, scenario.id)
        row = store.scenario_row(session, scenario.id)
        if loaded.edited_by_api or row is None:
            return False
        if parts != row.parts:
            version = row.version + 1
            session.add(
                ScenarioVersionRow(
                    scenario_id=scenario.id, version=version, parts=parts, written_by=SYSTEM.token_id, written_at=now
                )
            )
            session.flush()
            row.parts, row.version, row.updated_at = parts, version, now
            row.nations = nation_codes(parts)
            row.etag = etag(version, parts, key)
        latest = store.latest_offers(session, scenario.id)
        wanted = {o.nation: offer_document(o) for o in scenario.offers}
        # A listed nation whose offer the file no longer holds gets an empty version (its others are kept).
        for nation in nation_codes(parts):
            if nation in latest and nation not in wanted:
                wanted[nation] = offer_document(Offer(nation=nation))
        for nation, offer in wanted.items():
            current = latest.get(nation)
            if current is not None and current.offer == offer:
                continue
            session.add(
                OfferVersionRow(
                    scenario_id=scenario.id,
                    nation=nation,
                    version=(current.version if current is not None else 0) + 1,
                    offer=offer,
                    written_by=SYSTEM.token_id,
                    written_at=now,
                    size_bytes=offer_size(offer),
                )
            )
    logger.info("reloaded scenario %s from its example file", scenario.id)
    return True


def differences_between(before: Any, after: Any, path: str = "") -> list[str]:
    """Every difference between two documents, each as `path: before -> after` (`+ path: value`
    for an addition, `- path: value` for a removal); elements of lists with ids are matched by id
    (`requirements[ky-inf].quantity: 1200 -> 1500`), others by position."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        found: list[str] = []
        for key in [*before, *(k for k in after if k not in before)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                found.append(f"- {where}: {_shown(before[key])}")
            elif key not in before:
                found.append(f"+ {where}: {_shown(after[key])}")
            else:
                found.extend(differences_between(before[key], after[key], where))
        return found
    if isinstance(before, list) and isinstance(after, list):
        old, new = _keyed(before), _keyed(after)
        if old is None or new is None:
            if len(before) != len(after):
                return [f"{path}: {_shown(before)} -> {_shown(after)}"]
            return [
                d
                for i, (b, a) in enumerate(zip(before, after, strict=True))
                for d in differences_between(b, a, f"{path}[{i}]")
            ]
        found = []
        for name in [*old, *(n for n in new if n not in old)]:
            where = f"{path}[{name}]"
            if name not in new:
                found.append(f"- {where}")
            elif name not in old:
                found.append(f"+ {where}: {_shown(new[name])}")
            else:
                found.extend(differences_between(old[name], new[name], where))
        return found
    return [] if before == after else [f"{path}: {_shown(before)} -> {_shown(after)}"]


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list's elements by their `id` (or `code`), when each has a distinct one."""
    keyed: dict[str, Any] = {}
    for item in items:
        name = item.get("id", item.get("code")) if isinstance(item, Mapping) else None
        if not isinstance(name, str) or name in keyed:
            return None
        keyed[name] = item
    return keyed


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 80 else text[:77] + "..."
