"""Jobs: submit a solve (202, `Location`), poll for state and the answer, follow its events, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from forcepack.api import service
from forcepack.api.deps import DatabaseDep, PrincipalDep, RawBodyDep, RunnerDep, SettingsDep
from forcepack.api.errors import Conflict
from forcepack.api.events import job_events
from forcepack.api.kinds import KINDS
from forcepack.api.limits import MAX_OFFSET
from forcepack.api.openapi import EXAMPLE_EVENTS, EXAMPLE_SOLVE, document_body, problems
from forcepack.api.schemas import JobKind, JobList, JobStatus, JobView

router = APIRouter(tags=["jobs"])

TableName = Literal["placements", "coverage", "contributions", "funding", "tours", "timeline", "nodes", "sectors"]
"""The tables of a package (`models.tables.TABLE_NAMES`), then a phased plan's (`PLAN_TABLE_NAMES`)."""

ContentType = Annotated[str | None, Header(include_in_schema=False)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        pattern=r"^[!-~]+$",
        description="Retrying with the same key and body gives the same job (visible ASCII characters, no spaces).",
    ),
]


def accepted(response: Response, submitted: service.Submitted) -> service.AnyJob:
    """The answer to a job-creating POST: 202 and `Location` (and `Idempotent-Replayed` for a replay)."""
    response.headers["Location"] = f"/v1/jobs/{submitted.view.id}"
    if not submitted.created:
        response.headers["Idempotent-Replayed"] = "true"
    return submitted.view


@router.post(
    "/v1/scenarios/{scenario_id}/solves",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body("SolveRequest", {"twenty seconds": EXAMPLE_SOLVE}, required=False),
)
def submit_solve(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """Solve the scenario as it stands now (coordinators); the job records the exact versions used.

    The body (JSON or YAML, all fields optional, none at all for the defaults) is read like every
    job request: 415 for another media type, 422 naming each field."""
    submitted = service.submit(
        KINDS["solve"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.get("/v1/scenarios/{scenario_id}/jobs", response_model=JobList, responses=problems(401, 404))
def list_jobs(
    scenario_id: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    kind: Annotated[JobKind | None, Query(description="Only jobs of this kind.")] = None,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many (100 at most).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many.")] = 0,
) -> JobList:
    """The scenario's solves and analyses, newest first: to find the latest package again, or a job left running."""
    return service.list_jobs(db, principal, scenario_id, kind=kind, status=status, limit=limit, offset=offset)


@router.get("/v1/jobs/{job_id}", response_model=JobView, responses=problems(401, 404))
def get_job(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> service.AnyJob:
    """A job's state and progress; when done, its answer as the caller may read it."""
    return service.get_job(db, runner, principal, job_id)


def visible_job(job_id: str, db: DatabaseDep, principal: PrincipalDep) -> str:
    """The job's id once the caller may see it: a 404 answers before a stream starts."""
    service.job_status(db, principal, job_id)
    return job_id


@router.get(
    "/v1/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Events until the job's final status",
            "content": {"text/event-stream": {"example": EXAMPLE_EVENTS}},
        },
        **problems(401, 404),
    },
)
async def follow_job(
    job_id: Annotated[str, Depends(visible_job)],
    db: DatabaseDep,
    runner: RunnerDep,
    principal: PrincipalDep,
    last_event_id: Annotated[
        int | None, Header(ge=0, description="The id of the last event received, to resume after it.")
    ] = None,
) -> AsyncIterator[ServerSentEvent]:
    """The job's progress as Server-Sent Events: status changes and improving packages, ending with its final status.

    Events: `status` (`{"status": ...}`), `package` (`{"criterion", "value", "seconds"}`, one per
    improving package the solver finds) and, for analyses, `step`. Polling `GET /v1/jobs/{id}`
    gives the same progress.
    """
    stream = job_events(
        runner.context(job_id),
        last_event_id or 0,
        lambda: service.job_status(db, principal, job_id),
        allowed=lambda: service.may_still_read(db, principal, job_id),
    )
    async for item in stream:
        yield item


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/v1/jobs/{job_id}/tables.xlsx",
    response_class=Response,
    responses={**problems(401, 404, 409), 200: {"content": {XLSX: {}}, "description": "The package's tables."}},
)
def package_workbook(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> Response:
    """A done solve's (or what-if's patched) package as a workbook: a sheet each for the headline
    figures, placements, coverage, contributions and funding; a phased plan's also tours, timeline,
    nodes and sectors."""
    from forcepack.models.tables import tables_xlsx

    solution = service.job_package(db, runner, principal, job_id)
    headers = {"Content-Disposition": f'attachment; filename="{solution.scenario.id}-{job_id[:8]}.xlsx"'}
    return Response(tables_xlsx(solution), media_type=XLSX, headers=headers)


@router.get(
    "/v1/jobs/{job_id}/tables/{table}.csv",
    response_class=Response,
    responses={**problems(401, 404, 409), 200: {"content": {"text/csv": {}}, "description": "One table."}},
)
def package_table(
    job_id: str, table: TableName, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep
) -> Response:
    """One table of a done solve's (or what-if's patched) package as CSV: `placements`,
    `coverage`, `contributions` or `funding`; a phased plan's also `tours`, `timeline` (each line in
    each bucket), `nodes` (each node of entry's load in each bucket) or `sectors` (full operational
    capability)."""
    from forcepack.models.tables import table_csv, table_names

    solution = service.job_package(db, runner, principal, job_id)
    if table not in table_names(solution):
        raise Conflict(
            f"job `{job_id}`'s package is not phased: it has no `{table}` table "
            f"(its tables: {', '.join(table_names(solution))})"
        )
    headers = {"Content-Disposition": f'attachment; filename="{solution.scenario.id}-{job_id[:8]}-{table}.csv"'}
    return Response(table_csv(solution, table), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/v1/jobs/{job_id}/brief.pdf",
    response_class=Response,
    responses={
        **problems(401, 404, 409),
        200: {"content": {"application/pdf": {}}, "description": "The brief, one to three A4 pages."},
    },
)
def job_brief(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> Response:
    """A brief for the meeting of a done solve or what-if, as a PDF: the status and gap, the package's
    figures, the coverage matrix, contributions per nation, the funding balance, and the explanation
    or the what-if's changes. It holds what the job's answer shows the caller, and no more."""
    import datetime as dt

    from forcepack.models.brief import brief_pdf

    answer, scenario = service.job_brief(db, runner, principal, job_id)
    printed = brief_pdf(answer, scenario, prepared=dt.datetime.now(dt.UTC).date())
    headers = {"Content-Disposition": f'attachment; filename="{scenario.id}-{job_id[:8]}-brief.pdf"'}
    return Response(printed.pdf, media_type="application/pdf", headers=headers)


@router.delete("/v1/jobs/{job_id}", response_model=JobView, responses=problems(401, 403, 404, 409))
def cancel_job(job_id: str, db: DatabaseDep, runner: RunnerDep, principal: PrincipalDep) -> service.AnyJob:
    """Cancel a queued or running job (coordinators): `cancelled` at once, and its work stops."""
    return service.cancel_job(db, runner, principal, job_id)
