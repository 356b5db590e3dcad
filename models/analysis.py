"""Answers of analyses built on the solve: why a nation or unit is left out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from forcepack.models.common import Frozen
from forcepack.models.solution import Solution


class CriterionDelta(Frozen):
    """One criterion in the best package against the best package that includes the subject."""

    criterion: str
    optimum: float = Field(description="Value in the best package.")
    with_subject: float = Field(description="Value in the best package that includes the subject.")
    delta: float = Field(description="with_subject - optimum.")


class WhyNotPart(Frozen):
    """One side of a nation asked about: its units, or its money, told apart."""

    aspect: Literal["units", "money"]
    in_package: bool = Field(description="This side of the nation already takes part in the best package.")
    summary: str
    with_subject: Solution | None = Field(
        default=None,
        description="The best package in which this side takes part, or an infeasible answer whose explanation "
        "names what keeps it out.",
    )
    deltas: list[CriterionDelta] = Field(default_factory=list)


class LineSupply(Frozen):
    """One offered unit line of a requirement line's capability, and whether it can fill the line."""

    nation: str
    unit: str
    offered: int = Field(ge=0, description="What the unit line could provide, in the line's measure.")
    placed: int = Field(ge=0, description="What it provides in the best package, in the line's measure.")
    kept_out_by: list[str] = Field(
        default_factory=list,
        description="What keeps it off the line (a red line, a veto, its window or readiness), in a planner's "
        "words; empty when it may fill the line.",
    )


class WhyNot(Frozen):
    """Why a nation, an offered unit, a pledge is not in the best package, or why a requirement line
    is short; and what including it (or filling the line) costs."""

    schema_: Literal["forcepack.why-not/1"] = Field(default="forcepack.why-not/1", alias="schema")
    subject: str = Field(description="The nation code, offered unit, pledge or requirement line asked about.")
    subject_type: Literal["nation", "unit", "pledge", "requirement"]
    in_package: bool = Field(
        description="The subject already takes part in the best package (a requirement line: it is met in full)."
    )
    summary: str = Field(description="The answer in one paragraph.")
    optimum: Solution = Field(description="The best package.")
    with_subject: Solution | None = Field(
        default=None,
        description="The best package that includes the subject (for a nation: its units; for a line: met in "
        "full), or an infeasible answer whose explanation names what keeps it out.",
    )
    deltas: list[CriterionDelta] = Field(default_factory=list)
    parts: list[WhyNotPart] = Field(
        default_factory=list, description="For a nation: its units and its money, each answered on its own."
    )
    supply: list[LineSupply] = Field(
        default_factory=list,
        description="For a requirement line: every offered unit line of its capability, what it could provide, "
        "and what keeps it out.",
    )
    withheld: str | None = Field(
        default=None,
        description="What this answer leaves out for the caller (a delegate reads no package that places another "
        "nation's units the current package does not use), and where its figures still are.",
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


# -- what-if -------------------------------------------------------------------------------------


class AssignmentChange(Frozen):
    """Units of one offered unit line on one requirement line, before and after."""

    unit: str
    nation: str
    requirement: str
    sector: str
    before: int = Field(ge=0)
    after: int = Field(ge=0)


class TourChange(Frozen):
    """Units of one offered unit line on one tour (a phased plan), before and after: a tour cut short
    is one tour fewer and a shorter one more."""

    unit: str
    nation: str
    requirement: str
    sector: str
    arrival: int = Field(ge=0, description="Bucket the tour arrives in.")
    last: int = Field(ge=0, description="Last bucket it is present in.")
    before: int = Field(ge=0)
    after: int = Field(ge=0)


class CoverageChange(Frozen):
    """A requirement line whose coverage changed, or that one side does not have (a what-if that adds or
    drops a line): the missing side's figures are null, never a made-up zero."""

    requirement: str
    sector: str
    priority: str
    required: int = Field(description="The line's quantity where it exists (after the change, or before if dropped).")
    line: Literal["kept", "added", "dropped"] = Field(
        default="kept", description="`added`: the line exists after the change only; `dropped`: before only."
    )
    provided_before: int | None = Field(description="Null when the line did not exist before.")
    provided_after: int | None = Field(description="Null when the line no longer exists.")
    shortfall_before: int | None = Field(description="Null when the line did not exist before.")
    shortfall_after: int | None = Field(description="Null when the line no longer exists.")
    short_over_before: int | None = Field(
        default=None,
        description="A phased plan: the line's shortfall summed over its buckets before (unit-weeks or -months; "
        "`provided` and `shortfall` are its worst bucket's).",
    )
    short_over_after: int | None = Field(default=None, description="The same, after.")

    @property
    def lost(self) -> bool:
        """A line that exists on both sides and is filled less (in a phased plan: short for longer or by
        more over its buckets), or a new line left short."""
        if self.line == "added":
            return bool(self.shortfall_after)
        if self.line == "dropped":
            return False
        before, after = self.short_over_before, self.short_over_after
        if before is not None and after is not None and before != after:
            return after > before
        return (self.provided_after or 0) < (self.provided_before or 0)


class FundingChange(Frozen):
    """A nation whose pledged money drawn by the package changes."""

    nation: str
    used_before_usd: int = Field(ge=0)
    used_after_usd: int = Field(ge=0)


class PackageDiff(Frozen):
    """What changes between two packages."""

    added: list[AssignmentChange] = Field(default_factory=list, description="More units than before.")
    removed: list[AssignmentChange] = Field(default_factory=list, description="Fewer units than before.")
    coverage: list[CoverageChange] = Field(
        default_factory=list, description="Lines whose coverage changed, and lines added or dropped."
    )
    funding: list[FundingChange] = Field(
        default_factory=list, description="Nations whose pledged money drawn changes, with the amounts."
    )
    cost_delta_usd: int = 0
    personnel_delta: int = 0
    shortfall_delta: float = 0.0
    nations_in: list[str] = Field(default_factory=list, description="Nations now contributing units.")
    nations_out: list[str] = Field(default_factory=list, description="Nations no longer contributing units.")
    participating_in: list[str] = Field(
        default_factory=list, description="Nations now taking part (units or money drawn) that did not before."
    )
    participating_out: list[str] = Field(
        default_factory=list, description="Nations that took part (units or money drawn) and no longer do."
    )
    churn: int = Field(default=0, ge=0, description="Units moved, added or removed.")
    tours_added: list[TourChange] = Field(
        default_factory=list, description="A phased plan: tours with more units than before (new, or cut anew)."
    )
    tours_removed: list[TourChange] = Field(
        default_factory=list, description="A phased plan: tours with fewer units than before (gone, or cut short)."
    )

    def is_empty(self) -> bool:
        """Nothing a planner reads changes: no placement, tour, line, money drawn, nation or total."""
        return not (
            self.added
            or self.removed
            or self.tours_added
            or self.tours_removed
            or self.coverage
            or self.funding
            or self.nations_in
            or self.nations_out
            or self.participating_in
            or self.participating_out
            or self.cost_delta_usd
            or self.personnel_delta
        )


class WhatIf(Frozen):
    """A scenario patched, solved, and compared with the baseline package."""

    schema_: Literal["forcepack.what-if/1"] = Field(default="forcepack.what-if/1", alias="schema")
    mode: Literal["resolve", "repair"]
    patch: dict[str, object] = Field(description="The patch applied.")
    summary: str
    baseline: Solution
    patched: Solution | None = Field(description="The patched scenario's package (None only where `withheld`).")
    diff: PackageDiff | None = Field(default=None, description="None when either side has no package.")
    withheld: str | None = Field(
        default=None,
        description="What this answer leaves out for the caller (a delegate reads no package that places another "
        "nation's units the current package does not use), and where its figures still are.",
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


# -- criticality -------------------------------------------------------------------------------


class Withdrawal(Frozen):
    """The package re-solved without some nations."""

    nations: list[str] = Field(description="Nations withdrawn.")
    status: str = Field(description="Status of the re-solve.")
    feasible: bool | None = Field(description="A package remains; None when not decided within the time limit.")
    essential_lines_lost: list[str] = Field(
        default_factory=list,
        description="The essential lines given up without these nations: those the best-effort package leaves "
        "short (empty when a package meets every essential line).",
    )
    least_lines_lost: int | None = Field(
        default=None,
        ge=0,
        description="The fewest essential lines any package must give up without these nations, proven (0 when a "
        "package meets every essential line); None when that was not decided within the time limit, or when no "
        "package exists even with the essential lines given up (the `reason` says which).",
    )
    package: Solution | None = Field(
        default=None,
        description="The package without these nations: the re-solved one, or, when none meets every essential "
        "line, the best-effort one (the essential lines made desirable, the fewest left short).",
    )
    shortfall_delta: float | None = None
    cost_delta_usd: int | None = None
    personnel_delta: int | None = None
    fillers: list[str] = Field(default_factory=list, description="Nations that send more, or join, to fill the gap.")
    objective: list[float] = Field(default_factory=list, description="The re-solved package's objective values.")
    reason: str | None = Field(default=None, description="Why no package exists, when none does.")
    wall_s: float = 0.0


class Criticality(Frozen):
    """Every participating nation's withdrawal (and pairs, on request), most critical first."""

    schema_: Literal["forcepack.criticality/1"] = Field(default="forcepack.criticality/1", alias="schema")
    scenario: str
    baseline: Solution
    pairs: bool
    withdrawals: list[Withdrawal]
    wall_s: float
    withheld: str | None = Field(
        default=None,
        description="What this answer leaves out for the caller (a delegate reads no package that places another "
        "nation's units the current package does not use), and where its figures still are.",
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


# -- alternatives and resilience -----------------------------------------------------------------


class Alternatives(Frozen):
    """Up to k packages within a tolerance of the best, pairwise different enough."""

    schema_: Literal["forcepack.alternatives/1"] = Field(default="forcepack.alternatives/1", alias="schema")
    tolerance: float
    min_difference: int = Field(description="Least number of nation-sector placements two packages differ in.")
    asked: int = Field(default=1, ge=1, description="How many packages were asked for (k).")
    summary: str = Field(default="", description="What was found, and why fewer than asked when so.")
    packages: list[Solution]
    descriptions: list[str] = Field(
        default_factory=list,
        description="Per package, what it is: the best package, or an alternative and how it differs from the "
        "best (placements and criteria) in a planner's words.",
    )
    differences: list[list[int]] = Field(description="Placements differing, for every pair of packages.")
    exhausted: bool = Field(
        default=False,
        description="Fewer packages than asked, and proven: no other package is within the tolerance and "
        "different enough (false when the time limit stopped the search for the next one).",
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


class Fallback(Frozen):
    """The package that takes over when one nation withdraws."""

    nation: str
    package: Solution


class Fatal(Frozen):
    """A withdrawal the package cannot survive, and why."""

    nation: str
    reason: str = Field(description="Why: no package at all exists without it, or none that keeps the others' places.")


class Resilient(Frozen):
    """The package that survives the most single withdrawals (every one, when it can): a fallback for
    each withdrawal it survives, and the withdrawals that stay fatal, each with its reason."""

    schema_: Literal["forcepack.resilient/1"] = Field(default="forcepack.resilient/1", alias="schema")
    summary: str
    package: Solution
    plain_objective: list[float] = Field(description="The objective of the plain optimum, for comparison.")
    cost_of_resilience: list[CriterionDelta] = Field(default_factory=list)
    fallbacks: list[Fallback] = Field(default_factory=list)
    fatal: list[Fatal] = Field(
        default_factory=list,
        description="The withdrawals no fallback of this package survives (empty: it survives all).",
    )
    undecided: list[Fatal] = Field(
        default_factory=list,
        description="The withdrawals whose fallback was neither found nor proven impossible within the time limit "
        "(not counted as fatal), each with what is known.",
    )
    most_proven: bool = Field(
        default=True,
        description="No package survives more withdrawals (proven); false when the time limit cut that search short, "
        "or when it was not made.",
    )
    searched: bool = Field(
        default=True,
        description="Whether a package surviving more withdrawals was searched for; false when the model with a copy "
        "of the scenario per withdrawal would be too large to build (the best package stands, `summary` says why).",
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)
