"""Exactness (issue #20): optimal means exactly optimal, and tolerances mean what they say.

Each hand-built case sits at an edge of the arithmetic where the solver once answered a package
that was not the optimum while calling it `optimal`; its expected answer comes from the
exhaustive search (`tests/brute.py`, exact rational arithmetic, written apart from the solver).
The property tests draw the same kind of numbers (`tests.strategies`, `edges=True`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from unittest import mock

from hypothesis import assume, given
from hypothesis import strategies as st

from forcepack.models import RunInfo, Scenario, Solution, parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.solver import SolveParams, solve
from forcepack.solver.alternatives import alternatives, placements
from forcepack.solver.check import check
from forcepack.solver.document import Package, exact_values, solution_document
from forcepack.solver.rules import requirements
from forcepack.solver.whatif import what_if
from tests.brute import (
    BrutePackage,
    Optima,
    churn,
    feasible_packages,
    optima,
    qualifying,
    repair_optima,
    search_space_size,
)
from tests.strategies import TOLERANCES, small_scenarios, tiny_scenarios
from tests.test_rules import base, line, offer, unit

PARAMS = SolveParams(time_limit_s=30, workers=1, seed=0, deterministic=True)
ONE_MONTH = "2026-01-31"
"""A line needed in January only: its cost is one month of its units' monthly cost."""
MAX_CANDIDATES = 5_000
RUN = RunInfo(solver="test", solver_version="0", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)


def _assignment(solution: Solution) -> dict[tuple[str, str], int]:
    return {(f"{a.nation}/{a.unit}", a.requirement): a.units for a in solution.assignments}


def _key(assignment: dict[tuple[str, str], int]) -> frozenset[tuple[tuple[str, str], int]]:
    return frozenset(assignment.items())


def _find(packages: list[BrutePackage], solution: Solution) -> BrutePackage | None:
    """The exhaustive search's package that the solution describes (by its units)."""
    wanted = _key(_assignment(solution))
    return next((p for p in packages if _key(p.assignment) == wanted), None)


def _vector(solution: Solution) -> tuple[float, ...]:
    return tuple(o.value for o in solution.objective)


def _solved(scenario: Scenario) -> Solution:
    solution = solve(scenario, PARAMS)
    assert check(scenario, solution) == [], [v.message for v in check(scenario, solution)]
    return solution


def _assert_optimum(scenario: Scenario, solution: Solution, expected: Optima | None) -> None:
    """The solver's answer is one of the exhaustive search's optima, its status `optimal`, and each
    criterion's bound the best value its stage proves."""
    if expected is None:
        assert solution.status == "infeasible"
        return
    context = f"solver {solution.status} {_vector(solution)}; optima {sorted(expected.vectors())}"
    assert solution.status == "optimal", context
    assert _vector(solution) in expected.vectors(), context
    assert [o.bound for o in solution.objective] == [float(v) for v in expected.stage_values]
    assert solution.gap == 0


# -- the document's figures ------------------------------------------------------------------------------


def test_document_values_are_exact_fractions_as_the_nearest_float() -> None:
    """Lines weighing 1.07 and 1, both wholly short: the shortfall is 2.07 (as floats, 1.07 + 1.0 is
    2.0700000000000003); a share of 98,763 in 197,524 is that fraction's nearest float."""
    scenario = parse_scenario(
        base(
            requirements=[
                line("light", priority="desirable", weight=1.07),
                line("heavy", sector="bravo", priority="desirable"),
                line("inf", capability="infantry"),
                line("med", capability="medical_role2"),
            ],
            offers=[
                offer("AAA", [unit("a", capability="infantry", personnel=98761)]),
                offer("BBB", [unit("b", capability="medical_role2", personnel=98763)]),
            ],
            objective=["shortfall", "max_share"],
        )
    )
    package = Package.of({("AAA/a", "inf"): 1, ("BBB/b", "med"): 1})
    document = solution_document(scenario, package, status="feasible", run=RUN)
    assert [o.value for o in document.objective] == [2.07, float(Fraction(98763, 197524))]
    assert exact_values(scenario, package, ["shortfall", "max_share"]) == [Fraction(207, 100), Fraction(98763, 197524)]


# -- 1. tolerances read as the decimals written ---------------------------------------------------------


def _tolerance_case(objective: list[Any]) -> Scenario:
    """Two engineers wanted for January: AAA's two at 50 each (100), or one of AAA's with BBB's at 79
    (129, two nations): 129 is exactly 29 % above 100."""
    return parse_scenario(
        base(
            requirements=[line("eng", quantity=2, needed_until=ONE_MONTH)],
            offers=[
                offer("AAA", [unit("a", count=2, monthly_cost_usd=50)]),
                offer("BBB", [unit("b", monthly_cost_usd=79)]),
            ],
            objective=objective,
        )
    )


def test_solve_tolerance_admits_a_package_exactly_at_its_bound() -> None:
    """A cost tolerance of 0.29 on 100 admits 129 (0.29 x 100 is 28.999... in floating point, which
    floored to 28 once excluded it): the `nations` stage then takes the two-nation package."""
    scenario = _tolerance_case([{"criterion": "cost", "tolerance": 0.29}, "nations"])
    expected = optima(scenario)
    assert expected is not None and expected.vectors() == {(129.0, 2.0)}
    solution = _solved(scenario)
    _assert_optimum(scenario, solution, expected)
    assert _vector(solution) == (129.0, 2.0)


def test_alternatives_tolerance_admits_a_package_exactly_at_its_bound() -> None:
    """`alternatives --tolerance 0.29` finds both packages: 129 is within 0.29 of 100."""
    scenario = _tolerance_case(["cost"])
    packages = feasible_packages(scenario)
    assert len(qualifying(scenario, packages, [Fraction(100)], 0.29)) == 2
    result = alternatives(scenario, 3, tolerance=0.29, params=PARAMS)
    assert [p.objective[0].value for p in result.packages] == [100.0, 129.0]
    assert len(qualifying(scenario, packages, [Fraction(100)], 0.28)) == 1
    assert len(alternatives(scenario, 3, tolerance=0.28, params=PARAMS).packages) == 1


# -- 2. what-if `resolve` is the patched scenario's optimum ----------------------------------------------


def test_what_if_resolve_is_the_patched_optimum_under_a_tolerance() -> None:
    """With a 20 % tolerance on cost, lifting the veto on BBB makes its engineer at 210 the optimum;
    the baseline's engineer at 240 is within the tolerance but not an optimum, so `resolve` must not
    keep it to spare churn (the tie-break is only among packages exactly as good)."""
    data = base(
        requirements=[line("eng", needed_until=ONE_MONTH)],
        offers=[offer("AAA", [unit("a", monthly_cost_usd=240)]), offer("BBB", [unit("b", monthly_cost_usd=210)])],
        vetoes=[{"id": "v-bbb", "by": "Host", "against": ["BBB"], "scope": "units"}],
        objective=[{"criterion": "cost", "tolerance": 0.2}],
    )
    scenario = parse_scenario(data)
    patch = Patch.model_validate({"ops": [{"op": "drop_veto", "id": "v-bbb"}]})
    patched = apply_patch(scenario, patch)
    expected = optima(patched)
    assert expected is not None and expected.vectors() == {(210.0,)}
    result = what_if(scenario, patch, mode="resolve", params=PARAMS)
    assert _assignment(result.baseline) == {("AAA/a", "eng"): 1}
    assert result.patched.objective_value("cost") == 210.0
    assert _assignment(result.patched) == {("BBB/b", "eng"): 1}


# -- 3. `max_share` and shortfall optimised exactly --------------------------------------------------------


def test_solve_max_share_is_exact_within_a_ten_millionth() -> None:
    """Two packages' largest shares differ by 1e-10, inside one step of 1e-7: the cheaper has the
    larger share. Minimising the share first must take the smaller one, and say so exactly."""
    scenario = parse_scenario(
        base(
            requirements=[line("eng"), line("med", capability="medical_role2")],
            offers=[
                offer(
                    "AAA",
                    [
                        unit("a1", personnel=90724, monthly_cost_usd=300),
                        unit("a2", personnel=98761, monthly_cost_usd=100),
                    ],
                ),
                offer(
                    "BBB",
                    [
                        unit("b1", capability="medical_role2", personnel=98763, monthly_cost_usd=300),
                        unit("b2", capability="medical_role2", personnel=98759, monthly_cost_usd=100),
                    ],
                ),
            ],
            objective=["max_share", "cost"],
        )
    )
    expected = optima(scenario)
    assert expected is not None
    assert expected.stage_values[0] == Fraction(98763, 98761 + 98763)
    solution = _solved(scenario)
    _assert_optimum(scenario, solution, expected)
    assert _assignment(solution) == {("AAA/a2", "eng"): 1, ("BBB/b1", "med"): 1}


def _prime_lines(quantities: list[int], personnel: list[int]) -> Scenario:
    """Desirable infantry lines of these (prime) personnel quantities, one per sector, and one
    infantry unit of each personnel figure, from nations AAA, BBB, CCC, ... in turn."""
    sectors = [{"id": f"s{i}", "control": "secure"} for i in range(len(quantities))]
    codes = ["AAA", "BBB", "CCC", "DDD"]
    return parse_scenario(
        base(
            sectors=sectors,
            requirements=[
                line(
                    f"r{i}",
                    sector=f"s{i}",
                    capability="infantry",
                    quantity=q,
                    measure="personnel",
                    priority="desirable",
                )
                for i, q in enumerate(quantities)
            ],
            offers=[
                offer(codes[i], [unit(f"u{i}", capability="infantry", personnel=p)]) for i, p in enumerate(personnel)
            ],
            objective=["shortfall"],
        )
    )


def test_solve_shortfall_is_exact_with_large_prime_quantities() -> None:
    """Lines of 5,987, 6,007 and 7,919 personnel: weights per person rounded at 1e-9 sent the six-person
    unit to the wrong line (its shortfall 0.999001... against the optimum's 0.998997...). Their least
    common denominator, 2.8e11, keeps the objective exact in int64."""
    scenario = _prime_lines([5987, 6007, 7919], [7972, 6, 7064])
    expected = optima(scenario)
    assert expected is not None
    assert expected.stage_values[0] == Fraction(5987 - 6, 5987)
    _assert_optimum(scenario, _solved(scenario), expected)


def test_solve_shortfall_is_exact_past_the_integer_scale() -> None:
    """Five coprime quantities: their least common denominator (2.7e19) times the weights passes what
    one exact integer objective may hold, so the stage searches rounded weights and proves the answer
    with exact constraints. The rounded optimum sends the one-person unit to the line of 6,007; the
    exact one to the line of 5,987."""
    scenario = _prime_lines([5987, 6007, 7919, 7907, 12007], [7635, 11703, 1])
    assert not requirements.shortfall_is_exact(scenario)
    expected = optima(scenario)
    assert expected is not None
    assert expected.stage_values[0] == 3 - Fraction(1, 5987)
    _assert_optimum(scenario, _solved(scenario), expected)


# -- property tests on the edges of the arithmetic ------------------------------------------------------


@given(tiny_scenarios(edges=True))
def test_solve_matches_exhaustive_search_on_edge_numbers(scenario: Scenario) -> None:
    """With tolerances such as 0.29, large prime personnel and decimal weights, the solver's package is
    one of the exhaustive search's optima, exactly, with each stage's proven value as its bound."""
    assume(search_space_size(scenario) <= MAX_CANDIDATES)
    _assert_optimum(scenario, _solved(scenario), optima(scenario))


@given(small_scenarios(edges=True))
def test_solve_edge_numbers_pass_the_checker(scenario: Scenario) -> None:
    """On larger scenarios with the same numbers, every answer is proven (optimal or infeasible) and
    its package honours every rule."""
    solution = _solved(scenario)
    assert solution.status in ("optimal", "infeasible")


@given(tiny_scenarios(edges=True))
def test_solve_matches_exhaustive_search_with_rounded_shortfall(scenario: Scenario) -> None:
    """The same with the shortfall's exact integer objective made too large for every scenario: the
    stage searches rounded weights and proves its answer with exact constraints."""
    assume(search_space_size(scenario) <= MAX_CANDIDATES)
    assume(any(t.criterion == "shortfall" for t in scenario.objective))
    with mock.patch.object(requirements, "SHORTFALL_LIMIT", 0):
        assert not requirements.shortfall_is_exact(scenario) or not any(
            r.priority == "desirable" for r in scenario.requirements
        )
        _assert_optimum(scenario, _solved(scenario), optima(scenario))


@given(tiny_scenarios(edges=True), st.data())
def test_what_if_matches_exhaustive_search_on_edge_numbers(scenario: Scenario, data: st.DataObject) -> None:
    """After a nation withdraws, `resolve` answers an optimum of the patched scenario, with the least
    churn among the optima exactly as good; `repair` answers an optimum of churn first, then the
    objective."""
    assume(search_space_size(scenario) <= MAX_CANDIDATES)
    nations = [o.nation for o in scenario.offers]
    assume(nations)
    patch = Patch.withdraw(data.draw(st.sampled_from(nations)))
    baseline = _solved(scenario)
    assume(baseline.has_package)
    patched = apply_patch(scenario, patch)
    expected = optima(patched)
    resolved = what_if(scenario, patch, mode="resolve", params=PARAMS, baseline=baseline).patched
    assert check(patched, resolved) == []
    if expected is None:
        assert resolved.status == "infeasible"
        return
    assert resolved.status == "optimal"
    mine = _find(expected.packages, resolved)
    assert mine is not None, f"not an optimum: {_vector(resolved)}; optima {sorted(expected.vectors())}"
    before = _assignment(baseline)
    as_good = [p for p in expected.packages if p.objective == mine.objective]
    assert churn(mine.assignment, before) == min(churn(p.assignment, before) for p in as_good)

    repaired = what_if(scenario, patch, mode="repair", params=PARAMS, baseline=baseline).patched
    assert repaired.status == "optimal"
    expected_repair = repair_optima(patched, before)
    assert expected_repair is not None
    assert _vector(repaired) in expected_repair.vectors()


@given(tiny_scenarios(edges=True), st.sampled_from(TOLERANCES), st.integers(1, 2))
def test_alternatives_match_exhaustive_search_on_edge_numbers(scenario: Scenario, tolerance: float, d: int) -> None:
    """Every alternative keeps within the tolerance (read as written) of the first package on every
    criterion, each is the best package left that differs from the earlier ones in at least d
    placements, and when fewer than k are found, no qualifying package differs enough from them all."""
    assume(search_space_size(scenario) <= MAX_CANDIDATES)
    k = 3
    result = alternatives(scenario, k, tolerance=tolerance, min_difference=d, params=PARAMS)
    packages = feasible_packages(scenario)
    expected = optima(scenario, packages)
    first = result.packages[0]
    if expected is None:
        assert first.status == "infeasible" and len(result.packages) == 1
        return
    best = _find(expected.packages, first)
    assert best is not None
    allowed = qualifying(scenario, packages, list(best.objective), tolerance)
    found = [best]
    for solution in result.packages[1:]:
        assert solution.status == ("optimal" if _vector(solution) == _vector(first) else "feasible")
        assert check(scenario, solution) == []
        candidates = [p for p in allowed if all(len(p.placements ^ f.placements) >= d for f in found)]
        best_left = optima(scenario, candidates)
        assert best_left is not None
        mine = _find(best_left.packages, solution)
        assert mine is not None, f"{_vector(solution)} is not the best left: {sorted(best_left.vectors())}"
        assert placements(solution) == mine.placements
        found.append(mine)
    if len(found) < k:
        assert not [p for p in allowed if all(len(p.placements ^ f.placements) >= d for f in found)]
