"""The solution document of a package: every figure a planner reads, computed from the scenario.

Used by the CP-SAT solve and by any other producer of packages (the benchmark's peers), so every
answer has the same form whoever computed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from forcepack.models.common import Measure, Priority
from forcepack.models.scenario import Scenario, key_parts, offer_key
from forcepack.models.solution import (
    Assignment,
    Coverage,
    Explanation,
    FundingBalance,
    FundingFlow,
    NationFigures,
    ObjectiveValue,
    Plan,
    RunInfo,
    ScenarioRef,
    Solution,
    Status,
    Totals,
)
from forcepack.solver.criteria import criterion
from forcepack.solver.eligibility import participation_blocks
from forcepack.solver.plan import FlowKey, TourKey, nation_rows, phased_figures, totals_of

Pair = tuple[str, str]


@dataclass(frozen=True)
class Package:
    """Units per (offered unit line's key, requirement line) and USD per (pledge's key, capability);
    zeros left out. Keys are `NATION/id` (`models.scenario.offer_key`)."""

    assignment: Mapping[Pair, int] = field(default_factory=dict)
    flows: Mapping[Pair, int] = field(default_factory=dict)
    tours: Mapping[TourKey, int] = field(default_factory=dict)
    """A phased package's units per tour (unit key, line, arrival bucket, last bucket); its
    `assignment` is then each pair's units over all its tours."""
    node_flows: Mapping[FlowKey, tuple[int, int]] = field(default_factory=dict)
    """A phased package's (personnel, tons) per (nation, node, bucket) of arrivals."""

    @classmethod
    def of(
        cls,
        assignment: Mapping[Pair, int],
        flows: Mapping[Pair, int] | None = None,
        tours: Mapping[TourKey, int] | None = None,
        node_flows: Mapping[FlowKey, tuple[int, int]] | None = None,
    ) -> Package:
        return cls(
            {k: v for k, v in sorted(assignment.items()) if v > 0},
            {k: v for k, v in sorted((flows or {}).items()) if v > 0},
            {k: v for k, v in sorted((tours or {}).items()) if v > 0},
            {k: v for k, v in sorted((node_flows or {}).items()) if v != (0, 0)},
        )

    @classmethod
    def from_solution(cls, solution: Solution) -> Package:
        """The package a solution document describes."""
        flows = {(offer_key(f.nation, f.pledge), f.capability): f.amount_usd for f in solution.funding.flows}
        plan = solution.plan
        if plan is None:
            return cls.of({(offer_key(a.nation, a.unit), a.requirement): a.units for a in solution.assignments}, flows)
        tours = {(offer_key(t.nation, t.unit), t.requirement, t.arrival, t.last): t.units for t in plan.tours}
        node_flows = {(f.nation, f.node, f.bucket): (f.personnel, f.tons) for f in plan.flows}
        return cls.of_tours(tours, flows, node_flows)

    @classmethod
    def of_tours(
        cls,
        tours: Mapping[TourKey, int],
        flows: Mapping[Pair, int] | None = None,
        node_flows: Mapping[FlowKey, tuple[int, int]] | None = None,
    ) -> Package:
        """A phased package from its tours: each pair's units are its tours' units summed."""
        assignment: dict[Pair, int] = defaultdict(int)
        for (key, rid, _, _), units in tours.items():
            assignment[(key, rid)] += units
        return cls.of(assignment, flows, tours, node_flows)


def scenario_ref(scenario: Scenario) -> ScenarioRef:
    return ScenarioRef(id=scenario.id, name=scenario.name, sha256=scenario.sha256())


def usable_pledged_usd(scenario: Scenario) -> int:
    """Pledged money of nations not barred altogether (by a veto of scope `all` or an unmet mandate)."""
    return sum(p.amount_usd for o in scenario.offers if not participation_blocks(scenario, o.nation) for p in o.funding)


def criterion_value(solution_parts: _Figures, name: str) -> float:
    """A criterion's value in the domain's units, from a package's figures: the exact value
    rendered as the nearest float."""
    return float(exact_criterion_value(solution_parts, name))


def exact_criterion_value(solution_parts: _Figures, name: str) -> Fraction:
    """A criterion's exact value in the domain's units, from a package's figures."""
    return criterion(name).of_figures(solution_parts)


def exact_values(scenario: Scenario, package: Package, criteria: Sequence[str]) -> list[Fraction]:
    """The package's exact value on each criterion (not `churn`, which needs a baseline)."""
    figures = _figures(scenario, package)
    return [exact_criterion_value(figures, name) for name in criteria]


@dataclass
class _Figures:
    assignments: list[Assignment]
    coverage: list[Coverage]
    nations: list[NationFigures]
    funding: FundingBalance
    totals: Totals
    shortfall: Fraction
    total_cost: int
    contributing: int
    max_share: Fraction
    readiness: int
    churn: int = 0
    plan: Plan | None = None
    foc: int = 0
    """A phased plan's buckets each sector waits for full operational capability, summed (`solver.plan`)."""


def churn(package: Package, baseline: Package) -> int:
    """Units moved, added or removed between two packages: sum of |change| per (unit, line), or per
    tour between two phased packages."""
    if package.tours or baseline.tours:
        tours = set(package.tours) | set(baseline.tours)
        return sum(abs(package.tours.get(t, 0) - baseline.tours.get(t, 0)) for t in tours)
    pairs = set(package.assignment) | set(baseline.assignment)
    return sum(abs(package.assignment.get(p, 0) - baseline.assignment.get(p, 0)) for p in pairs)


def _phased_figures(scenario: Scenario, package: Package) -> _Figures:
    """The figures of a phased package (`solver.plan`): the plan, and its static summary."""
    phased = phased_figures(scenario, package.tours, package.node_flows)
    flows, used = _funding_flows(package)
    total_cost = sum(phased.cost.values())
    pooled = total_cost - phased.self_funded_usd
    participating = sorted(set(phased.personnel) | {n for n, v in used.items() if v > 0})
    funding = FundingBalance(
        total_cost_usd=total_cost,
        self_funded_usd=phased.self_funded_usd,
        pooled_cost_usd=pooled,
        pledged_usd=usable_pledged_usd(scenario),
        used_usd=sum(used.values()),
        gap_usd=max(0, pooled - sum(used.values())),
        flows=flows,
    )
    return _Figures(
        phased.assignments,
        phased.coverage,
        nation_rows(scenario, phased, used, participating),
        funding,
        totals_of(phased, len(participating)),
        phased.shortfall,
        total_cost,
        len(phased.personnel),
        phased.max_share,
        phased.readiness,
        plan=phased.plan,
        foc=phased.foc,
    )


def _funding_flows(package: Package) -> tuple[list[FundingFlow], dict[str, int]]:
    """The package's flows as rows, and the money used per nation."""
    flows = []
    used: dict[str, int] = defaultdict(int)
    for (pledge_key, capability), amount in package.flows.items():
        nation, pledge_id = key_parts(pledge_key)
        flows.append(FundingFlow(pledge=pledge_id, nation=nation, capability=capability, amount_usd=amount))
        used[nation] += amount
    return flows, used


def _figures(scenario: Scenario, package: Package) -> _Figures:
    if scenario.phasing is not None and (package.tours or not package.assignment):
        return _phased_figures(scenario, package)  # (a static planner's package has no tours: no plan)
    assignments: list[Assignment] = []
    provided: dict[str, int] = defaultdict(int)
    personnel: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    cost: dict[str, int] = defaultdict(int)
    sectors: dict[str, set[str]] = defaultdict(set)
    readiness = 0
    self_funded_usd = 0
    for (unit_key, req_id), count in package.assignment.items():
        unit = scenario.unit_by_key[unit_key]
        req = scenario.requirement_by_id[req_id]
        nation, unit_id = key_parts(unit_key)
        monthly = scenario.monthly_cost_of(unit)
        line_cost = count * monthly * scenario.months_of(req)
        assignments.append(
            Assignment(
                unit=unit_id,
                nation=nation,
                capability=unit.capability,
                requirement=req_id,
                sector=req.sector,
                units=count,
                personnel=count * unit.personnel,
                monthly_cost_usd=monthly,
                cost_usd=line_cost,
                self_funded=unit.self_funded,
            )
        )
        provided[req_id] += count * (unit.personnel if req.measure == Measure.PERSONNEL else 1)
        personnel[nation] += count * unit.personnel
        units[nation] += count
        cost[nation] += line_cost
        sectors[nation].add(req.sector)
        readiness += count * unit.readiness.rank
        if unit.self_funded:
            self_funded_usd += line_cost
    sector_order = {s.id: i for i, s in enumerate(scenario.sectors)}
    req_order = {r.id: i for i, r in enumerate(scenario.requirements)}
    assignments.sort(key=lambda a: (sector_order[a.sector], req_order[a.requirement], a.nation, a.unit))

    coverage = []
    shortfall = Fraction(0)
    for req in scenario.requirements:
        short = max(0, req.quantity - provided[req.id])
        if req.priority == Priority.DESIRABLE:
            # Exact, the weight as the decimal written: a sum of floats can miss the nearest float.
            shortfall += Fraction(str(req.weight)) * short / req.quantity
        coverage.append(
            Coverage(
                requirement=req.id,
                sector=req.sector,
                capability=req.capability,
                priority=req.priority.value,
                measure=req.measure.value,
                required=req.quantity,
                provided=provided[req.id],
                shortfall=short,
            )
        )

    flows, used = _funding_flows(package)
    personnel, units, cost, sectors = dict(personnel), dict(units), dict(cost), dict(sectors)
    total_personnel = sum(personnel.values())
    total_cost = sum(a.cost_usd for a in assignments)
    pooled = total_cost - self_funded_usd
    used_usd = sum(used.values())
    participating = sorted(set(personnel) | {n for n, v in used.items() if v > 0})
    nations = [
        NationFigures(
            nation=n,
            personnel=personnel.get(n, 0),
            share=personnel.get(n, 0) / total_personnel if total_personnel else 0.0,
            units=units.get(n, 0),
            sectors=sorted(sectors.get(n, ())),
            cost_usd=cost.get(n, 0),
            funding_pledged_usd=sum(p.amount_usd for p in scenario.offer_by_nation[n].funding),
            funding_used_usd=used.get(n, 0),
        )
        for n in participating
    ]
    nations.sort(key=lambda f: (-f.personnel, -f.funding_used_usd, f.nation))
    funding = FundingBalance(
        total_cost_usd=total_cost,
        self_funded_usd=self_funded_usd,
        pooled_cost_usd=pooled,
        pledged_usd=usable_pledged_usd(scenario),
        used_usd=used_usd,
        gap_usd=max(0, pooled - used_usd),
        flows=flows,
    )
    totals = Totals(
        personnel=total_personnel,
        units=sum(units.values()),
        nations_contributing=len(personnel),
        nations_participating=len(participating),
    )
    max_share = Fraction(max(personnel.values()), total_personnel) if total_personnel else Fraction(0)
    return _Figures(
        assignments, coverage, nations, funding, totals, shortfall, total_cost, len(personnel), max_share, readiness
    )


def solution_document(
    scenario: Scenario,
    package: Package | None,
    *,
    status: Status,
    run: RunInfo,
    bounds: Mapping[str, float | None] | None = None,
    gap: float = 0.0,
    explanation: Explanation | None = None,
    criteria: Sequence[str] | None = None,
    baseline: Package | None = None,
) -> Solution:
    """The solution document for a package (or for no package, when infeasible or unknown).

    `bounds` gives, per criterion, the best bound proven in the domain's units; a criterion
    without one is reported with its own value as bound (proven optimal).
    """
    figures = _figures(scenario, package or Package())
    names: list[str] = list(criteria) if criteria is not None else [t.criterion for t in scenario.objective]
    if baseline is not None:
        figures.churn = churn(package or Package(), baseline)
        if "churn" not in names:
            names.append("churn")
    objective = []
    if package is not None:
        for name in names:
            value = criterion_value(figures, name)
            bound = (bounds or {}).get(name)
            objective.append(ObjectiveValue(criterion=name, value=value, bound=value if bound is None else bound))
    return Solution(
        scenario=scenario_ref(scenario),
        status=status,
        objective=objective,
        gap=gap,
        assignments=figures.assignments,
        coverage=figures.coverage,
        nations=figures.nations,
        funding=figures.funding,
        totals=figures.totals,
        explanation=explanation,
        run=run,
        plan=figures.plan if package is not None else None,
    )
