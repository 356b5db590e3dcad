"""Offers: each nation's, read and written by its delegate or a coordinator, with every version kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from forcepack.api import service
from forcepack.api.deps import DatabaseDep, PrincipalDep, RawBodyDep, SettingsDep
from forcepack.api.limits import MAX_OFFSET, XLSX_TYPE
from forcepack.api.openapi import EXAMPLE_IMPORT, EXAMPLE_OFFER, EXAMPLE_WITHDRAWAL, document_body, problems
from forcepack.api.schemas import OfferHistory, OffersImported, OfferView

router = APIRouter(prefix="/v1/scenarios/{scenario_id}/offers", tags=["offers"])


@router.post(
    "",
    response_model=OffersImported,
    responses=problems(401, 403, 404, 409, 412, 413, 415, 422, 428),
    openapi_extra=document_body("OffersImport", {"two nations": EXAMPLE_IMPORT}),
)
def import_offers(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    if_match: Annotated[
        str | None, Header(description="The ETags of the offers replaced, comma-separated (or `*`).")
    ] = None,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OffersImported:
    """Import several nations' offers at once (coordinators): a workbook of offer sheets (`units`,
    `pledges`, `red_lines`, each with a `nation` column, and an optional `offers` sheet listing the
    nations; a scenario's own workbook will do, its other sheets unread), or JSON/YAML
    `{"offers": [{"nation": ..., "units": [...], ...}]}`. Each nation named gets a new version of
    its offer, all validated with the scenario and written together, or none (problems name sheet,
    row and column). Needs `If-Match` listing the current ETag of each offer replaced (as the
    scenario's `offers` give them), or `*`: 428 without, 412 naming each nation whose offer changed."""
    return service.import_offers(db, principal, scenario_id, body, content_type, if_match=if_match)


@router.get(
    "/{nation}",
    response_model=OfferView,
    responses={
        304: {"description": "Not modified: `If-None-Match` names the current version (no body)"},
        **problems(401, 403, 404),
    },
)
def get_offer(
    scenario_id: str,
    nation: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    response: Response,
    if_none_match: Annotated[
        str | None, Header(description="ETags the caller holds: 304 without a body when one is current.")
    ] = None,
) -> OfferView | Response:
    """A nation's current offer; version 0 (empty) when it has submitted none.

    With `If-None-Match` naming the current ETag the answer is 304, without a body: a delegate's
    page can look for a newer version as often as it likes for the price of a header.
    """
    view = service.get_offer(db, principal, scenario_id, nation)
    if if_none_match is not None and service.etag_matches_weakly(if_none_match, view.etag):
        return Response(status_code=304, headers={"ETag": view.etag})
    response.headers["ETag"] = view.etag
    return view


@router.get(
    "/{nation}/workbook",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX_TYPE: {}},
            "description": "The offer's sheets; `ETag` names the version they hold.",
            "headers": {
                "ETag": {"description": "The offer version's ETag, as its JSON gives it.", "schema": {"type": "string"}}
            },
        },
        304: {"description": "Not modified: `If-None-Match` names the current version (no body)"},
        **problems(401, 403, 404),
    },
)
def get_offer_workbook(
    scenario_id: str,
    nation: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    if_none_match: Annotated[
        str | None, Header(description="ETags the caller holds: 304 without a body when one is current.")
    ] = None,
) -> Response:
    """A nation's current offer as a workbook (its units, pledges and red lines, a sheet each), for
    its delegate to fill in and `PUT` back with `Content-Type: application/vnd.openxmlformats-
    officedocument.spreadsheetml.sheet` and `If-Match` naming the `ETag` this answer gives (the
    offer version's, as its JSON's): a sheet filled in from a version since replaced is a 412."""
    etag, content = service.offer_workbook(db, principal, scenario_id, nation)
    if if_none_match is not None and service.etag_matches_weakly(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    headers = {"Content-Disposition": f'attachment; filename="{scenario_id}-{nation}-offer.xlsx"', "ETag": etag}
    return Response(content, media_type=XLSX_TYPE, headers=headers)


@router.put(
    "/{nation}",
    response_model=OfferView,
    responses={
        201: {"description": "The nation's first offer"},
        **problems(401, 403, 404, 409, 412, 413, 415, 422, 428),
    },
    openapi_extra=document_body("OfferBody", {"engineers and infantry": EXAMPLE_OFFER, "withdraw": EXAMPLE_WITHDRAWAL}),
)
def put_offer(
    scenario_id: str,
    nation: str,
    body: RawBodyDep,
    db: DatabaseDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    if_match: Annotated[str | None, Header(description="The ETag of the version this offer replaces.")] = None,
    if_none_match: Annotated[str | None, Header(description="`*` to write the nation's first offer.")] = None,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OfferView:
    """Write a new version of a nation's offer (its delegate, or a coordinator), JSON, YAML or the
    workbook `GET .../workbook` gives (problems then name sheet, row and column).

    The body is the offer, or what `GET` gave with its `offer` edited: its read-only fields
    (`scenario`, `version`, `etag`, ...) must then be the stored version's (422 naming each that is not).

    Needs `If-Match` with the current ETag (`"0"`, or `If-None-Match: *`, for the first), 428
    without it, 412 when another version was written since. The whole scenario is validated with it.
    A delegate's version that would take the nation's stored history past the server's quota
    (`max_offer_history_bytes`) is refused with 409; a coordinator's is not.
    """
    written = service.put_offer(
        db, settings, principal, scenario_id, nation, body, content_type, if_match=if_match, if_none_match=if_none_match
    )
    response.status_code = 201 if written.first else 200
    response.headers["ETag"] = written.view.etag
    response.headers["Location"] = f"/v1/scenarios/{scenario_id}/offers/{nation}"
    return written.view


@router.get("/{nation}/history", response_model=OfferHistory, responses=problems(401, 403, 404, 422))
def offer_history(
    scenario_id: str,
    nation: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many versions (100 at most).")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many versions.")] = 0,
) -> OfferHistory:
    """The versions of a nation's offer, oldest first, a page at a time (the history is append-only,
    and `total` says how many versions there are)."""
    return service.offer_history(db, principal, scenario_id, nation, limit=limit, offset=offset)
