"""Alternatives: several packages within a tolerance of the best, each different enough."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from fractions import Fraction

from forcepack.models.analysis import Alternatives
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.models.wording import plural
from forcepack.solver.answer import solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.criteria import criterion, tolerance_of
from forcepack.solver.document import Package, exact_values
from forcepack.solver.params import SolveParams
from forcepack.solver.search import ProgressCallback, Search

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
    best: Solution | None = None,
    on_package: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Alternatives:
    """Up to k packages, each within `tolerance` of the best on every criterion, pairwise differing
    in at least `min_difference` nation-sector placements.

    The first package is the optimum; each next one is the best package that keeps every
    criterion within the tolerance of the optimum's value (`tolerance x |value|`, the tolerance
    read as the decimal written, in exact arithmetic) and differs enough from all found so far.
    `best` is the scenario's optimum when already solved with these parameters; `cancel` stops
    every search within a fraction of a second (the packages found so far are not returned).
    """
    if k < 1:
        raise ValueError(f"Expected k >= 1, got {k}.")
    if min_difference < 1:
        raise ValueError(f"Expected min_difference >= 1, got {min_difference}.")
    if not 0 <= tolerance <= 1:
        raise ValueError(f"Expected 0 <= tolerance <= 1, got {tolerance}.")
    params = params or SolveParams()
    if best is None:
        best = solve(scenario, params, on_package=on_package, cancel=cancel)
    found = [best]
    last: Solution | None = None
    if best.has_package:
        names = [t.criterion for t in scenario.objective]
        limits = list(zip(names, exact_values(scenario, Package.from_solution(best), names), strict=True))
        allowed = tolerance_of(tolerance)
        while len(found) < k:
            if cancel is not None and cancel.is_set():
                break
            search = Search(scenario, cancel=cancel)
            _within(search.builder, limits, allowed)
            _differs(search.builder, [placements(p) for p in found], min_difference)
            last = search.run(params, on_package=on_package)
            if not last.has_package:
                break
            found.append(_as_alternative(best, last))
    sets = [placements(p) for p in found]
    exhausted = last is not None and last.status == "infeasible"
    return Alternatives(
        tolerance=tolerance,
        min_difference=min_difference,
        asked=k,
        summary=_summary(best, found, k, tolerance, min_difference, last),
        packages=found,
        descriptions=[_description(best, p, i) for i, p in enumerate(found)] if best.has_package else [],
        differences=[[len(a ^ b) for b in sets] for a in sets],
        exhausted=exhausted,
    )


def _as_alternative(best: Solution, package: Solution) -> Solution:
    """An alternative as the scenario sees it: optimal only when exactly as good as the best on
    every criterion; else a feasible package, its gap the first criterion's distance from the best's
    (its own search proved it best only among the packages that differ enough)."""
    for mine, top in zip(package.objective, best.objective, strict=True):
        if mine.value != top.value:
            gap = abs(mine.value - top.value) / max(1.0, abs(mine.value))
            return package.model_copy(update={"status": "feasible", "gap": gap})
    return package


def _summary(best: Solution, found: list[Solution], k: int, tolerance: float, d: int, last: Solution | None) -> str:
    """What was found; when fewer than asked, why."""
    if not best.has_package:
        return f"No package exists ({best.status}): there is no best to find alternatives to."
    share = f"{tolerance * 100:.4g}%"
    within = f"within {share} of the best on every criterion and differing in at least {plural(d, 'placement')}"
    if len(found) == k:
        return f"{plural(len(found), 'package')}: the best and {plural(len(found) - 1, 'alternative')} {within}."
    count = (
        f"Only {len(found)} of the {plural(k, 'package')} asked for: the best and "
        f"{plural(len(found) - 1, 'alternative')} {within}"
    )
    if last is not None and last.status == "infeasible":
        return f"{count}; no other package is (proven)."
    return f"{count}; the time limit ran out before another was found (more may exist)."


def _description(best: Solution, package: Solution, i: int) -> str:
    """A package of the list in a planner's words: the best, or how an alternative differs from it."""
    if i == 0:
        return "The best package."
    gone = sorted(placements(best) - placements(package))
    new = sorted(placements(package) - placements(best))
    moves = [f"{n} leaves {s}" for n, s in gone] + [f"{n} joins {s}" for n, s in new]
    changes = []
    for mine, top in zip(package.objective, best.objective, strict=True):
        delta = mine.value - top.value
        if abs(delta) > 1e-9:
            changes.append(f"{mine.criterion} {criterion(mine.criterion).shown(delta)}")
    worse = "; ".join(changes) if changes else "every criterion as good as the best"
    return f"Alternative {i} (not the best: the best package that differs enough from those before it): " + (
        ", ".join(moves) + f"; {worse}."
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
