"""Explanations: conflicts named in the planner's words, proven minimal, and relaxations that work.

The properties re-verify every claim through `solver.renegotiate` and a plain solve (or the brute
force on tiny scenarios), not through the relaxable model the explanation came from.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, note

from forcepack.models import Scenario, load_scenario, parse_scenario
from forcepack.models.scenario import ObjectiveTerm
from forcepack.solver import SolveParams, build, solve
from forcepack.solver.elements import Element
from forcepack.solver.explain import explain
from forcepack.solver.renegotiate import relax
from tests.brute import brute_force, search_space_size
from tests.strategies import small_scenarios, tiny_scenarios
from tests.test_rules import base, line, offer, unit

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)


def elements_of(scenario: Scenario) -> set[Element]:
    """Every element the relaxable model puts behind a literal."""
    return set(build(scenario, relaxable=True).vars.enforce)


def feasible(scenario: Scenario) -> bool:
    """Does a package exist? Decided on the scenario with its objective replaced by a count of nations:
    the objective never changes which packages exist, and some criteria (`max_share`) are slow to prove."""
    decision = scenario.model_copy(update={"objective": [ObjectiveTerm(criterion="nations")]})
    solution = solve(decision, PARAMS, explain=False)
    assert solution.status in ("optimal", "feasible", "infeasible")
    return solution.has_package


def conflict_of(data: dict[str, Any]) -> tuple[Scenario, set[tuple[str, str]]]:
    scenario = parse_scenario(data)
    explanation = explain(scenario, PARAMS)
    assert explanation is not None
    assert explanation.minimal
    assert explanation.summary
    assert all(c.text for c in explanation.conflict)
    return scenario, {(c.type, c.id) for c in explanation.conflict}


# -- one test per element type ---------------------------------------------------------------------


def test_explain_names_filtering_red_lines() -> None:
    """An essential line whose only providers are kept out by caveats names the line and both caveats."""
    data = base(
        requirements=[line("ky-fpu", sector="bravo", capability="formed_police_unit", quantity=2, engagement=2)],
        offers=[
            offer(
                "AAA",
                [unit("a", capability="formed_police_unit", count=2)],
                red_lines=[{"id": "a-secure", "kind": "allowed_control", "statuses": ["secure"]}],
            ),
            offer(
                "BBB",
                [unit("b", capability="formed_police_unit", count=2)],
                red_lines=[{"id": "b-calm", "kind": "max_engagement", "level": 0}],
            ),
        ],
    )
    _, conflict = conflict_of(data)
    assert conflict == {("requirement", "ky-fpu"), ("red_line", "a-secure"), ("red_line", "b-calm")}


def test_explain_names_vetoes() -> None:
    """A veto on the only helicopter provider is named with the line."""
    data = base(
        requirements=[line("helo", capability="utility_helicopter")],
        offers=[offer("CCC", [unit("c", capability="utility_helicopter")])],
        vetoes=[{"id": "no-ccc", "by": "Party", "against": ["CCC"], "scope": "units"}],
    )
    _, conflict = conflict_of(data)
    assert conflict == {("requirement", "helo"), ("veto", "no-ccc")}


def test_explain_names_mandate_conditions() -> None:
    """A nation waiting for a ceasefire: the condition and its red line are named (either way out)."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer(
                "AAA",
                [unit("a")],
                red_lines=[{"id": "a-ceasefire", "kind": "requires_mandate", "conditions": ["ceasefire"]}],
            )
        ],
    )
    scenario, conflict = conflict_of(data)
    assert ("requirement", "eng") in conflict
    assert ("mandate", "ceasefire") in conflict or ("red_line", "a-ceasefire") in conflict
    explanation = explain(scenario, PARAMS)
    assert explanation is not None
    ways = [{(c.type, c.id) for c in r.changes} for r in explanation.relaxations]
    assert {("red_line", "a-ceasefire")} in ways
    assert {("mandate", "ceasefire")} in ways


def test_explain_names_availability() -> None:
    """A unit that arrives after the line is needed is named by its id, as availability."""
    data = base(
        requirements=[line("eng", needed_from="2026-02-01")],
        offers=[offer("AAA", [unit("a", available_from="2026-05-01")])],
    )
    _, conflict = conflict_of(data)
    assert conflict == {("requirement", "eng"), ("availability", "a")}


def test_explain_names_targets_and_coupling_red_lines() -> None:
    """Two nations needed but one refuses the other: the target and the red line are both named."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer(
                "AAA", [unit("a", count=2)], red_lines=[{"id": "a-not-b", "kind": "not_alongside", "nations": ["BBB"]}]
            ),
            offer("BBB", [unit("b", count=2)]),
        ],
        targets={"min_nations": 2},
    )
    _, conflict = conflict_of(data)
    assert conflict == {("target", "min_nations"), ("red_line", "a-not-b")}


def test_explain_names_funding() -> None:
    """Pledges too small for the pooled cost: funding_coverage and the line are named."""
    data = base(
        requirements=[line("eng")],
        offers=[offer("AAA", [unit("a", monthly_cost_usd=1000)], funding=[{"id": "a-fund", "amount_usd": 5000}])],
        targets={"funding_coverage": 1.0},
    )
    _, conflict = conflict_of(data)
    assert conflict == {("funding", "funding_coverage"), ("requirement", "eng")}


def test_explain_feasible_scenario_has_no_explanation() -> None:
    """A scenario with a package gets no explanation."""
    assert explain(parse_scenario(base(requirements=[line("eng")], offers=[offer("AAA", [unit("a")])]))) is None


@pytest.mark.parametrize("name", ["infeasible-funding", "infeasible-khan-younis-police"])
def test_explain_examples_name_their_expected_conflict(name: str) -> None:
    """The infeasible examples' conflicts hold the ids their `expect` block states."""
    scenario = load_scenario(f"examples/{name}.yaml")
    solution = solve(scenario, SolveParams(time_limit_s=20, workers=1))
    assert solution.status == "infeasible"
    assert solution.explanation is not None and solution.explanation.minimal
    assert scenario.expect is not None and scenario.expect.conflict
    assert set(scenario.expect.conflict) <= {c.id for c in solution.explanation.conflict}


# -- properties ---------------------------------------------------------------------------------


def _assert_conflict_proven(scenario: Scenario, decide: Any) -> None:
    explanation = explain(scenario, PARAMS)
    assert explanation is not None
    everything = elements_of(scenario)
    conflict = {Element(c.type, c.id, c.nation) for c in explanation.conflict}
    assert conflict <= everything
    note(f"conflict: {sorted(conflict)}")
    # The conflict is infeasible on its own: everything else relaxed.
    assert not decide(relax(scenario, everything - conflict))
    if explanation.minimal:
        for e in conflict:
            assert decide(relax(scenario, (everything - conflict) | {e})), f"{e} is not needed"
    # Every relaxation works, and none contains another.
    sets = [frozenset(Element(c.type, c.id, c.nation) for c in r.changes) for r in explanation.relaxations]
    # An infeasible scenario always has a way out; one cut short by the time limit says so instead.
    assert sets or not explanation.complete, "no way out, and the explanation claims to be complete"
    for s in sets:
        assert decide(relax(scenario, s))
    for a in sets:
        for b in sets:
            assert not a < b


@given(small_scenarios())
def test_explain_conflicts_are_infeasible_and_minimal(scenario: Scenario) -> None:
    """On generated infeasible scenarios the conflict is infeasible alone and each element is needed."""
    assume(not feasible(scenario))
    _assert_conflict_proven(scenario, feasible)


@given(tiny_scenarios())
def test_explain_conflicts_agree_with_brute_force(scenario: Scenario) -> None:
    """On tiny scenarios the same claims hold when decided by exhaustive search."""
    assume(search_space_size(scenario) <= 2_000)
    assume(brute_force(scenario).status == "infeasible")
    assume(search_space_size(relax(scenario, elements_of(scenario))) <= 20_000)

    def decide(s: Scenario) -> bool:
        return brute_force(s, max_candidates=50_000).status == "optimal"

    _assert_conflict_proven(scenario, decide)
