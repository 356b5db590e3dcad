"""The first package by construction: every package it returns honours every rule (checked apart
from CP-SAT), it copes with the generated scenarios, rations money, and `solve` returns it when
the search finds nothing better in time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, note

from bench.generator import generate
from forcepack.models import Scenario, parse_scenario
from forcepack.models.common import Priority
from forcepack.models.solution import RunInfo
from forcepack.solver import SolveParams, SolveReport, solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.check import check
from forcepack.solver.construct import MIN_PAIRS, Construction, _Constructor, construct
from forcepack.solver.document import Package, solution_document
from tests.strategies import small_scenarios

RUN = RunInfo(solver="construction", solver_version="0", workers=1, seed=0, time_limit_s=5.0, wall_s=0.0)


def constructed(scenario: Scenario) -> Construction | None:
    return construct(built(scenario), time_limit_s=5.0)


def built(scenario: Scenario) -> ModelBuilder:
    """A builder whose model is built."""
    builder = ModelBuilder(scenario)
    builder.build()
    return builder


def violations(scenario: Scenario, construction: Construction) -> list[str]:
    document = solution_document(scenario, construction.package, status="feasible", run=RUN)
    return [f"[{v.rule}] {v.message}" for v in check(scenario, document)]


@given(small_scenarios())
def test_construct_every_package_passes_the_checker(scenario: Scenario) -> None:
    """Whatever the scenario, a constructed package honours every rule, or there is none."""
    construction = constructed(scenario)
    note(f"constructed: {construction is not None}")
    if construction is not None:
        assert violations(scenario, construction) == []


@pytest.mark.parametrize(("nations", "seed"), [(70, 1), (70, 2), (70, 3), (200, 1)])
def test_construct_covers_generated_scenarios(nations: int, seed: int) -> None:
    """On the benchmark's generated scenarios (feasible by construction of the generator) the
    rules of thumb find a package, and it fills desirable lines too, not only the essential ones."""
    scenario = generate(nations, seed)
    construction = constructed(scenario)
    assert construction is not None
    assert violations(scenario, construction) == []
    document = solution_document(scenario, construction.package, status="feasible", run=RUN)
    desirable = [c for c in document.coverage if c.priority == Priority.DESIRABLE]
    assert sum(c.provided for c in desirable) > 0
    empty = sum(r.weight for r in scenario.requirements if r.priority == Priority.DESIRABLE)
    assert document.objective[0].criterion == "shortfall"
    assert document.objective[0].value < 0.75 * empty


def _money_scenario(pledge_usd: int) -> Scenario:
    """One essential and one desirable infantry line, four units of 120,000 USD each over the
    horizon, and one donor whose pledge must pay for all of it."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "money",
        "name": "Money rations the fill",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "cost": {"personnel_rate_usd": 1000},
        "sectors": [{"id": "north", "control": "secure"}],
        "requirements": [
            {"id": "must", "sector": "north", "capability": "infantry", "quantity": 1},
            {"id": "nice", "sector": "north", "capability": "infantry", "quantity": 3, "priority": "desirable"},
        ],
        "nations": [{"code": "AAA"}, {"code": "BBB"}],
        "offers": [
            {"nation": "AAA", "units": [{"id": "a-inf", "capability": "infantry", "count": 4, "personnel": 10}]},
            {"nation": "BBB", "funding": [{"id": "b-fund", "amount_usd": pledge_usd}]},
        ],
        "targets": {"funding_coverage": 1.0},
    }
    return parse_scenario(data, source="test")


@pytest.mark.parametrize(("pledge_usd", "units"), [(300_000, 2), (480_000, 4), (479_999, 3), (120_000, 1)])
def test_construct_fills_desirable_lines_only_as_far_as_the_money_goes(pledge_usd: int, units: int) -> None:
    """Each unit costs 10 x 1,000 x 12 = 120,000 USD: the pledge pays for `units` of them, and
    the construction places exactly that many (the essential one first)."""
    scenario = _money_scenario(pledge_usd)
    construction = constructed(scenario)
    assert construction is not None
    assert violations(scenario, construction) == []
    placed = dict(construction.package.assignment)
    assert placed.get(("AAA/a-inf", "must")) == 1
    assert sum(placed.values()) == units


def test_construct_unfundable_essential_line_gives_no_package() -> None:
    """When the money cannot pay even for the essential line, there is no package to construct."""
    assert constructed(_money_scenario(119_999)) is None


def test_construct_breaking_a_constraint_it_does_not_model_gives_no_package() -> None:
    """A constraint added to the model (as alternatives and resilience add theirs) that the rules
    of thumb know nothing of: the completion by CP-SAT rejects the package instead of returning it."""
    scenario = _money_scenario(480_000)
    builder = built(scenario)
    builder.model.add(builder.vars.units[("AAA/a-inf", "nice")] == 0)
    builder.model.add(builder.vars.units[("AAA/a-inf", "must")] == 2)
    assert construct(builder, time_limit_s=5.0) is None


def test_solve_returns_the_constructed_package_when_time_is_short(searches_get_no_time: None) -> None:
    """On this 200-nation scenario CP-SAT's own first package took 6 s; with no time for its searches,
    `solve` still returns a checked package (the constructed one), with a finite gap."""
    scenario = generate(200, 2)
    report = SolveReport()
    solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), report=report)
    assert solution.status == "feasible"
    assert check(scenario, solution) == []
    assert report.first_package_s is not None
    assert 0 <= solution.gap <= 1
    first = solution.objective[0]
    assert first.bound <= first.value


def test_solve_constructs_only_for_large_models() -> None:
    """Below MIN_PAIRS pairs CP-SAT finds its own first package faster than a construction and its
    completion; the 25-nation scenario stays below it, the 200-nation one above."""
    assert len(built(generate(25, 1)).vars.units) < MIN_PAIRS
    assert len(built(generate(200, 1)).vars.units) >= MIN_PAIRS


def test_solve_completes_a_hint_into_the_first_package(searches_get_no_time: None) -> None:
    """A hint that is a package already (here the constructed one) is completed, not searched for:
    with no time for the searches the answer is at least as good as the hint, and checked."""
    scenario = generate(200, 2)
    builder = built(scenario)
    construction = construct(builder, time_limit_s=5.0)
    assert construction is not None
    expr, factor = builder.criteria["shortfall"]
    hinted = construction.solver.value(expr) / factor
    solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), hint=construction.package)
    assert solution.status == "feasible"
    assert check(scenario, solution) == []
    assert solution.objective[0].value <= hinted + 1e-6


def test_solve_falls_back_to_the_construction_when_the_hint_is_no_package(searches_get_no_time: None) -> None:
    """An empty hint leaves every essential line uncovered: its completion fails, the construction
    gives the first package instead (the searches get no time to find one of their own)."""
    scenario = generate(200, 2)
    report = SolveReport()
    solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), hint=Package(), report=report)
    assert solution.status == "feasible"
    assert check(scenario, solution) == []
    assert report.first_package_s is not None


def _caveats_scenario(red_line: dict[str, Any]) -> Scenario:
    """An essential line a free nation covers, and a desirable line only CCC can fill, under one caveat."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "caveats",
        "name": "Conditional nations in the fill",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "sectors": [{"id": "north", "control": "secure"}],
        "requirements": [
            {"id": "must", "sector": "north", "capability": "infantry", "quantity": 1},
            {"id": "nice", "sector": "north", "capability": "engineer", "quantity": 2, "priority": "desirable"},
        ],
        "nations": [{"code": "AAA"}, {"code": "CCC"}, {"code": "EEE"}],
        "offers": [
            {"nation": "AAA", "units": [{"id": "a-inf", "capability": "infantry", "count": 1, "personnel": 10}]},
            {
                "nation": "CCC",
                "units": [{"id": "c-eng", "capability": "engineer", "count": 3, "personnel": 10}],
                "red_lines": [red_line],
            },
        ],
    }
    return parse_scenario(data, source="test")


def test_construct_fills_with_a_nation_whose_minimum_contingent_it_meets() -> None:
    """CCC sends at least 20 personnel or none: two of its engineer units (20) fill the desirable line."""
    scenario = _caveats_scenario({"id": "c-min", "kind": "min_contingent", "personnel": 20})
    construction = constructed(scenario)
    assert construction is not None
    assert violations(scenario, construction) == []
    assert construction.package.assignment.get(("CCC/c-eng", "nice")) == 2


def test_construct_tops_up_a_minimum_contingent_or_leaves_the_nation_out() -> None:
    """At least 30 personnel: the two units the line asks for are 20, so a third goes too (over-provision
    is allowed); at least 40, more than CCC offers: CCC stays out and the package still holds."""
    topped = _caveats_scenario({"id": "c-min", "kind": "min_contingent", "personnel": 30})
    construction = constructed(topped)
    assert construction is not None and violations(topped, construction) == []
    assert construction.package.assignment.get(("CCC/c-eng", "nice")) == 3
    out = _caveats_scenario({"id": "c-min", "kind": "min_contingent", "personnel": 40})
    extended = _Constructor(built(out), extended=True).run()  # the first try, before any fallback
    assert extended == {("AAA/a-inf", "must"): 1}


def test_construct_leaves_out_a_nation_whose_partners_do_not_come() -> None:
    """CCC takes part only alongside EEE, who offers no units: CCC leaves the fill again."""
    scenario = _caveats_scenario({"id": "c-partner", "kind": "requires_partner", "nations": ["EEE"], "min": 1})
    assert _Constructor(built(scenario), extended=True).run() == {("AAA/a-inf", "must"): 1}
    construction = constructed(scenario)
    assert construction is not None
    assert violations(scenario, construction) == []
