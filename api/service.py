"""The service's use cases: who may do what, on which version, validated how.

Routes translate HTTP into these calls and their answers back; these never see a request.
Every write checks the caller's role first (403, whatever the ids), then what it may see (404,
the same answer as for an id that does not exist), then the version it expects (428, 412),
then the document (422, every problem at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcepack.api import store
from forcepack.api.auth import Principal, Role, job_not_found, offer_not_found, scenario_not_found, still_valid
from forcepack.api.db import Database
from forcepack.api.documents import (
    build_scenario,
    coordinator_changes,
    digest,
    etag,
    nation_codes,
    offer_changes,
    offer_document,
    offer_of_view,
    offer_size,
    parts_of,
    with_ids,
)
from forcepack.api.errors import Conflict, InvalidRequest, NotFound, PreconditionFailed, PreconditionRequired
from forcepack.api.jobs import UNFINISHED, JobRunner, Work
from forcepack.api.keys import digest_key, keyed_digest
from forcepack.api.kinds import KINDS, JobKind
from forcepack.api.limits import read_body_document
from forcepack.api.schemas import (
    AlternativesJob,
    CriticalityJob,
    ExplanationJob,
    JobList,
    JobSummary,
    OfferHistory,
    OfferIndexEntry,
    OffersImported,
    OfferView,
    ResilienceJob,
    ScenarioDiff,
    ScenarioList,
    ScenarioSummary,
    ScenarioVersionEntry,
    ScenarioVersions,
    ScenarioView,
    SolveJob,
    WhatIfJob,
    WhyNotJob,
)
from forcepack.api.settings import Settings
from forcepack.api.tables import JobRow, OfferVersionRow, ScenarioRow, ScenarioVersionRow, utcnow
from forcepack.api.visibility import (
    OfferSecrets,
    patch_offers,
    redact_scenario_diff,
    version_author,
)
from forcepack.models.analysis import WhatIf
from forcepack.models.errors import ForcepackError, ScenarioInputError
from forcepack.models.loading import parse_scenario, shown_value
from forcepack.models.patch import PatchError, with_references
from forcepack.models.scenario import Offer, Scenario
from forcepack.models.scenario_diff import diff_documents
from forcepack.models.solution import Solution
from forcepack.models.wording import plural, suggestion

if TYPE_CHECKING:  # (the workbook's reader, and openpyxl, are imported when a workbook is read)
    from forcepack.models.workbook import SheetsRead

SYSTEM = Principal("system", Role.COORDINATOR)
"""The service itself, when it loads scenarios (examples at first start)."""


# -- preconditions -----------------------------------------------------------------------


def etag_matches(header: str, current: str, *, exists: bool) -> bool:
    """`If-Match` (strong comparison): one of the listed ETags is the current one, or `*` and it exists."""
    tags = [t.strip() for t in header.split(",") if t.strip()]
    return any((t == "*" and exists) or t == current for t in tags)


def etag_matches_weakly(header: str, current: str) -> bool:
    """`If-None-Match` (weak comparison, RFC 9110 13.1.2): one of the listed ETags, `W/` or not, is current, or `*`."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]
    return any(t in ("*", current.removeprefix("W/")) for t in tags)


def offer_etag(scenario_id: str, nation: str, row: OfferVersionRow | None, key: bytes) -> str:
    """A nation's offer version's ETag: keyed, and by scenario, nation and version too, so equal
    offers of two nations, or a nation's offer put back as it was, never share a digest: an ETag
    tells nothing of the offer to anyone who cannot read it."""
    if row is None:
        return etag(0, None, key)
    return etag(
        row.version, {"scenario": scenario_id, "nation": nation, "version": row.version, "offer": row.offer}, key
    )


def _check_preconditions(if_match: str | None, if_none_match: str | None, current: str, *, exists: bool) -> None:
    """A write names the version it replaces: `If-Match` with its ETag (`*`: whatever is current),
    or `If-None-Match: *` for the first version. Any other `If-None-Match` alone is no precondition
    (428); one naming the current version, with or without `If-Match`, fails (412, RFC 9110)."""
    first_only = if_none_match is not None and if_none_match.strip() == "*"
    if if_none_match is not None and exists and (first_only or etag_matches(if_none_match, current, exists=exists)):
        raise PreconditionFailed(
            "`If-None-Match` names the current version", ["If-None-Match: a version it names exists"]
        )
    if if_match is None and not first_only:
        raise PreconditionRequired(
            "an update needs `If-Match` with the current ETag (read it with GET)"
            + ("" if exists else ", or `If-None-Match: *` to write the first version"),
            ["If-Match: required header is missing"],
        )
    if if_match is not None and not etag_matches(if_match, current, exists=exists):
        raise PreconditionFailed(
            f"`If-Match` does not name the current version (ETag {current}): it changed since it was read",
            [f"If-Match: stale ETag {shown_value(if_match)}; the current one is {current}"],
        )


# -- scenarios ---------------------------------------------------------------------------


def _visible_scenario(
    session: Session, principal: Principal, scenario_id: str, *, document: bool = True
) -> ScenarioRow:
    """The scenario's row if the caller may see it (404 alike for one it may not and one that does
    not exist), with its parts read (`document`) only once that is decided: a hidden scenario's
    parts are never read, so the time of its 404 does not grow with its size."""
    row = store.scenario_row(session, scenario_id)
    if row is None or not _sees(principal, row):
        raise scenario_not_found(scenario_id)
    if document:
        _ = row.parts  # read now, in the session: callers use them after it ends
    return row


def _sees(principal: Principal, row: ScenarioRow) -> bool:
    """May the caller see this scenario at all? A delegate those listing its nation; an archived
    one only a coordinator."""
    return principal.sees_scenario(row.nations) and (row.archived_at is None or principal.is_coordinator)


def _active(row: ScenarioRow) -> None:
    """An archived scenario takes no change and no new job (409, saying how to restore it)."""
    if row.archived_at is not None:
        raise Conflict(
            f"scenario `{row.id}` is archived: restore it (POST /v1/scenarios/{row.id}/restore) before changing "
            "it or running a job on it",
            [f"scenario: `{row.id}` was archived at {row.archived_at.isoformat(timespec='seconds')}"],
        )


def _scenario_view(
    row: ScenarioRow, latest: dict[str, OfferVersionRow], principal: Principal, key: bytes
) -> ScenarioView:
    codes = row.nations
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
            etag=offer_etag(row.id, code, latest.get(code), key),
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
        archived_at=row.archived_at,
        offers=index,
        scenario=scenario,
    )


def create_scenario(
    db: Database, principal: Principal, body: bytes, content_type: str | None, *, source: str = "request body"
) -> ScenarioView:
    """Store a new scenario from a scenario file (JSON or YAML): its parts, and version 1 of each offer."""
    principal.require_coordinator("create scenarios")
    data = read_body_document(body, content_type, source, workbook=_scenario_workbook)
    return store_scenario(db, principal, data, source=source)


def _scenario_workbook(content: bytes, source: str) -> dict[str, Any]:
    """A scenario workbook's document (`models.workbook`; its problems by sheet, row and column)."""
    from forcepack.models.workbook import read_workbook

    return read_workbook(content, source).model_dump(mode="json", by_alias=True, exclude_none=True)


def scenario_workbook(db: Database, principal: Principal, scenario_id: str) -> tuple[str, bytes]:
    """The whole scenario as a workbook, every offer in it (coordinators): its id and the file."""
    from forcepack.models.workbook import write_workbook

    principal.require_coordinator("read a whole scenario as a workbook")
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        latest = store.latest_offers(session, scenario_id)
    offers = {nation: r.offer for nation, r in latest.items() if nation in nation_codes(row.parts)}
    scenario = build_scenario(row.parts, offers, source=f"scenario {scenario_id}")
    return scenario.id, write_workbook(scenario)


def offer_workbook(db: Database, principal: Principal, scenario_id: str, nation: str) -> tuple[str, bytes]:
    """A nation's current offer as a workbook of offer sheets (who may read the offer may read it):
    the offer version's ETag (as its JSON gives it, for the `If-Match` of the upload) and the file."""
    from forcepack.models.workbook import write_offer_workbook

    view = get_offer(db, principal, scenario_id, nation)
    offer = view.offer.model_dump(mode="json", by_alias=True, exclude_none=True)
    return view.etag, write_offer_workbook(offer, version=view.version)


def store_scenario(db: Database, principal: Principal, data: Any, *, source: str) -> ScenarioView:
    """Store a new scenario from a scenario file's parsed document."""
    principal.require_coordinator("create scenarios")
    try:
        scenario = parse_scenario(data, source)
    except ScenarioInputError as exc:
        raise ScenarioInputError(source, with_ids(exc.problems, data)) from None
    parts = parts_of(scenario)
    now = utcnow()
    key = digest_key(db)  # before the write lock: making the key takes it
    try:
        with db.write() as session:
            if (existing := store.scenario_row(session, scenario.id)) is not None:
                raise _taken(scenario.id, archived=existing.archived_at is not None)
            session.add(
                ScenarioRow(
                    id=scenario.id,
                    parts=parts,
                    nations=nation_codes(parts),
                    version=1,
                    etag=etag(1, parts, key),
                    created_at=now,
                    updated_at=now,
                )
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
                        offer=(document := offer_document(offer)),
                        written_by=principal.token_id,
                        written_at=now,
                        size_bytes=offer_size(document),
                    )
                )
    except IntegrityError:
        with db.read() as session:
            if (existing := store.scenario_row(session, scenario.id)) is None:
                raise
        raise _taken(scenario.id, archived=existing.archived_at is not None) from None
    return get_scenario(db, principal, scenario.id)


def _taken(scenario_id: str, *, archived: bool = False) -> Conflict:
    if archived:
        return Conflict(
            f"an archived scenario `{scenario_id}` exists already",
            [
                f"id: `{scenario_id}` is taken by an archived scenario; restore it with POST "
                f"/v1/scenarios/{scenario_id}/restore, or choose another id"
            ],
        )
    return Conflict(
        f"a scenario `{scenario_id}` exists already", [f"id: `{scenario_id}` is taken; change it with PATCH"]
    )


def list_scenarios(
    db: Database, principal: Principal, *, limit: int, offset: int, archived: bool = False
) -> ScenarioList:
    """The scenarios the caller may see, oldest first (the parts read of the page's alone): the
    active ones, or (`archived`, coordinators only) the archived ones."""
    if archived:
        principal.require_coordinator("list archived scenarios")
    with db.read() as session:
        rows = [r for r in store.scenario_rows(session, archived=archived) if _sees(principal, r)]
        items = [
            ScenarioSummary(
                id=r.id,
                name=str(r.parts.get("name", r.id)),
                version=r.version,
                etag=r.etag,
                updated_at=r.updated_at,
                archived_at=r.archived_at,
            )
            for r in rows[offset : offset + limit]
        ]
    return ScenarioList(items=items, total=len(rows))


def archive_scenario(db: Database, principal: Principal, scenario_id: str, *, if_match: str | None) -> ScenarioView:
    """Archive a scenario (coordinators): every version, offer and job is kept; it leaves the lists,
    delegates and observers no longer see it, and it takes no change and no new job until restored.
    Needs `If-Match` with its current ETag, as every change does."""
    principal.require_coordinator("archive a scenario")
    with db.write() as session:
        row = _visible_scenario(session, principal, scenario_id, document=False)
        _check_preconditions(if_match, None, row.etag, exists=True)
        _active(row)
        row.archived_at, row.archived_by = utcnow(), principal.token_id
    return get_scenario(db, principal, scenario_id)


def restore_scenario(db: Database, principal: Principal, scenario_id: str, *, if_match: str | None) -> ScenarioView:
    """Bring an archived scenario back as it was archived (coordinators; `If-Match` with its ETag)."""
    principal.require_coordinator("restore a scenario")
    with db.write() as session:
        row = _visible_scenario(session, principal, scenario_id, document=False)
        _check_preconditions(if_match, None, row.etag, exists=True)
        if row.archived_at is None:
            raise Conflict(
                f"scenario `{scenario_id}` is not archived", ["scenario: active already, nothing to restore"]
            )
        row.archived_at, row.archived_by = None, None
    return get_scenario(db, principal, scenario_id)


def get_scenario(db: Database, principal: Principal, scenario_id: str) -> ScenarioView:
    """The scenario as the caller may see it."""
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        latest = store.latest_offers(session, scenario_id)
    return _scenario_view(row, latest, principal, digest_key(db))


def scenario_versions(
    db: Database, principal: Principal, scenario_id: str, *, limit: int, offset: int
) -> ScenarioVersions:
    """A page of the versions of a scenario's coordinator parts, oldest first, and how many there are."""
    with db.read() as session:
        _visible_scenario(session, principal, scenario_id, document=False)
        rows, total = store.scenario_versions(session, scenario_id, limit=limit, offset=offset)
    items = [
        ScenarioVersionEntry(
            version=row.version, written_at=row.written_at, written_by=version_author(row.written_by, principal)
        )
        for row in rows
    ]
    return ScenarioVersions(scenario=scenario_id, items=items, total=total)


def scenario_diff(db: Database, principal: Principal, scenario_id: str, old: int, new: int) -> ScenarioDiff:
    """What changed in a scenario's coordinator parts from version `old` to version `new`, element by
    element, as the caller may read it (422 naming the query field of a version that does not exist)."""
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id, document=False)
        asked = {"from": old, "to": new}
        found = {field: store.scenario_version(session, scenario_id, number) for field, number in asked.items()}
        missing = [
            f"query {field}: scenario `{scenario_id}` has no version {asked[field]}; "
            f"its versions are 1 to {row.version}"
            for field, version in found.items()
            if version is None
        ]
        if missing:
            raise InvalidRequest(f"scenario `{scenario_id}` has no such version", missing)
        before, after = (dict(version.parts) for version in found.values() if version is not None)
    diff = redact_scenario_diff(diff_documents({"id": scenario_id, **before}, {"id": scenario_id, **after}), principal)
    return ScenarioDiff(
        scenario=scenario_id,
        from_version=old,
        to_version=new,
        summary=diff.summary,
        added=diff.added,
        removed=diff.removed,
        changed=diff.changed,
    )


def _parse_later(read: Callable[[], Any]) -> Callable[[], Any]:
    """Parse a body now, outside any transaction; raise its error only when called, so that the
    caller's role, visibility and version checks still answer first."""
    try:
        data = read()
    except ForcepackError as error:
        failed = error

        def fail() -> Any:
            raise failed

        return fail
    return lambda: data


WRITE_ATTEMPTS = 4
"""Times a write is validated outside the write lock before it is validated inside it."""

P = TypeVar("P")
R = TypeVar("R")


def _versions(session: Session, scenario_id: str) -> tuple[int, dict[str, int]] | None:
    """The scenario's version and each nation's offer version: what a validation depended on."""
    row = store.scenario_row(session, scenario_id)
    if row is None:
        return None
    return row.version, {nation: r.version for nation, r in store.latest_offers(session, scenario_id).items()}


def _write_validated(
    db: Database,
    versions: Callable[[Session], object],
    prepare: Callable[[Session], P],
    commit: Callable[[Session, P], R],
) -> R:
    """Check and validate a write (`prepare`: the slow part) in a read transaction, then `commit` it in
    a write transaction if what the validation depended on (`versions`) is unchanged; if another
    write came between, again. The write lock is held for the commit alone, so one large or slow
    request never holds up the others; after WRITE_ATTEMPTS - 1 such races the validation runs
    inside the write lock, so a write always gets through."""
    for _ in range(WRITE_ATTEMPTS - 1):
        with db.read() as session:
            seen = versions(session)
            prepared = prepare(session)
        with db.write() as session:
            if versions(session) == seen:
                return commit(session, prepared)
    with db.write() as session:
        return commit(session, prepare(session))


def patch_scenario(
    db: Database,
    principal: Principal,
    scenario_id: str,
    body: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
) -> ScenarioView:
    """Replace some of the coordinator's parts; the result is validated with every offer, like a file.

    The body is read before any transaction, and the result validated outside the write lock
    (`_write_validated`)."""
    principal.require_coordinator("change a scenario")
    source = f"change to scenario {scenario_id}"
    document = _parse_later(lambda: read_body_document(body, content_type, source))
    key = digest_key(db)  # before the write lock: making the key takes it

    def prepare(session: Session) -> dict[str, Any]:
        row = _visible_scenario(session, principal, scenario_id)
        _check_preconditions(if_match, None, row.etag, exists=True)
        _active(row)
        latest = store.latest_offers(session, scenario_id)
        changes = coordinator_changes(document(), source)
        offers = {nation: r.offer for nation, r in latest.items()}
        return parts_of(build_scenario({**row.parts, **changes}, offers, source=source))

    def commit(session: Session, parts: dict[str, Any]) -> None:
        current = _visible_scenario(session, principal, scenario_id, document=False)
        _active(current)  # archived since the validation
        version, now = current.version + 1, utcnow()
        session.add(
            ScenarioVersionRow(
                scenario_id=scenario_id, version=version, parts=parts, written_by=principal.token_id, written_at=now
            )
        )
        session.flush()  # the version's primary key is the lock: a concurrent PATCH fails here
        current.parts, current.version, current.updated_at = parts, version, now
        current.nations = nation_codes(parts)
        current.etag = etag(version, parts, key)

    try:
        _write_validated(db, lambda session: _versions(session, scenario_id), prepare, commit)
    except IntegrityError:
        raise PreconditionFailed("the scenario changed while this change was written; read it again") from None
    return get_scenario(db, principal, scenario_id)


# -- offers ------------------------------------------------------------------------------


def _offer_view(scenario_id: str, nation: str, row: OfferVersionRow | None, key: bytes) -> OfferView:
    if row is None:
        return OfferView(
            scenario=scenario_id,
            nation=nation,
            version=0,
            etag=offer_etag(scenario_id, nation, None, key),
            written_by=None,
            written_at=None,
            offer=Offer(nation=nation),
        )
    return OfferView(
        scenario=scenario_id,
        nation=nation,
        version=row.version,
        etag=offer_etag(scenario_id, nation, row, key),
        written_by=row.written_by,
        written_at=row.written_at,
        offer=Offer.model_validate({"nation": nation, **row.offer}),
    )


def _listed_nation(row: ScenarioRow, nation: str) -> None:
    if nation not in row.nations:
        raise offer_not_found(row.id, nation)


def get_offer(db: Database, principal: Principal, scenario_id: str, nation: str) -> OfferView:
    """A nation's current offer (version 0, empty, when it has submitted none)."""
    principal.require_offer_reader(scenario_id, nation)
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id, document=False)
        _listed_nation(row, nation)
        current = store.latest_offer(session, scenario_id, nation)
    return _offer_view(scenario_id, nation, current, digest_key(db))


def offer_history(
    db: Database, principal: Principal, scenario_id: str, nation: str, *, limit: int, offset: int
) -> OfferHistory:
    """A page of the versions of a nation's offer, oldest first, and how many there are."""
    principal.require_offer_reader(scenario_id, nation)
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id, document=False)
        _listed_nation(row, nation)
        versions, total = store.offer_versions(session, scenario_id, nation, limit=limit, offset=offset)
    key = digest_key(db)
    return OfferHistory(
        scenario=scenario_id,
        nation=nation,
        items=[_offer_view(scenario_id, nation, v, key) for v in versions],
        total=total,
    )


def _check_history_quota(
    session: Session, principal: Principal, scenario_id: str, nation: str, size: int, quota: int
) -> None:
    """A delegate's new version must keep the nation's stored history within `quota` bytes (409
    naming both). Nothing stored is ever deleted, so the quota bounds what a delegate can make the
    service keep and answer; a coordinator's write is never refused by it."""
    if principal.is_coordinator:
        return
    stored = store.offer_history_bytes(session, scenario_id, nation)
    if stored + size > quota:
        raise Conflict(
            f"the offer history of {nation} in scenario {scenario_id} would pass its quota of {plural(quota, 'byte')}",
            [
                f"offer: {nation}'s stored versions hold {plural(stored, 'byte')}; this version's {size:,} more would "
                f"pass the quota of {quota:,} (max_offer_history_bytes); a coordinator may still write it"
            ],
        )


@dataclass(frozen=True)
class Written:
    """An offer version just written; `first` when it is the nation's first."""

    view: OfferView
    first: bool


def put_offer(
    db: Database,
    settings: Settings,
    principal: Principal,
    scenario_id: str,
    nation: str,
    body: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> Written:
    """Write a new version of a nation's offer, if the caller's version is still the current one.

    As for a scenario change, the body is read before any transaction and the scenario validated
    with it outside the write lock (`_write_validated`)."""
    principal.require_offer_writer(scenario_id, nation)
    quota = settings.max_offer_history_bytes
    source = f"offer of {nation}"

    sheets: list[SheetsRead] = []  # the workbook read, if the body is one: its problems with the scenario by cell

    def offer_sheets(content: bytes, where: str) -> dict[str, Any]:
        from forcepack.models.workbook import read_offer_sheets

        sheets.append(read_offer_sheets(content, where, nation))
        return sheets[0].document

    document = _parse_later(lambda: read_body_document(body, content_type, source, workbook=offer_sheets))
    key = digest_key(db)  # before the write lock: making the key takes it

    def prepare(session: Session) -> tuple[int, dict[str, Any]]:
        row = _visible_scenario(session, principal, scenario_id)
        _listed_nation(row, nation)
        latest = store.latest_offers(session, scenario_id)
        current = latest.get(nation)
        version = current.version if current is not None else 0
        current_etag = offer_etag(scenario_id, nation, current, key)
        _check_preconditions(if_match, if_none_match, current_etag, exists=current is not None)
        based_on = sheets[0].based_on if sheets else None
        if based_on is not None and based_on != version:
            # A sheet filled in from an older version would undo what was written since, whatever
            # version the uploading page holds.
            raise PreconditionFailed(
                f"the sheet was written from version {based_on} of {nation}'s offer, and the offer is now at "
                f"version {version}: download the sheet again and make the changes there"
            )
        _active(row)
        stored = _offer_view(scenario_id, nation, current, key).model_dump(mode="json", exclude={"offer"})
        offer = offer_changes(offer_of_view(document(), stored, source), nation, source)
        offers = {n: r.offer for n, r in latest.items()} | {nation: offer}
        scenario = _with_sheets(
            sheets,
            source,
            lambda: build_scenario(row.parts, offers, source=source, subject=nation, viewer=principal),
            nation,
        )
        stored = offer_document(scenario.offer_by_nation[nation])
        # The stored bytes depend on the nation's versions alone, which `versions` below holds fixed.
        _check_history_quota(session, principal, scenario_id, nation, offer_size(stored), quota)
        return version, stored

    def commit(session: Session, prepared: tuple[int, dict[str, Any]]) -> OfferVersionRow:
        version, offer = prepared
        _active(_visible_scenario(session, principal, scenario_id, document=False))  # archived since
        written = OfferVersionRow(
            scenario_id=scenario_id,
            nation=nation,
            version=version + 1,
            offer=offer,
            written_by=principal.token_id,
            written_at=utcnow(),
            size_bytes=offer_size(offer),
        )
        session.add(written)
        session.flush()  # (scenario, nation, version) is unique: a concurrent writer fails here
        return written

    def versions(session: Session) -> object:
        # Ids are each nation's own, so an offer is valid or not whatever the other offers hold: its
        # validation depends on the coordinator's parts and on the nation's current version only, and
        # delegates of different nations writing at once never make each other validate again.
        row = store.scenario_row(session, scenario_id)
        current = store.latest_offer(session, scenario_id, nation)
        return (row.version if row else None, current.version if current else 0)

    try:
        written = _write_validated(db, versions, prepare, commit)
    except IntegrityError:
        raise PreconditionFailed("the offer changed while this version was written; read it again") from None
    return Written(_offer_view(scenario_id, nation, written, key), first=written.version == 1)


def _at_cells(sheets: list[SheetsRead], problems: list[str], *, nation: str | None = None) -> list[str]:
    """Problems led by a document path, each led by the workbook's cell it came from when the body
    was a workbook (`sheets`: the one read, or none)."""
    return sheets[0].at_cells(problems, nation=nation) if sheets else problems


def _with_sheets(
    sheets: list[SheetsRead], source: str, build: Callable[[], Scenario], nation: str | None = None
) -> Scenario:
    """The scenario `build` validates with offers read from a body; when the body was a workbook
    (`sheets`: the one read), every problem at once, by sheet, row and column: its cells' and the
    scenario's (`nation`: the offer whose paths the scenario's name from inside it)."""
    problems = list(sheets[0].problems) if sheets else []
    try:
        scenario = build()
    except ScenarioInputError as exc:
        raise ScenarioInputError(
            source, problems + _at_cells(sheets, exc.problems, nation=nation) or exc.problems
        ) from None
    if problems:
        raise ScenarioInputError(source, problems)
    return scenario


def _with_offers(
    latest: Mapping[str, OfferVersionRow], imported: Mapping[str, Mapping[str, Any]], source: str
) -> dict[str, dict[str, Any]]:
    """The current offers, those imported in place of theirs."""
    new = {code: offer_changes(offer, code, source) for code, offer in imported.items()}
    return {n: r.offer for n, r in latest.items()} | new


def _offers_of_body(data: Any, source: str) -> list[dict[str, Any]]:
    """The offers of a JSON or YAML import: `{offers: [{nation, units, funding, red_lines}, ...]}`."""
    if not isinstance(data, Mapping) or set(data) != {"offers"} or not isinstance(data["offers"], list):
        raise ScenarioInputError(source, ["(top level): expected a mapping with one field, `offers`: a list of offers"])
    problems: list[str] = []
    for i, offer in enumerate(data["offers"]):
        if not isinstance(offer, Mapping) or not isinstance(offer.get("nation"), str):
            problems.append(f"offers[{i}].nation: required field is missing (the nation whose offer it is)")
    if not data["offers"]:
        problems.append("offers: name at least one nation's offer")
    if problems:
        raise ScenarioInputError(source, problems)
    return [dict(offer) for offer in data["offers"]]


def _check_offers_preconditions(if_match: str | None, current: Mapping[str, str]) -> None:
    """An import replaces several offers: `If-Match` lists the ETag of each as the caller read it
    (or `*`: whatever is current); 428 without it, 412 naming each nation whose offer changed since."""
    if if_match is None:
        raise PreconditionRequired(
            "an import needs `If-Match` with the current ETag of each offer it replaces (GET the scenario: its "
            "`offers` give them), or `*`",
            ["If-Match: required header is missing"],
        )
    tags = {t.strip() for t in if_match.split(",") if t.strip()}
    if "*" in tags:
        return
    stale = [
        f"If-Match: the offer of {nation} changed since it was read (its ETag is now {tag})"
        for nation, tag in current.items()
        if tag not in tags
    ]
    if stale:
        raise PreconditionFailed("`If-Match` does not name the current version of every offer replaced", stale)


def import_offers(
    db: Database,
    principal: Principal,
    scenario_id: str,
    body: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
) -> OffersImported:
    """Write a new version of the offer of every nation an import names (coordinators), all or none:
    a workbook of offer sheets (`models.workbook.read_offers_workbook`) or `{offers: [...]}`.

    The scenario is validated with all of them, as for one offer; the body is read before any
    transaction (`_write_validated`)."""
    principal.require_coordinator("import offers")
    source = f"offers imported into scenario {scenario_id}"

    sheets: list[SheetsRead] = []  # the workbook read, if the body is one: its problems with the scenario by cell

    def offers_sheets(content: bytes, where: str) -> dict[str, Any]:
        from forcepack.models.workbook import read_offers_sheets

        sheets.append(read_offers_sheets(content, where))
        return sheets[0].document

    document = _parse_later(lambda: read_body_document(body, content_type, source, workbook=offers_sheets))
    key = digest_key(db)  # before the write lock: making the key takes it

    def prepare(session: Session) -> dict[str, tuple[int, dict[str, Any]]]:
        row = _visible_scenario(session, principal, scenario_id)
        _check_offers_preconditions(if_match, {})  # 428 before the document (which names the offers)
        latest = store.latest_offers(session, scenario_id)
        imported = _offers_of_body(document(), source)
        named = [str(o["nation"]) for o in imported]
        problems = [
            f"offers[{i}].nation: `{shown_value(code)}` is not a nation of scenario `{scenario_id}`"
            + suggestion(code, row.nations)
            for i, code in enumerate(named)
            if code not in row.nations
        ] + [
            f"offers[{i}].nation: `{code}` has a second offer in the import"
            for i, code in enumerate(named)
            if code in named[:i]
        ]
        if problems:  # with every problem of the other offers, validated with the scenario
            others = {code: offer for code, offer in zip(named, imported, strict=True) if code in row.nations}
            problems = _at_cells(sheets, problems)
            try:
                _with_sheets(
                    sheets,
                    source,
                    lambda: build_scenario(row.parts, _with_offers(latest, others, source), source=source),
                )
            except ScenarioInputError as exc:
                problems = exc.problems + problems
            raise ScenarioInputError(source, problems)
        current = {code: offer_etag(scenario_id, code, latest.get(code), key) for code in named}
        _check_offers_preconditions(if_match, current)
        _active(row)
        offers = _with_offers(latest, {str(o["nation"]): o for o in imported}, source)
        scenario = _with_sheets(sheets, source, lambda: build_scenario(row.parts, offers, source=source))
        return {
            code: (latest[code].version if code in latest else 0, offer_document(scenario.offer_by_nation[code]))
            for code in named
        }

    def commit(session: Session, prepared: dict[str, tuple[int, dict[str, Any]]]) -> list[OfferVersionRow]:
        _active(_visible_scenario(session, principal, scenario_id, document=False))  # archived since
        now = utcnow()
        written = [
            OfferVersionRow(
                scenario_id=scenario_id,
                nation=nation,
                version=version + 1,
                offer=offer,
                written_by=principal.token_id,
                written_at=now,
                size_bytes=offer_size(offer),
            )
            for nation, (version, offer) in prepared.items()
        ]
        session.add_all(written)
        session.flush()  # (scenario, nation, version) is unique: a concurrent writer fails here
        return written

    try:
        rows = _write_validated(db, lambda session: _versions(session, scenario_id), prepare, commit)
    except IntegrityError:
        raise PreconditionFailed("an offer changed while the import was written; read the scenario again") from None
    return OffersImported(scenario=scenario_id, items=[_offer_view(scenario_id, r.nation, r, key) for r in rows])


# -- jobs --------------------------------------------------------------------------------

AnyJob = SolveJob | WhatIfJob | CriticalityJob | ExplanationJob | WhyNotJob | AlternativesJob | ResilienceJob


@dataclass(frozen=True)
class Submitted:
    """A job, and whether this request created it (False: an idempotent replay)."""

    view: AnyJob
    created: bool


def _offer_secrets(db: Database, job: JobRow) -> OfferSecrets:
    """What the offers a job used (and those its patch brought in) hold that a caller may not read."""
    with db.read() as session:
        used = store.offers_at(session, job.scenario_id, job.offer_versions)
    pairs: list[tuple[str, Mapping[str, Any]]] = [(nation, row.offer) for nation, row in used.items()]
    pairs += patch_offers(job.params.get("patch", {}))
    return OfferSecrets.of(pairs)


def _job_view(db: Database, job: JobRow, principal: Principal, runner: JobRunner) -> AnyJob:
    """A job as the caller may read it: only its own offer versions for a delegate, answers redacted
    by the job's kind (`api.kinds`)."""
    versions = job.offer_versions
    if principal.role is Role.DELEGATE:
        versions = {n: v for n, v in versions.items() if n == principal.nation}
    result = job.result
    if result is not None and not principal.is_coordinator:
        result = _keyed_scenario_digests(result, digest_key(db))
    view = KINDS[job.kind].job(
        job.params,
        result,
        principal,
        lambda: _offer_secrets(db, job),
        id=job.id,
        scenario=job.scenario_id,
        status=job.status,
        scenario_version=job.scenario_version,
        offer_versions=versions,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        progress=runner.progress(job.id) if job.status == "running" else None,
        error=job.error,
        error_detail=job.error_detail if principal.is_coordinator else None,
    )
    return cast(AnyJob, view)


def _keyed_scenario_digests(document: Any, key: bytes) -> Any:
    """A job's answer with each package's `scenario.sha256` (a digest of the whole scenario, every
    red line included) replaced by a keyed digest of it, for those who may not read the scenario
    whole: it still tells versions apart, and confirms no guess."""
    if isinstance(document, list):
        return [_keyed_scenario_digests(item, key) for item in document]
    if not isinstance(document, dict):
        return document
    out = {k: _keyed_scenario_digests(v, key) for k, v in document.items()}
    if isinstance(out.get("sha256"), str) and "id" in out:
        out["sha256"] = keyed_digest(key, out["sha256"])
    return out


def _replay(db: Database, job: JobRow, request_hash: str, principal: Principal, runner: JobRunner) -> Submitted:
    if job.request_hash != request_hash:
        raise InvalidRequest(
            "this Idempotency-Key was used for another request",
            [f"Idempotency-Key: already used for job `{job.id}` with a different request; use a new key"],
        )
    return Submitted(_job_view(db, job, principal, runner), created=False)


@dataclass(frozen=True)
class _JobRequest:
    """What a job-creating request asks: its kind, its request document, the parameters it will run with."""

    kind: str
    request: dict[str, Any]
    params: dict[str, Any]
    work: Callable[[Scenario], Work]
    """The job's work on the scenario as it stands (raises a user error if it cannot apply)."""


def _scenario_now(db: Database, principal: Principal, scenario_id: str) -> Scenario:
    """The scenario as it stands: its parts with the latest offer of each of its nations."""
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        latest = store.latest_offers(session, scenario_id)
    offers = {nation: r.offer for nation, r in latest.items() if nation in row.nations}
    return build_scenario(row.parts, offers, source=f"scenario {scenario_id}")


def _submit(
    db: Database,
    runner: JobRunner,
    principal: Principal,
    scenario_id: str,
    asked: _JobRequest,
    idempotency_key: str | None,
) -> Submitted:
    """Queue a job on the scenario as it stands; the same key and request give the same job."""
    request_hash = digest({"kind": asked.kind, "scenario": scenario_id, "request": asked.request})
    with db.read() as session:
        row = _visible_scenario(session, principal, scenario_id)
        if idempotency_key is not None:
            existing = store.job_by_idempotency_key(session, principal.token_id, idempotency_key)
            if existing is not None:
                return _replay(db, existing, request_hash, principal, runner)
        _active(row)
        latest = store.latest_offers(session, scenario_id)
    offers = {nation: r.offer for nation, r in latest.items() if nation in row.nations}
    scenario = build_scenario(row.parts, offers, source=f"scenario {scenario_id}")
    work = asked.work(scenario)
    job_id = uuid.uuid4().hex
    ticket = runner.admit(job_id)
    try:
        with db.write("normal") as session:
            if idempotency_key is not None:
                existing = store.job_by_idempotency_key(session, principal.token_id, idempotency_key)
                if existing is not None:
                    runner.release(ticket)
                    return _replay(db, existing, request_hash, principal, runner)
            _active(_visible_scenario(session, principal, scenario_id, document=False))  # archived since
            job = JobRow(
                id=job_id,
                kind=asked.kind,
                scenario_id=scenario_id,
                scenario_version=row.version,
                offer_versions={nation: latest[nation].version for nation in offers},
                params=asked.params,
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
        return _replay(db, existing, request_hash, principal, runner)
    except BaseException:
        runner.release(ticket)
        raise
    runner.start(ticket, work)
    return Submitted(_job_view(db, job, principal, runner), created=True)


def submit(
    kind: JobKind[Any, Any],
    db: Database,
    runner: JobRunner,
    settings: Settings,
    principal: Principal,
    scenario_id: str,
    body: bytes,
    content_type: str | None,
    idempotency_key: str | None,
) -> Submitted:
    """Queue a job of a kind on the scenario as it stands (coordinators): the scenario must be one
    the caller sees (404), the request read as the kind reads it (415, 422), its work checked on the
    scenario before it is queued (422), and the same key and request give the same job."""
    principal.require_coordinator(kind.action)
    with db.read() as session:
        _visible_scenario(session, principal, scenario_id, document=False)
    try:
        request = kind.read(body, content_type, scenario_id)
    except PatchError as exc:
        if exc.ops is None:
            raise
        # (the operations that parsed are checked against the scenario too: one 422 names all)
        raise with_references(exc, _scenario_now(db, principal, scenario_id)) from None
    used = kind.used(request, settings)
    asked = _JobRequest(
        kind=kind.name,
        request=request.model_dump(mode="json", by_alias=True),
        params=used.model_dump(mode="json"),
        work=lambda scenario: kind.work(scenario, used, scenario_id),
    )
    return _submit(db, runner, principal, scenario_id, asked, idempotency_key)


def list_jobs(
    db: Database,
    principal: Principal,
    scenario_id: str,
    *,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> JobList:
    """The jobs of a scenario the caller may see, newest first."""
    with db.read() as session:
        _visible_scenario(session, principal, scenario_id, document=False)
        rows, total = store.scenario_jobs(session, scenario_id, kind=kind, status=status, limit=limit, offset=offset)
        items = [
            JobSummary(
                id=r.id,
                kind=r.kind,
                status=r.status,
                scenario_version=r.scenario_version,
                created_at=r.created_at,
                started_at=r.started_at,
                finished_at=r.finished_at,
                error=r.error,
                error_detail=r.error_detail if principal.is_coordinator else None,
            )
            for r in rows
        ]
    return JobList(items=items, total=total)


def _visible_job(session: Session, principal: Principal, job_id: str) -> JobRow:
    job = store.job_row(session, job_id)
    if job is None:
        raise job_not_found(job_id)
    scenario = store.scenario_row(session, job.scenario_id)
    if scenario is None or not _sees(principal, scenario):
        raise job_not_found(job_id)
    return job


def get_job(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> AnyJob:
    """A job's state, and its answer as the caller may read it."""
    with db.read() as session:
        job = _visible_job(session, principal, job_id)
    return _job_view(db, job, principal, runner)


def job_package(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> Solution:
    """The package a done job answered, as the caller may read it: a solve's, or a what-if's
    patched one (409 for a job not done, or whose answer is no single package)."""
    view = get_job(db, runner, principal, job_id)
    _done_and_shown(view, job_id, "package")
    package: Solution | None = None
    if isinstance(view.result, Solution):
        package = view.result
    elif isinstance(view.result, WhatIf):
        if view.result.patched is None:
            raise Conflict(f"job `{job_id}`'s patched package is withheld from this caller: {view.result.withheld}")
        package = view.result.patched
    if package is not None:
        if not package.has_package:  # (empty tables would read as a package of nothing, fully funded)
            raise Conflict(f"job `{job_id}` found no package ({package.status}): there is nothing to table")
        return package
    raise Conflict(f"job `{job_id}` is {a_job(view.kind)}: its answer holds no single package to table")


def a_job(kind: str) -> str:
    """A job of a kind, with its article: `a what-if job`, `an alternatives job`."""
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} job"


def _done_and_shown(view: AnyJob, job_id: str, what: str) -> None:
    """409 unless the job is done and its answer shown to the caller."""
    if view.status != "done":
        raise Conflict(f"job `{job_id}` is {view.status}: its {what} is there once it is done")
    if view.result is None:
        withheld = getattr(view, "withheld", None)
        raise Conflict(
            f"job `{job_id}` is done, but its answer is not shown to this caller"
            + (f": {withheld}" if withheld else "")
        )


def job_brief(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> tuple[Solution | WhatIf, Scenario]:
    """What the brief of a done solve or what-if prints: its answer as the caller may read it (the
    job's view, redacted by its kind), and the scenario the job was asked on as far as the brief
    reads it (names, requirement lines, horizon, label): the version of the coordinator's parts the
    job used, without `expect` and without any offer. 409 for a job not done, or of another kind."""
    view = get_job(db, runner, principal, job_id)
    _done_and_shown(view, job_id, "brief")
    if not isinstance(view.result, Solution | WhatIf):
        raise Conflict(f"job `{job_id}` is {a_job(view.kind)}: a brief is of a solve or a what-if")
    with db.read() as session:
        row = session.get(ScenarioVersionRow, (view.scenario, view.scenario_version))
        parts = {key: value for key, value in row.parts.items() if key != "expect"} if row is not None else None
    if parts is None:  # (versions are append-only: a job's version is always there)
        raise job_not_found(job_id)
    return view.result, build_scenario(parts, {}, source=f"scenario {view.scenario}")


def may_still_read(db: Database, principal: Principal, job_id: str) -> bool:
    """Does the caller's token still hold, and may it still see the job (its nation still listed)?"""
    with db.read() as session:
        if not still_valid(session, principal.token_id):
            return False
        try:
            _visible_job(session, principal, job_id)
        except NotFound:
            return False
    return True


def job_status(db: Database, principal: Principal, job_id: str) -> str:
    """A job's status (404 for a job the caller may not see)."""
    with db.read() as session:
        return _visible_job(session, principal, job_id).status


def cancel_job(db: Database, runner: JobRunner, principal: Principal, job_id: str) -> AnyJob:
    """Cancel a queued or running job: recorded at once, and its work is told to stop."""
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
