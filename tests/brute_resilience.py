"""Exhaustive search for resilient packages, from the definition in docs/decisions.md.

A package P is resilient when, for every nation n, some package of the scenario without n keeps
every placement P makes with other nations' units (and may add more). Built on `tests.brute`.
"""

from __future__ import annotations

from forcepack.models import Scenario
from forcepack.models.patch import Patch, apply_patch
from tests.brute import (
    BruteResult,
    _assignments,
    _donors,
    _eligible_pairs,
    _funding,
    _lexicographic_best,
    _objective,
    _package,
    _unit_rules_hold,
    search_space_size,
)

Assignment = dict[tuple[str, str], int]


def feasible_packages(scenario: Scenario) -> list[tuple[tuple[float, ...], Assignment]]:
    """Every package of the scenario that honours every rule, with its objective."""
    pairs = _eligible_pairs(scenario)
    donors = _donors(scenario)  # (pledges keyed `NATION/id`: each nation names its own)
    out = []
    for counts in _assignments(scenario, pairs):
        package = _package(pairs, counts)
        if _unit_rules_hold(scenario, package) and _funding(scenario, package, donors) is not None:
            assignment = {(pairs[i].unit, pairs[i].requirement): n for i, n in counts.items() if n}
            out.append((_objective(scenario, package), assignment))
    return out


def brute_force_resilient(scenario: Scenario) -> BruteResult:
    """The lexicographic optimum among resilient packages (status only, objective and assignment)."""
    fallbacks = {
        n.code: [a for _, a in feasible_packages(apply_patch(scenario, Patch.withdraw(n.code)))]
        for n in scenario.nations
        if n.code in scenario.offer_by_nation
    }

    def extendable(package: Assignment, nation: str) -> bool:
        kept = {p: v for p, v in package.items() if p[0].partition("/")[0] != nation}
        return any(all(y.get(p, 0) >= v for p, v in kept.items()) for y in fallbacks[nation])

    candidates = [
        (objective, assignment)
        for objective, assignment in feasible_packages(scenario)
        if all(extendable(assignment, n) for n in fallbacks)
    ]
    if not candidates:
        return BruteResult(status="infeasible", objective=(), assignment={}, flows={})
    best = _lexicographic_best([(o, i) for i, (o, _) in enumerate(candidates)], scenario.objective)
    return BruteResult(status="optimal", objective=candidates[best][0], assignment=candidates[best][1], flows={})


def small_enough(scenario: Scenario, limit: int = 3_000) -> bool:
    return search_space_size(scenario) <= limit


def brute_most_resilient(scenario: Scenario) -> tuple[int, tuple[float, ...]] | None:
    """Among the scenario's packages, the fewest withdrawals none of its fallbacks survives, and the
    lexicographic optimum among the packages that few fail; None when no package exists."""
    fallbacks = {
        n.code: [a for _, a in feasible_packages(apply_patch(scenario, Patch.withdraw(n.code)))]
        for n in scenario.nations
        if n.code in scenario.offer_by_nation
    }

    def extendable(package: Assignment, nation: str) -> bool:
        kept = {p: v for p, v in package.items() if p[0].partition("/")[0] != nation}
        return any(all(y.get(p, 0) >= v for p, v in kept.items()) for y in fallbacks[nation])

    packages = feasible_packages(scenario)
    if not packages:
        return None
    scored = [(sum(not extendable(a, n) for n in fallbacks), objective) for objective, a in packages]
    fewest = min(fatal for fatal, _ in scored)
    kept = [(objective, i) for i, (fatal, objective) in enumerate(scored) if fatal == fewest]
    best = _lexicographic_best(kept, scenario.objective)
    return fewest, scored[best][1]
