"""Exhaustive-search reference solver, written from the domain reference alone.

It shares no code with `solver/`: it enumerates every package of a tiny scenario, keeps the
ones that satisfy every rule of the domain reference ("Semantics of a package"), and picks the
lexicographic optimum. Property tests compare the CP-SAT solver against it.

Reading of the domain reference taken here (each also noted where it is used):

- A nation's money is *used* when it belongs to the set of nations whose pledges fund the
  package; that set is searched, not fixed. Adding a nation to it only adds participation
  constraints and only adds money, so a package is fundable iff some set works.
- Without a `funding_coverage` target there is no funding condition and no money is used.
- A line may receive more than its quantity (nothing in the reference caps provision).
- `requires_partner` counts partners that contribute *units*, never the nation itself.
- `min_contingent` and `max_personnel` red lines are about deployed personnel; a money-only
  donor deploys none, so `min_contingent` does not bar its money.
- Every figure is exact: shortfall and shares are fractions, and a decimal the scenario writes
  (a weight, a target fraction, a tolerance) is the decimal written, 0.29 being 29/100 and not
  the binary number nearest to it.
- A stated objective tolerance t keeps, for the later criteria, every package whose value is
  within t x |best| of the criterion's best value (see `lexicographic_optima`). The last
  criterion has nothing after it: a package is optimal only with its best value.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeVar

from forcepack.models import (
    AllowedControl,
    AlongsideScope,
    MaxEngagement,
    MaxPersonnel,
    MaxSectors,
    Measure,
    MinContingent,
    NotAlongside,
    ObjectiveTerm,
    Priority,
    RequiresMandate,
    RequiresPartner,
    Scenario,
    Sectors,
    VetoScope,
)

MAXIMISED_CRITERIA = frozenset({"nations", "readiness"})

Pair = tuple[str, str]
"""(offered unit key `NATION/id`, requirement id): unit ids are each nation's own"""
T = TypeVar("T")


def written(value: float) -> Fraction:
    """A decimal of the scenario as it is written: 0.29 is 29/100 (Python prints a float as the
    shortest decimal that reads back to it, which is what the file said)."""
    return Fraction(repr(value))


@dataclass(frozen=True)
class BruteResult:
    """The lexicographic optimum of a scenario found by exhaustive search.

    `objective` holds one value per criterion of `scenario.objective`, in order, in the domain's
    units (maximised criteria as their positive value). `assignment` maps (unit key `NATION/id`, requirement id)
    to the number of units of one optimal package (zero entries left out); `flows` maps
    (pledge key `NATION/id`, capability) to the US dollars that pledge pays for that capability (positive only).
    An infeasible scenario has an empty objective, assignment and flows.
    """

    status: Literal["optimal", "infeasible"]
    objective: tuple[float, ...]
    assignment: dict[tuple[str, str], int]
    flows: dict[tuple[str, str], int]


# -- the fixed data of a scenario, defaults resolved --------------------------------------------


@dataclass(frozen=True)
class _Pair:
    """An eligible (unit line, requirement line) pair with what one unit brings to it."""

    unit: str
    requirement: str
    nation: str
    sector: str
    capability: str
    personnel: int
    provides: int  # per unit, in the line's measure
    cost: int  # per unit over the line's window
    self_funded: bool
    readiness: int


def _barred(scenario: Scenario, nation: str) -> bool:
    """No participation at all: a veto of scope `all`, or an unmet mandate condition."""
    for veto in scenario.vetoes:
        if veto.scope == VetoScope.ALL and nation in veto.against:
            return True
    for line in scenario.red_lines_of(nation):
        if isinstance(line, RequiresMandate) and not all(scenario.mandate[c] for c in line.conditions):
            return True
    return False


def _units_barred(scenario: Scenario, nation: str) -> bool:
    """No units deployed: barred entirely, or a veto of scope `units`."""
    return _barred(scenario, nation) or any(
        veto.scope == VetoScope.UNITS and nation in veto.against for veto in scenario.vetoes
    )


def _eligible_pairs(scenario: Scenario) -> list[_Pair]:
    """Every (unit line, requirement line) pair the six eligibility rules allow."""
    pairs: list[_Pair] = []
    for offer in scenario.offers:
        nation = offer.nation
        if _units_barred(scenario, nation):
            continue
        red_lines = scenario.red_lines_of(nation)
        for unit in offer.units:
            available_from, available_until = scenario.availability_of(unit)
            for req in scenario.requirements:
                needed_from, needed_until = scenario.window_of(req)
                sector = scenario.sector_by_id[req.sector]
                if unit.capability != req.capability:
                    continue
                if not (available_from <= needed_from and available_until >= needed_until):
                    continue
                if req.min_readiness is not None and unit.readiness.rank < req.min_readiness.rank:
                    continue
                if not all(_line_allows(line, req.engagement, sector.id, sector.control) for line in red_lines):
                    continue
                pairs.append(
                    _Pair(
                        unit=f"{nation}/{unit.id}",
                        requirement=req.id,
                        nation=nation,
                        sector=req.sector,
                        capability=unit.capability,
                        personnel=unit.personnel,
                        provides=1 if req.measure == Measure.UNITS else unit.personnel,
                        cost=scenario.monthly_cost_of(unit) * scenario.months_of(req),
                        self_funded=unit.self_funded,
                        readiness=unit.readiness.rank,
                    )
                )
    return pairs


def _line_allows(line: object, engagement: int, sector: str, control: str) -> bool:
    """Whether a filtering red line lets the nation's units fill a line of this engagement and sector."""
    if isinstance(line, MaxEngagement):
        return engagement <= line.level
    if isinstance(line, AllowedControl):
        return control in line.statuses
    if isinstance(line, Sectors):
        if line.only is not None:
            return sector in line.only
        return sector not in (line.exclude or [])
    return True


def _unit_options(count: int, width: int) -> list[tuple[int, ...]]:
    """Every way to spread at most `count` units over `width` lines."""
    return [combo for combo in itertools.product(range(count + 1), repeat=width) if sum(combo) <= count]


def search_space_size(scenario: Scenario) -> int:
    """How many assignments `brute_force` enumerates (before the money sets)."""
    size = 1
    for unit_id, width in _widths(_eligible_pairs(scenario)).items():
        size *= math.comb(scenario.unit_by_key[unit_id].count + width, width)
    return size


def _widths(pairs: Sequence[_Pair]) -> dict[str, int]:
    widths: dict[str, int] = {}
    for pair in pairs:
        widths[pair.unit] = widths.get(pair.unit, 0) + 1
    return widths


# -- funding: a max flow from pledges to capabilities --------------------------------------------


def _max_flow(
    pledges: Sequence[tuple[str, int, frozenset[str] | None]], pooled: dict[str, int]
) -> tuple[int, dict[tuple[str, str], int]]:
    """Edmonds–Karp from pledges (capacity: amount) to capabilities (capacity: pooled cost).

    A pledge reaches a capability when it has no earmark or the earmark names it.
    """
    source, sink = ("source",), ("sink",)
    capacity: dict[tuple[object, object], int] = {}
    neighbours: dict[object, list[object]] = {}

    def add_edge(a: object, b: object, cap: int) -> None:
        capacity[a, b] = capacity.get((a, b), 0) + cap
        capacity.setdefault((b, a), 0)
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    big = sum(pooled.values())
    for pledge_id, amount, earmark in pledges:
        add_edge(source, ("pledge", pledge_id), amount)
        for capability in pooled:
            if earmark is None or capability in earmark:
                add_edge(("pledge", pledge_id), ("capability", capability), big)
    for capability, cost in pooled.items():
        add_edge(("capability", capability), sink, cost)

    residual = dict(capacity)
    total = 0
    while True:
        parent: dict[object, object] = {source: source}
        queue: deque[object] = deque([source])
        while queue and sink not in parent:
            node = queue.popleft()
            for nxt in neighbours.get(node, []):
                if nxt not in parent and residual[node, nxt] > 0:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            break
        path: list[tuple[object, object]] = []
        node = sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        push = min(residual[edge] for edge in path)
        for a, b in path:
            residual[a, b] -= push
            residual[b, a] += push
        total += push

    flows: dict[tuple[str, str], int] = {}
    for pledge_id, _, _ in pledges:
        for capability in pooled:
            edge = (("pledge", pledge_id), ("capability", capability))
            if edge in capacity:
                used = capacity[edge] - residual[edge]
                if used > 0:
                    flows[pledge_id, capability] = used
    return total, flows


# -- one candidate package --------------------------------------------------------------------


@dataclass
class _Package:
    """Totals of one assignment, computed once and read by every rule."""

    counts: dict[int, int]  # pair index -> units (positive only)
    personnel: dict[str, int]  # nation -> personnel
    sectors: dict[str, set[str]]  # nation -> sectors holding its units
    provided: dict[str, int]  # requirement -> provided in its measure
    pooled: dict[str, int]  # capability -> pooled (not self-funded) cost
    cost: int
    readiness: int

    @property
    def contributors(self) -> set[str]:
        return set(self.personnel)


def _package(pairs: Sequence[_Pair], counts: dict[int, int]) -> _Package:
    personnel: dict[str, int] = {}
    sectors: dict[str, set[str]] = {}
    provided: dict[str, int] = {}
    pooled: dict[str, int] = {}
    cost = readiness = 0
    for index, units in counts.items():
        pair = pairs[index]
        personnel[pair.nation] = personnel.get(pair.nation, 0) + units * pair.personnel
        sectors.setdefault(pair.nation, set()).add(pair.sector)
        provided[pair.requirement] = provided.get(pair.requirement, 0) + units * pair.provides
        cost += units * pair.cost
        readiness += units * pair.readiness
        if not pair.self_funded:
            pooled[pair.capability] = pooled.get(pair.capability, 0) + units * pair.cost
    return _Package(counts, personnel, sectors, provided, pooled, cost, readiness)


def _unit_rules_hold(scenario: Scenario, package: _Package) -> bool:
    """Every rule that depends on units only: coverage, national ceilings, sectors, targets."""
    for req in scenario.requirements:
        if req.priority == Priority.ESSENTIAL and package.provided.get(req.id, 0) < req.quantity:
            return False
    for nation, deployed in package.personnel.items():
        for line in scenario.red_lines_of(nation):
            if isinstance(line, MaxPersonnel) and deployed > line.limit:
                return False
            if isinstance(line, MinContingent) and deployed < line.personnel:
                return False
            if isinstance(line, MaxSectors) and len(package.sectors[nation]) > line.count:
                return False
            if isinstance(line, NotAlongside) and line.scope == AlongsideScope.SECTOR:
                for other in line.nations:
                    if package.sectors[nation] & package.sectors.get(other, set()):
                        return False
    targets = scenario.targets
    total = sum(package.personnel.values())
    if targets.max_personnel is not None and total > targets.max_personnel:
        return False
    if targets.min_nations is not None and len(package.personnel) < targets.min_nations:
        return False
    for group, minimum in targets.group_minimums.items():
        if len(package.contributors & set(scenario.group_members[group])) < minimum:
            return False
    if targets.max_nation_share is not None:
        ceiling = written(targets.max_nation_share)
        for deployed in package.personnel.values():
            if deployed > ceiling * total:
                return False
    return True


def _participation_holds(scenario: Scenario, participants: set[str], contributors: set[str]) -> bool:
    """`not_alongside` (force) and `requires_partner` for every participating nation."""
    for nation in participants:
        for line in scenario.red_lines_of(nation):
            if isinstance(line, NotAlongside):
                if line.scope == AlongsideScope.FORCE and participants & set(line.nations):
                    return False
            elif isinstance(line, RequiresPartner):
                # Partners are other nations contributing units; a group's member never counts itself.
                if line.nations is not None:
                    partners = set(line.nations)
                else:
                    partners = set(scenario.group_members[line.group or ""]) - {nation}
                if len(partners & contributors) < line.min:
                    return False
    return True


def _funding(
    scenario: Scenario, package: _Package, donors: dict[str, list[tuple[str, int, frozenset[str] | None]]]
) -> dict[tuple[str, str], int] | None:
    """The flows of a money set that makes the package fundable, or None when no set does.

    Contributors' money is free (they already take part); other donors are tried in every subset,
    smallest first, since each brings its red lines with its money.
    """
    contributors = package.contributors
    coverage = scenario.targets.funding_coverage
    if coverage is None:
        return {} if _participation_holds(scenario, contributors, contributors) else None
    required = written(coverage) * sum(package.pooled.values())
    free = [n for n in donors if n in contributors]
    optional = [n for n in donors if n not in contributors]
    for size in range(len(optional) + 1):
        for extra in itertools.combinations(optional, size):
            if not _participation_holds(scenario, contributors | set(extra), contributors):
                continue
            pledges = [p for n in (*free, *extra) for p in donors[n]]
            total, flows = _max_flow(pledges, package.pooled)
            if total >= required:
                return flows
    return None


def _objective(scenario: Scenario, package: _Package) -> tuple[Fraction, ...]:
    """The package's value on each criterion of the objective, exactly (maximised ones as their
    positive value)."""
    values: list[Fraction] = []
    for term in scenario.objective:
        criterion = term.criterion
        if criterion == "shortfall":
            values.append(
                sum(
                    (
                        written(req.weight) * max(0, req.quantity - package.provided.get(req.id, 0)) / req.quantity
                        for req in scenario.requirements
                        if req.priority == Priority.DESIRABLE
                    ),
                    Fraction(0),
                )
            )
        elif criterion == "cost":
            values.append(Fraction(package.cost))
        elif criterion == "nations":
            values.append(Fraction(len(package.personnel)))
        elif criterion == "max_share":
            total = sum(package.personnel.values())
            values.append(Fraction(max(package.personnel.values()), total) if total else Fraction(0))
        elif criterion == "readiness":
            values.append(Fraction(package.readiness))
        else:  # pragma: no cover - the scenario model admits no other criterion
            raise AssertionError(f"unknown criterion {criterion}")
    return tuple(values)


def _assignments(scenario: Scenario, pairs: Sequence[_Pair]) -> Iterator[dict[int, int]]:
    """Every assignment of unit counts to eligible pairs, each unit line within its count."""
    by_unit: dict[str, list[int]] = {}
    for index, pair in enumerate(pairs):
        by_unit.setdefault(pair.unit, []).append(index)
    indices = list(by_unit.values())
    options = [_unit_options(scenario.unit_by_key[unit].count, len(idx)) for unit, idx in by_unit.items()]
    for choice in itertools.product(*options):
        counts: dict[int, int] = {}
        for idx, combo in zip(indices, choice, strict=True):
            for index, units in zip(idx, combo, strict=True):
                if units:
                    counts[index] = units
        yield counts


def within(value: Fraction, best: Fraction, tolerance: Fraction, *, maximised: bool) -> bool:
    """Whether a criterion's value keeps within `tolerance` x |best| of its best value."""
    if maximised:
        return value >= best - tolerance * abs(best)
    return value <= best + tolerance * abs(best)


def lexicographic_optima(
    rows: Sequence[tuple[tuple[Fraction, ...], T]], terms: Sequence[tuple[str, float]]
) -> tuple[tuple[Fraction, ...], list[T]]:
    """The best value of each criterion in turn, and the rows optimal under the whole objective.

    `terms` are (criterion, tolerance) in the order optimised; row i's values follow that order.
    Each criterion's best is taken among the rows kept so far; a tolerance keeps, for the later
    criteria, every row within it of that best. The last criterion keeps its best rows only:
    nothing after it may trade it away. `rows` must not be empty.
    """
    alive = list(rows)
    best_values: list[Fraction] = []
    for position, (criterion, tolerance) in enumerate(terms):
        maximised = criterion in MAXIMISED_CRITERIA
        values = [values[position] for values, _ in alive]
        best = max(values) if maximised else min(values)
        best_values.append(best)
        allowed = written(tolerance) if position < len(terms) - 1 else Fraction(0)
        alive = [row for row in alive if within(row[0][position], best, allowed, maximised=maximised)]
    return tuple(best_values), [item for _, item in alive]


def _terms(scenario: Scenario) -> list[tuple[str, float]]:
    return [(term.criterion, term.tolerance) for term in scenario.objective]


def _lexicographic_best(candidates: list[tuple[tuple[Fraction, ...], int]], terms: Sequence[ObjectiveTerm]) -> int:
    """Index of a lexicographic optimum (the first of them): see `lexicographic_optima`."""
    _, optima = lexicographic_optima(candidates, [(term.criterion, term.tolerance) for term in terms])
    return optima[0]


@dataclass(frozen=True)
class BrutePackage:
    """One package that honours every rule, with its exact value on each criterion of the objective."""

    objective: tuple[Fraction, ...]
    assignment: dict[Pair, int]
    """Units per (unit id, requirement id), positive only."""
    placements: frozenset[tuple[str, str]]
    """(nation, sector) where the nation has units."""


def feasible_packages(scenario: Scenario, max_candidates: int = 200_000) -> list[BrutePackage]:
    """Every package of the scenario that honours every rule.

    Raises ValueError when more than `max_candidates` assignments would be enumerated.
    """
    pairs = _eligible_pairs(scenario)
    size = search_space_size(scenario)
    if size > max_candidates:
        raise ValueError(f"search space of {size} assignments exceeds max_candidates={max_candidates}")
    donors = _donors(scenario)
    out: list[BrutePackage] = []
    for counts in _assignments(scenario, pairs):
        package = _package(pairs, counts)
        if not _unit_rules_hold(scenario, package) or _funding(scenario, package, donors) is None:
            continue
        out.append(
            BrutePackage(
                objective=_objective(scenario, package),
                assignment={(pairs[i].unit, pairs[i].requirement): units for i, units in counts.items()},
                placements=frozenset((pairs[i].nation, pairs[i].sector) for i in counts),
            )
        )
    return out


@dataclass(frozen=True)
class Optima:
    """A scenario's lexicographic optima under its objective, tolerances read exactly."""

    stage_values: tuple[Fraction, ...]
    """The best value of each criterion among the packages the earlier criteria keep: what each
    stage of a lexicographic solve proves."""
    packages: list[BrutePackage]
    """Every optimal package: within tolerance on every criterion but the last, best on the last."""

    def vectors(self) -> set[tuple[float, ...]]:
        """The objective vectors of the optimal packages, as a solution document writes them."""
        return {tuple(float(v) for v in p.objective) for p in self.packages}


def optima(scenario: Scenario, packages: Sequence[BrutePackage] | None = None) -> Optima | None:
    """The scenario's lexicographic optima (among `packages` when given), None when no package exists."""
    if packages is None:
        packages = feasible_packages(scenario)
    if not packages:
        return None
    best, kept = lexicographic_optima([(p.objective, p) for p in packages], _terms(scenario))
    return Optima(best, kept)


def churn(a: dict[Pair, int], b: dict[Pair, int]) -> int:
    """Units moved, added or removed between two packages: sum over (unit, line) of |change|."""
    return sum(abs(a.get(pair, 0) - b.get(pair, 0)) for pair in set(a) | set(b))


def repair_optima(scenario: Scenario, baseline: dict[Pair, int]) -> Optima | None:
    """The optima when churn against `baseline` comes first, then the scenario's objective
    (its values are then (churn, objective...))."""
    packages = feasible_packages(scenario)
    if not packages:
        return None
    with_churn = [
        BrutePackage((Fraction(churn(p.assignment, baseline)), *p.objective), p.assignment, p.placements)
        for p in packages
    ]
    best, kept = lexicographic_optima([(p.objective, p) for p in with_churn], [("churn", 0.0), *_terms(scenario)])
    return Optima(best, kept)


def qualifying(
    scenario: Scenario, packages: Sequence[BrutePackage], limits: Sequence[Fraction], tolerance: float
) -> list[BrutePackage]:
    """The packages within `tolerance` (read as written) of `limits` on every criterion."""
    allowed = written(tolerance)
    maximised = [term.criterion in MAXIMISED_CRITERIA for term in scenario.objective]
    return [
        p
        for p in packages
        if all(
            within(value, limit, allowed, maximised=up)
            for value, limit, up in zip(p.objective, limits, maximised, strict=True)
        )
    ]


def _donors(scenario: Scenario) -> dict[str, list[tuple[str, int, frozenset[str] | None]]]:
    donors: dict[str, list[tuple[str, int, frozenset[str] | None]]] = {}
    for offer in scenario.offers:
        if offer.funding and not _barred(scenario, offer.nation):
            donors[offer.nation] = [
                (f"{offer.nation}/{p.id}", p.amount_usd, frozenset(p.earmark) if p.earmark is not None else None)
                for p in offer.funding
            ]
    return donors


def brute_force(scenario: Scenario, max_candidates: int = 200_000) -> BruteResult:
    """A lexicographic optimum of `scenario` by enumerating every package (the first found of them).

    Raises ValueError when more than `max_candidates` assignments would be enumerated.
    """
    found = optima(scenario, feasible_packages(scenario, max_candidates))
    if found is None:
        return BruteResult(status="infeasible", objective=(), assignment={}, flows={})
    best = found.packages[0]
    pairs = _eligible_pairs(scenario)
    index = {(pair.unit, pair.requirement): i for i, pair in enumerate(pairs)}
    package = _package(pairs, {index[pair]: units for pair, units in best.assignment.items()})
    flows = _funding(scenario, package, _donors(scenario)) or {}
    objective = tuple(float(value) for value in best.objective)
    return BruteResult(status="optimal", objective=objective, assignment=dict(best.assignment), flows=flows)
