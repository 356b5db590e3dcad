"""The service's use cases: who may do what, on which version, validated how.

Routes translate HTTP into these calls and their answers back; these never see a request.
Every write checks the caller's role first (403, whatever the ids), then what it may see (404,
the same answer as for an id that does not exist), then the version it expects (428, 412),
then the document (422, every problem at once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import store
from api.auth import Principal, Role, job_not_found, offer_not_found, scenario_not_found
from api.db import Database
from api.documents import (
    build_scenario,
    coordinator_changes,
    digest,
    etag,
    nation_codes,
    offer_changes,
    offer_document,
    parts_of,
)
from api.errors import Conflict, InvalidRequest, PreconditionFailed, PreconditionRequired
from api.jobs import UNFINISHED, JobRunner
from api.limits import read_body_document
from api.schemas import (
    JobView,
    OfferHistory,
    OfferIndexEntry,
    OfferView,
    ScenarioList,
    ScenarioSummary,
    ScenarioView,
    SolveParamsUsed,
    SolveRequest,
)
from api.settings import Settings
from api.tables import JobRow, OfferVersionRow, ScenarioRow, ScenarioVersionRow, utcnow
from api.visibility import redact_solution
from models.loading import parse_scenario
from models.scenario import Offer
from models.solution import Solution
from solver import SolveParams

SYSTEM = Principal("system", Role.COORDINATOR)
"""The service itself, when it loads scenarios (examples at first start)."""


# -- preconditions -----------------------------------------------------------------------


def etag_matches(header: str, current: str, *, exists: bool) -> bool:
    """`If-Match` (strong comparison): one of the listed ETags is the current one, or `*` and it exists."""
    tags = [t.strip() for t in header.split(",") if t.strip()]
    return any((t == "*" and exists) or t == current for t in tags)


def _check_preconditions(if_match: str | None, if_none_match: str | None, current: str, *, exists: bool) -> None:
    if if_match is None and if_none_match is None:
        raise PreconditionRequired(
            "an update needs `If-Match` with the current ETag (read it with GET), "
            "or `If-None-Match: *` to write the first version",
            ["If-Match: required header is missing"],
        )
    if if_match is not None and not etag_matches(if_match, current, exists=exists):
        raise PreconditionFailed(
            f"`If-Match` does not name the current version (ETag {current}): it changed since it was read",
            [f"If-Match: stale ETag {if_match}; the current one is {current}"],
        )
    if if_none_match is not None and if_none_match.strip() == "*" and exists:
        raise PreconditionFailed("`If-None-Match: *`, but a version already exists", ["If-None-Match: it exists"])


# -- scenarios ---------------------------------------------------------------------------


def _visible_scenario(session: Session, principal: Principal, scenario_id: str) -> ScenarioRow:
    row = store.scenario_row(session, scenario_id)
    if row is None or not principal.sees_scenario(nation_codes(row.parts)):
        raise scenario_not_found(scenario_id)
    return row


def _scenario_view(row: ScenarioRow, latest: dict[str, OfferVersionRow], principal: Principal) -> ScenarioView:
    codes = nation_codes(row.parts)
    readable = {nation: r.offer for nation, r in latest.items() if principal.sees_nation(nation)}
    parts = row.parts
    if principal.role is not Role.COORDINATOR:
        # `expect` is the coordinator's test of the file, and may name any nation's red lines.
        parts = {key: value for key, value in parts.items() if key != "expect"}
    scenario = build_scenario(parts, readable, source=f"scenario {row.id}")
    listed = [principal.nation] if principal.role is Role.DELEGATE and principal.nation in codes else codes
    index = [
        OfferIndexEntry(
            nation=code,
            version=latest[code].version if code in latest else 0,
            etag=etag(latest[code].version, latest[code].offer) if code in latest else etag(0, None),
            written_at=latest[code].written_at if code in latest else None,
        )
        for code in listed
        if code is not None
    ]
    return ScenarioView(
        id=row.id,
        version=row.version,
        etag=row.etag,
        created_at=row.created_at,
        updated_at=row.updated_at,
        offers=index,
        scenario=scenario,
    )


def create_scenario(
    db: Database, principal: Principal, body: bytes, content_type: str | None, *, source: str = "request body"
) -> ScenarioView:
    """Store a new scenario from a scenario file (JSON or YAML): its parts, and version 1 of each offer."""
    principal.require_coordinator("create scenarios")
    return store_scenario(db, principal, read_body_document(body, content_type, source), source=source)


def store_scenario(db: Database, principal: Principal, data: Any, *, source: str) -> ScenarioView:
    """Store a new scenario from a scenario file's parsed document."""
    principal.require_coordinator("create scenarios")
    scenario = parse_scenario(data, source)
    parts = parts_of(scenario)
    now = utcnow()
    try:
        with db.write() as session:
            if store.scenario_row(session, scenario.id) is not None:
                raise _taken(scenario.id)
            session.add(
                ScenarioRow(id=scenario.id, parts=parts, version=1, etag=etag(1, parts), created_at=now, updated_at=now)
            )
            # The scenario row first: its id is the concurrent creator's lock, and the history's key.
            session.flush()
            session.add(
                ScenarioVersionRow(
                    scenario_id=scenario.id, version=1, parts=parts, written_by=principal.token_id, written_at=now
                )
            )
            for offer in scenario.offers:
                session.add(
                    OfferVersionRow(
                        scenario_id=scenario.id,
                        nation=offer.nation,
                        version=1,
                        offer=offer_document(offer),
                        written_by=principal.token_id,
                        written_at=now,
                    )
                )
    except IntegrityError:
        with db.read() as session:
            if store.scenario_row(session, scenario.id) is None:
                raise
        raise _taken(scenario.id) from None
    return get_scenario(db, principal, scenario.id)


def _taken(scenario_id: str) -> Conflict:
    return Conflict(
        f"a scenario `{scenario_id}` exists already", [f"id: `{scenario_id}` is taken; change it with PATCH"]
    )


def list_scenarios(db: Database, principal: Principal, *, limit: int, offset: int) -> ScenarioList:
    """The scenarios the caller may see, oldest first."""
    with db.read() as session:
        rows = [r for r in store.scenario_rows(session) if principal.sees_scenario(nation_codes(r.parts))]
    items = [
        ScenarioSummary(
            id=r.id, name=str(r.parts.get("name", r.id)), version=r.version, etag=r.etag, updated_at=r.updated_at
        )
        for r in rows[offset : offset + limit]
    ]
    return ScenarioList(items=items, total=len(rows))


def get_scenario(db: Database, principal: Principal, scenario_id: str) -> ScenarioView:
    """The scenario as the caller may see it."""
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        latest = store.latest_offers(session, scenario_id)
    return _scenario_view(row, latest, principal)


def patch_scenario(
    db: Database,
    principal: Principal,
    scenario_id: str,
    body: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
) -> ScenarioView:
    """Replace some of the coordinator's parts; the result is validated with every offer, like a file."""
    principal.require_coordinator("change a scenario")
    source = f"change to scenario {scenario_id}"
    now = utcnow()
    try:
        with db.write() as session:
            row = _visible_scenario(session, principal, scenario_id)
            _check_preconditions(if_match, None, row.etag, exists=True)
            changes = coordinator_changes(read_body_document(body, content_type, source), source)
            latest = store.latest_offers(session, scenario_id)
            merged = {**row.parts, **changes}
            offers = {nation: r.offer for nation, r in latest.items()}
            parts = parts_of(build_scenario(merged, offers, source=source))
            version = row.version + 1
            session.add(
                ScenarioVersionRow(
                    scenario_id=scenario_id, version=version, parts=parts, written_by=principal.token_id, written_at=now
                )
            )
            session.flush()  # the version's primary key is the lock: a concurrent PATCH fails here
            row.parts, row.version, row.etag, row.updated_at = parts, version, etag(version, parts), now
    except IntegrityError:
        raise PreconditionFailed("the scenario changed while this change was written; read it again") from None
    return get_scenario(db, principal, scenario_id)


# -- offers ------------------------------------------------------------------------------


def _offer_view(scenario_id: str, nation: str, row: OfferVersionRow | None) -> OfferView:
    if row is None:
        return OfferView(
            scenario=scenario_id,
            nation=nation,
            version=0,
            etag=etag(0, None),
            written_by=None,
            written_at=None,
            offer=Offer(nation=nation),
        )
    return OfferView(
        scenario=scenario_id,
        nation=nation,
        version=row.version,
        etag=etag(row.version, row.offer),
        written_by=row.written_by,
        written_at=row.written_at,
        offer=Offer.model_validate({"nation": nation, **row.offer}),
    )


def _listed_nation(row: ScenarioRow, nation: str) -> None:
    if nation not in nation_codes(row.parts):
        raise offer_not_found(row.id, nation)


def get_offer(db: Database, principal: Principal, scenario_id: str, nation: str) -> OfferView:
    """A nation's current offer (version 0, empty, when it has submitted none)."""
    principal.require_offer_reader(scenario_id, nation)
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        _listed_nation(row, nation)
        current = store.latest_offers(session, scenario_id).get(nation)
    return _offer_view(scenario_id, nation, current)


def offer_history(db: Database, principal: Principal, scenario_id: str, nation: str) -> OfferHistory:
    """Every version of a nation's offer, oldest first."""
    principal.require_offer_reader(scenario_id, nation)
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        _listed_nation(row, nation)
        versions = store.offer_versions(session, scenario_id, nation)
    return OfferHistory(
        scenario=scenario_id, nation=nation, items=[_offer_view(scenario_id, nation, v) for v in versions]
    )


@dataclass(frozen=True)
class Written:
    """An offer version just written; `first` when it is the nation's first."""

    view: OfferView
    first: bool


def put_offer(
    db: Database,
    principal: Principal,
    scenario_id: str,
    nation: str,
    body: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> Written:
    """Write a new version of a nation's offer, if the caller's version is still the current one."""
    principal.require_offer_writer(scenario_id, nation)
    source = f"offer of {nation}"
    try:
        with db.write() as session:
            row = _visible_scenario(session, principal, scenario_id)
            _listed_nation(row, nation)
            latest = store.latest_offers(session, scenario_id)
            current = latest.get(nation)
            version = current.version if current is not None else 0
            current_etag = etag(version, current.offer if current is not None else None)
            _check_preconditions(if_match, if_none_match, current_etag, exists=current is not None)
            offer = offer_changes(read_body_document(body, content_type, source), nation, source)
            offers = {n: r.offer for n, r in latest.items()} | {nation: offer}
            scenario = build_scenario(row.parts, offers, source=source, subject=nation, viewer=principal)
            written = OfferVersionRow(
                scenario_id=scenario_id,
                nation=nation,
                version=version + 1,
                offer=offer_document(scenario.offer_by_nation[nation]),
                written_by=principal.token_id,
                written_at=utcnow(),
            )
            session.add(written)
            session.flush()  # (scenario, nation, version) is unique: a concurrent writer fails here
    except IntegrityError:
        raise PreconditionFailed("the offer changed while this version was written; read it again") from None
    return Written(_offer_view(scenario_id, nation, written), first=version == 0)


# -- jobs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """A solve job, and whether this request created it (False: an idempotent replay)."""

    view: JobView
    created: bool


def _job_view(job: JobRow, principal: Principal, runner: JobRunner) -> JobView:
    result = None
    if job.result is not None:
        result = redact_solution(Solution.model_validate(job.result), principal)
    versions = job.offer_versions
    if principal.role is Role.DELEGATE:
        versions = {n: v for n, v in versions.items() if n == principal.nation}
    return JobView(
        id=job.id,
        kind="solve",
        scenario=job.scenario_id,
        status=job.status,
        scenario_version=job.scenario_version,
        offer_versions=versions,
        params=SolveParamsUsed.model_validate(job.params),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        progress=runner.progress(job.id) if job.status == "running" else None,
        error=job.error,
        result=result,
    )


def _replay(job: JobRow, request_hash: str, principal: Principal, runner: JobRunner) -> Submitted:
    if job.request_hash != request_hash:
        raise InvalidRequest(
            "this Idempotency-Key was used for another request",
            [f"Idempotency-Key: already used for job `{job.id}` with a different request; use a new key"],
        )
    return Submitted(_job_view(job, principal, runner), created=False)


def submit_solve(
    db: Database,
    runner: JobRunner,
    settings: Settings,
    principal: Principal,
    scenario_id: str,
    request: SolveRequest,
    idempotency_key: str | None,
) -> Submitted:
    """Queue a solve of the scenario as it stands; the same key and request give the same job."""
    principal.require_coordinator("solve")
    request_hash = digest({"kind": "solve", "scenario": scenario_id, "request": request.model_dump(mode="json")})
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        if idempotency_key is not None:
            existing = store.job_by_idempotency_key(session, principal.token_id, idempotency_key)
            if existing is not None:
                return _replay(existing, request_hash, principal, runner)
        latest = store.latest_offers(session, scenario_id)
    codes = nation_codes(row.parts)
    offers = {nation: r.offer for nation, r in latest.items() if nation in codes}
    scenario = build_scenario(row.parts, offers, source=f"scenario {scenario_id}")
    limit = min(request.time_limit_s or settings.default_solve_seconds, settings.max_solve_seconds)
    used = SolveParamsUsed(time_limit_s=limit, seed=request.seed, explain=request.explain, workers=1)
    job_id = uuid.uuid4().hex
    ticket = runner.admit(job_id)
    try:
        with db.write("normal") as session:
            if idempotency_key is not None:
                existing = store.job_by_idempotency_key(session, principal.token_id, idempotency_key)
                if existing is not None:
                    runner.release(ticket)
                    return _replay(existing, request_hash, principal, runner)
            job = JobRow(
                id=job_id,
                kind="solve",
                scenario_id=scenario_id,
                scenario_version=row.version,
                offer_versions={nation: latest[nation].version for nation in offers},
                params=used.model_dump(mode="json"),
                status="queued",
                result=None,
                error=None,
                created_by=principal.token_id,
                created_at=utcnow(),
                started_at=None,
                finished_at=None,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
            )
            session.add(job)
    except IntegrityError:
        # Another request with the same key was stored first (PostgreSQL: no write lock up front).
        runner.release(ticket)
        with db.read() as session:
            existing = store.job_by_idempotency_key(session, principal.token_id, idempotency_key or "")
        if existing is None:
            raise
        return _replay(existing, request_hash, principal, runner)
    except BaseException:
        runner.release(ticket)
        raise
    runner.start(
        ticket,
        scenario,
        SolveParams(time_limit_s=used.time_limit_s, workers=used.workers, seed=used.seed),
        explain=used.explain,
    )
    return Submitted(_job_view(job, principal, runner), created=True)


def _visible_job(session: Session, principal: Principal, job_id: str) -> JobRow:
    job = store.job_row(session, job_id)
    if job is None:
        raise job_not_found(job_id)
    scenario = store.scenario_row(session, job.scenario_id)
    if scenario is None or not principal.sees_scenario(nation_codes(scenario.parts)):
        raise job_not_found(job_id)
    return job


def get_job(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> JobView:
    """A job's state, and its answer as the caller may read it."""
    with db.read() as session:
        job = _visible_job(session, principal, job_id)
    return _job_view(job, principal, runner)


def cancel_job(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> JobView:
    """Cancel a queued or running job: recorded at once, and the solve is told to stop."""
    principal.require_coordinator("cancel jobs")
    with db.write("normal") as session:
        job = _visible_job(session, principal, job_id)
        moved = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(UNFINISHED))
            .values(status="cancelled", finished_at=utcnow())
        )
        if not getattr(moved, "rowcount", 0):
            session.refresh(job)
            raise Conflict(f"job `{job_id}` is already {job.status}", [f"status: `{job.status}`, nothing to cancel"])
    runner.cancel(job_id)
    return get_job(db, runner, principal, job_id)
