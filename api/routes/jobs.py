"""Solve jobs: submit (202, `Location`), poll for state and the solution document, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from api import service
from api.deps import DatabaseDep, PrincipalDep, RunnerDep, SettingsDep
from api.openapi import EXAMPLE_SOLVE, problems
from api.schemas import JobView, SolveRequest

router = APIRouter(tags=["jobs"])


@router.post(
    "/v1/scenarios/{scenario_id}/solves",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 422, 429),
)
def submit_solve(
    scenario_id: str,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    request: Annotated[SolveRequest | None, Body(openapi_examples={"twenty seconds": {"value": EXAMPLE_SOLVE}})] = None,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=200, description="Retrying with the same key and body gives the same job."),
    ] = None,
) -> JobView:
    """Solve the scenario as it stands now (coordinators); the job records the exact versions used."""
    submitted = service.submit_solve(
        db, runner, settings, principal, scenario_id, request or SolveRequest(), idempotency_key
    )
    response.headers["Location"] = f"/v1/jobs/{submitted.view.id}"
    if not submitted.created:
        response.headers["Idempotent-Replayed"] = "true"
    return submitted.view


@router.get("/v1/jobs/{job_id}", response_model=JobView, responses=problems(401, 404))
def get_job(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> JobView:
    """A job's state and progress; when done, the solution document as the caller may read it."""
    return service.get_job(db, runner, principal, job_id)


@router.delete("/v1/jobs/{job_id}", response_model=JobView, responses=problems(401, 403, 404, 409))
def cancel_job(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> JobView:
    """Cancel a queued or running job (coordinators): `cancelled` at once, and its solve stops."""
    return service.cancel_job(db, runner, principal, job_id)
