"""The solution document: what every interface (library, command line, HTTP) returns."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from forcepack.models.common import Frozen

SOLUTION_SCHEMA = "forcepack.solution/1"

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
ConflictType = Literal[
    "requirement", "red_line", "veto", "target", "mandate", "funding", "availability", "node", "tour"
]
"""The family of an element of a cause: the static ones, and in a phased scenario a node of entry's
daily capacity (`node`) and a unit's tour length and rotations (`tour`)."""


class ScenarioRef(Frozen):
    """Which scenario this answers: its id, name and the sha256 of its canonical JSON."""

    id: str = Field(description="Scenario id.")
    name: str = Field(description="Scenario name.")
    sha256: str = Field(description="sha256 of the canonical scenario JSON.")


class ObjectiveValue(Frozen):
    """One criterion's value in the package, and the best bound proven for it."""

    criterion: str = Field(description="Criterion, in the order optimised.")
    value: float = Field(description="Its value in this package.")
    bound: float = Field(description="Best proven bound (equal to value when proven optimal).")

    @property
    def gap(self) -> float:
        """How far the bound is from the value, relative to the value (at least 1)."""
        return abs(self.value - self.bound) / max(1.0, abs(self.value))


class Assignment(Frozen):
    """Some units of one offered unit line assigned to one requirement line."""

    unit: str = Field(description="Offered unit id.")
    nation: str = Field(description="Nation that offered it.")
    capability: str = Field(description="Capability.")
    requirement: str = Field(description="Requirement line filled.")
    sector: str = Field(description="Sector of that line.")
    units: int = Field(ge=1, description="How many of the offered units.")
    personnel: int = Field(ge=0, description="Their personnel in total.")
    monthly_cost_usd: int = Field(ge=0, description="Monthly cost of one unit.")
    cost_usd: int = Field(ge=0, description="units x monthly cost x months of the line's window.")
    self_funded: bool = Field(description="Paid by the nation itself.")


class Coverage(Frozen):
    """How much of one requirement line the package provides."""

    requirement: str
    sector: str
    capability: str
    priority: str
    measure: str
    required: int = Field(description="Quantity required, in `measure`.")
    provided: int = Field(description="Quantity provided, in `measure`.")
    shortfall: int = Field(ge=0, description="max(0, required - provided).")


class NationFigures(Frozen):
    """One nation's part in the package."""

    nation: str
    personnel: int = Field(ge=0)
    share: float = Field(ge=0, le=1, description="Its share of the package's personnel.")
    units: int = Field(ge=0, description="Units it deploys.")
    sectors: list[str] = Field(description="Sectors its units are in.")
    cost_usd: int = Field(ge=0, description="Cost of its deployed units, self-funded ones included.")
    funding_pledged_usd: int = Field(ge=0)
    funding_used_usd: int = Field(ge=0)


class FundingFlow(Frozen):
    """Money from one pledge paying for one capability's pooled cost."""

    pledge: str
    nation: str
    capability: str
    amount_usd: int = Field(ge=0)


class FundingBalance(Frozen):
    """Costs against pledges."""

    total_cost_usd: int = Field(ge=0, description="Cost of every assigned unit.")
    self_funded_usd: int = Field(ge=0, description="Part paid by the nations themselves.")
    pooled_cost_usd: int = Field(ge=0, description="Part to be paid from pledges.")
    pledged_usd: int = Field(ge=0, description="All pledges usable in this scenario.")
    used_usd: int = Field(ge=0, description="Pledged money drawn.")
    gap_usd: int = Field(ge=0, description="Pooled cost not covered by pledges.")
    flows: list[FundingFlow] = Field(default_factory=list)


class Totals(Frozen):
    """Force-level totals."""

    personnel: int = Field(ge=0)
    units: int = Field(ge=0)
    nations_contributing: int = Field(ge=0, description="Nations deploying units.")
    nations_participating: int = Field(ge=0, description="Nations deploying units or whose money is used.")


class ElementRef(Frozen):
    """A scenario element named without its sentence (what keeps part of a line's supply out)."""

    type: ConflictType
    id: str = Field(description="Where a person finds it in the scenario file.")
    nation: str | None = None


class NationSupply(Frozen):
    """One nation's part of what is offered for a requirement line."""

    nation: str | None = Field(description="The nation; null for other nations taken together (a redacted view).")
    offered: int = Field(ge=0, description="Offered in all for the line, in its measure.")
    kept_out: int = Field(ge=0, description="Of it, what the scenario's elements keep off the line.")
    kept_out_part: int = Field(
        default=0,
        ge=0,
        description="Of it, what they keep off the line in some of the buckets it is needed in, not all (a phased "
        "scenario; not in `kept_out`).",
    )
    part_when: str | None = Field(
        default=None, description="The buckets `kept_out_part` is kept out in, in words (null: not said)."
    )
    by: list[ElementRef] = Field(
        default_factory=list, description="The elements that keep it out (red lines, vetoes, windows, conditions)."
    )


class Supply(Frozen):
    """The figures of a supply shortfall: what an essential line needs against what is offered for it."""

    needed: int = Field(ge=0, description="The line's quantity, in its measure.")
    measure: str = Field(description="`units` or `personnel`.")
    offered: int = Field(ge=0, description="Offered in all by every nation, units of the line's capability.")
    kept_out: int = Field(ge=0, description="Of it, kept off the line by red lines, vetoes, windows and conditions.")
    kept_out_part: int = Field(
        default=0, ge=0, description="Of it, kept off the line only in some of the buckets it is needed in (phased)."
    )
    nations: list[NationSupply] = Field(default_factory=list, description="Per nation offering the capability.")
    bucket: str | None = Field(default=None, description="A phased line: `week` or `month`, the buckets below.")
    needed_least: int | None = Field(
        default=None,
        ge=0,
        description="A phased line: the least it needs in a bucket it is needed in (its ramp's lowest).",
    )
    needed_most: int | None = Field(
        default=None, ge=0, description="A phased line: the most it needs in one bucket (its ramp's highest)."
    )
    open_least: int | None = Field(
        default=None, ge=0, description="A phased line: the least that could fill it in a bucket it is needed in."
    )
    open_most: int | None = Field(default=None, ge=0, description="A phased line: the most, in one bucket.")
    short_most: int | None = Field(
        default=None,
        ge=0,
        description="A phased line: the most it is short by in one bucket, what could fill it "
        "against its quantity there (its ramp).",
    )
    short_when: str | None = Field(
        default=None, description="A phased line: the buckets it is short in whatever the plan, in words."
    )


class ConflictElement(Frozen):
    """One scenario element taking part in a conflict."""

    type: ConflictType
    id: str = Field(description="Where a person finds it in the scenario file.")
    nation: str | None = None
    text: str = Field(description="The element in a planner's words.")
    figures: str | None = Field(
        default=None,
        description="The numbers behind its part in the conflict: for an essential line its supply (needed, "
        "offered and by whom, kept out and by what); for a coupling rule the figures that clash.",
    )
    supply: Supply | None = Field(default=None, description="An essential line's supply, as figures.")


class Conflict(Frozen):
    """One cause: a set of elements that cannot all hold together."""

    elements: list[ConflictElement]
    minimal: bool = Field(
        description="True only where dropping any single element was checked to make the rest feasible."
    )
    summary: str = Field(description="The cause in a planner's words, with its figures.")


class Relaxation(Frozen):
    """A set of changes that makes the scenario feasible, and its effect."""

    changes: list[ConflictElement]
    effect: str
    cost: int | None = Field(default=None, ge=0, description="Its relax cost: the sum of its elements' relax costs.")
    removes: list[int] = Field(
        default_factory=list, description="The causes (indices into `conflicts`) it removes; all of them for a way out."
    )
    personnel: int | None = Field(default=None, ge=0, description="Personnel of the package after the change.")
    objective: list[ObjectiveValue] = Field(
        default_factory=list, description="The scenario's objective in the package after the change."
    )
    patch: dict[str, Any] | None = Field(
        default=None,
        description="The change as a `forcepack.patch/1` document, to run as a what-if in one step; null when "
        "some change has no patch operation (`unpatchable` says which).",
    )
    unpatchable: list[str] = Field(
        default_factory=list, description="The changes that cannot be applied as a patch, in words."
    )


class Explanation(Frozen):
    """Why no package exists."""

    minimal: bool = Field(
        description="True only where dropping any single element of `conflict` was checked to make the rest feasible."
    )
    conflict: list[ConflictElement] = Field(description="The first cause's elements (`conflicts[0]`).")
    summary: str
    relaxations: list[Relaxation] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(
        default_factory=list,
        description="Every cause found, up to a bound: the first ones pairwise independent (disjoint), any "
        "later one found while looking for the way out that removes them all.",
    )
    best_effort: BestEffort | None = Field(
        default=None, description="The best package without every essential line (`BestEffort`), when computed."
    )
    complete: bool = Field(
        default=True,
        description="Every search the explanation made finished in time. False: the time limit cut one "
        "short, so the conflict or the ways out are what was found in time (there may be more ways out).",
    )


class PlanBucket(Frozen):
    """One time bucket of a phased plan."""

    index: int = Field(ge=0, description="0 for the first.")
    start: dt.date = Field(description="Its first day.")
    end: dt.date = Field(description="Its last day.")


class Tour(Frozen):
    """Units of one offered unit line serving one tour on one requirement line."""

    unit: str = Field(description="Offered unit id.")
    nation: str = Field(description="Nation that offered it.")
    requirement: str = Field(description="Requirement line filled.")
    sector: str = Field(description="Sector of that line.")
    units: int = Field(ge=1, description="How many of the offered units serve this tour.")
    personnel: int = Field(ge=0, description="Their personnel in total.")
    arrival: int = Field(ge=0, description="Bucket they arrive in (on its first day).")
    fills_from: int = Field(ge=0, description="First bucket they fill the line in (after their relief).")
    last: int = Field(ge=0, description="Last bucket they are present in (they leave on its last day).")
    months: int = Field(ge=1, description="Months paid: from the arrival's first day to the last bucket's last day.")
    cost_usd: int = Field(ge=0, description="units x monthly cost x months.")
    self_funded: bool = Field(description="Paid by the nation itself.")


class LineBucket(Frozen):
    """What one requirement line needs and receives in one bucket it is needed in."""

    requirement: str
    bucket: int = Field(ge=0)
    required: int = Field(ge=0, description="Quantity needed in the bucket, in the line's measure.")
    provided: int = Field(ge=0, description="Quantity filled in the bucket (tours past their relief).")
    shortfall: int = Field(ge=0, description="max(0, required - provided).")


class NodeFlow(Frozen):
    """What one nation's arrivals of one bucket carry through one node of entry."""

    node: str
    nation: str
    bucket: int = Field(ge=0)
    personnel: int = Field(ge=0)
    tons: int = Field(ge=0)


class NodeLoad(Frozen):
    """One node of entry's load in one bucket, against what it carries in the bucket."""

    node: str
    bucket: int = Field(ge=0)
    personnel: int = Field(ge=0)
    tons: int = Field(ge=0)
    personnel_capacity: int | None = Field(description="Personnel a day x days of the bucket (null: no limit).")
    tons_capacity: int | None = Field(description="Tons a day x days of the bucket (null: no limit).")


class SectorReadiness(Frozen):
    """When a sector reaches full operational capability."""

    sector: str
    full_from: int | None = Field(
        description="The first bucket asking for something from which every line of the sector is filled in full "
        "in every bucket it asks for something (null: never within the horizon, or the sector asks for nothing)."
    )


class Plan(Frozen):
    """A phased package: who arrives when, for how long, through which node, and what each line and
    sector has in each bucket."""

    bucket: Literal["week", "month"]
    buckets: list[PlanBucket]
    tours: list[Tour] = Field(default_factory=list)
    coverage: list[LineBucket] = Field(default_factory=list, description="Every line in every bucket it is needed.")
    flows: list[NodeFlow] = Field(default_factory=list, description="Arrivals through the nodes of entry.")
    nodes: list[NodeLoad] = Field(default_factory=list, description="Each node's load in every bucket.")
    sectors: list[SectorReadiness] = Field(default_factory=list)


class RunInfo(Frozen):
    """How the answer was computed."""

    solver: str
    solver_version: str
    workers: int
    seed: int
    time_limit_s: float
    wall_s: float


class Solution(Frozen):
    """The answer to a scenario: a package (or why none exists), with the figures a planner reads first."""

    schema_: Literal["forcepack.solution/1"] = Field(default="forcepack.solution/1", alias="schema")
    scenario: ScenarioRef
    status: Status
    objective: list[ObjectiveValue] = Field(default_factory=list)
    gap: float = Field(ge=0, description="Relative gap of the first criterion not proven optimal.")
    assignments: list[Assignment] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)
    nations: list[NationFigures] = Field(default_factory=list)
    funding: FundingBalance
    totals: Totals
    explanation: Explanation | None = None
    run: RunInfo
    plan: Plan | None = Field(
        default=None, description="A phased scenario's plan, bucket by bucket (null for a static scenario)."
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    @property
    def has_package(self) -> bool:
        """True when a package was found (optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    def objective_value(self, criterion: str) -> float | None:
        """The value of one criterion, or None when it was not optimised."""
        for item in self.objective:
            if item.criterion == criterion:
                return item.value
        return None

    def to_json(self, indent: int | None = 2) -> str:
        """The document as JSON, the form every interface returns."""
        return self.model_dump_json(by_alias=True, indent=indent)


class BestEffort(Frozen):
    """The best package that can be had when no package meets every essential line: every other
    rule held, the fewest essential lines short, then the scenario's objective (each essential
    line's uncovered fraction counted as a desirable line of weight 1)."""

    package: Solution | None = Field(
        description="None only where withheld from the caller (it would show another nation's units that no "
        "current package uses). The package of the scenario with its essential lines made desirable (status "
        "`infeasible` when even that has none: then the essential lines are not the cause)."
    )
    lines_short: list[str] = Field(
        default_factory=list, description="The essential lines the package leaves short, in the scenario's order."
    )
    least: int | None = Field(
        default=None,
        ge=0,
        description="The fewest essential lines any package must leave short, when proven (else None).",
    )


Explanation.model_rebuild()
