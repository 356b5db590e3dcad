"""Alternatives: several packages within a tolerance of the best, each different enough."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from forcepack.models.analysis import Alternatives
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver.answer import solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.criteria import criterion, tolerance_of
from forcepack.solver.document import Package, exact_values
from forcepack.solver.params import SolveParams
from forcepack.solver.search import Search

Placement = tuple[str, str]
"""(nation, sector)"""


def placements(solution: Solution) -> frozenset[Placement]:
    """Where each nation has units."""
    return frozenset((a.nation, a.sector) for a in solution.assignments)


def alternatives(
    scenario: Scenario,
    k: int = 3,
    *,
    tolerance: float = 0.05,
    min_difference: int = 1,
    params: SolveParams | None = None,
) -> Alternatives:
    """Up to k packages, each within `tolerance` of the best on every criterion, pairwise differing
    in at least `min_difference` nation-sector placements.

    The first package is the optimum; each next one is the best package that keeps every
    criterion within the tolerance of the optimum's value (`tolerance x |value|`, the tolerance
    read as the decimal written, in exact arithmetic) and differs enough from all found so far.
    """
    if k < 1:
        raise ValueError(f"Expected k >= 1, got {k}.")
    if min_difference < 1:
        raise ValueError(f"Expected min_difference >= 1, got {min_difference}.")
    if not 0 <= tolerance <= 1:
        raise ValueError(f"Expected 0 <= tolerance <= 1, got {tolerance}.")
    params = params or SolveParams()
    best = solve(scenario, params)
    found = [best]
    if best.has_package:
        names = [t.criterion for t in scenario.objective]
        limits = list(zip(names, exact_values(scenario, Package.from_solution(best), names), strict=True))
        allowed = tolerance_of(tolerance)
        while len(found) < k:
            search = Search(scenario)
            _within(search.builder, limits, allowed)
            _differs(search.builder, [placements(p) for p in found], min_difference)
            nxt = search.run(params)
            if not nxt.has_package:
                break
            found.append(nxt)
    sets = [placements(p) for p in found]
    return Alternatives(
        tolerance=tolerance,
        min_difference=min_difference,
        packages=found,
        differences=[[len(a ^ b) for b in sets] for a in sets],
    )


def _within(b: ModelBuilder, limits: Sequence[tuple[str, Fraction]], tolerance: Fraction) -> None:
    """Every criterion within the tolerance of the optimum's value."""
    for name, value in limits:
        criterion(name).hold(b, value, tolerance)


def _differs(b: ModelBuilder, seen: list[frozenset[Placement]], least: int) -> None:
    """At least `least` nation-sector placements differ from each package seen."""
    reachable = [(n, s) for n in b.nations() for s in sorted(b.sectors_of(n))]
    for used in seen:
        b.model.add(
            sum(1 - b.in_sector(n, s) for n, s in used)
            + sum(b.in_sector(n, s) for n, s in reachable if (n, s) not in used)
            >= least
        )
