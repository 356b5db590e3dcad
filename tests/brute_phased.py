"""Exhaustive search for tiny phased scenarios: every plan, kept when the checker accepts it.

The reference the CP-SAT solver's phased plans are compared with. It enumerates every plan of a
tiny phased scenario (a few monthly buckets, a few unit lines): for each unit line, a set of tours,
each an arrival for a line of the unit's capability where `models.phases.tour` lets one arrive,
a number of units, and any last bucket from its first filling bucket to the one the arithmetic
allows or just before a dated element starts or stops binding (a dated rule may cut a tour there:
the checker decides which is right; `boundaries`); at most `count`
units of a line present in a bucket and `count x rotations` toured. Each plan is written as a
document (`tests.solutions.build_plan_solution`, money drawn as `tests.brute` draws it: the
contributors' pledges and the smallest sets of other donors, by a maximum flow), and kept when the
independent checker (`forcepack.solver.check`) finds nothing wrong with it. The optimum is then the
lexicographic one of the objective, each criterion computed exactly here (a third reading, beside
the builder's and the checker's: the checker compares the builder's figures with its own).

Node flows are the builder's: each nation's arrivals of a bucket through the first node it may use,
so a scenario for it has no node or one (with two, other splits would be plans too).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from forcepack.models import Measure, Priority, RequiresMandate, Scenario, Solution, VetoScope, phases
from forcepack.models.scenario import UnitOffer
from forcepack.solver.check import check
from tests.brute import _max_flow, lexicographic_optima, written
from tests.solutions import PlannedTour, build_plan_solution

PlannedFlow = tuple[str, str, int]
"""`(pledge key NATION/id, capability, amount_usd)`."""


@dataclass(frozen=True)
class Candidate:
    """A tour one unit line could serve: its line, arrival, units and last bucket."""

    nation: str
    unit: UnitOffer
    requirement: str
    arrival: int
    effective: int
    last: int
    units: int

    @property
    def key(self) -> str:
        return f"{self.nation}/{self.unit.id}"

    def planned(self) -> PlannedTour:
        return (self.key, self.requirement, self.units, self.arrival, self.last)


@dataclass(frozen=True)
class PhasedPlan:
    """A plan the checker accepts, with its exact value on each criterion of the objective."""

    objective: tuple[Fraction, ...]
    tours: tuple[PlannedTour, ...]
    money: tuple[PlannedFlow, ...]
    solution: Solution


@dataclass(frozen=True)
class PhasedBruteResult:
    """The lexicographic optimum of a phased scenario found by exhaustive search.

    `objective` holds one value per criterion of the scenario's objective, in order (maximised ones
    as their positive value); `best` is one optimal plan (None when infeasible), `optimal` every one,
    `accepted` how many plans the checker accepted and `tried` how many were written and checked."""

    status: Literal["optimal", "infeasible"]
    objective: tuple[float, ...]
    best: PhasedPlan | None
    optimal: list[PhasedPlan]
    accepted: int
    tried: int


def boundaries(scenario: Scenario, nation: str) -> set[int]:
    """The buckets where something that may close a line to the nation's units starts or stops
    binding: a red line or veto of its dates, a mandate condition one of its red lines waits for. A
    rule can close a line in a bucket and not in the one before only there, so a tour can end before
    its arithmetic's last bucket only just before one of them."""
    sets: list[set[int]] = []
    for line in scenario.red_lines_of(nation):
        sets.append(set(phases.in_force(scenario, line.active_from, line.active_until)))
        if isinstance(line, RequiresMandate):
            sets.extend(set(phases.condition_buckets(scenario, c)) for c in line.conditions)
    for veto in scenario.vetoes:
        if nation in veto.against:
            sets.append(set(phases.in_force(scenario, veto.active_from, veto.active_until)))
    count = phases.bucket_count(scenario)
    return {b for b in range(1, count) for held in sets if (b in held) != (b - 1 in held)}


def _slots(scenario: Scenario, nation: str, unit: UnitOffer) -> list[list[Candidate]]:
    """Per (line, arrival) a unit line could serve, every choice of units and last bucket: the one the
    arithmetic gives, or one just before a boundary (`boundaries`) where a dated rule may cut it."""
    slots: list[list[Candidate]] = []
    cuts = boundaries(scenario, nation)
    for r in scenario.requirements:
        if r.capability != unit.capability:
            continue
        for t in phases.tours(scenario, unit, r):
            lasts = sorted({t.last} | {b - 1 for b in cuts if t.effective < b <= t.last})
            slots.append(
                [
                    Candidate(nation, unit, r.id, t.arrival, t.effective, last, units)
                    for units in range(1, unit.count + 1)
                    for last in lasts
                ]
            )
    return slots


def _unit_plans(
    count: int, buckets: int, slots: list[list[Candidate]], rotations: int | None
) -> list[tuple[Candidate, ...]]:
    """Every set of tours of one unit line (at most one per slot) with at most `count` units present in
    any bucket and at most `count x rotations` toured."""
    out: list[tuple[Candidate, ...]] = []
    present = [0] * buckets
    chosen: list[Candidate] = []
    limit = count * rotations if rotations is not None else None

    def walk(index: int, toured: int) -> None:
        if index == len(slots):
            out.append(tuple(chosen))
            return
        walk(index + 1, toured)
        for c in slots[index]:
            if limit is not None and toured + c.units > limit:
                continue
            span = range(c.arrival, c.last + 1)
            if any(present[b] + c.units > count for b in span):
                continue
            for b in span:
                present[b] += c.units
            chosen.append(c)
            walk(index + 1, toured + c.units)
            chosen.pop()
            for b in span:
                present[b] -= c.units

    walk(0, 0)
    return out


def plans(scenario: Scenario, max_plans: int = 20_000) -> Iterator[tuple[Candidate, ...]]:
    """Every plan: a set of tours per unit line, presence and rotations within the offer.

    Raises ValueError when more than `max_plans` plans would be enumerated."""
    count = phases.bucket_count(scenario)
    per_unit = [
        _unit_plans(unit.count, count, _slots(scenario, offer.nation, unit), unit.rotations)
        for offer in scenario.offers
        for unit in offer.units
    ]
    size = 1
    for options in per_unit:
        size *= len(options)
    if size > max_plans:
        raise ValueError(f"{size} plans exceed max_plans={max_plans}")
    for choice in itertools.product(*per_unit):
        yield tuple(c for tours in choice for c in tours)


def _barred(scenario: Scenario, nation: str) -> bool:
    """Money is not phased: a veto of scope `all`, or a mandate condition failing in a bucket where the
    nation's `requires_mandate` binds."""
    if any(v.scope == VetoScope.ALL and nation in v.against for v in scenario.vetoes):
        return True
    for line in scenario.red_lines_of(nation):
        if isinstance(line, RequiresMandate):
            binding = set(phases.in_force(scenario, line.active_from, line.active_until))
            if any(not binding <= set(phases.condition_buckets(scenario, c)) for c in line.conditions):
                return True
    return False


def _pooled(scenario: Scenario, tours: Sequence[Candidate]) -> dict[str, int]:
    """Pooled (not self-funded) cost per capability: units x monthly cost x months of each tour."""
    pooled: dict[str, int] = {}
    for c in tours:
        if not c.unit.self_funded:
            months = phases.tour_months(scenario, phases.Tour(c.arrival, c.effective, c.last))
            pooled[c.unit.capability] = (
                pooled.get(c.unit.capability, 0) + c.units * scenario.monthly_cost_of(c.unit) * months
            )
    return pooled


def money_options(scenario: Scenario, tours: Sequence[Candidate]) -> Iterator[list[PlannedFlow]]:
    """The money to try with a plan: none without `funding_coverage`; else the contributors' pledges with
    every set of other donors, smallest first, whose maximum flow covers the target."""
    coverage = scenario.targets.funding_coverage
    if coverage is None:
        yield []
        return
    pooled = _pooled(scenario, tours)
    required = written(coverage) * sum(pooled.values())
    contributors = {c.nation for c in tours}
    donors = {
        o.nation: [(f"{o.nation}/{p.id}", p.amount_usd, frozenset(p.earmark) if p.earmark else None) for p in o.funding]
        for o in scenario.offers
        if o.funding and not _barred(scenario, o.nation)
    }
    free = [n for n in donors if n in contributors]
    optional = [n for n in donors if n not in contributors]
    for size in range(len(optional) + 1):
        for extra in itertools.combinations(optional, size):
            pledges = [p for n in (*free, *extra) for p in donors[n]]
            total, flows = _max_flow(pledges, pooled)
            if total >= required:
                yield [(pledge, capability, amount) for (pledge, capability), amount in sorted(flows.items())]


def objective(scenario: Scenario, tours: Sequence[Candidate]) -> tuple[Fraction, ...]:
    """The plan's exact value on each criterion (maximised ones as their positive value)."""
    count = phases.bucket_count(scenario)
    filled = [dict[str, int]() for _ in range(count)]
    people = [dict[str, int]() for _ in range(count)]
    for c in tours:
        r = scenario.requirement_by_id[c.requirement]
        for b in range(c.arrival, c.last + 1):
            people[b][c.nation] = people[b].get(c.nation, 0) + c.units * c.unit.personnel
            if b >= c.effective:
                amount = c.units if r.measure == Measure.UNITS else c.units * c.unit.personnel
                filled[b][r.id] = filled[b].get(r.id, 0) + amount
    values: list[Fraction] = []
    for term in scenario.objective:
        if term.criterion == "shortfall":
            total = Fraction(0)
            for r in scenario.requirements:
                if r.priority != Priority.DESIRABLE:
                    continue
                for b, required in phases.needs(scenario, r).items():
                    if required:
                        short = max(0, required - filled[b].get(r.id, 0))
                        total += phases.bucket_weight(scenario, b) * written(r.weight) * Fraction(short, required)
            values.append(total)
        elif term.criterion == "cost":
            values.append(
                Fraction(
                    sum(
                        c.units
                        * scenario.monthly_cost_of(c.unit)
                        * phases.tour_months(scenario, phases.Tour(c.arrival, c.effective, c.last))
                        for c in tours
                    )
                )
            )
        elif term.criterion == "nations":
            values.append(Fraction(len({c.nation for c in tours})))
        elif term.criterion == "readiness":
            values.append(Fraction(sum(c.units * c.unit.readiness.rank for c in tours)))
        elif term.criterion == "foc":
            # per sector, its needed buckets before the last run of buckets all filled in full
            waiting = 0
            for sector in scenario.sectors:
                needs = [(r, phases.needs(scenario, r)) for r in scenario.requirements if r.sector == sector.id]
                needed = sorted({b for _, need in needs for b, q in need.items() if q})
                full = [all(filled[b].get(r.id, 0) >= need[b] for r, need in needs if need.get(b)) for b in needed]
                run = 0
                while run < len(full) and full[len(full) - 1 - run]:
                    run += 1
                waiting += len(needed) - run
            values.append(Fraction(waiting))
        else:  # max_share
            shares = [Fraction(n, sum(at.values())) for at in people if at for n in at.values()]
            values.append(max(shares, default=Fraction(0)))
    return tuple(values)


def feasible_plans(scenario: Scenario, max_plans: int = 20_000) -> tuple[list[PhasedPlan], int]:
    """Every plan the checker accepts (with the first money that makes it acceptable), and how many
    documents were checked."""
    accepted: list[PhasedPlan] = []
    tried = 0
    for tours in plans(scenario, max_plans):
        planned = [c.planned() for c in tours]
        for money in money_options(scenario, tours):
            tried += 1
            solution = build_plan_solution(scenario, planned, money)
            if not check(scenario, solution):
                accepted.append(PhasedPlan(objective(scenario, tours), tuple(planned), tuple(money), solution))
                break
    return accepted, tried


def brute_force_phased(scenario: Scenario, max_plans: int = 20_000) -> PhasedBruteResult:
    """The lexicographic optimum of a tiny phased scenario over every plan the checker accepts.

    Raises ValueError when more than `max_plans` plans would be enumerated."""
    accepted, tried = feasible_plans(scenario, max_plans)
    if not accepted:
        return PhasedBruteResult("infeasible", (), None, [], 0, tried)
    terms = [(t.criterion, t.tolerance) for t in scenario.objective]
    best, optimal = lexicographic_optima([(p.objective, p) for p in accepted], terms)
    return PhasedBruteResult("optimal", tuple(float(v) for v in best), optimal[0], optimal, len(accepted), tried)
