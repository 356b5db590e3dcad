"""Explanations: conflicts named in the planner's words, proven minimal, and relaxations that work.

The properties re-verify every claim through `solver.renegotiate` and a plain solve (or the brute
force on tiny scenarios), not through the relaxable model the explanation came from.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, note

from forcepack.models import Scenario, load_scenario, parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import ObjectiveTerm
from forcepack.solver import SolveParams, build, solve
from forcepack.solver.elements import Element
from forcepack.solver.explain import explain, patch_of, relax_cost
from forcepack.solver.renegotiate import relax
from forcepack.solver.search import Search
from tests.brute import brute_force, feasible_packages, search_space_size
from tests.strategies import small_scenarios, tiny_scenarios
from tests.test_rules import base, line, offer, unit

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)


def elements_of(scenario: Scenario) -> set[Element]:
    """Every element the relaxable model puts behind a literal."""
    return set(build(scenario, relaxable=True).vars.enforce)


def feasible(scenario: Scenario) -> bool:
    """Does a package exist? Decided on the scenario with its objective replaced by cost alone: the
    objective never changes which packages exist, and some criteria (`max_share`) are slow to prove.
    (Not `nations` alone: that objective reports a feasible scenario infeasible,
    `test_explain_nations_objective_alone_finds_the_package`.)"""
    decision = scenario.model_copy(update={"objective": [ObjectiveTerm(criterion="cost")]})
    solution = solve(decision, PARAMS, explain=False)
    assert solution.status in ("optimal", "feasible", "infeasible")
    return solution.has_package


def deploys(scenario: Scenario) -> bool:
    """Does a package with someone deployed exist? Decided by the search with that asked of it."""
    decision = scenario.model_copy(update={"objective": [ObjectiveTerm(criterion="cost")]})
    search = Search(decision)
    search.builder.model.add(search.builder.total_personnel() >= 1)
    solution = search.run(PARAMS)
    assert solution.status in ("optimal", "feasible", "infeasible")
    return solution.has_package and solution.totals.personnel > 0


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


def _elements(conflict: list[Any]) -> frozenset[Element]:
    return frozenset(Element(c.type, c.id, c.nation) for c in conflict)


def _cheapest_hitting_sets(scenario: Scenario, conflicts: list[frozenset[Element]]) -> tuple[int, list[set[Element]]]:
    """The least relax cost of a set meeting every conflict, and every set of that cost, by trying
    every subset of their union."""
    union = sorted(frozenset().union(*conflicts))
    best: int | None = None
    found: list[set[Element]] = []
    for size in range(len(union) + 1):
        for chosen in itertools.combinations(union, size):
            if all(set(chosen) & c for c in conflicts):
                cost = sum(relax_cost(scenario, e) for e in chosen)
                if best is None or cost < best:
                    best, found = cost, []
                if cost == best:
                    found.append(set(chosen))
    assert best is not None
    return best, found


def _assert_conflicts_proven(scenario: Scenario, decide: Any, decide_force: Any) -> None:
    """Every claim of the explanation, re-decided outside the relaxable model: `decide` says whether
    a scenario has a package, `decide_force` whether it has one with someone deployed."""
    note(f"scenario: {scenario.canonical_json()}")
    explanation = explain(scenario, PARAMS)
    assert explanation is not None
    everything = elements_of(scenario)
    conflicts = [_elements(c.elements) for c in explanation.conflicts]
    assert conflicts, "an infeasible scenario's explanation names a cause"
    assert conflicts[0] == _elements(explanation.conflict)
    assert explanation.minimal == explanation.conflicts[0].minimal
    note(f"conflicts: {[sorted(c) for c in conflicts]}")
    for conflict, named in zip(conflicts, explanation.conflicts, strict=True):
        assert conflict <= everything
        assert named.summary
        # The conflict is infeasible on its own: everything else relaxed.
        assert not decide(relax(scenario, everything - conflict))
        if named.minimal:
            note(f"minimal: {sorted(conflict)}")
            for e in conflict:
                assert decide(relax(scenario, (everything - conflict) | {e})), f"{e} is not needed"
    # Every way out works and leaves a force, and none contains another.
    sets = [_elements(r.changes) for r in explanation.relaxations]
    # An infeasible scenario has a way out unless no package deploys anyone even with every element
    # given up; one cut short by the time limit says so instead.
    assert sets or not explanation.complete or not decide_force(relax(scenario, everything))
    for s, way in zip(sets, explanation.relaxations, strict=True):
        assert decide_force(relax(scenario, s)), f"{sorted(s)} leaves no force"
        assert all(s & c for c in conflicts), "a way out leaves a cause in place"
        assert way.personnel is None or way.personnel > 0
        assert way.cost == sum(relax_cost(scenario, e) for e in s)
    for a in sets:
        for b in sets:
            assert not a < b
    # Together the causes cover every cause: the first way out is a cheapest set meeting them all,
    # unless every such set leaves nobody deployed (a cause of an empty force is no conflict).
    if sets and explanation.complete:
        cheapest, hitting = _cheapest_hitting_sets(scenario, conflicts)
        if explanation.relaxations[0].cost != cheapest:
            assert not any(decide_force(relax(scenario, h)) for h in hitting)


@given(small_scenarios())
def test_explain_conflicts_are_infeasible_and_minimal(scenario: Scenario) -> None:
    """On generated infeasible scenarios every cause is infeasible alone, each element of a cause
    flagged minimal is needed, every way out leaves a force and meets every cause, and the first
    way out is a cheapest set meeting them all."""
    assume(not feasible(scenario))
    _assert_conflicts_proven(scenario, feasible, deploys)


@given(tiny_scenarios())
def test_explain_conflicts_agree_with_brute_force(scenario: Scenario) -> None:
    """On tiny scenarios the same claims hold when decided by exhaustive search."""
    assume(search_space_size(scenario) <= 2_000)
    assume(brute_force(scenario).status == "infeasible")
    assume(search_space_size(relax(scenario, elements_of(scenario))) <= 20_000)

    def decide(s: Scenario) -> bool:
        return brute_force(s, max_candidates=50_000).status == "optimal"

    def decide_force(s: Scenario) -> bool:
        return any(p.assignment for p in feasible_packages(s, max_candidates=50_000))

    _assert_conflicts_proven(scenario, decide, decide_force)


def test_explain_nations_objective_alone_finds_the_package() -> None:
    """A generated scenario (tests/data/solver/nations-objective-infeasible.json) has packages: with
    `shortfall` or `cost` the search found one, with `nations` alone CP-SAT's symmetry presolve
    answered infeasible (`solver.engine.new_solver` turns it off): every objective finds one."""
    data = json.loads(Path("tests/data/solver/nations-objective-infeasible.json").read_text())
    scenario = parse_scenario(data)
    assert feasible(scenario)
    nations = scenario.model_copy(update={"objective": [ObjectiveTerm(criterion="nations")]})
    assert solve(nations, PARAMS, explain=False).has_package


def test_explain_three_causes_example_names_all_three_with_one_way_out() -> None:
    """examples/three-causes.yaml: three independent, minimal causes (two supply shortfalls with their
    figures, a veto), and a first way out meeting all three whose patch, applied as a what-if, leaves
    a package with someone deployed; the infeasible answer carries the best-effort package."""
    scenario = load_scenario("examples/three-causes.yaml")
    solution = solve(scenario, PARAMS)
    explanation = solution.explanation
    assert explanation is not None and explanation.summary.startswith("Three independent causes")
    causes = [{e.id for e in c.elements} for c in explanation.conflicts]
    assert causes == [{"hq-staff"}, {"police-training"}, {"crossing-logistics", "no-turkish-troops"}]
    assert all(c.minimal for c in explanation.conflicts)
    staff = explanation.conflicts[0].elements[0]
    assert staff.supply is not None and (staff.supply.needed, staff.supply.offered) == (3, 2)
    assert staff.figures is not None and "needs 3 units; 2 offered in all (USA: 1, EGY: 1)" in staff.figures
    logistics = next(e for e in explanation.conflicts[2].elements if e.id == "crossing-logistics")
    assert logistics.figures is not None and "by veto `no-turkish-troops` (TUR)" in logistics.figures
    way = explanation.relaxations[0]
    assert {c.id for c in way.changes} == {"hq-staff", "police-training", "no-turkish-troops"}
    assert way.removes == [0, 1, 2] and way.patch is not None
    patched = apply_patch(scenario, Patch.model_validate(way.patch))
    after = solve(patched, PARAMS, explain=False)
    assert after.has_package and after.totals.personnel > 0
    assert explanation.best_effort is not None
    assert explanation.best_effort.lines_short == ["hq-staff", "police-training", "crossing-logistics"]


def test_explain_two_causes_have_one_way_out_that_removes_both() -> None:
    """examples/three-causes.yaml without its veto: two causes, and the way out that removes both is
    said so ("removes both", not "removes all two")."""
    data = load_scenario("examples/three-causes.yaml").model_dump(mode="json", by_alias=True, exclude_none=True)
    data["vetoes"] = []
    explanation = solve(Scenario.model_validate(data), PARAMS).explanation
    assert explanation is not None and explanation.summary.startswith("Two independent causes")
    assert " One way out removes both: give up " in explanation.summary


@pytest.mark.parametrize("name", ["gaza-isf", "tutorial", "three-causes", "infeasible-khan-younis-police"])
def test_explain_each_familys_patch_does_what_its_relaxation_does(name: str) -> None:
    """For every element of the examples, its family's patch operations give the scenario its
    relaxation gives (`renegotiate.relax`), or the family says it has none (availability)."""
    scenario = load_scenario(f"examples/{name}.yaml")
    for e in sorted(elements_of(scenario)):
        patch, missing = patch_of(scenario, [e])
        if e.type == "availability":
            assert patch is None and missing
            continue
        assert patch is not None, e
        expected = relax(scenario, [e]).model_copy(update={"id": scenario.id, "expect": None})
        got = apply_patch(scenario, patch).model_copy(update={"id": scenario.id})
        assert got.canonical_json() == expected.canonical_json(), e


def test_explain_coupling_figures_give_the_numbers_that_clash() -> None:
    """A force ceiling below what the essential lines need: the target's figures give both numbers."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[offer("AAA", [unit("a", count=2, personnel=150)])],
        targets={"max_personnel": 200},
    )
    explanation = explain(parse_scenario(data), PARAMS)
    assert explanation is not None
    target = next(e for e in explanation.conflict if e.type == "target")
    assert target.figures == "the rest of the conflict needs at least 300 personnel; the ceiling is 200"
    assert target.figures in explanation.summary


def test_explain_no_way_out_deploys_nobody() -> None:
    """Relaxing the essential line would leave an empty force (its only unit is vetoed): that is no
    way out; lifting the veto is."""
    data = base(
        requirements=[line("helo", capability="utility_helicopter")],
        offers=[offer("CCC", [unit("c", capability="utility_helicopter")])],
        vetoes=[{"id": "no-ccc", "by": "Party", "against": ["CCC"], "scope": "units"}],
        objective=["cost"],
    )
    explanation = explain(parse_scenario(data), PARAMS)
    assert explanation is not None
    ways = [{c.id for c in r.changes} for r in explanation.relaxations]
    assert ways == [{"no-ccc"}]
    assert explanation.relaxations[0].personnel == 100


def test_explain_not_alongside_gives_its_figures() -> None:
    """AAA will not serve with BBB, yet each fills an essential line no one else can: the cause
    names the red line with its figures (the rest of the conflict needs them together)."""
    from tests.test_rules import base, line, offer, unit

    scenario = parse_scenario(
        base(
            requirements=[line("E1", capability="engineer"), line("E2", capability="medical_role2")],
            offers=[
                offer(
                    "AAA",
                    [unit("a-eng")],
                    red_lines=[{"id": "no-bbb", "kind": "not_alongside", "nations": ["BBB"], "scope": "force"}],
                ),
                offer("BBB", [unit("b-med", capability="medical_role2")]),
            ],
        )
    )
    solution = solve(scenario, PARAMS)
    assert solution.status == "infeasible" and solution.explanation is not None
    element = next(e for c in solution.explanation.conflicts for e in c.elements if e.id == "no-bbb")
    assert element.figures == (
        "AAA will not serve in a force with BBB; the rest of the conflict needs AAA with at least 1 of them"
    )


def test_explain_requires_partner_figures_say_the_group_is_too_small() -> None:
    """AAA needs two partners of its group g1, which has one member besides it: the figures say so
    (not "at most 1 of its 1", which reads as a limit the rest of the conflict sets)."""
    scenario = parse_scenario(
        base(
            requirements=[line("E1"), line("M1", capability="medical_role2", priority="desirable")],
            offers=[
                offer(
                    "AAA",
                    [unit("a-eng")],
                    red_lines=[{"id": "two", "kind": "requires_partner", "group": "g1", "min": 2}],
                ),
                offer("BBB", [unit("b-med", capability="medical_role2")]),
            ],
        )
    )
    explanation = explain(scenario, PARAMS)
    assert explanation is not None
    element = next(e for c in explanation.conflicts for e in c.elements if e.id == "two")
    assert element.figures == (
        "AAA needs at least 2 partners of group g1 contributing units; group g1 has 1 nation besides AAA, and the "
        "rest of the conflict lets BBB contribute"
    )


def test_nothing_fits_around_the_inclusions_says_each_once() -> None:
    """With every element relaxed and still no package, the summary names what the package was asked
    to include, each once (a unit line kept on two tours is one unit line), and for kept tours that
    their units keep their own time; without inclusions, nothing fits."""
    from forcepack.solver.explain import _nothing_fits

    kept = ["arrive:AAA/a-eng@s-eng#4=2", "arrive:AAA/a-eng@s-eng#8=2", "history:9"]
    said = _nothing_fits(kept)
    assert said.count("AAA/a-eng's arrival kept") == 1
    assert said.endswith(
        "with AAA/a-eng's arrival kept, the plan before the change kept as deployed: what is offered cannot fill "
        "the requirements around it (the units with tours kept keep their ready day, tour length and relief as "
        "offered)."
    )
    assert _nothing_fits([]).endswith("relaxed: nothing fits.")
