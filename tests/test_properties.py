"""Property tests on generated scenarios: every package is right, optimal, and monotone.

Scenarios come from `tests/strategies.py`; the checker (`solver/check.py`) and the exhaustive
search (`tests/brute.py`) are written apart from the solver, so agreement is evidence.
"""

from __future__ import annotations

from hypothesis import assume, given, note
from hypothesis import strategies as st

from forcepack.models import MAXIMISED, Scenario, Solution, parse_scenario
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from tests.brute import brute_force, search_space_size
from tests.strategies import small_scenarios, tiny_scenarios

PARAMS = SolveParams(time_limit_s=30, workers=1, seed=0, deterministic=True)


def solved(scenario: Scenario) -> Solution:
    solution = solve(scenario, PARAMS)
    assert solution.status in ("optimal", "infeasible"), f"no proven answer: {solution.status}"
    violations = check(scenario, solution)
    assert violations == [], "\n".join(v.message for v in violations)
    return solution


def first_value(solution: Solution) -> float:
    return solution.objective[0].value


def no_worse(variant: Solution, original: Solution, criterion: str) -> bool:
    """The variant's first criterion is at least as good as the original's."""
    if not original.has_package:
        return True
    if not variant.has_package:
        return False
    a, b = first_value(variant), first_value(original)
    return a >= b - 1e-6 if criterion in MAXIMISED else a <= b + 1e-6


@given(small_scenarios())
def test_solve_every_package_passes_the_checker(scenario: Scenario) -> None:
    """Whatever the scenario, a package the solver returns honours every rule."""
    solved(scenario)


@given(tiny_scenarios())
def test_solve_matches_exhaustive_search(scenario: Scenario) -> None:
    """On tiny scenarios the solver's status and every objective value equal the brute force's, exactly
    (both are exact fractions rendered as the nearest float)."""
    assume(search_space_size(scenario) <= 20_000)
    expected = brute_force(scenario)
    solution = solved(scenario)
    note(f"solver: {solution.status} {[o.value for o in solution.objective]}; brute: {expected}")
    assert solution.status == expected.status
    if expected.status == "optimal":
        assert tuple(o.value for o in solution.objective) == expected.objective


@given(small_scenarios(), st.data())
def test_solve_removing_a_red_line_never_worsens_first_objective(scenario: Scenario, data: st.DataObject) -> None:
    """Dropping a caveat only widens the choice: the first criterion never gets worse."""
    lines = [(i, j) for i, o in enumerate(scenario.offers) for j in range(len(o.red_lines))]
    assume(lines)
    i, j = data.draw(st.sampled_from(lines))
    raw = scenario.model_dump(mode="json", by_alias=True)
    del raw["offers"][i]["red_lines"][j]
    relaxed = parse_scenario(raw)
    criterion = scenario.objective[0].criterion
    assert no_worse(solved(relaxed), solved(scenario), criterion)


@given(small_scenarios(), st.data())
def test_solve_adding_an_offer_never_worsens_first_objective(scenario: Scenario, data: st.DataObject) -> None:
    """A new unit offered without caveats only widens the choice."""
    capabilities = sorted({r.capability for r in scenario.requirements})
    assume(scenario.offers)
    raw = scenario.model_dump(mode="json", by_alias=True)
    k = data.draw(st.integers(0, len(raw["offers"]) - 1))
    raw["offers"][k]["units"].append(
        {
            "id": "added-unit",
            "capability": data.draw(st.sampled_from(capabilities)),
            "count": data.draw(st.integers(1, 2)),
            "personnel": data.draw(st.sampled_from([50, 100])),
            "readiness": "rapid",
        }
    )
    richer = parse_scenario(raw)
    criterion = scenario.objective[0].criterion
    assert no_worse(solved(richer), solved(scenario), criterion)


@given(small_scenarios(), st.data())
def test_solve_withdrawn_nation_never_appears(scenario: Scenario, data: st.DataObject) -> None:
    """A nation whose offer is withdrawn has no unit, no money and no row in the package."""
    assume(scenario.offers)
    raw = scenario.model_dump(mode="json", by_alias=True)
    k = data.draw(st.integers(0, len(raw["offers"]) - 1))
    gone = raw["offers"].pop(k)["nation"]
    solution = solved(parse_scenario(raw))
    assert all(a.nation != gone for a in solution.assignments)
    assert all(f.nation != gone for f in solution.funding.flows)
    assert all(n.nation != gone for n in solution.nations)


@given(small_scenarios())
def test_solve_same_seed_same_package(scenario: Scenario) -> None:
    """Deterministic mode: the same scenario and seed give the same package twice."""
    first, second = solve(scenario, PARAMS), solve(scenario, PARAMS)
    assert first.status == second.status
    assert first.assignments == second.assignments
    assert first.funding.flows == second.funding.flows
