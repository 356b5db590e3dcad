"""Queries on the service's tables; no HTTP, no authorization (that is `api.service`)."""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, defer

from forcepack.api.tables import JobRow, OfferVersionRow, ScenarioRow, ScenarioVersionRow


def scenario_row(session: Session, scenario_id: str) -> ScenarioRow | None:
    """A scenario's row without its parts: they are read when first used (while the row is in its
    session), so who may see it is decided from its `nations` before anything of its size is read."""
    return session.scalars(
        select(ScenarioRow).options(defer(ScenarioRow.parts)).where(ScenarioRow.id == scenario_id)
    ).one_or_none()


def scenario_rows(session: Session, *, archived: bool = False) -> list[ScenarioRow]:
    """Every active scenario (`archived`: every archived one), oldest first, without their parts (as
    `scenario_row`)."""
    state = ScenarioRow.archived_at.is_not(None) if archived else ScenarioRow.archived_at.is_(None)
    return list(
        session.scalars(
            select(ScenarioRow)
            .options(defer(ScenarioRow.parts))
            .where(state)
            .order_by(ScenarioRow.created_at, ScenarioRow.id)
        )
    )


def scenario_versions(
    session: Session, scenario_id: str, *, limit: int, offset: int
) -> tuple[list[ScenarioVersionRow], int]:
    """A page of a scenario's versions, oldest first, without their parts, and how many there are in all."""
    where = ScenarioVersionRow.scenario_id == scenario_id
    total = session.scalar(select(func.count()).select_from(ScenarioVersionRow).where(where)) or 0
    rows = session.scalars(
        select(ScenarioVersionRow)
        .options(defer(ScenarioVersionRow.parts))
        .where(where)
        .order_by(ScenarioVersionRow.version)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def scenario_version(session: Session, scenario_id: str, version: int) -> ScenarioVersionRow | None:
    """One version of a scenario's coordinator parts (None when there is no such version)."""
    return session.get(ScenarioVersionRow, (scenario_id, version))


def latest_offers(session: Session, scenario_id: str) -> dict[str, OfferVersionRow]:
    """The current version of each nation's offer to a scenario (nations never written are absent)."""
    latest = (
        select(OfferVersionRow.nation, func.max(OfferVersionRow.version).label("version"))
        .where(OfferVersionRow.scenario_id == scenario_id)
        .group_by(OfferVersionRow.nation)
        .subquery()
    )
    rows = session.scalars(
        select(OfferVersionRow)
        .join(
            latest,
            (OfferVersionRow.nation == latest.c.nation) & (OfferVersionRow.version == latest.c.version),
        )
        .where(OfferVersionRow.scenario_id == scenario_id)
    )
    return {row.nation: row for row in rows}


def latest_offer(session: Session, scenario_id: str, nation: str) -> OfferVersionRow | None:
    """The current version of one nation's offer (None when it has written none)."""
    return session.scalars(
        select(OfferVersionRow)
        .where(OfferVersionRow.scenario_id == scenario_id, OfferVersionRow.nation == nation)
        .order_by(OfferVersionRow.version.desc())
        .limit(1)
    ).first()


def offer_versions(
    session: Session, scenario_id: str, nation: str, *, limit: int, offset: int
) -> tuple[list[OfferVersionRow], int]:
    """A page of one nation's offer versions, oldest first, and how many there are in all."""
    where = (OfferVersionRow.scenario_id == scenario_id, OfferVersionRow.nation == nation)
    total = session.scalar(select(func.count()).select_from(OfferVersionRow).where(*where)) or 0
    rows = session.scalars(
        select(OfferVersionRow).where(*where).order_by(OfferVersionRow.version).limit(limit).offset(offset)
    )
    return list(rows), total


def offer_history_bytes(session: Session, scenario_id: str, nation: str) -> int:
    """Bytes of every stored version of one nation's offer to a scenario (their `size_bytes`)."""
    return (
        session.scalar(
            select(func.coalesce(func.sum(OfferVersionRow.size_bytes), 0)).where(
                OfferVersionRow.scenario_id == scenario_id, OfferVersionRow.nation == nation
            )
        )
        or 0
    )


def listed_nations(session: Session) -> set[str]:
    """Every nation code some scenario lists."""
    return {code for codes in session.scalars(select(ScenarioRow.nations)) for code in codes}


def offers_at(session: Session, scenario_id: str, versions: dict[str, int]) -> dict[str, OfferVersionRow]:
    """The given version of each nation's offer (those a job used)."""
    if not versions:
        return {}
    rows = session.scalars(
        select(OfferVersionRow).where(
            OfferVersionRow.scenario_id == scenario_id,
            tuple_(OfferVersionRow.nation, OfferVersionRow.version).in_(list(versions.items())),
        )
    )
    return {row.nation: row for row in rows}


def job_row(session: Session, job_id: str) -> JobRow | None:
    return session.get(JobRow, job_id)


def job_by_idempotency_key(session: Session, created_by: str, key: str) -> JobRow | None:
    return session.scalars(
        select(JobRow).where(JobRow.created_by == created_by, JobRow.idempotency_key == key)
    ).one_or_none()


def scenario_jobs(
    session: Session, scenario_id: str, *, kind: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[JobRow], int]:
    """A scenario's jobs, newest first (their answers not loaded), and how many match in all."""
    where = [JobRow.scenario_id == scenario_id]
    if kind is not None:
        where.append(JobRow.kind == kind)
    if status is not None:
        where.append(JobRow.status == status)
    total = session.scalar(select(func.count()).select_from(JobRow).where(*where)) or 0
    rows = session.scalars(
        select(JobRow)
        .options(defer(JobRow.result), defer(JobRow.params))
        .where(*where)
        .order_by(JobRow.created_at.desc(), JobRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def scenario_has_rows(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(ScenarioRow)) != 0
