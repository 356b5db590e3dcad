"""Scenarios: create (from a scenario file, JSON or YAML), list, read, change the coordinator's parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from forcepack.api import service
from forcepack.api.deps import DatabaseDep, PrincipalDep, RawBodyDep
from forcepack.api.limits import MAX_OFFSET, XLSX_TYPE
from forcepack.api.openapi import EXAMPLE_PATCH, document_body, problems, scenario_file_body
from forcepack.api.schemas import ScenarioDiff, ScenarioList, ScenarioVersions, ScenarioView

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])

IfMatch = Annotated[str | None, Header(description="The ETag of the version this change is based on.")]
ContentType = Annotated[str | None, Header(include_in_schema=False)]


@router.post(
    "",
    status_code=201,
    response_model=ScenarioView,
    responses=problems(401, 403, 409, 413, 415, 422),
    openapi_extra=scenario_file_body(),
)
def create_scenario(
    body: RawBodyDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    response: Response,
    content_type: ContentType = None,
) -> ScenarioView:
    """Create a scenario from a scenario file's document (coordinators); offers become their version 1."""
    view = service.create_scenario(db, principal, body, content_type)
    response.headers["Location"] = f"/v1/scenarios/{view.id}"
    response.headers["ETag"] = view.etag
    return view


@router.get("", response_model=ScenarioList, responses=problems(401, 403))
def list_scenarios(
    db: DatabaseDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many (100 at most).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many.")] = 0,
    archived: Annotated[
        bool, Query(description="List the archived scenarios instead of the active ones (coordinators).")
    ] = False,
) -> ScenarioList:
    """The scenarios the caller may see (a delegate: those listing its nation), oldest first; archived
    ones are left out, and listed alone with `?archived=true` (coordinators only: 403 otherwise)."""
    return service.list_scenarios(db, principal, limit=limit, offset=offset, archived=archived)


@router.get("/{scenario_id}", response_model=ScenarioView, responses=problems(401, 404))
def get_scenario(scenario_id: str, db: DatabaseDep, principal: PrincipalDep, response: Response) -> ScenarioView:
    """The scenario: the coordinator's parts, and the offers the caller may read."""
    view = service.get_scenario(db, principal, scenario_id)
    response.headers["ETag"] = view.etag
    return view


@router.get(
    "/{scenario_id}/workbook",
    response_class=Response,
    responses={**problems(401, 403, 404), 200: {"content": {XLSX_TYPE: {}}, "description": "The scenario."}},
)
def get_scenario_workbook(scenario_id: str, db: DatabaseDep, principal: PrincipalDep) -> Response:
    """The whole scenario as a workbook, every nation's current offer in it (coordinators): a sheet
    per list, as `forcepack export` writes it; `POST /v1/scenarios` takes it back."""
    name, content = service.scenario_workbook(db, principal, scenario_id)
    headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
    return Response(content, media_type=XLSX_TYPE, headers=headers)


@router.patch(
    "/{scenario_id}",
    response_model=ScenarioView,
    responses=problems(401, 403, 404, 412, 413, 415, 422, 428),
    openapi_extra=document_body("ScenarioPatch", {"mandate and targets": EXAMPLE_PATCH}),
)
def patch_scenario(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
    content_type: ContentType = None,
) -> ScenarioView:
    """Replace coordinator parts (sectors, requirements, nations, vetoes, targets, mandate, objective, ...).

    Each part named replaces that part whole; the scenario that results is validated with every
    offer, like a file. Needs `If-Match` with the scenario's current ETag (428 without, 412 when stale).
    """
    view = service.patch_scenario(db, principal, scenario_id, body, content_type, if_match=if_match)
    response.headers["ETag"] = view.etag
    return view


@router.delete("/{scenario_id}", response_model=ScenarioView, responses=problems(401, 403, 404, 409, 412, 428))
def archive_scenario(
    scenario_id: str, db: DatabaseDep, principal: PrincipalDep, response: Response, if_match: IfMatch = None
) -> ScenarioView:
    """Archive the scenario (coordinators): nothing is deleted. Its versions, offers and jobs are kept
    and its jobs can still be read; it leaves `GET /v1/scenarios` (listed with `?archived=true`),
    delegates and observers no longer see it, and changes and new jobs are refused (409) until
    `POST .../restore`. Needs `If-Match` with the scenario's current ETag (428 without, 412 when stale)."""
    view = service.archive_scenario(db, principal, scenario_id, if_match=if_match)
    response.headers["ETag"] = view.etag
    return view


@router.post("/{scenario_id}/restore", response_model=ScenarioView, responses=problems(401, 403, 404, 409, 412, 428))
def restore_scenario(
    scenario_id: str, db: DatabaseDep, principal: PrincipalDep, response: Response, if_match: IfMatch = None
) -> ScenarioView:
    """Bring an archived scenario back, as it was (coordinators; `If-Match` with its ETag; 409 when it
    is not archived)."""
    view = service.restore_scenario(db, principal, scenario_id, if_match=if_match)
    response.headers["ETag"] = view.etag
    return view


@router.get("/{scenario_id}/versions", response_model=ScenarioVersions, responses=problems(401, 404, 422))
def scenario_versions(
    scenario_id: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many versions (100 at most).")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many versions.")] = 0,
) -> ScenarioVersions:
    """The versions of the scenario's coordinator parts, oldest first, a page at a time (the history
    is append-only, and `total` says how many versions there are); `.../diff` compares two."""
    return service.scenario_versions(db, principal, scenario_id, limit=limit, offset=offset)


@router.get("/{scenario_id}/diff", response_model=ScenarioDiff, responses=problems(401, 404, 422))
def scenario_diff(
    scenario_id: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1, description="The older version.")],
    to_version: Annotated[int, Query(alias="to", ge=1, le=2**31 - 1, description="The newer version.")],
) -> ScenarioDiff:
    """What changed in the coordinator's parts from version `from` to version `to`, element by
    element: added, removed, and changed with each field old and new, elements named by kind and id.
    A version that does not exist is a 422 naming `from` or `to`; `expect` is for coordinators only."""
    return service.scenario_diff(db, principal, scenario_id, from_version, to_version)
