"""What the service's requests and answers look like (the OpenAPI documentation is made from these).

Scenario parts, offers and solutions are the planner's own models (`models/`); these wrap them
with the service's bookkeeping: versions, ETags, timestamps, job states.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from forcepack.models.analysis import Alternatives, Criticality, Resilient, WhatIf, WhyNot
from forcepack.models.common import Identifier, NationCode, NumbersNotBooleans, Text
from forcepack.models.patch import Operation
from forcepack.models.red_lines import RedLine
from forcepack.models.scenario import (
    CapabilityDef,
    CostSettings,
    Criterion,
    Expect,
    FundingPledge,
    Horizon,
    Nation,
    ObjectiveTerm,
    Offer,
    Phasing,
    Requirement,
    Scenario,
    Sector,
    Targets,
    UnitOffer,
    Veto,
)
from forcepack.models.scenario_diff import ElementChange, ElementState
from forcepack.models.solution import Explanation, Solution

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
JobKind = Literal["solve", "what-if", "criticality", "explanation", "why-not", "alternatives", "resilience"]


class ApiModel(NumbersNotBooleans):
    """Base of the service's own models: immutable, unknown fields are errors, and a number field
    refuses `true` and `false`."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OfferIndexEntry(ApiModel):
    """Which version of a nation's offer is current."""

    nation: str = Field(description="Nation code.")
    version: int = Field(ge=0, description="Current version (0: no offer submitted yet).")
    etag: str = Field(description="ETag of the current version, for `If-Match`.")
    written_at: dt.datetime | None = Field(description="When the current version was written.")


class ScenarioSummary(ApiModel):
    """One scenario in a list."""

    id: str = Field(description="Scenario id.")
    name: str = Field(description="Display name.")
    version: int = Field(ge=1, description="Version of the coordinator's parts.")
    etag: str = Field(description="ETag of the coordinator's parts, for `If-Match` on PATCH.")
    updated_at: dt.datetime = Field(description="When the coordinator's parts last changed.")
    archived_at: dt.datetime | None = Field(default=None, description="When a coordinator archived it (null: active).")


class ScenarioList(ApiModel):
    """Scenarios the caller may see, oldest first: the active ones, or with `?archived=true` (coordinators)
    the archived ones."""

    items: list[ScenarioSummary]
    total: int = Field(ge=0, description="How many the caller may see in all.")


class ScenarioView(ApiModel):
    """A scenario as the caller may see it.

    `scenario` holds the coordinator's parts and the offers the caller may read: all of them for
    a coordinator, its own nation's for a delegate, none for an observer. `expect` (the file's test
    expectation, which may name any red line) is for coordinators only.
    """

    id: str
    version: int = Field(ge=1, description="Version of the coordinator's parts.")
    etag: str = Field(description="ETag of the coordinator's parts, for `If-Match` on PATCH.")
    created_at: dt.datetime
    updated_at: dt.datetime
    archived_at: dt.datetime | None = Field(
        default=None,
        description="When a coordinator archived it (null: active). An archived scenario is read by "
        "coordinators alone and takes no change and no new job until `POST .../restore`.",
    )
    offers: list[OfferIndexEntry] = Field(description="Current offer version of each nation the caller may see.")
    scenario: Scenario = Field(description="The scenario document (the same form as a scenario file).")


class ScenarioVersionEntry(ApiModel):
    """One version of a scenario's coordinator parts."""

    version: int = Field(ge=1, description="Version number (1: as created).")
    written_at: dt.datetime = Field(description="When this version was written.")
    written_by: str | None = Field(description="Id of the token that wrote it (coordinators only; null for others).")


class ScenarioVersions(ApiModel):
    """A page of the versions of a scenario's coordinator parts, oldest first; the history is append-only.

    `GET .../versions?limit=20&offset=0` (`limit` at most 100): the versions `offset + 1` to
    `offset + limit`, and `total`, the number of versions there are. Offers have their own history
    (`GET .../offers/{nation}/history`).
    """

    scenario: str = Field(description="Scenario id.")
    items: list[ScenarioVersionEntry] = Field(description="The page's versions, oldest first.")
    total: int = Field(ge=0, description="How many versions the scenario has in all.")


class ScenarioDiff(ApiModel):
    """What changed in the coordinator's parts from one version to another, element by element.

    Elements are matched by kind and id (`scenario`, `mandate`, `capability`, `sector`,
    `requirement`, `nation`, `veto`, `target`, `objective`, `expect`): `added` and `removed` hold the
    element as the version that has it holds it, `changed` each field that differs, old and new.
    `expect` (which may name any nation's red lines) is for coordinators only, as in the scenario.
    """

    schema_: Literal["forcepack.scenario-diff/1"] = Field(
        default="forcepack.scenario-diff/1", alias="schema", description="Format version."
    )
    scenario: str = Field(description="Scenario id.")
    from_version: int = Field(ge=1, description="The older side (`from`).")
    to_version: int = Field(ge=1, description="The newer side (`to`).")
    summary: str = Field(description='The changes counted: "1 added, 2 changed", or "no change".')
    added: list[ElementState] = Field(description="Elements only `to` holds.")
    removed: list[ElementState] = Field(description="Elements only `from` holds.")
    changed: list[ElementChange] = Field(description="Elements both hold that differ, with the fields that do.")


class ScenarioPatch(ApiModel):
    """The coordinator's parts to replace; each field given replaces that part whole.

    Offers are not part of it: each nation's offer is written by `PUT /v1/scenarios/{id}/offers/{nation}`.
    This model documents the body (OpenAPI); the service reads the body (JSON or YAML) into the
    stored scenario and validates the result like a file, so problems are named as in a file.
    """

    name: Text | None = Field(default=None, description="Display name.")
    description: Text | None = Field(default=None, description="What the scenario is about.")
    illustrative: bool | None = Field(default=None, description="Quantities are invented, not real pledges.")
    horizon: Horizon | None = Field(default=None, description="The mandate period planned.")
    cost: CostSettings | None = Field(default=None, description="Cost settings.")
    mandate: dict[Identifier, bool] | None = Field(default=None, description="Mandate conditions.")
    capabilities: list[CapabilityDef] | None = Field(default=None, description="Capabilities added.")
    sectors: list[Sector] | None = Field(default=None, description="Areas of operations.")
    requirements: list[Requirement] | None = Field(default=None, description="The statement of requirements.")
    nations: list[Nation] | None = Field(default=None, description="Nations that may take part.")
    vetoes: list[Veto] | None = Field(default=None, description="Parties' objections to nations.")
    targets: Targets | None = Field(default=None, description="Force-level targets.")
    objective: list[ObjectiveTerm | Criterion] | None = Field(
        default=None, min_length=1, description="Criteria optimised lexicographically."
    )
    expect: Expect | None = Field(default=None, description="What `forcepack validate` checks.")
    phasing: Phasing | None = Field(
        default=None, description="Time buckets, arrivals, tours and nodes of entry (a phased scenario)."
    )


class OfferBody(ApiModel):
    """A nation's offer as submitted: the nation is the one in the address.

    This model documents the body (OpenAPI); the service validates the offer inside the whole
    scenario, so problem paths are those of the offer (`units[0].capability`).
    """

    nation: NationCode | None = Field(default=None, description="If given, the nation of the address.")
    units: list[UnitOffer] = Field(default_factory=list, description="Units offered.")
    funding: list[FundingPledge] = Field(default_factory=list, description="Funding pledges.")
    red_lines: list[RedLine] = Field(default_factory=list, description="National caveats.")
    entry: list[Identifier] | None = Field(
        default=None,
        description="Phased scenarios: the nodes of entry its units may arrive through (default: every node).",
    )


class OfferView(ApiModel):
    """One version of a nation's offer."""

    scenario: str = Field(description="Scenario id.")
    nation: str = Field(description="Nation code.")
    version: int = Field(ge=0, description="Version number (0: nothing submitted yet; the offer is empty).")
    etag: str = Field(description="ETag of this version, for `If-Match`.")
    written_by: str | None = Field(description="Id of the token that wrote it.")
    written_at: dt.datetime | None = Field(description="When it was written.")
    offer: Offer = Field(description="The offer: units, funding pledges, red lines.")


class OfferHistory(ApiModel):
    """A page of the versions of a nation's offer, oldest first; the history is append-only.

    `GET .../history?limit=20&offset=0` (`limit` at most 100): the versions `offset + 1` to
    `offset + limit`, and `total`, the number of versions there are.
    """

    scenario: str = Field(description="Scenario id.")
    nation: str = Field(description="Nation code.")
    items: list[OfferView] = Field(description="The page's versions, oldest first.")
    total: int = Field(ge=0, description="How many versions the nation's offer has in all.")


class OffersImport(ApiModel):
    """Several nations' offers imported at once (`POST .../offers`), each with its nation.

    This model documents the JSON or YAML body (OpenAPI); a workbook of offer sheets is read into
    the same document. The service validates the offers inside the whole scenario.
    """

    offers: list[Offer] = Field(min_length=1, description="Each nation's new offer (one per nation).")


class OffersImported(ApiModel):
    """The offer versions an import wrote, one per nation it named, in its order."""

    scenario: str = Field(description="Scenario id.")
    items: list[OfferView] = Field(description="Each nation's new version.")


class SolveRequest(ApiModel):
    """How to solve; every field may be left out."""

    time_limit_s: float | None = Field(
        default=None,
        ge=0.01,
        le=86400,
        description="Seconds for the whole solve (default: the server's; clamped to the server maximum).",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Random seed of the search.")
    explain: bool = Field(default=True, description="When no package exists, find the conflict and the ways out.")


class AnalysisRequest(ApiModel):
    """Search settings of an analysis; every field may be left out."""

    time_limit_s: float | None = Field(
        default=None,
        ge=0.01,
        le=86400,
        description="Seconds for each solve of the analysis (default: the server's; clamped to the server maximum).",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Random seed of the search.")


class WhatIfRequest(AnalysisRequest):
    """A patch (`forcepack.patch/1`: operations applied in order) and how to solve the patched scenario.

    This model documents the body (OpenAPI); the service reads the body (JSON or YAML) and names
    problems by their place in it (`ops[0].nations[0]: ...`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: Literal["forcepack.patch/1"] | None = Field(
        default=None, alias="schema", description="`forcepack.patch/1`, if given."
    )
    description: str | None = Field(default=None, max_length=2000, description="What the patch asks, in words.")
    ops: list[Operation] = Field(min_length=1, max_length=500, description="Changes, applied in order.")
    mode: Literal["resolve", "repair"] = Field(
        default="resolve",
        description="`resolve`: the patched scenario's own optimum; `repair`: keep as much of the current "
        "package as possible (least churn first).",
    )


class CriticalityRequest(AnalysisRequest):
    """Which withdrawals to re-solve."""

    pairs: bool = Field(default=False, description="Also withdraw every pair of participating nations (N-2).")


class ExplanationRequest(AnalysisRequest):
    """How much to look for when explaining why no package exists."""

    time_limit_s: float | None = Field(
        default=None,
        ge=0.01,
        le=86400,
        description="Seconds for the whole explanation (default: the server's; clamped to the server maximum).",
    )
    relaxations: int = Field(default=3, ge=0, le=10, description="How many alternative ways out to look for.")


class WhyNotRequest(AnalysisRequest):
    """Which nation or offered unit to ask about."""

    subject: str = Field(
        min_length=1,
        max_length=100,
        description="A nation's code (`TUR`) or an offered unit's id (`tur-eng`) that the best package leaves out.",
    )


class AlternativesRequest(AnalysisRequest):
    """How many packages, how close to the best and how different from each other."""

    k: int = Field(default=3, ge=1, le=10, description="How many packages, the best included.")
    tolerance: float = Field(
        default=0.05, ge=0, le=1, description="How far from the best each criterion may be, as a share of its value."
    )
    min_difference: int = Field(
        default=1, ge=1, le=1000, description="Least number of nation-sector placements two packages differ in."
    )


class ResilienceRequest(AnalysisRequest):
    """The resilient package's search settings (`time_limit_s` bounds each of its solves)."""


class SolveParamsUsed(ApiModel):
    """The parameters a job runs with, after the server's clamping."""

    time_limit_s: float
    seed: int
    explain: bool
    workers: int


class AnalysisParamsUsed(ApiModel):
    """The parameters an analysis runs with, after the server's clamping."""

    time_limit_s: float = Field(description="Seconds for each solve (for an explanation: for the whole of it).")
    seed: int
    workers: int


class WhatIfParamsUsed(AnalysisParamsUsed):
    """A what-if's parameters: the patch (as the caller may read it) and the mode."""

    mode: Literal["resolve", "repair"]
    patch: dict[str, Any] = Field(description="The patch applied (`forcepack.patch/1`).")


class CriticalityParamsUsed(AnalysisParamsUsed):
    """A criticality sweep's parameters."""

    pairs: bool


class ExplanationParamsUsed(AnalysisParamsUsed):
    """An explanation's parameters."""

    relaxations: int


class WhyNotParamsUsed(AnalysisParamsUsed):
    """A why-not question's parameters."""

    subject: str = Field(description="The nation or offered unit asked about.")


class AlternativesParamsUsed(AnalysisParamsUsed):
    """Alternatives' parameters."""

    k: int
    tolerance: float
    min_difference: int


class ResilienceParamsUsed(AnalysisParamsUsed):
    """The resilient package's parameters."""


class Progress(ApiModel):
    """How far a running job has come: the latest improving package, and the analysis step."""

    packages_found: int = Field(ge=0, description="Improving packages found so far.")
    criterion: str | None = Field(default=None, description="Criterion being optimised.")
    objective: float | None = Field(default=None, description="Its value in the latest package.")
    elapsed_s: float | None = Field(default=None, description="Seconds since the solve started.")
    step: str | None = Field(default=None, description="Analyses: the step under way (baseline, patched, ...).")
    done: int | None = Field(default=None, ge=0, description="Criticality: withdrawals re-solved so far.")
    total: int | None = Field(default=None, ge=0, description="Criticality: withdrawals to re-solve.")


class ExplanationAnswer(ApiModel):
    """Why the scenario has no package: the conflict and the cheapest ways out; none when a package exists."""

    package_exists: bool = Field(description="A package meets every requirement and condition: nothing to explain.")
    explanation: Explanation | None = Field(description="The conflict and relaxations, when no package exists.")


class _JobBase(ApiModel):
    id: str
    scenario: str = Field(description="Scenario id.")
    status: JobStatus
    scenario_version: int = Field(description="Version of the coordinator's parts used.")
    offer_versions: dict[str, int] = Field(description="Version of each nation's offer used (those visible).")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: Progress | None = Field(default=None, description="While running: the latest improving package.")
    error: str | None = Field(
        default=None, description="Why the job failed; an unexpected failure names only the incident it is logged as."
    )
    error_detail: str | None = Field(
        default=None, description="Coordinators: the error behind an unexpected failure (none for other roles)."
    )


class SolveJob(_JobBase):
    """A solve: state, the exact versions it used, and (when done) the solution document."""

    kind: Literal["solve"]
    params: SolveParamsUsed
    result: Solution | None = Field(
        default=None, description="When done: the solution document, as the caller may see it."
    )


class WhatIfJob(_JobBase):
    """A what-if: when done, both packages and their diff (`forcepack.what-if/1`), as the caller may see them."""

    kind: Literal["what-if"]
    params: WhatIfParamsUsed
    result: WhatIf | None = Field(default=None, description="When done: the what-if document.")


class CriticalityJob(_JobBase):
    """N-1 (and N-2) criticality: when done, every withdrawal re-solved (`forcepack.criticality/1`)."""

    kind: Literal["criticality"]
    params: CriticalityParamsUsed
    result: Criticality | None = Field(default=None, description="When done: the criticality document.")


class ExplanationJob(_JobBase):
    """An explanation: when done, why no package exists (or that one does)."""

    kind: Literal["explanation"]
    params: ExplanationParamsUsed
    result: ExplanationAnswer | None = Field(default=None, description="When done: the explanation.")


class WhyNotJob(_JobBase):
    """A why-not question: when done, the best package with the subject and what that costs, or what keeps it out."""

    kind: Literal["why-not"]
    params: WhyNotParamsUsed
    result: WhyNot | None = Field(default=None, description="When done: the why-not document.")


COORDINATORS_ONLY = "For coordinators: the answer weighs every nation's offers, those no package uses included."
"""What a delegate or an observer reads in place of the answers that only coordinators read."""


class AlternativesJob(_JobBase):
    """Alternatives: when done, the best package and others within a tolerance (`forcepack.alternatives/1`)."""

    kind: Literal["alternatives"]
    params: AlternativesParamsUsed
    result: Alternatives | None = Field(default=None, description="When done: the alternatives (coordinators).")
    withheld: str | None = Field(default=None, description="Why the answer is not shown to the caller.")


class ResilienceJob(_JobBase):
    """The resilient package: when done, it, its fallbacks and fatal withdrawals (`forcepack.resilient/1`)."""

    kind: Literal["resilience"]
    params: ResilienceParamsUsed
    result: Resilient | None = Field(default=None, description="When done: the resilient package (coordinators).")
    withheld: str | None = Field(default=None, description="Why the answer is not shown to the caller.")


JobView = Annotated[
    SolveJob | WhatIfJob | CriticalityJob | ExplanationJob | WhyNotJob | AlternativesJob | ResilienceJob,
    Field(discriminator="kind"),
]
"""A job of any kind, told apart by `kind`."""


class JobSummary(ApiModel):
    """A job in a list: what it is and how far it got (its answer: `GET /v1/jobs/{id}`)."""

    id: str
    kind: JobKind
    status: JobStatus
    scenario_version: int = Field(description="Version of the coordinator's parts used.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None = Field(
        default=None, description="Why the job failed; an unexpected failure names only the incident it is logged as."
    )
    error_detail: str | None = Field(
        default=None, description="Coordinators: the error behind an unexpected failure (none for other roles)."
    )


class JobList(ApiModel):
    """A scenario's jobs, newest first."""

    items: list[JobSummary]
    total: int = Field(ge=0, description="How many jobs match in all.")


class Caller(ApiModel):
    """The caller, as its token says."""

    role: Literal["coordinator", "delegate", "observer"] = Field(description="What the token may do.")
    nation: str | None = Field(description="A delegate's nation; none for the other roles.")


class Health(ApiModel):
    """Liveness or readiness."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
